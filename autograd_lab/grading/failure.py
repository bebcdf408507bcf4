"""How a check says it failed: exceptions carrying what the student needs to read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake that explains a difference exactly."""

    name: str
    """Short name of the mistake, e.g. ``"sign flipped"``."""
    explanation: str
    """What in the numbers shows it, e.g. ``"every value is the negative of the expected one"``."""
    hint: str = ""
    """What to look at in the code."""


@dataclass
class Failure:
    """Everything a failed check reports, in the order it is shown."""

    summary: str
    """One line: what went wrong."""
    details: list[str] = field(default_factory=list)
    """Expected and got, the largest difference, the student's traceback: one line each."""
    diagnosis: Diagnosis | None = None
    example: str | None = None
    """The (smallest) input on which it failed, rendered short."""
    show_input: bool = True
    """False where the input says nothing (code not written yet)."""
    cause: tuple | None = None
    """What raised it, where a student's exception did (type, message, the student's line):
    two checks stopped by one cause tell it once (see :mod:`autograd_lab.grading.policy`)."""
    internal_error: str | None = None
    """The traceback of a check that raised (see ``engine._grader_error``)."""
    by_student: bool = False
    """True where the student's code raised, crashed or hung, not where a check found a
    result or a rule wrong: such a failure breaks no rule and voids nothing."""


class CheckFailure(Exception):
    """Raised inside a check body: this input fails. Hypothesis shrinks towards a smaller one."""

    def __init__(self, summary: str, details: list[str] | None = None,
                 diagnosis: Diagnosis | None = None):
        super().__init__(summary)
        self.failure = Failure(summary, list(details or []), diagnosis)

    @classmethod
    def of(cls, failure: Failure) -> CheckFailure:
        """The exception that carries ``failure`` as it is (its cause included)."""
        exc = cls(failure.summary, failure.details, failure.diagnosis)
        exc.failure = failure
        return exc


class Abort(BaseException):
    """Stop the check at once, without shrinking: not implemented, a hang, a dead worker.

    It derives from BaseException so that hypothesis lets it through instead of shrinking.
    """

    def __init__(self, failure: Failure):
        super().__init__(failure.summary)
        self.failure = failure
