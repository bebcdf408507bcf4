"""Helpers the test modules import: the repository's folders and a cached grader.

(Kept out of conftest.py: ``from conftest import ...`` would pick whichever conftest.py
pytest loaded last, tests/viz/conftest.py included.)
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "exercises"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@functools.lru_cache(maxsize=None)
def graded(exercise_id: str, path: str, device: str = "cpu"):
    """Grade ``path`` once per test session (grading is deterministic, so a cache is safe)."""
    from autograd_lab.catalog import lookup
    from autograd_lab.grading.engine import grade

    return grade(lookup(exercise_id), path, device=device, timeout=60)


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process, zombies included (read from /proc, no psutil)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def children() -> set[int]:
    """Pids of this process's children, zombies included."""
    me = os.getpid()
    return {pid for pid, parent in _parents().items() if parent == me}


def descendants(root: int | None = None) -> set[int]:
    """Pids of every process whose parent chain leads to ``root`` (this process), zombies too."""
    root = os.getpid() if root is None else root
    parents = _parents()
    found: set[int] = set()
    for pid in parents:
        seen, up = set(), pid
        while up in parents and up not in seen and up > 1:
            seen.add(up)
            up = parents[up]
            if up == root:
                found.add(pid)
                break
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
