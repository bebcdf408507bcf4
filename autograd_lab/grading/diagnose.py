"""Known mistakes: each is named only when it explains the numbers exactly.

A diagnosis compares what the student got with what torch expected (both float64 arrays
of one shape, within the dtype's tolerance) and with known wrong answers a check supplies.
On one input several known mistakes may give the same numbers (on a 1-by-2 result, the mean
of the squared errors is the sum with its 2 missing): :func:`explain` then returns all of them,
as :class:`Candidates`, and the search keeps the ones that explain every failing input
(:func:`agreed`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograd_lab.grading.failure import Diagnosis
from autograd_lab.grading.tolerance import all_close, close

SIGN_FLIPPED = Diagnosis(
    "sign flipped",
    "every value is the negative of the expected one",
    "check the sign of each step of the chain rule (a difference taken the wrong way round, "
    "such as `y - y_pred` for `y_pred - y`), and that an update subtracts the gradient",
)
TRANSPOSED = Diagnosis(
    "transposed",
    "your result is the expected one transposed",
    "the gradient of a weight has the weight's shape: for `h = x @ w`, "
    "`grad_w = x.T @ grad_h`, not `grad_h.T @ x`",
)
NON_FINITE = Diagnosis(
    "NaN or inf",
    "your result has NaN or infinite values where the expected one is finite",
    "look for a division by zero, a log of 0, an overflowing exp, or an uninitialised tensor "
    "(`torch.empty`)",
)
ZEROS = Diagnosis(
    "all zeros",
    "your result is all zeros, the expected one is not",
    "the result is never written to: check that you return the tensor you computed",
)


@dataclass(frozen=True)
class Candidates(Diagnosis):
    """Several known mistakes that each explain one input's numbers exactly.

    It reads as the first of them (the most specific: a check's own alternatives come before
    the generic constant factor); ``others`` are the rest, in order.
    """

    others: tuple[Diagnosis, ...] = ()


def candidates(diagnosis: Diagnosis | None) -> list[Diagnosis]:
    """Every mistake ``diagnosis`` stands for, first one first (none for None)."""
    if diagnosis is None:
        return []
    if isinstance(diagnosis, Candidates):
        first = Diagnosis(diagnosis.name, diagnosis.explanation, diagnosis.hint)
        return [first, *diagnosis.others]
    return [diagnosis]


def agreed(first: Diagnosis | None, *more: Diagnosis | None) -> Diagnosis | None:
    """The first mistake that explains every one of several inputs, or None.

    Mistakes are matched by name; the one returned is worded as for the first input (the one
    a report shows).
    """
    kept = candidates(first)
    for diagnosis in more:
        names = {found.name for found in candidates(diagnosis)}
        kept = [found for found in kept if found.name in names]
    return kept[0] if kept else None


def _one_or_candidates(found: list[Diagnosis]) -> Diagnosis | None:
    unique: list[Diagnosis] = []
    for diagnosis in found:
        if all(diagnosis.name != kept.name for kept in unique):
            unique.append(diagnosis)
    if len(unique) <= 1:
        return unique[0] if unique else None
    first = unique[0]
    return Candidates(first.name, first.explanation, first.hint, others=tuple(unique[1:]))


def mean_not_sum(what: str, count: int, of: str, hint: str) -> Diagnosis:
    """The mean where the sum belongs: every value ``count`` times too small.

    ``count`` changes with the input's size, so a check supplies this answer per input (as an
    ``alternatives`` entry computed by its oracle), never as a constant factor.
    """
    return Diagnosis(
        "mean instead of sum",
        f"every value of your {what} is 1/{count} of the expected one, {count} being {of}: the "
        "numbers of the MEAN of the squared errors, not their sum",
        hint)


def constant_factor(got: np.ndarray, expected: np.ndarray, dtype: str) -> Diagnosis | None:
    """Name ``got == c * expected`` for a constant ``c`` other than 1."""
    norm = float(np.vdot(expected, expected))
    if norm == 0.0 or not np.all(np.isfinite(got)):
        return None
    factor = float(np.vdot(got, expected)) / norm
    if not all_close(got, factor * expected, dtype) or abs(factor - 1.0) < 1e-3:
        return None
    if abs(factor + 1.0) < 1e-3:
        return SIGN_FLIPPED
    if abs(factor) < 1e-12:
        return ZEROS
    hint = "check each constant in the chain rule"
    if abs(factor - 0.5) < 1e-3:
        hint = ("the derivative of `(y_pred - y) ** 2` is `2 * (y_pred - y)`: "
                "the missing 2 of the squared loss?")
    elif abs(factor - 2.0) < 1e-3:
        hint = "something is counted twice: a gradient added twice, or a stray factor 2"
    shown = f"{factor:.4g}"
    return Diagnosis(
        f"off by a constant factor ({shown})",
        f"every value is {shown} times the expected one",
        hint,
    )


def only_at_kink(got: np.ndarray, expected: np.ndarray, dtype: str,
                 kink: np.ndarray | None) -> Diagnosis | None:
    """Name a difference found only where the ReLU's input is exactly 0."""
    if kink is None or kink.shape != expected.shape or not kink.any():
        return None
    wrong = ~close(got, expected, dtype)
    if wrong.any() and not (wrong & ~kink).any():
        return Diagnosis(
            "wrong only at the ReLU kink",
            f"your result differs only where the ReLU's input is exactly 0 ({int(wrong.sum())} "
            "place(s)); everywhere else it is right",
            "at an input of exactly 0, return either 0 or grad_output there (both are valid "
            "subgradients); compare with `input > 0` or `input >= 0`",
        )
    return None


