"""Exercise 5 (retain_graph): backward twice through one graph.

While the forward pass runs, autograd saves the tensors each backward formula will need:
`z = x * x` saves `x`, `relu` saves its input or output, a matrix product saves both operands.
These "saved tensors" can be most of a model's memory, so a backward pass frees them as soon as
it has used them. A second backward pass through the same graph then finds them gone::

    RuntimeError: Trying to backward through the graph a second time (or directly access saved
    tensors after they have already been freed). ...

Both ways of running a backward pass take a `retain_graph` argument that keeps the saved tensors
alive for another pass. Keep them on every pass but the last: the last pass must free the graph
when it is done. Recomputing the forward pass instead (calling `f` again) would also work, but
costs a whole forward pass; here `f` must be called exactly once.

The two ways, and where their result goes:

- `torch.autograd.grad(outputs, inputs)` RETURNS the gradients and leaves `.grad` alone: two
  calls give two separate gradients.
- `loss.backward()` ADDS the gradient into each leaf's `.grad`: two calls give the sum of both.
  This is why training loops call `optimizer.zero_grad()`.

Worked example, on a different function, with a NEW graph for each pass (so nothing needs to be
retained), to see `.backward()` accumulate::

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    (a * a).sum().backward()        # a.grad = [2., 4.]   (d/da of sum(a * a) is 2 * a)
    (a * a).sum().backward()        # a.grad = [4., 8.]   added to what was there
    b = (a * a).sum()               # one more graph; a * a saves a for its backward
    b.backward()                    # a.grad = [6., 12.], and b's saved tensors are freed
    b.backward()                    # RuntimeError: Trying to backward through the graph a
                                    # second time ...

Your functions go twice (or `times` times) through ONE graph, from one call of `f`.

Work on a copy so that `x` is left as it was (values, `requires_grad`, `.grad`): differentiate
with respect to a fresh leaf that has `x`'s values, never with respect to `x` itself.

Rules: `f` is called exactly once per call; when your function returns, the graph's saved tensors
have been freed (the last backward pass does not retain the graph); `x` is left as it was.

Read: https://pytorch.org/docs/stable/generated/torch.Tensor.backward.html,
https://pytorch.org/docs/stable/generated/torch.autograd.grad.html, and "Saved tensors" in
https://pytorch.org/docs/stable/notes/autograd.html.
Check your work with `autograd-lab check exercise5`; stuck? `autograd-lab hint 5` gives a hint,
a more precise one each time you ask.
"""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Compute the gradients of `f(x).mean()` and `f(x).sum()`, each on its own, from one `f(x)`.

    `z = f(x)` is computed ONCE; `loss1 = z.mean()` and `loss2 = z.sum()` share its graph. Return
    the gradient of each loss with respect to `x`, each on its own (not accumulated into each
    other): the second is `z.numel()` times the first.

    Args:
        f: a differentiable function from a tensor shaped like `x` to a tensor of any shape.
            Call it exactly once.
        x: a float tensor of any shape, on any device; it may or may not require grad. Leave it,
            its `requires_grad` and its `.grad` unchanged.

    Returns:
        `(grad_of_mean, grad_of_sum)`: two tensors shaped like `x`, on `x`'s device, neither
        requiring grad. When the function returns, the graph's saved tensors have been freed.
    """
    raise NotImplementedError("exercise5: implement grads_of_two_losses")


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    """Backpropagate `f(x).sum()` `times` times through one graph; return the accumulated gradient.

    One call of `f`, then `times` backward passes of `f(x).sum()` through the same graph, each
    adding one gradient into the leaf's `.grad`: the result is `times` times the gradient of
    `f(x).sum()`.

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
    raise NotImplementedError("exercise5: implement accumulated_grad")
