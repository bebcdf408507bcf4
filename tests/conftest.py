"""Shared fixtures (the CLI runner, the wheel) and the tests' hypothesis profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from autograd_lab.grading.profiles import register_profiles

register_profiles()
settings.load_profile("autograd-lab-tests")


SHARD_VARIABLES = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
                   "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX",
                   "AUTOGRAD_LAB_SHARD_COUNT")


@pytest.fixture(autouse=True)
def _not_in_a_shard(monkeypatch):
    """The suite run inside a SLURM array task or an indexed Job must not shard its own
    grade runs: those variables choose a shard when --shard is not given."""
    for name in SHARD_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout (built once per test session)."""
    folder = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(folder), str(root)],
                   check=True, capture_output=True, timeout=300)
    (built,) = folder.glob("autograd_lab-*.whl")
    return built
