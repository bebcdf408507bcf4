"""Graduated hints for every exercise, shown by ``autograd-lab hint``.

The stubs teach the idea and leave the code to the student; the hints are there on demand, in
order: the idea, then the API (the rules and calls to use), then nearly the code, and last the
full walk-through. They are data: one text file per exercise, ``exercise3.txt``, in this
package. A file starts with comment lines (``#``); each line that starts with ``## `` opens a
hint, whose title is the rest of the line and whose text is every line up to the next one.

:func:`hints_for` reads an exercise's hints; :mod:`autograd_lab.hints.progress` remembers, per
folder, how many a student has seen.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

HEADING = "## "


@dataclass(frozen=True)
class Hint:
    """One hint: a short title ("the idea") and its text."""

    title: str
    text: str


def parse(text: str) -> tuple[Hint, ...]:
    """The hints of one file's text, in order (the lines before the first heading are skipped)."""
    hints: list[Hint] = []
    title: str | None = None
    lines: list[str] = []

    def close() -> None:
        if title is not None:
            hints.append(Hint(title, "\n".join(lines).strip("\n")))

    for line in text.splitlines():
        if line.startswith(HEADING):
            close()
            title, lines = line[len(HEADING):].strip(), []
        elif title is not None:
            lines.append(line.rstrip())
    close()
    return tuple(hints)


@functools.lru_cache(maxsize=None)
def _load(exercise_id: str) -> tuple[Hint, ...]:
    name = f"{exercise_id}.txt"
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    hints = parse(text)
    if not hints or any(not h.title or not h.text for h in hints):
        raise ValueError(f"autograd_lab/hints/{name} holds no hint, or one without a title or text")
    return hints


def hints_for(exercise) -> tuple[Hint, ...]:
    """Every hint of ``exercise`` (an ``Exercise`` of the catalog, or its id), in order."""
    return _load(getattr(exercise, "id", exercise))


__all__ = ["Hint", "hints_for", "parse"]
