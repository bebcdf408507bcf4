"""Replay: the inputs hypothesis draws for a check, drawn once per process, run again on other files.

Why. Drawing inputs with hypothesis is the largest cost of grading that is not the student's
own code: nearly half of a grader's time. Grading runs hypothesis derandomized (DESIGN.md,
invariant 2), and while every input passes, what hypothesis draws next depends only on its
fixed seed, the strategy, the settings and the outcomes so far (all passes): never on the file
graded. So a process that grades many files (each grader of `autograd-lab grade`) records the
inputs of the first run of a check in which every input passed, and for each later file runs
the check's body on those inputs, in order, without hypothesis.

Why the verdict is the one hypothesis gives:

- every recorded input passes: hypothesis would have drawn exactly these, and found nothing;
  the fixed edge cases then run as they always do;
- input k fails: hypothesis runs for real. Its first k calls draw the recorded inputs 1..k
  again and are answered with the outcomes the replay saw (passed, passed, ..., the failure
  itself) instead of calling the student's code a second time, so the worker sees exactly the
  calls an unreplayed run makes, even for code that keeps state between calls; from call k + 1
  on hypothesis shrinks as it always does, and the smallest failing input, the messages and
  the diagnosis are the ones it would have found anyway;
- an :class:`~autograd_lab.grading.failure.Abort` (not implemented, a hang, a dead worker) stops
  the check at once, replayed or not.

Hypothesis is asked again only where a replay fails, and draws the recorded inputs again
there: a drawn input that differs from the recorded one is counted (:func:`counts`, a bug if
it ever happens) and from there on every call runs for real.

What is stored: only the inputs hypothesis drew in this process, deep-copied before any check
body saw them, under a key naming the exercise, the check, the device, which of the check's
searches it is and its settings. Nothing the student's code returned is stored: each file's
expected answers come from the check body, in this process (see :mod:`remember`).
"""

from __future__ import annotations

import copy
import dataclasses
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from hypothesis import settings

from autograd_lab.grading.remember import NoKey, value_key

Case = dict[str, Any]

FAILURES = (Exception, SystemExit, GeneratorExit)
"""What hypothesis takes for a failing input when a test raises it (hypothesis.core's
``failure_exceptions_to_catch``, less pytest's own): anything else stops a run at once."""


@dataclasses.dataclass
class _State:
    recorded: dict[tuple, tuple[Case, ...]] = dataclasses.field(default_factory=dict)
    scope: tuple | None = None
    """The check being graded (set by the engine); None: no recording, no replay."""
    searches: int = 0
    """Searches (calls of ``find_failure``) the current check has made so far."""
    enabled: bool = True
    replays: int = 0
    """Searches replayed (passed or not)."""
    mismatches: int = 0
    """Times hypothesis drew something other than the recorded input (should stay 0)."""


_state = _State()


@contextmanager
def scope(*parts) -> Iterator[None]:
    """Name the check that runs inside (``exercise3``, ``backward``, ``cpu``).

    A check's strategies must depend only on the check itself, never on what the student's
    code returned: the key of a recording is this name and the search's place in the check.
    """
    saved = _state.scope, _state.searches
    _state.scope, _state.searches = tuple(parts), 0
    try:
        yield
    finally:
        _state.scope, _state.searches = saved


@contextmanager
def disabled() -> Iterator[None]:
    """Run hypothesis for real inside, neither recording nor replaying (for comparisons)."""
    saved = _state.enabled
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = saved


def clear() -> None:
    """Forget every recording."""
    _state.recorded.clear()


def counts() -> dict[str, int]:
    """Searches recorded and replayed so far, and how often a run after a failed replay drew
    something other than the recorded inputs (a bug if ever more than 0)."""
    return {"recorded": len(_state.recorded), "replayed": _state.replays,
            "mismatches": _state.mismatches}


def next_key(config: settings) -> tuple | None:
    """The key of the current check's next search under hypothesis settings ``config``.

    None outside a check, when disabled, and when ``config`` does not draw the same inputs
    on every run (not derandomized, or with an example database).
    """
    if (_state.scope is None or not _state.enabled or not config.derandomize
            or config.database is not None):
        return None
    _state.searches += 1
    return (*_state.scope, _state.searches, config.max_examples, tuple(config.phases))


def record(key: tuple, cases: list[Case]) -> None:
    """Keep ``cases``: the inputs, in order, of a run of the search ``key`` that all passed."""
    _state.recorded.setdefault(key, tuple(cases))


def recorded(key: tuple | None) -> tuple[Case, ...] | None:
    """The recorded inputs of ``key``, or None."""
    return None if key is None else _state.recorded.get(key)


def snapshot(case: Case) -> Case:
    """A copy of a drawn input that nothing done to the original (or to the copy) can change."""
    return copy.deepcopy(case)


def same(a, b) -> bool:
    """Are two drawn inputs the same: same types, same values, arrays and floats bit for bit
    (:func:`~autograd_lab.grading.remember.value_key`)? A value that key cannot describe is
    never taken for the same input: the call then runs for real."""
    try:
        return value_key(a) == value_key(b)
    except NoKey:
        return False


class Answers:
    """What the replay saw, handed to the first calls of the real run that follows it."""

    def __init__(self, outcomes: list[tuple[Case, BaseException | None]]):
        self._outcomes = outcomes
        self._next = 0

    def answer(self, case: Case) -> bool:
        """Answer this call with the replay's outcome: return True for a pass, raise its error.

        Returns False when there is nothing left to answer (or hypothesis drew an input other
        than the recorded one): the call must run for real.
        """
        if self._next >= len(self._outcomes):
            return False
        expected, error = self._outcomes[self._next]
        if not same(case, expected):
            _state.mismatches += 1
            self._outcomes = []
            return False
        self._next += 1
        if error is not None:
            raise error
        return True


def replay(cases: tuple[Case, ...], run: Callable[[Case], None]) -> Answers | None:
    """Run ``run`` on each recorded input in order; None if all pass, else the answers.

    ``run`` gets a fresh copy of each input. What hypothesis would take for a failing input
    (:data:`FAILURES`) ends the replay; anything else (an ``Abort``) propagates.
    """
    _state.replays += 1
    outcomes: list[tuple[Case, BaseException | None]] = []
    for case in cases:
        try:
            run(snapshot(case))
        except FAILURES as exc:
            outcomes.append((case, exc))
            return Answers(outcomes)
        outcomes.append((case, None))
    return None
