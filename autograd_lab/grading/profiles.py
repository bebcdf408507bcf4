"""Hypothesis settings, all in one place: grading's and the test suite's.

Grading is reproducible (DESIGN.md, invariant 2): derandomized, no example database, no
deadline (a student's code may be slow), quiet, one bug reported per check.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, Verbosity, settings

GRADING_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=20,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
    verbosity=Verbosity.quiet,
    report_multiple_bugs=False,
    print_blob=False,
)

# The test suite's own property tests: reproducible too, a little more thorough.
TEST_SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=50)


def register_profiles() -> None:
    """Register ``autograd-lab-grading`` and ``autograd-lab-tests`` with hypothesis."""
    settings.register_profile("autograd-lab-grading", GRADING_SETTINGS)
    settings.register_profile("autograd-lab-tests", TEST_SETTINGS)
