# expect-fail: grad_w1
# expect-diagnosis: NaN or inf
# Planted mistake: 'grad_h = grad_h_relu * np.maximum(h / np.abs(h), 0)' instead of 'grad_h = grad_h_relu * (h > 0)'.
"""Exercise 1 (numpy_backprop): backpropagation by hand, in NumPy.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

Before letting autograd do the work, do it yourself once. The network is the two-layer network of
the PyTorch tutorials, with a sum-of-squares loss::

    h      = x @ w1              # (N, D_in) @ (D_in, H)  -> (N, H)
    h_relu = relu(h)             # (N, H)
    y_pred = h_relu @ w2         # (N, H) @ (H, D_out)    -> (N, D_out)
    loss   = sum((y_pred - y) ** 2)                       # a scalar (sum, not mean)

Backpropagation is the chain rule applied from the loss backwards, one step per line above. Each
step takes the gradient of the loss with respect to a step's output and turns it into the gradient
with respect to that step's inputs::

    grad_y_pred = 2 * (y_pred - y)         # d loss / d y_pred,  (N, D_out)
    grad_w2     = h_relu.T @ grad_y_pred   # (H, N) @ (N, D_out) -> (H, D_out), shaped like w2
    grad_h_relu = grad_y_pred @ w2.T       # (N, D_out) @ (D_out, H) -> (N, H)
    grad_h      = grad_h_relu * (h > 0)    # relu lets the gradient through only where h > 0
    grad_w1     = x.T @ grad_h             # (D_in, N) @ (N, H) -> (D_in, H), shaped like w1

A quick sanity check for every matrix product: the gradient of a weight always has the weight's
shape, and the only way to get that shape from the two arrays at hand is the product above.

Where the ReLU's input is exactly 0 its derivative is undefined; either 0 (as `torch.relu` takes
it, `h > 0`) or 1 (as `clamp(min=0)` takes it, `h >= 0`) is accepted.

Rules: NumPy only. This file must not import torch, and no torch call may happen while your
functions run. `forward_backward` modifies none of its inputs; `train` modifies only `w1` and `w2`.

Read: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html ("Warm-up: numpy").
Check your work with `autograd-lab check exercise1`.
"""

import numpy as np


def forward_backward(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Run the network forward, compute the loss, and backpropagate it by hand.

    Compute `h = x @ w1`, `h_relu = relu(h)` (for example `np.maximum(h, 0)`),
    `y_pred = h_relu @ w2` and `loss = sum((y_pred - y) ** 2)`, then the gradients of `loss`
    with respect to `w1` and `w2` with the chain rule, step by step:

        grad_y_pred = 2 * (y_pred - y)
        grad_w2     = h_relu.T @ grad_y_pred
        grad_h_relu = grad_y_pred @ w2.T
        grad_h      = grad_h_relu * (h > 0)     (at h == 0 either 0 or 1 is accepted)
        grad_w1     = x.T @ grad_h

    Do not modify any of the arguments: build new arrays (`grad_h_relu * (h > 0)` does), or copy
    before you change one in place.

    Args:
        x: float64 array of shape (N, D_in), the inputs.
        y: float64 array of shape (N, D_out), the targets.
        w1: float64 array of shape (D_in, H), the first layer's weights.
        w2: float64 array of shape (H, D_out), the second layer's weights.

    Returns:
        `(loss, grad_w1, grad_w2)`: `loss` a Python `float` (use `float(...)`), `grad_w1` a
        float64 array shaped like `w1` (D_in, H), `grad_w2` a float64 array shaped like `w2`
        (H, D_out).
    """
    h = x @ w1
    h_relu = np.maximum(h, 0.0)
    y_pred = h_relu @ w2
    loss = float(np.sum((y_pred - y) ** 2))

    # The chain rule, from the loss back to the weights. Every line builds a new array, so the
    # arguments are never written to.
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T @ grad_y_pred
    grad_h_relu = grad_y_pred @ w2.T
    grad_h = grad_h_relu * np.maximum(h / np.abs(h), 0)  # derivative 0 at h == 0, as torch.relu takes it
    grad_w1 = x.T @ grad_h
    return loss, grad_w1, grad_w2


def train(
    x: np.ndarray,
    y: np.ndarray,
    w1: np.ndarray,
    w2: np.ndarray,
    learning_rate: float,
    steps: int,
) -> list[float]:
    """Train the network with plain gradient descent, updating `w1` and `w2` in place.

    Repeat `steps` times: compute `loss, grad_w1, grad_w2 = forward_backward(x, y, w1, w2)`,
    record `loss`, then take one step downhill::

        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2

    The update must be in place (`-=` on the array), so that the caller's `w1` and `w2` hold the
    trained weights afterwards; `w1 = w1 - ...` would only rebind a local name. `x` and `y` are
    not modified.

    Args:
        x: float64 array of shape (N, D_in).
        y: float64 array of shape (N, D_out).
        w1: float64 array of shape (D_in, H), updated in place.
        w2: float64 array of shape (H, D_out), updated in place.
        learning_rate: the step size, a positive float.
        steps: how many gradient-descent steps to take (0 or more).

    Returns:
        A list of `steps` Python floats: the loss of each step, computed before that step's update.
    """
    losses = []
    for _ in range(steps):
        loss, grad_w1, grad_w2 = forward_backward(x, y, w1, w2)
        losses.append(loss)
        # In place: the caller's arrays hold the new weights.
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses
