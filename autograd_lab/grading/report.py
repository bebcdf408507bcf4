"""The result of grading one file: plain data, rendered at the edge (text, JSON, CSV)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class CheckResult:
    """One check's verdict."""

    name: str
    """Short id of the check, unique within its exercise (``backward``)."""
    title: str
    """What was checked, one line."""
    passed: bool
    score: float
    max_score: float
    message: str = ""
    """The feedback: empty when passed; otherwise what failed, on which input, and why."""
    diagnosis: str | None = None
    """The name of the known mistake that explains the failure, when one does."""
    hint: str | None = None
    """What to look at, when a diagnosis was made."""
    example: str | None = None
    """The smallest input on which the check failed."""
    status: str = "passed"
    """``passed``; ``failed``; ``partial`` (a rule kept by some of the functions it watches,
    not scored for the others); ``not scored`` (a rule or structure check whose functions
    pass no value check: nothing to pay it with); ``void`` (a value check whose result was
    computed the way a broken rule forbids); ``not run`` (stopped by a cause told under
    another check)."""
    kind: str = "value"
    """``value``, ``rule`` or ``structure``."""
    internal_error: str | None = None
    """Where the check itself raised on what the worker sent: the traceback, for the grader's
    maintainers (the student reads ``message``). A report holding one is not cached."""

    def __post_init__(self) -> None:
        self.score = float(self.score)
        self.max_score = float(self.max_score)


@dataclass
class Report:
    """All checks of one exercise on one file."""

    exercise: str
    """The exercise id (``exercise3``)."""
    slug: str
    title: str
    file: str
    device: str
    checks: list[CheckResult] = field(default_factory=list)
    output: str = ""
    """What the student's code printed (trimmed)."""
    duration_s: float = 0.0
    """Wall time of the grading; left out of :meth:`to_dict`, which is the same on every run."""
    unsettled: str | None = None
    """Why a rerun may give another verdict (a timeout, a worker ended by a signal, malformed
    data from it): such a report, like one with an internal error, is not cached."""
    isolation: str = ""
    """The kernel protections the student's code ran under (``pid,net,ipc,mount,proc,...``,
    see :mod:`autograd_lab.sandbox.isolation`); empty: those of this machine's workers."""

    @property
    def score(self) -> float:
        return float(round(sum(c.score for c in self.checks), 6))

    @property
    def max_score(self) -> float:
        return float(round(sum(c.max_score for c in self.checks), 6))

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def internal_errors(self) -> bool:
        """Whether a check raised inside the grader (its verdict is not to be cached)."""
        return any(c.internal_error for c in self.checks)

    def to_dict(self) -> dict:
        """The report as JSON-ready data."""
        data = asdict(self)
        del data["duration_s"]
        data["score"] = self.score
        data["max_score"] = self.max_score
        data["passed"] = self.passed
        if not data["isolation"]:
            from autograd_lab.sandbox.isolation import level

            data["isolation"] = level()
        return data
