"""Exercise 2 (tensor_backprop): the same network with torch tensors, gradients still by hand.

A torch tensor is a NumPy array that can live on a GPU. This exercise repeats exercise 1 with
tensors, still without autograd, so that the two ideas stay apart: first tensors and devices, then
(from exercise 3 on) the autograd engine that writes the backward pass for you. The network's
forward pass::

    h      = x @ w1              # (N, D_in) @ (D_in, H)  -> (N, H)
    h_relu = relu(h)             # (N, H), e.g. h.clamp(min=0)
    y_pred = h_relu @ w2         # (N, H) @ (H, D_out)    -> (N, D_out)
    loss   = sum((y_pred - y) ** 2)                       # a 0-dim tensor (sum, not mean)

The backward pass is the one you derived in exercise 1, the chain rule one line at a time from
the loss back to `w1`, now written with tensor operations.

Worked example, on a different network (each column of `x` scaled by its own weight `s[j]`,
shared by every row, then a tanh and a mean), forward and backward on tensors::

    a    = x * s                                  # (N, D) * (D,) -> (N, D)
    b    = torch.tanh(a)                          # (N, D)
    loss = b.mean()                               # 0-dim

    grad_b = torch.full_like(b, 1 / b.numel())    # d mean / d b: 1/numel for every element;
                                                  # full_like keeps b's device and dtype
    grad_a = grad_b * (1 - b * b)                 # tanh's local derivative: 1 - tanh(a) ** 2
    grad_s = (grad_a * x).sum(dim=0)              # every row used s: add them up, shape (D,)

Devices and dtypes: your functions get float32 or float64 tensors on some device (CPU or CUDA),
all on the same one. Everything you return must be on that device with that dtype, and no tensor
may be created anywhere else: `torch.zeros(3)` lands on the CPU whatever `x` is on. Prefer
operations on the inputs (they keep device and dtype), `torch.zeros_like(h)`, or
`torch.zeros(..., device=x.device, dtype=x.dtype)`. Inputs may be non-contiguous (a transposed
view, for example); torch's operations handle that.

Where the ReLU's input is exactly 0 either derivative, 0 or 1, is accepted.

Rules: no autograd. No `.backward()`, no `torch.autograd.grad`, and nothing you return may have a
`grad_fn` (the inputs do not require grad; the weight update goes under `torch.no_grad()`). No
tensor is created on a device other than the inputs'. `forward_backward` modifies none of its
inputs.

Read: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html ("PyTorch: Tensors"),
https://pytorch.org/docs/stable/tensor_attributes.html#torch-device.
Check your work with `autograd-lab check exercise2` (add `--device cuda` to run it on a GPU);
stuck? `autograd-lab hint 2` gives a hint, a more precise one each time you ask.
"""

import torch


def forward_backward(
    x: torch.Tensor, y: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the network forward, compute the loss, and backpropagate it by hand, on tensors.

    The forward pass is the one above; then the gradients of `loss` with respect to `w1` and
    `w2`, with the chain rule, by hand. Never write into an argument: if you mask a tensor in
    place, clone it first.

    Args:
        x: tensor of shape (N, D_in), float32 or float64, on some device.
        y: tensor of shape (N, D_out), same dtype and device.
        w1: tensor of shape (D_in, H), same dtype and device.
        w2: tensor of shape (H, D_out), same dtype and device.

    Returns:
        `(loss, grad_w1, grad_w2)`: `loss` a 0-dim tensor, `grad_w1` shaped like `w1`, `grad_w2`
        shaped like `w2`, all three on the inputs' device and dtype, none with a `grad_fn`.
    """
    raise NotImplementedError("exercise2: implement forward_backward")


def train(
    x: torch.Tensor,
    y: torch.Tensor,
    w1: torch.Tensor,
    w2: torch.Tensor,
    learning_rate: float,
    steps: int,
) -> list[float]:
    """Train the network with plain gradient descent, updating `w1` and `w2` in place.

    As in exercise 1: each of the `steps` steps computes the loss and the gradients (with your
    `forward_backward`), records the loss as a Python float, then updates each weight in place,
    `w -= learning_rate * grad`, inside `with torch.no_grad():`. In place means the caller's `w1`
    and `w2` tensors (same object, same device, same dtype) hold the trained weights afterwards.
    `x` and `y` are not modified.

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
    raise NotImplementedError("exercise2: implement train")
