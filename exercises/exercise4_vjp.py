"""Exercise 4 (vjp): vector-Jacobian products, the one thing backward computes.

For `y = f(x)` the Jacobian `J` holds every partial derivative `J[i, j] = d y[i] / d x[j]`; with
tensors of any shape it is shaped `y.shape + x.shape`. Autograd never builds `J`. One backward
pass, given a "gradient" `v` shaped like `y` for the output, computes the vector-Jacobian
product::

    (v^T J)[j] = sum_i v[i] * d y[i] / d x[j]       (shaped like x)

`loss.backward()` is the special case of a 0-dim `y` with `v = 1`. For a non-scalar `y` you hand
the backward pass `v` yourself: both ways of running one (`Tensor.backward` and
`torch.autograd.grad`) take it as an argument. With a one-hot `v` (1 at output element `i`, 0
elsewhere), `v^T J` is row `i` of the Jacobian: the full Jacobian is one backward pass per output
element, all through the same graph. By default a backward pass frees the graph's saved tensors
as it goes, so a graph you want to go through again must be kept alive (see the `retain_graph`
argument in the docs below; exercise 5 is all about it).

Worked example, by hand: `f(x) = x ** 2`, elementwise, with `x = [1., 2., 3.]`. Then
`y = [1., 4., 9.]` and `d y[i] / d x[j]` is `2 * x[i]` when `i == j` and 0 otherwise, so::

    J = [[2, 0, 0],
         [0, 4, 0],
         [0, 0, 6]]                 # diag(2 * x), shaped y.shape + x.shape = (3, 3)

    v = [1., 0., 1.]    ->    v^T J = [1*2 + 0 + 0,  0 + 0*4 + 0,  0 + 0 + 1*6] = [2., 0., 6.]
    v = [0., 1., 0.]    ->    v^T J = [0., 4., 0.]            (one-hot: row 1 of J)

For `f(x) = x.sum()` (a 0-dim output) the Jacobian is shaped like `x`, all ones, and `v` is a
0-dim tensor.

Working on a copy: your functions must leave `x` exactly as they got it (values, `requires_grad`,
`.grad`), whether or not it requires grad. Differentiate with respect to a fresh leaf that has
`x`'s values, not with respect to `x` itself, and return results that do not require grad.

Rules: call `f` exactly ONCE per call of your function. Do not use `torch.autograd.functional`
(it does this exercise for you). Everything stays on `x`'s device.

Read: https://pytorch.org/docs/stable/generated/torch.autograd.grad.html,
https://pytorch.org/docs/stable/generated/torch.Tensor.backward.html, and "Vector Calculus using
autograd" in https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html.
Check your work with `autograd-lab check exercise4`; stuck? `autograd-lab hint 4` gives a hint,
a more precise one each time you ask.
"""

from collections.abc import Callable

import torch


def vjp(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Compute the vector-Jacobian product `v^T J_f(x)` with one backward pass.

    One call of `f`, then ONE backward pass through its graph with `v` as the output's gradient.

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

    One call of `f`, then for each element `i` of `f(x)` (in flat, `reshape(-1)` order) one
    backward pass that gives row `i` of the Jacobian, keeping the graph alive between them.

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
