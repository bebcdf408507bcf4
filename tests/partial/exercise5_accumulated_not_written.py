# expect-score: 5
# why: grads_of_two_losses is right (3) and earns its half of each of the three rules
# (0.5 + 1 + 0.5); accumulated_grad is left undone.
# expect-status: graph_freed partial
# expect-status: accumulated_grad failed
"""Exercise 5 (retain_graph): backward twice through one graph.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

While the forward pass runs, autograd saves the tensors each backward formula will need:
`z = x * x` saves `x`, `relu` saves its input or output, a matrix product saves both operands.
These "saved tensors" can be most of a model's memory, so a backward pass frees them as soon as
it has used them. A second backward pass through the same graph then finds them gone::

    RuntimeError: Trying to backward through the graph a second time (or directly access saved
    tensors after they have already been freed). ... Specify retain_graph=True if you need to
    backward through the graph a second time ...

`loss.backward(retain_graph=True)` (or `torch.autograd.grad(..., retain_graph=True)`) keeps them
alive for another pass. Use it on every pass but the last: the last pass leaves `retain_graph`
out, so that it frees the graph when it is done. Recomputing the forward pass instead (calling `f`
again) also works but costs a whole forward pass; here `f` must be called exactly once.

Two ways to run a backward pass, and where the result goes:

- `torch.autograd.grad(loss, xr)` returns the gradient and leaves `xr.grad` alone: two calls give
  two separate gradients.
- `loss.backward()` ADDS the gradient into `xr.grad`: two calls give the sum of both. This is why
  training loops call `optimizer.zero_grad()`.

Work on a copy so that `x` is left as it was (values, `requires_grad`, `.grad`)::

    xr = x.detach().requires_grad_(True)
    z = f(xr)

Read: https://pytorch.org/docs/stable/generated/torch.Tensor.backward.html,
https://pytorch.org/docs/stable/generated/torch.autograd.grad.html, and "Saved tensors" in
https://pytorch.org/docs/stable/notes/autograd.html.
Check your work with `autograd-lab check exercise5`.
"""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the gradients of `f(x).mean()` and `f(x).sum()`, each on its own, from one `f(x)`.

    Steps: `xr = x.detach().requires_grad_(True)`; `z = f(xr)` (the only call of `f`); then

        g_mean, = torch.autograd.grad(z.mean(), xr, retain_graph=True)   # keep z's graph
        g_sum,  = torch.autograd.grad(z.sum(), xr)                       # last pass: frees it

    Both losses share `z`'s graph, so the first pass must retain it. The two gradients stay apart
    (`torch.autograd.grad` does not accumulate), and `g_sum` is `z.numel()` times `g_mean`.

    Args:
        f: a differentiable function from a tensor shaped like `x` to a tensor of any shape.
            Call it exactly once.
        x: a float tensor of any shape, on any device; it may or may not require grad. Leave it,
            its `requires_grad` and its `.grad` unchanged.

    Returns:
        `(grad_of_mean, grad_of_sum)`: two tensors shaped like `x`, on `x`'s device, neither
        requiring grad. When the function returns, the graph's saved tensors have been freed.
    """
    xr = x.detach().requires_grad_(True)  # a fresh leaf: x itself is never touched
    z = f(xr)
    # z's graph is needed again for the second loss: keep its saved tensors.
    (grad_of_mean,) = torch.autograd.grad(z.mean(), xr, retain_graph=True)
    (grad_of_sum,) = torch.autograd.grad(z.sum(), xr)  # the last pass frees the saved tensors
    return grad_of_mean.detach(), grad_of_sum.detach()


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    """Backpropagate `f(x).sum()` `times` times through one graph; return the accumulated gradient.

    Steps: `xr = x.detach().requires_grad_(True)`; `loss = f(xr).sum()` (the only call of `f`; you
    may also build the `.sum()` anew before each pass); then call `loss.backward(...)` `times`
    times, with `retain_graph=True` on every pass but the last, which leaves it out so that the
    graph is freed. Each pass adds one gradient into `xr.grad`, so the result is `times` times the
    gradient of `f(x).sum()`. Return `xr.grad.detach()`.

    Args:
        f: a differentiable function from a tensor shaped like `x` to a tensor of any shape.
            Call it exactly once.
        x: a float tensor of any shape, on any device; it may or may not require grad. Leave it,
            its `requires_grad` and its `.grad` unchanged.
        times: how many backward passes to run, an int >= 1.

    Returns:
        The accumulated gradient, shaped like `x`, on `x`'s device, not requiring grad. When the
        function returns, the graph's saved tensors have been freed.
    """
    raise NotImplementedError("left undone: accumulated_grad")
