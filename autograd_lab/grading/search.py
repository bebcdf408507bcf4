"""Look for an input on which a check fails: hypothesis first (shrunk), then fixed edge cases.

Grading is reproducible (DESIGN.md, invariant 2): hypothesis runs derandomized with no
example database, so every run, on every machine, draws the same inputs. Inside a check the
engine names (see :mod:`replay`), a process that has already seen a search pass on every
input replays those inputs instead of drawing them again, with the same verdict.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lab.grading import diagnose, replay
from autograd_lab.grading.compare import summarize
from autograd_lab.grading.failure import Abort, CheckFailure, Failure
from autograd_lab.grading.profiles import GRADING_SETTINGS, without_local_constants
from autograd_lab.sandbox.protocol import TensorArg

Case = dict[str, Any]

# Shrinking stops after this many tries past the first failure: the input reported is the
# smallest found by then. A count, not a time, so that the verdict is the same everywhere.
SHRINK_BUDGET = 80


class _ShrinkBudgetSpent(BaseException):
    """Raised through hypothesis to stop shrinking (a BaseException, so it is not shrunk)."""


def describe_value(value) -> str:
    """Render one input of a case, short."""
    if isinstance(value, TensorArg):
        flags = [value.dtype]
        if value.noncontiguous and any(side > 1 for side in value.values.shape):
            flags.append("non-contiguous")
        if value.requires_grad:
            flags.append("requires_grad")
        return f"{summarize(value.values)} (shape {tuple(value.values.shape)}, {', '.join(flags)})"
    if isinstance(value, np.ndarray):
        return f"{summarize(value)} (shape {tuple(value.shape)}, {value.dtype})"
    return repr(value)


def describe_case(case: Case) -> str:
    """Render a whole case, one ``name = value`` per line."""
    return "\n".join(f"{name} = {describe_value(value)}" for name, value in case.items())


def _first_failure(group: BaseException) -> CheckFailure | None:
    for exc in getattr(group, "exceptions", ()):
        if isinstance(exc, CheckFailure):
            return exc
        inner = _first_failure(exc)
        if inner is not None:
            return inner
    return None


def find_failure(strategy: st.SearchStrategy, body: Callable[[Case], None],
                 edge_cases: Iterable[tuple[str, Case]] = (),
                 max_examples: int | None = None, constants: Case | None = None) -> Failure | None:
    """Run ``body`` on drawn inputs, then on ``edge_cases``; return the first failure or None.

    ``body`` raises :class:`CheckFailure` when an input fails (hypothesis then shrinks it to a
    smallest failing input) or :class:`Abort` to stop at once. The returned failure carries
    the input it failed on. ``strategy`` must depend only on the check, never on what the
    student's code returned: a replayed search (see :mod:`replay`) reuses its inputs.
    ``constants`` are arguments the same for every input (a learning rate): ``body`` receives
    them in each case, and a failing input shows them, so that it can be run again as shown.
    """
    without_local_constants()
    body = _with_constants(body, constants)

    def run_body(case: Case, label: str = "") -> None:
        try:
            body(case)
        except CheckFailure as exc:
            exc.failure.example = label + describe_case({**case, **(constants or {})})
            raise
        except Abort as exc:
            exc.failure.example = exc.failure.example or label + describe_case(
                {**case, **(constants or {})})
            raise

    config = GRADING_SETTINGS if max_examples is None else settings(
        GRADING_SETTINGS, max_examples=max_examples)
    edge_cases = list(edge_cases)

    key = replay.next_key(config)
    recorded = replay.recorded(key)
    answers = replay.Answers([])
    if recorded is not None:
        answers = replay.replay(recorded, run_body)
        if answers is None:  # every input passed, as in the run recorded
            return _edge_failure(run_body, edge_cases)
    # A first run records its inputs; a run after a replay has a failure, so it records nothing.
    drawn_cases: list[Case] | None = [] if key is not None and recorded is None else None

    def run_case(case: Case) -> None:
        """One call from hypothesis: answered from the replay's outcomes first, else run."""
        if drawn_cases is not None:
            drawn_cases.append(replay.snapshot(case))
        if not answers.answer(case):
            run_body(case)

    shrinking = {"tries": 0, "smallest": None}

    # Hypothesis seeds a derandomized run with a digest of this function's source (comments
    # and blank lines aside): editing its code changes every input that grading draws.
    @config
    @given(strategy)
    def drawn(case: Case) -> None:
        if shrinking["smallest"] is not None:
            shrinking["tries"] += 1
            if shrinking["tries"] > SHRINK_BUDGET:
                raise _ShrinkBudgetSpent()
        try:
            run_case(case)
        except CheckFailure as exc:
            # The shrinker only tries inputs simpler than the smallest failing one so far,
            # so the latest failure is the smallest.
            shrinking["smallest"] = exc.failure
            raise

    try:
        drawn()
    except CheckFailure as exc:
        return _confirm(exc.failure, body, edge_cases)
    except _ShrinkBudgetSpent:
        return _confirm(shrinking["smallest"], body, edge_cases)
    except BaseExceptionGroup as group:  # hypothesis's Flaky, when a result is not repeatable
        found = _first_failure(group)
        if found is not None:
            return _settled(found.failure)
        return Failure("your code gave different results for the same input on two runs",
                       ["results must depend only on the inputs: no global state, no "
                        "unseeded randomness"])
    if drawn_cases is not None:
        replay.record(key, drawn_cases)
    return _edge_failure(run_body, edge_cases)


def _with_constants(body: Callable[[Case], None], constants: Case | None):
    if not constants:
        return body
    return lambda case: body({**case, **constants})


def _settled(failure: Failure) -> Failure:
    """The failure with one diagnosis, where its input alone left several candidates."""
    failure.diagnosis = diagnose.agreed(failure.diagnosis)
    return failure


def _edge_failure(run_case: Callable[..., None],
                  edge_cases: list[tuple[str, Case]]) -> Failure | None:
    """Run the fixed edge cases in order; the first failure (its diagnosis confirmed by the
    edge cases after it), or None."""
    for number, (label, case) in enumerate(edge_cases):
        try:
            run_case(case, f"(edge case: {label})\n")
        except CheckFailure as exc:
            return _confirm(exc.failure, run_case, edge_cases[number + 1:])
    return None


def _confirm(failure: Failure, body: Callable[[Case], None],
             edge_cases: list[tuple[str, Case]]) -> Failure:
    """Keep a diagnosis only if every edge case that fails is explained by it too.

    A shrunk input may have one element, where any difference looks like a constant factor;
    the edge cases are larger and varied, so they tell a real pattern from a coincidence.
    Where one input fits several known mistakes, the first that fits every failing input
    stays.
    """
    if failure.diagnosis is None:
        return failure
    found = []
    for _, case in edge_cases:
        try:
            body(case)
        except CheckFailure as exc:
            found.append(exc.failure.diagnosis)
            if diagnose.agreed(failure.diagnosis, *found) is None:
                break
        except Abort:
            break
    failure.diagnosis = diagnose.agreed(failure.diagnosis, *found)
    return failure
