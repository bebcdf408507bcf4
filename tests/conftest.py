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
