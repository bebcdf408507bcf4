"""Shared fixtures: the CLI runner, the repository's folders, and a cached grader."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from autograd_lab.grading.profiles import register_profiles

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "exercises"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

register_profiles()
settings.load_profile("autograd-lab-tests")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@functools.lru_cache(maxsize=None)
def graded(exercise_id: str, path: str, device: str = "cpu"):
    """Grade ``path`` once per test session (grading is deterministic, so a cache is safe)."""
    from autograd_lab.catalog import lookup
    from autograd_lab.grading.engine import grade

    return grade(lookup(exercise_id), path, device=device, timeout=60)
