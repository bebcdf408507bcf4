"""Compare a student's result with torch's, and say what differs when it does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograd_lab.grading import diagnose
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.tolerance import all_close, close, rtol_for
from autograd_lab.sandbox.protocol import TensorData, Unsupported


@dataclass(frozen=True)
class Expect:
    """What a result should be."""

    values: np.ndarray
    """The oracle's answer, float64 on the CPU."""
    dtype: str = "float64"
    """The dtype the result must have (and the one that sets the tolerance)."""
    device: str | None = "cpu"
    """The device type the result must be on (``"cpu"``, ``"cuda"``); None: any."""
    accept: tuple[np.ndarray, ...] = ()
    """Other answers that are right too (the other subgradient at the ReLU kink)."""
    kink: np.ndarray | None = None
    """Where the ReLU's input is exactly 0, for elementwise results."""
    alternatives: tuple[tuple[Diagnosis, np.ndarray], ...] = ()
    """Known wrong answers and the mistake each one means."""


def summarize(values: np.ndarray) -> str:
    """A short rendering of an array: a few values, on one line."""
    text = np.array2string(np.asarray(values), threshold=12, edgeitems=2, max_line_width=10_000,
                           formatter={"float_kind": lambda v: f"{v:.4g}"})
    return " ".join(text.split())


def describe(values: np.ndarray, dtype: str, device: str | None) -> str:
    """``shape (2, 3), float32, cpu: [[...]]``."""
    where = f", {device}" if device else ""
    return f"shape {tuple(values.shape)}, {dtype}{where}: {summarize(values)}"


def _differences(got: np.ndarray, answers: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise, the distance from ``got`` to the nearest of ``answers``, and that answer.

    A NaN is the largest difference of all (argmax would skip it).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        diffs = np.stack([np.abs(got - answer) for answer in answers])
    diffs = np.where(np.isnan(diffs), np.inf, diffs)
    nearest = np.argmin(diffs, axis=0)
    picked = np.take_along_axis(diffs, nearest[None], axis=0)[0]
    values = np.take_along_axis(np.stack(answers), nearest[None], axis=0)[0]
    return picked, values


def _largest_difference(got: np.ndarray, answers: tuple[np.ndarray, ...]) -> str:
    diff, nearest = _differences(got, answers)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = list(int(i) for i in index)
    with np.errstate(invalid="ignore", over="ignore"):
        shown = float(abs(got[index] - nearest[index]))
    expected = float(answers[0][index])
    told = f"expected {expected:.6g}"
    if float(nearest[index]) != expected:  # nearer to an accepted answer (the kink's other one)
        told += f", or {float(nearest[index]):.6g} with the other subgradient at the kink"
    return f"largest difference: {shown:.4g} at {where} ({told}, got {float(got[index]):.6g})"


def wrong_values(got: np.ndarray, answers: tuple[np.ndarray, ...], dtype: str) -> np.ndarray:
    """Elementwise: is ``got`` beyond the tolerance of every accepted answer?"""
    wrong = np.ones(got.shape, dtype=bool)
    for answer in answers:
        wrong &= ~close(got, answer, dtype)
    return wrong


def _device_type(device: str) -> str:
    return device.split(":")[0]


def check_tensor(what: str, got, expect: Expect) -> None:
    """Raise :class:`CheckFailure` unless ``got`` (a tensor from the worker) meets ``expect``."""
    if isinstance(got, Unsupported) or not isinstance(got, TensorData):
        raise CheckFailure(f"{what}: expected a tensor, got {_kind(got)}")
    if expect.device is not None and _device_type(got.device) != expect.device:
        raise CheckFailure(
            f"{what}: expected a tensor on {expect.device}, got one on {got.device}",
            diagnosis=Diagnosis(
                "wrong device", f"the result is on {got.device}, the inputs on {expect.device}",
                "create new tensors on the inputs' device: `torch.zeros_like(x)` or "
                "`torch.zeros(..., device=x.device, dtype=x.dtype)`"))
    if expect.dtype and got.dtype != expect.dtype:
        raise CheckFailure(
            f"{what}: expected dtype {expect.dtype}, got {got.dtype}",
            diagnosis=Diagnosis(
                "wrong dtype", f"the result is {got.dtype}, the inputs are {expect.dtype}",
                "new tensors default to float32: pass `dtype=x.dtype`, or use `*_like` "
                "constructors"))
    check_values(what, got.values.astype(np.float64), expect, got.device)


def check_array(what: str, got, expect: Expect) -> None:
    """Raise :class:`CheckFailure` unless ``got`` (a NumPy array) meets ``expect``."""
    if isinstance(got, TensorData):
        raise CheckFailure(f"{what}: expected a NumPy array, got a torch tensor")
    if not isinstance(got, np.ndarray):
        raise CheckFailure(f"{what}: expected a NumPy array, got {_kind(got)}")
    if got.dtype.kind not in "fiub":
        raise CheckFailure(f"{what}: expected a float array, got dtype {got.dtype}")
    check_values(what, got.astype(np.float64), expect, None)


def check_number(what: str, got, expect: Expect) -> None:
    """Raise :class:`CheckFailure` unless ``got`` is a Python number close to ``expect``."""
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        hint = ""
        if isinstance(got, (TensorData, np.ndarray)):
            hint = " (use `float(...)` or `.item()` to turn a 0-dim result into a number)"
        raise CheckFailure(f"{what}: expected a Python float, got {_kind(got)}{hint}")
    check_values(what, np.asarray(float(got)), expect, None)


def check_values(what: str, got: np.ndarray, expect: Expect, device: str | None = None) -> None:
    """Raise :class:`CheckFailure` unless the float64 array ``got`` meets ``expect``'s values."""
    expected = np.asarray(expect.values, dtype=np.float64)
    if got.shape != expected.shape:
        flipped = diagnose.transposed(got, expected, expect.dtype)
        raise CheckFailure(
            f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}",
            [f"expected: {describe(expected, expect.dtype, expect.device)}",
             f"got:      {describe(got, expect.dtype, device)}"],
            flipped)
    for answer in (expected, *expect.accept):
        if all_close(got, answer, expect.dtype):
            return
    details = [f"expected: {describe(expected, expect.dtype, expect.device)}",
               f"got:      {describe(got, expect.dtype, device)}"]
    if got.size:
        # Against the nearest accepted answer: at the ReLU kink either subgradient is right.
        answers = (expected, *(np.asarray(a, dtype=np.float64) for a in expect.accept))
        details.append(_largest_difference(got, answers))
        wrong = int(wrong_values(got, answers, expect.dtype).sum())
        differ = any(not np.array_equal(answer, expected) for answer in answers[1:])
        accepted = ", at the kink either subgradient accepted" if differ else ""
        details.append(f"{wrong} of {got.size} values differ beyond the tolerance{accepted} "
                       f"(relative {rtol_for(expect.dtype):g})")
    diagnosis = diagnose.explain(got, expected, expect.dtype, kink=expect.kink,
                                 alternatives=expect.alternatives)
    raise CheckFailure(f"{what}: wrong values", details, diagnosis)


def _kind(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, TensorData):
        return f"a tensor of shape {value.shape}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, list):
        return f"a sequence of {len(value)} values"
    return f"a value of type {type(value).__name__}"
