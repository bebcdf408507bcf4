"""The last-resort guard of each check: whatever a check raises becomes that check's failure.

What a worker sends can provoke an exception inside a check (an int too large for a float, a
shape that does not broadcast) and a check can have a bug of its own: either way the student
reads a failed check with a message, never a traceback, the traceback is kept for the grader's
maintainers in the JSON, and the other checks run as usual.
"""

from __future__ import annotations

from pathlib import Path

from autograd_lab.catalog import lookup
from autograd_lab.catalog.base import Check, Exercise
from autograd_lab.grading.engine import grade
from support import SOLUTIONS

HERE = Path(__file__).resolve().parent / "guard"


def test_a_value_that_overflows_the_comparison_fails_its_check_with_a_message():
    report = grade(lookup("1"), str(HERE / "exercise1_loss_10_to_400.py"), timeout=30)
    loss = report.checks[0]
    assert loss.name == "loss" and not loss.passed and loss.score == 0
    assert loss.message.startswith("the grader could not check what your code returned "
                                   "(OverflowError")
    assert "Traceback" not in loss.message
    assert "OverflowError" in loss.internal_error and "Traceback" in loss.internal_error
    assert report.internal_errors
    # The other checks ran as usual: the zero gradients are named as such.
    assert report.checks[1].diagnosis == "all zeros"
    assert report.to_dict()["checks"][0]["internal_error"] == loss.internal_error


def _broken_check(session):
    return 1 / 0


def test_a_bug_in_a_check_is_reported_as_that_checks_failure_and_spares_the_others():
    real = lookup("3")
    made_up = Exercise(3, real.slug, real.title, real.idea, real.filename,
                       (Check("broken", "a check with a bug", 1, _broken_check), real.checks[0]))
    report = grade(made_up, str(SOLUTIONS / real.filename), timeout=30)
    broken, forward = report.checks
    assert not broken.passed and "ZeroDivisionError" in broken.message
    assert "_broken_check" in broken.internal_error
    assert forward.passed and report.score == forward.max_score
    assert report.internal_errors


def test_a_report_without_a_raising_check_has_no_internal_error():
    report = grade(lookup("3"), str(SOLUTIONS / lookup("3").filename), timeout=30)
    assert not report.internal_errors
    assert all(c.internal_error is None for c in report.checks)


def test_a_file_that_replaces_the_probes_in_its_worker_gains_nothing_and_raises_nothing():
    path = Path(__file__).resolve().parent / "hostile" / "replaces_probes.py"
    report = grade(lookup("3"), str(path), timeout=30)
    assert report.score == 0
    for check in report.checks:
        assert check.message.startswith("the grader could not check what your code returned"), (
            check.name, check.message)
