"""Shared fixtures: the CLI runner, the repository's folders, and a cached grader."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "exercises"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

# The tests' own hypothesis profile (grading has its own, in autograd_lab.grading.search).
settings.register_profile("tests", derandomize=True, database=None, deadline=None, max_examples=50)
settings.load_profile("tests")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@functools.lru_cache(maxsize=None)
def graded(exercise_id: str, path: str, device: str = "cpu"):
    """Grade ``path`` once per test session (grading is deterministic, so a cache is safe)."""
    from autograd_lab.catalog import lookup
    from autograd_lab.grading.engine import grade

    return grade(lookup(exercise_id), path, device=device, timeout=60)
