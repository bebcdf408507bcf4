"""Exercise 4 (vjp): vector-Jacobian products, the one thing backward computes.

For `y = f(x)` the Jacobian `J` holds every partial derivative `J[i, j] = d y[i] / d x[j]`; with
tensors of any shape it is shaped `y.shape + x.shape`. Autograd never builds `J`. One backward pass
with a "gradient" `v` shaped like `y` computes the vector-Jacobian product::

    (v^T J)[j] = sum_i v[i] * d y[i] / d x[j]       (shaped like x)

`loss.backward()` is the special case of a 0-dim `y` with `v = 1`. For a non-scalar `y` you pass
`v` yourself: `torch.autograd.grad(y, x, v)` (or `y.backward(v)`, which writes into `x.grad`).
With a one-hot `v` (1 at output element `i`, 0 elsewhere), `v^T J` is row `i` of the Jacobian:
the full Jacobian is one backward pass per output element, all through the same graph.

A backward pass frees the graph's saved tensors as it goes. To run several passes through one
graph, every pass but the last needs `retain_graph=True`.

Working on a copy: your functions must leave `x` exactly as they got it (values, `requires_grad`,
`.grad`), whether or not it requires grad. Take a fresh leaf that shares its values::

    xr = x.detach().requires_grad_(True)
    y = f(xr)

and differentiate with respect to `xr`. `torch.autograd.grad` returns the gradient instead of
accumulating it into `.grad`. Return results that do not require grad (`.detach()`).

Rules: call `f` exactly ONCE per call of your function. Do not use `torch.autograd.functional`
(it does this exercise for you). Everything stays on `x`'s device.

Read: https://pytorch.org/docs/stable/generated/torch.autograd.grad.html,
https://pytorch.org/docs/stable/generated/torch.Tensor.backward.html, and "Vector Calculus using
autograd" in https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html.
Check your work with `autograd-lab check exercise4`.
"""

from collections.abc import Callable

import torch


def vjp(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Compute the vector-Jacobian product `v^T J_f(x)` with one backward pass.

    Steps: `xr = x.detach().requires_grad_(True)`; `y = f(xr)` (the only call of `f`);
    `grad, = torch.autograd.grad(y, xr, v)`; return `grad.detach()`. The third argument of
    `torch.autograd.grad` (`grad_outputs`) is the `v` of `v^T J`: it must be shaped like `y`.

    Args:
        f: a differentiable function from a tensor shaped like `x` to a tensor of any shape
            (possibly 0-dim). Call it once.
        x: a float tensor of any shape, on any device; it may or may not require grad. Leave it,
            its `requires_grad` and its `.grad` unchanged.
        v: a tensor shaped like `f(x)`, same dtype and device.

    Returns:
        `v^T J_f(x)`: a tensor shaped like `x`, on `x`'s device, that does not require grad.
    """
    raise NotImplementedError("exercise4: implement vjp")


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Compute the full Jacobian of `f` at `x`, one backward pass per output element.

    Steps: `xr = x.detach().requires_grad_(True)` and `y = f(xr)`, once. Then for each element `i`
    of `y` (in `y.reshape(-1)` order) build a one-hot `v` shaped like `y` (for example
    `torch.zeros(y.numel(), dtype=y.dtype, device=y.device)`, set element `i` to 1, then
    `.view(y.shape)`) and take `torch.autograd.grad(y, xr, v, retain_graph=True)`: that is row
    `i` of the Jacobian, shaped like `x`. `retain_graph=True` keeps the graph's saved tensors
    alive for the next pass; without it the second pass fails with "Trying to backward through
    the graph a second time". The last pass may leave it out (and so free the graph). Stack the
    rows and reshape to `y.shape + x.shape`.

    Example: for `f(x) = x ** 2` with `x` of shape (3,) the Jacobian is the (3, 3) matrix
    `diag(2 * x)`; for `f(x) = x.sum()` (a 0-dim output) it is shaped like `x`, all ones.

    Args:
        f: a differentiable function from a tensor shaped like `x` to a tensor of any shape
            (possibly 0-dim). Call it exactly once.
        x: a float tensor of any shape, on any device; it may or may not require grad. Leave it,
            its `requires_grad` and its `.grad` unchanged.

    Returns:
        The Jacobian, shaped `f(x).shape + x.shape`, with `x`'s dtype and device, not requiring
        grad. `J[i..., j...]` is `d f(x)[i...] / d x[j...]`.
    """
    raise NotImplementedError("exercise4: implement jacobian")
