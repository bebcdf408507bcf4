"""The oracle: what torch's autograd says, in float64, on the inputs a student received."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from autograd_lab.grading.remember import remembered
from autograd_lab.sandbox.protocol import TensorArg


def rounded(value) -> np.ndarray:
    """The float64 values a student's code sees for ``value`` (rounded to its dtype)."""
    if isinstance(value, TensorArg):
        return value.values.astype(value.dtype).astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def leaf(value, requires_grad: bool = False) -> torch.Tensor:
    """A float64 CPU tensor of the values a student's code sees."""
    return torch.tensor(rounded(value), dtype=torch.float64, requires_grad=requires_grad)


@dataclass(frozen=True)
class NetworkResult:
    """The two-layer network's forward and backward pass, by torch."""

    loss: float
    grad_w1: np.ndarray
    grad_w2: np.ndarray
    y_pred: np.ndarray
    h: np.ndarray


def two_layer(x, y, w1, w2, *, kink_slope: float = 0.0, reduction: str = "sum") -> NetworkResult:
    """Run the network with autograd; ``kink_slope`` is ReLU's derivative at exactly 0.

    ``torch.relu`` takes it as 0, ``clamp(min=0)`` as 1; CURRICULUM.md accepts both.
    ``reduction="mean"`` replays a known mistake: the mean of the squared errors.
    """
    x, y = leaf(x), leaf(y)
    w1, w2 = leaf(w1, True), leaf(w2, True)
    h = x @ w1
    h_relu = h.clamp(min=0) if kink_slope else h.relu()
    y_pred = h_relu @ w2
    squared = (y_pred - y) ** 2
    loss = squared.mean() if reduction == "mean" else squared.sum()
    loss.backward()
    return NetworkResult(loss.item(), w1.grad.numpy(), w2.grad.numpy(),
                         y_pred.detach().numpy(), h.detach().numpy())


@remembered
def two_layer_both(x, y, w1, w2) -> tuple[NetworkResult, NetworkResult]:
    """The network with both accepted derivatives of ReLU at 0 (they differ only at a kink)."""
    return two_layer(x, y, w1, w2), two_layer(x, y, w1, w2, kink_slope=1.0)


@dataclass(frozen=True)
class NetworkMistakes:
    """The network's known wrong answers, each what one mistake computes (float64)."""

    mean: NetworkResult
    """The loss and gradients of the MEAN of the squared errors, where the sum is asked."""
    count: int
    """How many squared errors that mean divides by (``y_pred.size``)."""
    unmasked_grad_w1: np.ndarray
    """grad_w1 without the ReLU's mask: ``grad_h = grad_h_relu``."""
    h_for_h_relu_grad_w2: np.ndarray
    """grad_w2 from the pre-activation: ``h.T @ grad_y_pred`` for ``h_relu.T @ grad_y_pred``."""


@remembered
def two_layer_mistakes(x, y, w1, w2) -> NetworkMistakes:
    """What each known mistake of the hand-written backward pass gives on these inputs."""
    right = two_layer(x, y, w1, w2)
    w2_values = rounded(w2)
    grad_y_pred = 2.0 * (right.y_pred - rounded(y))
    return NetworkMistakes(
        mean=two_layer(x, y, w1, w2, reduction="mean"),
        count=int(right.y_pred.size),
        unmasked_grad_w1=rounded(x).T @ (grad_y_pred @ w2_values.T),
        h_for_h_relu_grad_w2=right.h.T @ grad_y_pred,
    )


@remembered
def train(x, y, w1, w2, learning_rate: float, steps: int, *,
          kink_slope: float = 0.0, reduction: str = "sum") -> tuple[list[float], np.ndarray, np.ndarray]:
    """Plain gradient descent with autograd: the losses and the final weights.

    ``reduction="mean"`` replays training on the mean of the squared errors.
    """
    w1, w2 = rounded(w1), rounded(w2)
    losses = []
    for _ in range(steps):
        result = two_layer(x, y, w1, w2, kink_slope=kink_slope, reduction=reduction)
        losses.append(result.loss)
        w1 = w1 - learning_rate * result.grad_w1
        w2 = w2 - learning_rate * result.grad_w2
    return losses, w1, w2
