"""Every planted wrong submission fails the check it targets, with the expected diagnosis.

A planted file declares what it must do in comment lines at its top:

    # expect-fail: backward            (a check that must fail; may repeat)
    # expect-diagnosis: sign flipped   (the diagnosis that failed check must give)
    # expect-message: grad_output      (a text its message must contain)

Every check of every exercise must be failed by at least one planted file: a check never
seen to fail proves nothing.
"""

from __future__ import annotations

import re

import pytest

from autograd_lab.catalog import EXERCISES
from conftest import SUBMISSIONS, graded

EXPECT = re.compile(r"^# expect-(fail|diagnosis|message): (.+)$", re.M)


def planted_files():
    return sorted(SUBMISSIONS.glob("exercise*/*.py"))


def expectations(path):
    found = {"fail": [], "diagnosis": [], "message": []}
    for kind, value in EXPECT.findall(path.read_text()):
        found[kind].append(value.strip())
    return found


@pytest.mark.parametrize("path", planted_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_planted_submission_fails_as_declared(path):
    expected = expectations(path)
    assert expected["fail"], f"{path} declares no '# expect-fail:' line"
    report = graded(path.parent.name, str(path))
    by_name = {c.name: c for c in report.checks}
    for name in expected["fail"]:
        assert name in by_name, f"{path.name}: no check named {name!r}"
        result = by_name[name]
        assert not result.passed, f"{path.name}: check {name!r} passed"
        for diagnosis in expected["diagnosis"]:
            assert result.diagnosis == diagnosis, (
                f"{path.name}: check {name!r} diagnosed {result.diagnosis!r}, not {diagnosis!r}\n"
                f"{result.message}")
        for text in expected["message"]:
            assert text in result.message, f"{path.name}: {text!r} not in:\n{result.message}"
    assert report.score < report.max_score


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_check_has_a_planted_failure(exercise):
    failed_somewhere = set()
    for path in SUBMISSIONS.glob(f"{exercise.id}/*.py"):
        failed_somewhere.update(expectations(path)["fail"])
    missing = [c.name for c in exercise.checks if c.name not in failed_somewhere]
    assert not missing, f"{exercise.id}: no planted submission fails {missing}"
