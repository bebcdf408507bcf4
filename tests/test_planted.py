"""Every planted wrong submission fails the check it targets, with the expected diagnosis.

Most planted submissions are mutants (tests/mutants/exerciseN.py): a solution with one mistake
planted by text replacements, applied to the current solution and written to ``<name>.py`` at
test time. Each declares what it must do:

    fail=["backward"]            (checks that must fail)
    diagnosis="sign flipped"     (the diagnosis each of those checks must give)
    message=["grad_output"]      (texts each of their messages must contain)

A planted file written from scratch stays a real file, tests/submissions/exerciseN/<name>.py,
and declares the same in comment lines at its top:

    # expect-fail: backward            (a check that must fail; may repeat)
    # expect-diagnosis: sign flipped   (the diagnosis that failed check must give)
    # expect-message: grad_output      (a text its message must contain)

Every check of every exercise must be failed by at least one planted submission: a check never
seen to fail proves nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograd_lab.catalog import EXERCISES, lookup
from support import SOLUTIONS, SUBMISSIONS, graded
from mutants import Mutant, mutants

EXPECT = re.compile(r"^# expect-(fail|diagnosis|message): (.+)$", re.M)


@dataclass(frozen=True)
class Planted:
    """One planted submission: a mutant of the solution, or a real file."""

    exercise: str
    name: str
    mutant: Mutant | None = None
    path: Path | None = None

    def expectations(self) -> dict[str, list[str]]:
        if self.mutant is not None:
            diagnosis = [self.mutant.diagnosis] if self.mutant.diagnosis is not None else []
            return {"fail": list(self.mutant.fail), "diagnosis": diagnosis,
                    "message": list(self.mutant.message)}
        found = {"fail": [], "diagnosis": [], "message": []}
        for kind, value in EXPECT.findall(self.path.read_text()):
            found[kind].append(value.strip())
        return found

    def file(self, tmp_path_factory) -> str:
        """The file to grade: the real one, or the mutant written to a fresh folder."""
        if self.mutant is None:
            return str(self.path)
        solution = SOLUTIONS / lookup(self.exercise).filename
        return str(self.mutant.write(solution, tmp_path_factory.mktemp(f"{self.exercise}-")))


def planted(exercise_id: str) -> list[Planted]:
    found = [Planted(exercise_id, m.name, mutant=m) for m in mutants(exercise_id)]
    found += [Planted(exercise_id, p.stem, path=p)
              for p in sorted(SUBMISSIONS.glob(f"{exercise_id}/*.py"))]
    names = [p.name for p in found]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    assert not duplicated, f"{exercise_id}: more than one planted submission named {duplicated}"
    return sorted(found, key=lambda p: p.name)


ALL_PLANTED = [p for exercise in EXERCISES for p in planted(exercise.id)]


@pytest.mark.parametrize("case", ALL_PLANTED, ids=lambda p: f"{p.exercise}/{p.name}")
def test_planted_submission_fails_as_declared(case, tmp_path_factory):
    expected = case.expectations()
    name = f"{case.name}.py"
    assert expected["fail"], f"{case.exercise}/{name} declares no check it must fail"
    report = graded(case.exercise, case.file(tmp_path_factory))
    by_name = {c.name: c for c in report.checks}
    for check in expected["fail"]:
        assert check in by_name, f"{name}: no check named {check!r}"
        result = by_name[check]
        assert not result.passed, f"{name}: check {check!r} passed"
        for diagnosis in expected["diagnosis"]:
            assert result.diagnosis == diagnosis, (
                f"{name}: check {check!r} diagnosed {result.diagnosis!r}, not {diagnosis!r}\n"
                f"{result.message}")
        for text in expected["message"]:
            assert text in result.message, f"{name}: {text!r} not in:\n{result.message}"
    assert report.score < report.max_score


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_check_has_a_planted_failure(exercise):
    failed_somewhere = set()
    for case in planted(exercise.id):
        failed_somewhere.update(case.expectations()["fail"])
    missing = [c.name for c in exercise.checks if c.name not in failed_somewhere]
    assert not missing, f"{exercise.id}: no planted submission fails {missing}"
