"""Files computed from grades.json alone (an item analysis, a report page): one explicit list of
their writers, called by `grade` after its final write and by `autograd-lab merge` after its
own, so that a merge of shards writes them as one run over the whole class would.

A writer is ``writer(out: Path, grades: dict) -> list[Path]`` (``grades``: grades.json's
object; it returns what it wrote). It must depend on nothing but ``grades`` (no timings, no
paths of this machine), or a merge could not write the same bytes. To add one, add it to
:func:`writers` (an explicit list, not registration at import).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

Writer = Callable[[Path, dict], list]


def writers() -> list[Writer]:
    """Every writer of a derived file, in the order they run."""
    from autograd_lab.classroom.analysis import write_analysis  # imports matplotlib lazily

    return [write_analysis]


def write_all(out: Path, grades: dict) -> list[Path]:
    """Run every writer on ``grades``; the files they wrote."""
    written: list[Path] = []
    for writer in writers():
        written.extend(writer(Path(out), grades) or [])
    return written
