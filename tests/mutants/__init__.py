"""Planted wrong submissions written as mutations of the reference solutions.

A planted submission is a solution with one mistake in it. Rather than a copy of the solution
(which goes stale whenever the solution's docstrings change), each is a :class:`Mutant`: the
(old, new) text replacements that plant the mistake, applied to the *current* solution at test
time. ``tests/mutants/exerciseN.py`` holds the list ``MUTANTS`` of one exercise;
``tests/test_planted.py`` writes each to ``<name>.py`` and grades it.

A planted file that is not a small edit of its solution (written from scratch) stays a real file
under ``tests/submissions/exerciseN/``, with its expectations in comment lines at its top.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """A solution with one planted mistake, and what grading it must show.

    name: the file it becomes, ``<name>.py`` (grading messages show the file's name).
    mistake: the planted mistake, in one line.
    fail: the checks it must fail.
    diagnosis: the diagnosis each of those checks must give, if any.
    message: texts each of those checks' messages must contain.
    replace: (old, new) edits of the solution, applied in order; each ``old`` must occur exactly
        once in the text it is applied to.
    """

    name: str
    mistake: str
    fail: list[str]
    diagnosis: str | None = None
    message: list[str] = field(default_factory=list)
    replace: list[tuple[str, str]]

    def source(self, solution: Path) -> str:
        """The solution's current text with the mistake planted; fails loudly if it went stale."""
        text = solution.read_text()
        for number, (old, new) in enumerate(self.replace, 1):
            count = text.count(old)
            if count != 1:
                raise MutantDoesNotApply(
                    f"mutant {self.name!r} no longer applies to {solution.name}: the old text of "
                    f"its replacement {number} of {len(self.replace)} must occur there exactly "
                    f"once, and occurs {count} times:\n{old}\n"
                    f"The solution changed: update the mutant's replace=[...] (tests/mutants/).")
            text = text.replace(old, new)
        return text

    def write(self, solution: Path, directory: Path) -> Path:
        """Write the mutated solution to ``directory/<name>.py`` and return that path."""
        path = directory / f"{self.name}.py"
        path.write_text(self.source(solution))
        return path


class MutantDoesNotApply(AssertionError):
    """A mutant's old text is not in the solution exactly once: the mutant went stale."""


def mutants(exercise_id: str) -> list[Mutant]:
    """The mutants of one exercise (none if it has no ``tests/mutants/<exercise_id>.py``)."""
    if not (HERE / f"{exercise_id}.py").exists():
        return []
    return importlib.import_module(f"{__name__}.{exercise_id}").MUTANTS


def mutant(exercise_id: str, name: str) -> Mutant:
    """One mutant by exercise and name."""
    (found,) = [m for m in mutants(exercise_id) if m.name == name]
    return found
