"""Helpers the test modules import: the repository's folders and a cached grader.

(Kept out of conftest.py: ``from conftest import ...`` would pick whichever conftest.py
pytest loaded last, tests/viz/conftest.py included.)
"""

from __future__ import annotations

import functools
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
