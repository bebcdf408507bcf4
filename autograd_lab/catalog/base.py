"""What a catalog entry is: an exercise, its checks and their points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from autograd_lab.grading.failure import Failure


@dataclass(frozen=True)
class Check:
    """One graded property of a student's file."""

    name: str
    """Short id, unique within the exercise (``backward``)."""
    title: str
    """What is checked, one line a student understands."""
    points: float
    run: Callable[..., Failure | None]
    """``run(session) -> Failure | None``: None when the check passes."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: a student file and the checks it is graded by."""

    number: int
    slug: str
    title: str
    idea: str
    """The autograd idea it teaches, one line (for `list` and the README)."""
    filename: str
    """The stub's file name under ``exercises/``."""
    checks: tuple[Check, ...]
    preload: tuple[str, ...] = ()
    """Modules to import in the grading process before its worker forks, so that neither pays
    for them twice (``torch.optim`` imports ``torch._dynamo`` on first use: over a second)."""

    @property
    def id(self) -> str:
        return f"exercise{self.number}"

    @property
    def points(self) -> float:
        return sum(check.points for check in self.checks)


def runs(description: str) -> Callable:
    """Name the student code a probe runs, for messages ("while running MyReLU.backward")."""

    def mark(probe: Callable) -> Callable:
        probe.runs = description
        return probe

    return mark


def returned_kind(value) -> str:
    """How a probe names what student code returned: ``a tuple of 2``, ``None``, ``Tensor``."""
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    return "None" if value is None else type(value).__name__
