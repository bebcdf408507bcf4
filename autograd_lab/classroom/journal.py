"""OUT/journal.jsonl: each result appended as it comes, so that the cost of keeping it is the
same whatever the class's size, and a run killed midway loses nothing it finished.

`grade` used to rewrite grades.csv and grades.json after every result: the n-th result cost a
write of n students' rows, a class of 300 paid ten times per student what a class of 30 did.
Now a result is one line appended to the journal (one ``write`` of a few kilobytes, so that a
kill between two results leaves whole lines), and grades.csv, grades.json and the feedback are
written at the end, or when the run is interrupted (Ctrl-C, SIGTERM), and meanwhile only now
and then, paced to a bounded share of the run's time (see
:meth:`~autograd_lab.classroom.results.Gradebook.checkpoint`). The journal is
``fsync``'ed at most every :data:`FSYNC_EVERY_S` (a power cut costs at most that much work; a
killed process costs nothing, the lines are in the kernel) and once more when closed.

A line is ``{"student": ..., "exercise": ..., "key": ..., "record": {...}}``: ``key`` is the
item's cache key (see :class:`~autograd_lab.classroom.results.Gradebook`), so that a rerun takes
back only what was graded from the same file, by the same grader, under the same limits. A
line that cannot be read (the last one, cut short by a kill) is ignored. Once the final files
are written, the journal is removed: they hold everything it held.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

NAME = "journal.jsonl"
FSYNC_EVERY_S = 1.0
"""Longest time between two ``fsync`` of the journal."""


def path_in(out: Path) -> Path:
    """Where the journal of output folder ``out`` lives."""
    return Path(out) / NAME


def read(path: Path) -> tuple[dict[tuple[str, str], tuple[str, dict]], int]:
    """The journal's entries, (student, exercise) -> (key, record), the last line for an item
    winning; and how many lines could not be read (a line cut short by a kill, or damaged)."""
    entries: dict[tuple[str, str], tuple[str, dict]] = {}
    damaged = 0
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return entries, 0
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8", "surrogateescape"))
            item = (entry["student"], entry["exercise"])
            key, record = entry["key"], entry["record"]
            if not (isinstance(item[0], str) and isinstance(item[1], str)
                    and isinstance(key, str) and isinstance(record, dict)):
                raise TypeError("a line of the wrong shape")
        except (ValueError, KeyError, TypeError):
            damaged += 1
            continue
        entries[item] = (key, record)
    return entries, damaged


class Journal:
    """The journal, open for appending (create it, or go on after the complete lines of one a
    killed run left)."""

    def __init__(self, path: Path, *, fsync_every: float = FSYNC_EVERY_S, clock=time.monotonic):
        self.path = Path(path)
        self.fsync_every = fsync_every
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self._cut_partial_line()
        self._synced = clock()
        self._dirty = False

    def _cut_partial_line(self) -> None:
        """Drop a last line without its newline (a write cut short), so that the next line
        is not glued onto it."""
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        tail_start = max(0, size - (1 << 16))
        while True:
            tail = os.pread(self._fd, size - tail_start, tail_start)
            if tail.endswith(b"\n"):
                return
            cut = tail.rfind(b"\n")
            if cut >= 0 or tail_start == 0:
                os.ftruncate(self._fd, tail_start + cut + 1 if cut >= 0 else 0)
                return
            tail_start = max(0, tail_start - (1 << 16))

    def append(self, student: str, exercise: str, key: str, record: dict) -> None:
        """Append one item's record: one ``write`` of one line."""
        line = json.dumps({"student": student, "exercise": exercise, "key": key,
                           "record": record}, sort_keys=True) + "\n"
        data = line.encode("utf-8", "surrogateescape")
        while data:
            data = data[os.write(self._fd, data):]
        self._dirty = True
        if self.clock() - self._synced >= self.fsync_every:
            self.sync()

    def sync(self) -> None:
        """``fsync`` what was appended."""
        if self._dirty:
            os.fsync(self._fd)
            self._dirty = False
        self._synced = self.clock()

    def close(self) -> None:
        """Sync and close (again: nothing)."""
        if self._fd < 0:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            self._fd = -1

    def remove(self) -> None:
        """Close and delete: the final files now hold what the journal held."""
        self.close()
        self.path.unlink(missing_ok=True)
