"""Shared fixtures (the CLI runner) and the tests' hypothesis profile."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import settings

from autograd_lab.grading.profiles import register_profiles

register_profiles()
settings.load_profile("autograd-lab-tests")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
