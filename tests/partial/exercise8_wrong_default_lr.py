# expect-score: 9
# why: Adam is right for every lr it is given (one_step 2, several_steps 3, zero_grad 1) and
# keeps every rule (1 + 1 + 1), but its default lr is 1e-2, not torch's 1e-3: defaults fails.
# expect-status: defaults failed
# expect-status: no_torch_optim passed
"""Exercise 8 (adam): Adam from scratch.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

An optimizer is not part of autograd: autograd fills `p.grad`, the optimizer reads it and moves
`p`. Exercise 7 used `torch.optim.Adam`; here you write it. Adam keeps two running averages for
every parameter, shaped like it: `m`, of the gradients (a momentum), and `v`, of the squared
gradients (how large this coordinate's gradients have been). At step `t` (1, 2, 3, ...), with
`g = p.grad`::

    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)            # bias correction
    v_hat = v / (1 - beta2 ** t)
    p = p - lr * m_hat / (sqrt(v_hat) + eps)

`m` and `v` start at zero, so early on they are too small: after one step `m = (1 - beta1) * g`,
a tenth of `g` with the default `beta1 = 0.9`. Dividing by `1 - beta ** t` undoes exactly that,
so the first step moves each coordinate by about `lr`. `eps` is added to `sqrt(v_hat)`, outside
the square root, as `torch.optim.Adam` does; it only keeps the division finite.

In place, without autograd: the caller holds the parameters (a model holds them), so `step()`
must change THOSE tensors, not make new ones. They require grad, so an in-place update must not be
recorded by autograd: do it under `with torch.no_grad():` (or on `p.data`). `m` and `v` do not
require grad either (`torch.zeros_like(p)` gives a tensor that does not).

`zero_grad()` clears every parameter's gradient before the next backward pass (which would
otherwise add into it): set `p.grad = None`, as torch does by default, or zero it in place.

Rules: `torch.optim` is not used (not `torch.optim.Adam`, not a subclass of
`torch.optim.Optimizer`); `step()` updates the parameters in place and builds no graph (the
parameters stay leaves; nothing you compute has a `grad_fn`).

Read: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html (the algorithm box),
https://arxiv.org/abs/1412.6980 (Kingma and Ba, section 3 on the bias correction), and
"PyTorch: optim" in https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise8`.
"""

from collections.abc import Iterable

import torch


class Adam:
    """Adam, step for step as `torch.optim.Adam(params, lr, betas, eps)` computes it."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-2,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        """Keep the parameters and the hyperparameters; start `m`, `v` and the step count at 0.

        `params` may be any iterable (a list, or `model.parameters()`, a generator you can
        walk only once): keep `list(params)`. Give each parameter its own `m` and `v`,
        `torch.zeros_like(p)` (same shape, dtype and device).

        Args:
            params: the tensors to optimize, each with `requires_grad=True`, on any device.
            lr: the learning rate, the size of a step.
            betas: `(beta1, beta2)`, the decay rates of the averages `m` and `v`.
            eps: added to `sqrt(v_hat)` to keep the division finite.
        """
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        """Clear the gradient of every parameter: set `p.grad = None` (or zero it in place).

        A parameter whose `.grad` is already None stays None.
        """
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Take one Adam step: update `m`, `v` and every parameter in place, from `p.grad`.

        Count the step first (`t` is 1 at the first step), then, for each parameter with a
        gradient, under `torch.no_grad()`::

            m.mul_(beta1).add_((1 - beta1) * g)       # m = beta1 * m + (1 - beta1) * g
            v.mul_(beta2).add_((1 - beta2) * g * g)
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            p -= lr * m_hat / (v_hat.sqrt() + eps)

        Skip a parameter whose `.grad` is None, as torch does (the checks give every parameter
        a gradient at every step).
        """
        self.t += 1
        bias1 = 1 - self.beta1 ** self.t
        bias2 = 1 - self.beta2 ** self.t
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                if p.grad is None:
                    continue
                g = p.grad
                m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
                v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
                m_hat = m / bias1
                v_hat = v / bias2
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)
