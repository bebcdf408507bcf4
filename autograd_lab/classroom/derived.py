"""Files computed from grades.json alone (an item analysis, a report page): one list of their
writers, called by `grade` after its final write and by `autograd-lab merge` after its own,
so that a merge of shards writes them as one run over the whole class would.

A module that adds such a file calls :func:`register` with a function ``writer(out: Path,
grades: dict) -> list[Path]`` (``grades``: grades.json's object; it returns what it wrote).
It must depend on nothing but ``grades`` (no timings, no paths of this machine), or a merge
could not write the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

Writer = Callable[[Path, dict], list]

WRITERS: list[Writer] = []


def register(writer: Writer) -> Writer:
    """Add ``writer`` (once); usable as a decorator."""
    if writer not in WRITERS:
        WRITERS.append(writer)
    return writer


def write_all(out: Path, grades: dict) -> list[Path]:
    """Run every registered writer on ``grades``; the files they wrote."""
    written: list[Path] = []
    for writer in WRITERS:
        written.extend(writer(Path(out), grades) or [])
    return written
