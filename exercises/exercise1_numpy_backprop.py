"""Exercise 1 (numpy_backprop): backpropagation by hand, in NumPy.

Before letting autograd do the work, do it yourself once. The network is the two-layer network of
the PyTorch tutorials, with a sum-of-squares loss. Its forward pass::

    h      = x @ w1              # (N, D_in) @ (D_in, H)  -> (N, H)
    h_relu = relu(h)             # (N, H): max(h, 0), elementwise
    y_pred = h_relu @ w2         # (N, H) @ (H, D_out)    -> (N, D_out)
    loss   = sum((y_pred - y) ** 2)                       # a scalar (sum, not mean)

Backpropagation is the chain rule applied from the loss backwards, one step per line above. Each
step holds the gradient of the loss with respect to that line's OUTPUT and turns it into the
gradient with respect to each of the line's INPUTS: the output's gradient times the line's own
(local) derivative, added up over every place where the input was used. The gradient with
respect to anything has that thing's shape, which tells you how to combine the arrays at hand.
Derive the five gradient lines of this network yourself, from `loss` back to `w1`.

Worked example, on a different network: a layer that scales each column of `x` by a weight
vector `s` (one weight per column, shared by every row), a sigmoid, and a plain sum::

    a    = x * s                 # (N, D) * (D,) -> (N, D), s broadcast over the rows
    b    = sigmoid(a)            # (N, D): 1 / (1 + exp(-a))
    loss = sum(b)                # a scalar

Backwards, one line at a time::

    grad_b = np.ones_like(b)             # d loss / d b: a sum, so 1 for every element
    grad_a = grad_b * b * (1 - b)        # times sigmoid's local derivative, b * (1 - b)
    grad_s = (grad_a * x).sum(axis=0)    # d a / d s is x; s[j] was used by every row: add them
                                         # up, and grad_s has s's shape, (D,)

With x = [[1, 2]], s = [0, 0]: a = [[0, 0]], b = [[0.5, 0.5]], grad_a = [[0.25, 0.25]] and
grad_s = [0.25, 0.5]. Your network has matrix products and a relu instead, and a squared loss:
work out the local derivative of each, and check every gradient's shape.

Where the ReLU's input is exactly 0 its derivative is undefined; either 0 (as `torch.relu` takes
it) or 1 (as `clamp(min=0)` takes it) is accepted.

Rules: NumPy only. This file must not import torch, and no torch call may happen while your
functions run. `forward_backward` modifies none of its inputs; `train` modifies only `w1` and `w2`.

Read: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html ("Warm-up: numpy").
Check your work with `autograd-lab check exercise1`; stuck? `autograd-lab hint 1` gives a hint,
a more precise one each time you ask.
"""

import numpy as np


def forward_backward(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Run the network forward, compute the loss, and backpropagate it by hand.

    The forward pass is the one above (`np.maximum(h, 0)` is a relu); then compute the
    gradients of `loss` with respect to `w1` and `w2` with the chain rule, one step per line of
    the forward pass, from the loss backwards.

    Do not modify any of the arguments: build new arrays, or copy before you change one in
    place.

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
    raise NotImplementedError("exercise1: implement forward_backward")


def train(
    x: np.ndarray,
    y: np.ndarray,
    w1: np.ndarray,
    w2: np.ndarray,
    learning_rate: float,
    steps: int,
) -> list[float]:
    """Train the network with plain gradient descent, updating `w1` and `w2` in place.

    Each of the `steps` steps computes the loss and the gradients (with your
    `forward_backward`), records the loss, then moves each weight one step downhill, in place:
    `w -= learning_rate * grad`. In place means the caller's `w1` and `w2` hold the trained
    weights afterwards (`-=` on the array does that; `w = w - ...` only rebinds a local name).
    `x` and `y` are not modified.

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
    raise NotImplementedError("exercise1: implement train")
