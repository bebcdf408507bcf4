"""What a catalog entry is: an exercise, its checks and their points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from autograd_lab.grading.failure import Failure


VALUE, RULE, STRUCTURE = "value", "rule", "structure"


@dataclass(frozen=True)
class Watch:
    """One function of the student's file that a rule watches, and the value checks of it."""

    function: str
    """How the exercise names the function (``vjp``, ``forward_backward``, ``Adam.step``)."""
    checks: tuple[str, ...]
    """The value checks of that function: a rule on it is scored once one of them passes."""


def watch(function: str, *checks: str) -> Watch:
    """``watch("vjp", "vjp")``: a function and its value checks."""
    return Watch(function, tuple(checks) or (function,))


@dataclass(frozen=True)
class Check:
    """One graded property of a student's file.

    A **value** check compares what the student's code computed with torch's answer. A
    **rule** check (how it must be computed) or a **structure** check (what it must be) is
    scored only together with the value checks of the functions it ``watches``: for each
    watched function whose value checks all fail it is "not scored", so code that computes
    nothing earns nothing. A rule that ``voids`` and is broken by a function voids that
    function's value checks: their results were computed the forbidden way. See
    :mod:`autograd_lab.grading.policy`.
    """

    name: str
    """Short id, unique within the exercise (``backward``)."""
    title: str
    """What is checked, one line a student understands."""
    points: float
    run: Callable[..., Failure | None]
    """``run(session) -> Failure | None``: None when the check passes. A rule watching several
    functions runs once per function, with ``session.watching`` naming it."""
    kind: str = VALUE
    """``value``, ``rule`` or ``structure``."""
    watches: tuple[Watch, ...] = ()
    """Rule and structure checks: the functions they watch (each earns an equal share)."""
    voids: bool = False
    """Rule checks: broken, it voids the value checks of the function that broke it."""
    uses: tuple[Watch, ...] = ()
    """Value checks: other functions of the student's that this one's code is expected to
    call (train calls forward_backward): when those fail too, the report says so."""

    def __post_init__(self) -> None:
        if self.kind not in (VALUE, RULE, STRUCTURE):
            raise ValueError(f"check {self.name!r}: unknown kind {self.kind!r}")
        if (self.kind == VALUE) == bool(self.watches):
            raise ValueError(f"check {self.name!r}: a {self.kind} check "
                             f"{'watches nothing' if self.kind == VALUE else 'must watch a function'}")
        if self.voids and self.kind != RULE:
            raise ValueError(f"check {self.name!r}: only a rule voids value checks")


def rule(name: str, title: str, points: float, run: Callable, *watches: Watch,
         voids: bool = False) -> Check:
    """A rule check: how the watched functions must compute their results."""
    return Check(name, title, points, run, kind=RULE, watches=watches, voids=voids)


def structure(name: str, title: str, points: float, run: Callable, *watches: Watch) -> Check:
    """A structure check: what the watched functions' objects must be."""
    return Check(name, title, points, run, kind=STRUCTURE, watches=watches)


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
        return float(sum(check.points for check in self.checks))

    def __post_init__(self) -> None:
        values = {c.name for c in self.checks if c.kind == VALUE}
        for check in self.checks:
            for needed in check.watches + check.uses:
                unknown = [name for name in needed.checks if name not in values]
                if unknown:
                    raise ValueError(f"{self.id}: check {check.name!r} names {unknown}, which "
                                     "are not value checks of the exercise")


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
