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


def without_local_constants() -> None:
    """Keep what hypothesis draws independent of where and how autograd-lab is installed.

    Hypothesis (6.131 on) now and then draws a constant found in the source of the "local"
    modules loaded in the process: those outside site-packages and the standard library. For a
    grader that is autograd-lab itself when installed editable (not when installed from a
    wheel), the test modules under pytest, and whatever else a process has imported, so the
    same file would get other inputs, and another verdict, on another machine; and it writes a
    cache of them to ``.hypothesis/`` in the current folder (a student's). Grading draws from
    its strategies and hypothesis's fixed global constants only. Idempotent.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - an older hypothesis, without local constants
        return
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty


def register_profiles() -> None:
    """Register ``autograd-lab-grading`` and ``autograd-lab-tests`` with hypothesis."""
    settings.register_profile("autograd-lab-grading", GRADING_SETTINGS)
    settings.register_profile("autograd-lab-tests", TEST_SETTINGS)
