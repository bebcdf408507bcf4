"""exercise10's inputs and oracle: F.cross_entropy and F.binary_cross_entropy_with_logits.

Cases: ``{"logits": (N, C), "labels": (N,) int64}`` for cross-entropy, ``{"z", "y"}`` of one
shape for BCE. Ordinary cases use quarters in [-3, 3], where even a naive softmax is exact;
large cases use logits up to +-1e4, where it overflows. The oracle is torch in float64: the
mean-reduced loss and its gradient by autograd.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from autograd_lab.catalog import oracles, strategies
from autograd_lab.grading.failure import Diagnosis
from autograd_lab.grading.remember import remembered
from autograd_lab.sandbox.protocol import TensorArg

LARGE = st.sampled_from([1e4, -1e4, 0.0, 5000.0, -5000.0, 9999.5, -2.5])
TARGETS = st.sampled_from([0.0, 1.0, 0.5, 0.25, 0.75])


def _labels(draw, n: int, c: int) -> TensorArg:
    return TensorArg(np.asarray([draw(st.integers(0, c - 1)) for _ in range(n)], dtype=np.float64),
                     "int64")


@st.composite
def ce_cases(draw, *, large: bool = False) -> dict:
    """``logits`` (N, C) of one drawn dtype, maybe non-contiguous, and ``labels``."""
    dtype = draw(st.sampled_from(strategies.FLOAT_DTYPES))
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    values = (draw(np_arrays(np.float64, (n, c), elements=LARGE)) if large
              else draw(strategies.arrays((n, c))))
    return {"logits": TensorArg(values, dtype, noncontiguous=draw(st.booleans())),
            "labels": _labels(draw, n, c)}


@st.composite
def bce_cases(draw, *, large: bool = False) -> dict:
    """``z`` of a small shape and one drawn dtype, maybe non-contiguous; targets ``y`` in [0, 1]."""
    dtype = draw(st.sampled_from(strategies.FLOAT_DTYPES))
    shape = draw(strategies.shapes(max_dims=2))
    values = (draw(np_arrays(np.float64, shape, elements=LARGE)) if large
              else draw(strategies.arrays(shape)))
    return {"z": TensorArg(values, dtype, noncontiguous=draw(st.booleans())),
            "y": TensorArg(draw(np_arrays(np.float64, shape, elements=TARGETS)), dtype)}


def _rng_draw():
    rng = np.random.default_rng(0)
    return lambda *shape: np.round(rng.uniform(-2, 2, shape) * 4) / 4


def ce_edge_cases() -> list[tuple[str, dict]]:
    """Fixed cases (DESIGN.md, invariant 2): zeros, a batch of one, a single class, a transpose."""
    draw = _rng_draw()

    def case(logits, labels, dtype="float64", noncontiguous=False):
        return {"logits": TensorArg(np.asarray(logits, dtype=np.float64), dtype,
                                    noncontiguous=noncontiguous),
                "labels": TensorArg(np.asarray(labels, dtype=np.float64), "int64")}

    return [
        ("all-zero logits", case(np.zeros((3, 4)), [0, 3, 1])),
        ("a batch of one", case(draw(1, 5), [2])),
        ("a single class", case(draw(3, 1), [0, 0, 0])),
        ("non-contiguous logits", case(draw(4, 3), [2, 0, 1, 2], "float32", noncontiguous=True)),
        ("a typical case", case(draw(4, 5), [4, 1, 1, 0])),
    ]


def bce_edge_cases() -> list[tuple[str, dict]]:
    """Fixed cases: zeros, a single element, soft targets, non-contiguous logits."""
    draw = _rng_draw()

    def case(z, y, dtype="float64", noncontiguous=False):
        return {"z": TensorArg(np.asarray(z, dtype=np.float64), dtype, noncontiguous=noncontiguous),
                "y": TensorArg(np.asarray(y, dtype=np.float64), dtype)}

    return [
        ("all-zero logits", case(np.zeros((2, 3)), [[0, 1, 1], [1, 0, 0.5]])),
        ("a single element", case([1.5], [1.0])),
        ("a batch of one, soft targets", case(draw(1, 4), [[0.25, 0.75, 0.5, 1.0]])),
        ("non-contiguous logits", case(draw(3, 2), [[1, 0], [0, 0], [1, 1]], "float32",
                                       noncontiguous=True)),
        ("a typical case", case(draw(5), [1, 0, 1, 1, 0])),
    ]


def ce_large_edge_cases() -> list[tuple[str, dict]]:
    """Logits as large as +-1e4, where exp overflows."""
    def case(logits, labels, dtype):
        return {"logits": TensorArg(np.asarray(logits, dtype=np.float64), dtype),
                "labels": TensorArg(np.asarray(labels, dtype=np.float64), "int64")}

    return [
        ("logits of +-1e4", case([[1e4, -1e4, 0.0], [0.0, 1e4, 9999.5]], [1, 2], "float32")),
        ("every logit -1e4", case(np.full((2, 3), -1e4), [0, 2], "float64")),
        ("logits of 1e4, float64", case([[1e4, 1e4 - 1.0], [-1e4, 1e4]], [1, 0], "float64")),
    ]


def bce_large_edge_cases() -> list[tuple[str, dict]]:
    """Logits as large as +-1e4, where exp(-z) overflows and sigmoid(z) rounds to 0 or 1."""
    def case(z, y, dtype):
        return {"z": TensorArg(np.asarray(z, dtype=np.float64), dtype),
                "y": TensorArg(np.asarray(y, dtype=np.float64), dtype)}

    return [
        ("logits of +-1e4", case([1e4, -1e4, 1e4, -1e4], [1.0, 1.0, 0.0, 0.5], "float32")),
        ("logits of +-1e4, float64", case([[-1e4, 1e4], [0.0, -1e4]], [[1.0, 0.0], [1.0, 0.0]],
                                          "float64")),
    ]


# -- the oracle --------------------------------------------------------------------------------


def _labels_tensor(case: dict) -> torch.Tensor:
    return torch.tensor(oracles.rounded(case["labels"]), dtype=torch.int64)


@remembered
def cross_entropy(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """``F.cross_entropy`` (mean) and its gradient with respect to the logits, in float64."""
    logits = oracles.leaf(case["logits"], True)
    loss = F.cross_entropy(logits, _labels_tensor(case))
    (grad,) = torch.autograd.grad(loss, logits)
    return loss.detach().numpy(), grad.numpy()


@remembered
def bce(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """``F.binary_cross_entropy_with_logits`` (mean) and its gradient, in float64."""
    z = oracles.leaf(case["z"], True)
    loss = F.binary_cross_entropy_with_logits(z, oracles.leaf(case["y"]))
    (grad,) = torch.autograd.grad(loss, z)
    return loss.detach().numpy(), grad.numpy()


# -- known wrong answers -----------------------------------------------------------------------


def sum_not_mean(what: str, count: int, of: str, divide: str) -> Diagnosis:
    """The sum where the mean belongs: every value ``count`` times too large."""
    return Diagnosis(
        "off by a factor of the batch size",
        f"every value of your {what} is {count} times the expected one, {count} being {of}: the "
        "sum over the batch, not the mean",
        f"the loss is the MEAN over the batch, so divide by the number of terms (the loss: "
        f"`.mean()`; the gradient: `{divide}`)")


WRONG_DIM = Diagnosis(
    "softmax over the wrong dimension",
    "your numbers are those of a softmax over the batch (dim=0) instead of over the classes",
    "normalize each row, one sample's logits: `logits.max(dim=1, keepdim=True)`, "
    "`.sum(dim=1, keepdim=True)`")
NO_ONE_HOT = Diagnosis(
    "one-hot not subtracted",
    "your gradient is softmax(logits) / N: the one-hot of the labels is missing",
    "d loss / d logits = (softmax(logits) - onehot(labels)) / N: subtract 1 at [i, labels[i]]")


@remembered
def ce_alternatives(case: dict, loss: np.ndarray, grad: np.ndarray) -> tuple[list, list]:
    """Known wrong (loss, gradient) answers for cross-entropy, given the right ones."""
    logits = oracles.leaf(case["logits"])
    labels = _labels_tensor(case)
    n = logits.shape[0]
    rows = torch.arange(n)
    onehot = F.one_hot(labels, logits.shape[1]).to(torch.float64)
    by_column = torch.logsumexp(logits, dim=0)[labels] - logits[rows, labels]
    batch = ("the batch size N", "/ logits.shape[0]")
    losses = [(sum_not_mean("loss", n, *batch), loss * n),
              (WRONG_DIM, by_column.mean().numpy())]
    grads = [(sum_not_mean("gradient", n, *batch), grad * n),
             (WRONG_DIM, ((logits.softmax(dim=0) - onehot) / n).numpy()),
             (NO_ONE_HOT, (logits.softmax(dim=1) / n).numpy())]
    return losses, grads


@remembered
def bce_alternatives(case: dict, loss: np.ndarray, grad: np.ndarray) -> tuple[list, list]:
    """Known wrong (loss, gradient) answers for BCE, given the right ones."""
    count = case["z"].values.size
    of = ("the number of elements of z", "/ z.numel()")
    return ([(sum_not_mean("loss", count, *of), loss * count)],
            [(sum_not_mean("gradient", count, *of), grad * count)])
