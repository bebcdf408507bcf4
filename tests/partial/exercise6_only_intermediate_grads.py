# expect-score: 4
# why: intermediate_grads is right (grad_w 2, grad_h 2); the other two functions are left
# undone, and predict_no_graph, which watches predict, is not scored.
# expect-status: predict_no_graph not scored
# expect-status: frozen_first_layer not run
"""Exercise 6 (leaves): leaves, retain_grad, no_grad and detach.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

Autograd sorts the tensors of a graph into two kinds:

- a LEAF is a tensor you created yourself (`torch.randn(..., requires_grad=True)`, a model's
  weight): it has no `grad_fn`, and after a backward pass its gradient waits in `.grad`;
- a NON-LEAF is the result of an operation on tensors that require grad (`h = x @ w`): it has a
  `grad_fn` (here `MmBackward0`), the node that sends the gradient further back. Its own gradient
  is computed on the way, used, and thrown away: `h.grad` stays `None` (torch warns when you read
  it). Call `h.retain_grad()` BEFORE the backward pass to keep it.

Check with `t.is_leaf`, `t.requires_grad` and `t.grad_fn`.

Two ways to keep autograd out of a computation:

- `t.detach()` returns a tensor with `t`'s values (the same memory) that is not in any graph: a
  backward pass stops there, so nothing computed before it gets a gradient from what comes after.
  Use it to freeze part of a model, or to keep a value without its graph.
- `with torch.no_grad():` records nothing at all while the block runs: results do not require
  grad, and no tensors are saved for a backward pass that will never come. Use it for
  inference and for weight updates. (Computing with a graph and calling `.detach()` at the end
  gives the same values, but builds and stores the whole graph first.)

The network is the two-layer one of the earlier exercises::

    h      = x @ w1              # (N, D_in) @ (D_in, H)  -> (N, H)
    h_relu = h.relu()            # (N, H)
    y_pred = h_relu @ w2         # (N, H) @ (H, D_out)    -> (N, D_out)
    loss   = ((y_pred - y) ** 2).sum()                    # sum, not mean

Where the ReLU's input is exactly 0, its derivative may be 0 (`relu`) or 1 (`clamp(min=0)`):
both are accepted. Inputs are float32 or float64 tensors, all on one device (CPU or CUDA),
possibly non-contiguous; results stay on that device and dtype.

Read: https://pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html,
https://pytorch.org/docs/stable/generated/torch.Tensor.retain_grad.html,
https://pytorch.org/docs/stable/generated/torch.Tensor.detach.html,
https://pytorch.org/docs/stable/generated/torch.no_grad.html, and "Locally disabling gradient
computation" in https://pytorch.org/docs/stable/notes/autograd.html.
Check your work with `autograd-lab check exercise6` (add `--device cuda` to run it on a GPU).
"""

import torch


def intermediate_grads(x: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the gradients of `loss = (x @ w).relu().sum()` with respect to `w` and to `h = x @ w`.

    `w` is a leaf: after `loss.backward()` its gradient is in `w.grad`. `h = x @ w` is not: ask
    autograd to keep its gradient with `h.retain_grad()` after computing `h` and before
    `loss.backward()`, then read `h.grad`. (Without it, `h.grad` is None.)

    By the chain rule, `grad_h = 1` where `h > 0` and `0` where `h < 0` (either at `h == 0`),
    and `grad_w = x.T @ grad_h`.

    Args:
        x: tensor of shape (N, D_in); it does not require grad.
        w: tensor of shape (D_in, H), a leaf that requires grad; its `.grad` is None when you
            get it.

    Returns:
        `(grad_w, grad_h)`: `grad_w` shaped like `w` (D_in, H), `grad_h` shaped like `h` (N, H),
        on the inputs' device and dtype.
    """
    h = x @ w
    # h is a non-leaf (it has a grad_fn): keep its gradient, which backward would drop.
    h.retain_grad()
    loss = h.relu().sum()
    loss.backward()
    return w.grad, h.grad


def frozen_first_layer_loss(
    x: torch.Tensor, y: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor
) -> torch.Tensor:
    """Return the two-layer loss, with the first layer cut off from the graph by `detach`.

    Compute the loss of the network above, but detach the first layer's output (`h = (x @
    w1).detach()`, or use `w1.detach()`), so that a backward pass of the loss you return fills
    `w2.grad` and leaves `w1.grad` as `None`: the first layer is frozen, the second one trains.
    The loss's VALUE is the usual one; only the graph behind it is shorter.

    Leave `w1` itself alone: `w1.requires_grad_(False)` would also freeze it, but it changes the
    caller's tensor for good, where `detach` only affects this one computation.

    Args:
        x: tensor of shape (N, D_in).
        y: tensor of shape (N, D_out).
        w1: tensor of shape (D_in, H), a leaf that requires grad.
        w2: tensor of shape (H, D_out), a leaf that requires grad.

    Returns:
        `loss`, a 0-dim tensor that requires grad (through `w2` only), on the inputs' device and
        dtype. Do not call `backward` yourself: the caller does.
    """
    # The graph stops at h: the backward pass never reaches w1.
    raise NotImplementedError("left undone: frozen_first_layer_loss")


def predict(w1: torch.Tensor, w2: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Return the network's output `y_pred = (x @ w1).relu() @ w2`, without building a graph.

    `w1` and `w2` require grad, so computing with them normally records a graph (and saves
    tensors for its backward pass). A prediction needs no gradient: run the forward pass inside
    `with torch.no_grad():`, so that nothing is recorded and the result does not require grad.
    (Note the order of the arguments: weights first.)

    Args:
        w1: tensor of shape (D_in, H) that requires grad.
        w2: tensor of shape (H, D_out) that requires grad.
        x: tensor of shape (N, D_in).

    Returns:
        `y_pred`, shape (N, D_out), on the inputs' device and dtype, with `requires_grad` False
        and no `grad_fn`.
    """
    # Nothing is recorded: no graph, no saved tensors, a result that does not require grad.
    raise NotImplementedError("left undone: predict")
