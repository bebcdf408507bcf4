# expect-score: 7.5
# why: forward_backward is right (2 + 2 + 2) and keeps inputs_untouched (it watches only
# forward_backward: 1) and no_autograd for its half (0.5); train is left undone.
# expect-status: no_autograd partial
# expect-status: inputs_untouched passed
"""Exercise 2 (tensor_backprop): the same network with torch tensors, gradients still by hand.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

A torch tensor is a NumPy array that can live on a GPU. This exercise repeats exercise 1 with
tensors, still without autograd, so that the two ideas stay apart: first tensors and devices, then
(from exercise 3 on) the autograd engine that writes the backward pass for you. The network::

    h      = x @ w1              # (N, D_in) @ (D_in, H)  -> (N, H)
    h_relu = relu(h)             # (N, H), e.g. h.clamp(min=0)
    y_pred = h_relu @ w2         # (N, H) @ (H, D_out)    -> (N, D_out)
    loss   = sum((y_pred - y) ** 2)                       # a 0-dim tensor (sum, not mean)

and its backward pass, the chain rule one step at a time::

    grad_y_pred = 2 * (y_pred - y)         # (N, D_out)
    grad_w2     = h_relu.T @ grad_y_pred   # (H, D_out), shaped like w2
    grad_h_relu = grad_y_pred @ w2.T       # (N, H)
    grad_h      = grad_h_relu * (h > 0)    # zero where the relu was off
    grad_w1     = x.T @ grad_h             # (D_in, H), shaped like w1

Where the ReLU's input is exactly 0 either derivative, 0 or 1, is accepted.

Devices and dtypes: your functions get float32 or float64 tensors on some device (CPU or CUDA),
all on the same one. Everything you return must be on that device with that dtype, and no tensor
may be created anywhere else: `torch.zeros(3)` lands on the CPU whatever `x` is on. Prefer
operations on the inputs (they keep device and dtype), `torch.zeros_like(h)`, or
`torch.zeros(..., device=x.device, dtype=x.dtype)`. Inputs may be non-contiguous (a transposed
view, for example); `@`, `.T` and elementwise operations handle that.

Rules: no autograd. No `.backward()`, no `torch.autograd.grad`, and nothing you return may have a
`grad_fn` (the inputs do not require grad; the weight update goes under `torch.no_grad()`).
`forward_backward` modifies none of its inputs.

Read: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html ("PyTorch: Tensors"),
https://pytorch.org/docs/stable/tensor_attributes.html#torch-device.
Check your work with `autograd-lab check exercise2` (add `--device cuda` to run it on a GPU).
"""

import torch


def forward_backward(
    x: torch.Tensor, y: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the network forward, compute the loss, and backpropagate it by hand, on tensors.

    Compute `h = x @ w1`, `h_relu = h.clamp(min=0)`, `y_pred = h_relu @ w2` and
    `loss = ((y_pred - y) ** 2).sum()`, then the gradients with the chain rule:

        grad_y_pred = 2 * (y_pred - y)
        grad_w2     = h_relu.T @ grad_y_pred
        grad_h_relu = grad_y_pred @ w2.T
        grad_h      = grad_h_relu * (h > 0)     (at h == 0 either 0 or 1 is accepted)
        grad_w1     = x.T @ grad_h

    If you prefer to mask in place, clone first (`grad_h = grad_h_relu.clone();
    grad_h[h < 0] = 0`): never write into an argument.

    Args:
        x: tensor of shape (N, D_in), float32 or float64, on some device.
        y: tensor of shape (N, D_out), same dtype and device.
        w1: tensor of shape (D_in, H), same dtype and device.
        w2: tensor of shape (H, D_out), same dtype and device.

    Returns:
        `(loss, grad_w1, grad_w2)`: `loss` a 0-dim tensor, `grad_w1` shaped like `w1`, `grad_w2`
        shaped like `w2`, all three on the inputs' device and dtype, none with a `grad_fn`.
    """
    # The gradients are written by hand; no_grad only makes sure that autograd records nothing,
    # even if a caller passes tensors that require grad. Every tensor below comes from an operation
    # on the inputs, so it is on their device and has their dtype.
    with torch.no_grad():
        h = x @ w1
        h_relu = h.clamp(min=0)
        y_pred = h_relu @ w2
        diff = y_pred - y
        loss = (diff**2).sum()

        grad_y_pred = 2.0 * diff
        grad_w2 = h_relu.T @ grad_y_pred
        grad_h_relu = grad_y_pred @ w2.T
        grad_h = grad_h_relu * (h > 0)  # a new tensor; derivative 0 at h == 0
        grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2


def train(
    x: torch.Tensor,
    y: torch.Tensor,
    w1: torch.Tensor,
    w2: torch.Tensor,
    learning_rate: float,
    steps: int,
) -> list[float]:
    """Train the network with plain gradient descent, updating `w1` and `w2` in place.

    Repeat `steps` times: `loss, grad_w1, grad_w2 = forward_backward(x, y, w1, w2)`, record
    `loss.item()`, then, inside `with torch.no_grad():`, update the weights in place::

        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2

    In place means the caller's `w1` and `w2` tensors (same object, same device, same dtype)
    hold the trained weights afterwards. `x` and `y` are not modified.

    Args:
        x: tensor of shape (N, D_in), float32 or float64, on some device.
        y: tensor of shape (N, D_out), same dtype and device.
        w1: tensor of shape (D_in, H), updated in place; does not require grad.
        w2: tensor of shape (H, D_out), updated in place; does not require grad.
        learning_rate: the step size, a positive float.
        steps: how many gradient-descent steps to take (0 or more).

    Returns:
        A list of `steps` Python floats: the loss of each step, computed before that step's update.
    """
    raise NotImplementedError("left undone: train")
