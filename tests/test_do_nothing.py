"""A file that does no work scores 0; partial work keeps exactly what it earns.

tests/do_nothing/ holds, for every exercise, files with the right names that compute nothing
(zeros, None, empty classes), several of them keeping every rule (saving the input, calling f
once, building no graph). tests/partial/ holds files that do part of the work, or do it the
forbidden way, written from scratch; each declares its score and why in comment lines at
its top:

    # expect-score: 4.5
    # expect-status: jacobian void        (a check and the status it must have)

Partial files that are a solution with functions left undone are derived from the current
solution at test time instead (tests/partial_work.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd_lab.catalog import EXERCISES, lookup
from partial_work import PARTIALS
from support import SOLUTIONS, graded

HERE = Path(__file__).resolve().parent
DO_NOTHING = sorted((HERE / "do_nothing").glob("exercise*.py"))
PARTIAL = sorted((HERE / "partial").glob("exercise*.py"))


def _exercise(path: Path):
    return lookup(re.match(r"exercise(\d+)_", path.name).group(1))


@pytest.mark.parametrize("path", DO_NOTHING, ids=lambda p: p.stem)
def test_a_file_that_does_no_work_scores_zero(path):
    report = graded(_exercise(path).id, str(path))
    paid = {c.name: c.score for c in report.checks if c.score}
    assert report.score == 0, paid
    for check in report.checks:
        assert check.status in ("failed", "not scored", "not run"), (check.name, check.status)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_do_nothing_files(exercise):
    mine = [p for p in DO_NOTHING if _exercise(p) is exercise]
    assert len(mine) >= 2, f"{exercise.id}: write a zeros file and a None/empty one"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_rule_and_structure_check_is_kept_by_some_do_nothing_file_unpaid(exercise):
    # A rule is only proven unpaid by a file that keeps it: the zeros files keep most of them.
    unproven = {c.name for c in exercise.checks if c.kind != "value"}
    for path in (p for p in DO_NOTHING if _exercise(p) is exercise):
        for check in graded(exercise.id, str(path)).checks:
            if check.status == "not scored":
                unproven.discard(check.name)
    assert not unproven, f"{exercise.id}: no do-nothing file keeps {sorted(unproven)}"


def _declared(path: Path) -> tuple[float, list[tuple[str, str]]]:
    text = path.read_text()
    score = float(re.search(r"^# expect-score: (\S+)$", text, re.M).group(1))
    statuses = [tuple(line.split(None, 1)) for line in
                re.findall(r"^# expect-status: (.+)$", text, re.M)]
    return score, statuses


def _keeps_exactly(exercise_id: str, path: Path, score: float, statuses) -> None:
    report = graded(exercise_id, str(path))
    by_name = {c.name: c for c in report.checks}
    assert report.score == score, {c.name: (c.score, c.status) for c in report.checks}
    for name, status in statuses:
        assert by_name[name].status == status, (name, by_name[name].message)


@pytest.mark.parametrize("path", PARTIAL, ids=lambda p: p.stem)
def test_partial_work_keeps_exactly_what_it_earns(path):
    score, statuses = _declared(path)
    _keeps_exactly(_exercise(path).id, path, score, statuses)


@pytest.mark.parametrize("partial", PARTIALS, ids=lambda p: f"{p.exercise}_{p.name}")
def test_a_solution_partly_left_undone_keeps_exactly_what_it_earns(partial, tmp_path):
    solution = SOLUTIONS / lookup(partial.exercise).filename
    path = tmp_path / f"{partial.exercise}_{partial.name}.py"
    path.write_text(partial.source(solution))
    _keeps_exactly(partial.exercise, path, partial.score, partial.statuses)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_a_partial_submission(exercise):
    found = [p for p in PARTIAL if _exercise(p) is exercise]
    found += [p for p in PARTIALS if p.exercise == exercise.id]
    assert found, f"{exercise.id}: add a partial submission (tests/partial/ or partial_work.py)"