def explain(got: np.ndarray, expected: np.ndarray, dtype: str, *,
            kink: np.ndarray | None = None,
            alternatives: tuple[tuple[Diagnosis, np.ndarray], ...] = ()) -> Diagnosis | None:
    """Return the known mistake that explains ``got`` exactly, or None.

    ``alternatives`` are known wrong answers of the check at hand (e.g. the gradient with
    the other loss's gradient accumulated into it): they come first. Where more than one
    mistake explains ``got``, the answer is a :class:`Candidates` of all of them.
    """
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return NON_FINITE
    found = [diagnosis for diagnosis, wrong in alternatives
             if np.shape(wrong) == got.shape and all_close(got, np.asarray(wrong), dtype)]
    generic = only_at_kink(got, expected, dtype, kink) or constant_factor(got, expected, dtype)
    return _one_or_candidates(found + ([generic] if generic is not None else []))


def transposed(got: np.ndarray, expected: np.ndarray, dtype: str) -> Diagnosis | None:
    """Name ``got == expected.T`` (for results of two or more dimensions)."""
    if expected.ndim >= 2 and expected.shape != got.shape:
        flipped = np.swapaxes(expected, -1, -2)
        if flipped.shape == got.shape and all_close(got, flipped, dtype):
            return TRANSPOSED
    if expected.ndim == 2 and got.shape == expected.shape[::-1] and all_close(got, expected.T, dtype):
        return TRANSPOSED
    return None


RETAIN_GRAPH = Diagnosis(
    "missing retain_graph",
    "autograd freed the graph's saved tensors after the first backward pass, and a second "
    "pass went through the same graph",
    "pass `retain_graph=True` to every backward pass but the last one through a graph "
    "(`loss.backward(retain_graph=True)` or `torch.autograd.grad(..., retain_graph=True)`)",
)


def explain_error(error_type: str, message: str) -> Diagnosis | None:
    """Turn a known exception from the student's code into advice."""
    if "backward through the graph a second time" in message:
        return RETAIN_GRAPH
    if "does not require grad and does not have a grad_fn" in message:
        return Diagnosis(
            "no graph to differentiate",
            "backward was called on a tensor that autograd did not record",
            "the inputs must require grad before the forward pass "
            "(`x = x.detach().requires_grad_(True)`), and the forward pass must not run under "
            "`torch.no_grad()`",
        )
    if error_type in ("MemoryError", "OutOfMemoryError") or "can't allocate memory" in message:
        return Diagnosis("out of memory", "your code asked for more memory than allowed",
                         "look for a tensor whose size grows with a loop, or an accidental "
                         "outer product")
    if error_type == "RecursionError":
        return Diagnosis("infinite recursion", "a function kept calling itself",
                         "a function that calls itself needs a base case")
    return None
