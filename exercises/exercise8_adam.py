"""Exercise 8 (adam): Adam from scratch.

An optimizer is not part of autograd: autograd fills `p.grad`, the optimizer reads it and moves
`p`. Exercise 7 used `torch.optim.Adam`; here you write it. Adam keeps two running averages for
every parameter, shaped like it: `m`, of the gradients (a momentum), and `v`, of the squared
gradients (how large this coordinate's gradients have been). The algorithm, as the paper and
torch's documentation write it, at step t = 1, 2, 3, ... with g_t the gradient::

    m_t     = beta1 * m_(t-1) + (1 - beta1) * g_t
    v_t     = beta2 * v_(t-1) + (1 - beta2) * g_t^2
    mhat_t  = m_t / (1 - beta1^t)                    (bias correction)
    vhat_t  = v_t / (1 - beta2^t)
    theta_t = theta_(t-1) - lr * mhat_t / (sqrt(vhat_t) + eps)

with m_0 = v_0 = 0, everything elementwise. `m` and `v` start at zero, so early on they are too
small: after one step m_1 = (1 - beta1) * g_1, a tenth of g_1 with the default beta1 = 0.9.
Dividing by 1 - beta^t undoes exactly that. `eps` is added to sqrt(vhat_t), outside the square
root, as `torch.optim.Adam` does; it only keeps the division finite.

Worked example, the first step of one coordinate, with lr = 0.1, the default betas and g_1 = 0.5:
m_1 = 0.1 * 0.5 = 0.05 and mhat_1 = 0.05 / 0.1 = 0.5; v_1 = 0.001 * 0.25 = 0.00025 and
vhat_1 = 0.00025 / 0.001 = 0.25; the step is 0.1 * 0.5 / (0.5 + eps), about 0.1: the first step
moves each coordinate by about `lr`, whatever the gradient's size.

In place, without autograd: the caller holds the parameters (a model holds them), so `step()`
must change THOSE tensors, not make new ones (`p = p - ...` only rebinds a local name, and the
caller's tensor never moves). They require grad, so an in-place change must not be recorded by
autograd: torch refuses one on a leaf that requires grad ("a leaf Variable that requires grad is
being used in an in-place operation") unless it happens inside a `torch.no_grad()` block. `m`
and `v` must not require grad either.

Clearing the gradients (`zero_grad()`) comes before the next backward pass, which would otherwise
add into them; `torch.optim` drops them (they become None) by default.

Rules: `torch.optim` is not used (not `torch.optim.Adam`, not a subclass of
`torch.optim.Optimizer`); `step()` updates the parameters in place and builds no graph (the
parameters stay leaves; nothing you compute has a `grad_fn`). No weight decay, no amsgrad.

Read: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html (the algorithm box),
https://arxiv.org/abs/1412.6980 (Kingma and Ba, section 3 on the bias correction), and
"PyTorch: optim" in https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise8`; stuck? `autograd-lab hint 8` gives a hint,
a more precise one each time you ask.
"""

from collections.abc import Iterable

import torch


class Adam:
    """Adam, step for step as `torch.optim.Adam(params, lr, betas, eps)` computes it."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        """Keep the parameters and the hyperparameters; start `m`, `v` and the step count at 0.

        `params` may be any iterable: a list, or `model.parameters()`, a generator you can walk
        only once. Each parameter gets its own `m` and `v`, of its shape, dtype and device.

        Args:
            params: the tensors to optimize, each with `requires_grad=True`, on any device.
            lr: the learning rate, the size of a step.
            betas: `(beta1, beta2)`, the decay rates of the averages `m` and `v`.
            eps: added to `sqrt(v_hat)` to keep the division finite.
        """
        raise NotImplementedError("exercise8: implement Adam.__init__")

    def zero_grad(self) -> None:
        """Clear the gradient of every parameter, as `torch.optim` does by default.

        A parameter whose `.grad` is already None stays None.
        """
        raise NotImplementedError("exercise8: implement Adam.zero_grad")

    def step(self) -> None:
        """Take one Adam step: update `m`, `v` and every parameter in place, from `p.grad`.

        The algorithm above, with `t` counting this object's calls of `step()` (1 at the first).
        Skip a parameter whose `.grad` is None, as torch does (the checks give every parameter
        a gradient at every step).
        """
        raise NotImplementedError("exercise8: implement Adam.step")
