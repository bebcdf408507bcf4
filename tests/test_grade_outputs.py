"""What `autograd-lab grade` tells an instructor (issue 10, point 6).

grades.csv and grades.json in course order, with missing, stub and zero told apart; a class
given to --gradescope refused; the progress line naming what still runs. Nothing here grades
student code: the gradebook is built from files that need no grading, and progress runs on a
fake clock.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from autograd_lab.catalog import EXERCISES, lookup
from autograd_lab.classroom import progress as progress_module
from autograd_lab.classroom.progress import Progress
from autograd_lab.classroom.results import Gradebook, is_stub
from autograd_lab.classroom.submissions import Submission, nested_submissions
from autograd_lab.cli import cli
from support import SOLUTIONS, STUBS

EX1, EX3 = lookup("1"), lookup("3")
FILENAMES = {e.filename: e.id for e in EXERCISES}


# -- grades.csv and grades.json --------------------------------------------------------------

def _book(out: Path, students: list[str], exercises) -> Gradebook:
    return Gradebook(out, exercises=exercises, submissions=[Submission(s, s) for s in students],
                     skipped=[], settings={})


def test_json_and_csv_list_exercises_in_course_order(tmp_path):
    # Given out of order, and 10 among them: a string sort would put exercise10 second.
    book = _book(tmp_path, ["alice"], [lookup("10"), lookup("2"), lookup("1")])
    book.write()
    data = json.loads((tmp_path / "grades.json").read_text())
    assert [e["id"] for e in data["exercises"]] == ["exercise1", "exercise2", "exercise10"]
    assert list(data["students"]["alice"]["exercises"]) == ["exercise1", "exercise2",
                                                            "exercise10"]
    header = next(csv.reader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert header == ["student", "exercise1", "exercise2", "exercise10", "total"]


def test_students_come_in_the_same_natural_order_in_both_files(tmp_path):
    book = _book(tmp_path, ["s10", "bob", "s2", "Alice"], [EX1])
    book.write()
    expected = ["Alice", "bob", "s2", "s10"]  # case aside, and numbers by value
    assert list(json.loads((tmp_path / "grades.json").read_text())["students"]) == expected
    rows = list(csv.reader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert [row[0] for row in rows[1:]] == expected


def test_every_cell_state_and_a_total_of_scores_only(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(STUBS / EX3.filename, sub / EX3.filename)
    shutil.copy(SOLUTIONS / EX1.filename, sub / EX1.filename)
    ex2 = lookup("2")
    student = Submission("alice", "alice",
                         files={EX1.id: sub / EX1.filename, EX3.id: sub / EX3.filename},
                         shown={EX1.id: f"alice/{EX1.filename}", EX3.id: f"alice/{EX3.filename}"})
    book = Gradebook(tmp_path / "out", exercises=[EX1, ex2, EX3], submissions=[student],
                     skipped=[], settings={})
    assert book.to_grade() == [("alice", EX1.id)]  # the stub is not handed to a grader
    book.write()
    assert book.cell("alice", EX1.id) == "pending"
    book.record("alice", EX1.id, {"ok": False, "error": "the grader process ended"})
    assert [book.cell("alice", e.id) for e in (EX1, ex2, EX3)] == ["error", "missing", "stub"]
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "grades.csv").read_text())))
    assert rows[1] == ["alice", "error", "missing", "stub", "0"]
    assert book.total("alice") == (0, EX1.points + ex2.points + EX3.points)


@pytest.mark.parametrize("change, expected", [
    (lambda t: t, True),
    (lambda t: t.replace("\n", "\r\n"), True),
    (lambda t: "\ufeff" + t.replace("\n", "  \n") + "\n\n", True),
    (lambda t: t.replace("\n", "\n\n", 1), False),  # a line added inside
    (lambda t: t + "x = 1\n", False),
    (lambda t: t.replace("def ", "def  ", 1), False),
])
def test_a_stub_is_recognised_up_to_line_endings_and_trailing_space(tmp_path, change, expected):
    path = tmp_path / EX3.filename
    path.write_bytes(change((STUBS / EX3.filename).read_text()).encode())
    assert is_stub(path, EX3.filename) is expected


def test_the_solution_and_undecodable_bytes_are_no_stub(tmp_path):
    assert not is_stub(SOLUTIONS / EX3.filename, EX3.filename)
    path = tmp_path / EX3.filename
    path.write_bytes(b"\xff\xfe" + (STUBS / EX3.filename).read_bytes())
    assert not is_stub(path, EX3.filename)


# -- --gradescope on a class -----------------------------------------------------------------

def _class_folder(root: Path) -> Path:
    """alice/ (a folder), bob.zip, and carol/ with the file under a wrapping folder."""
    subs = root / "subs"
    (subs / "alice" / "exercises").mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX1.filename, subs / "alice" / "exercises" / EX1.filename)
    with zipfile.ZipFile(subs / "bob.zip", "w") as zf:
        zf.write(SOLUTIONS / EX3.filename, EX3.filename)
    (subs / "carol" / "work").mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX3.filename, subs / "carol" / "work" / EX3.filename)
    (subs / "notes").mkdir()
    (subs / "notes" / "todo.txt").write_text("grade")
    return subs


def test_gradescope_refuses_a_folder_of_submissions(tmp_path, runner):
    subs = _class_folder(tmp_path)
    result = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "out"),
                                 "--gradescope", "--exercises", "1,3"])
    assert result.exit_code == 2
    assert "holds 3 submissions (alice, bob.zip, carol)" in result.output
    assert "--gradescope grades one submission" in result.output
    assert "leave out --gradescope" in result.output
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_gradescope_refuses_a_zip_of_submissions(tmp_path, runner):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SOLUTIONS / EX1.filename, f"alice/{EX1.filename}")
        zf.write(SOLUTIONS / EX3.filename, f"bob/exercises/{EX3.filename}")
    result = runner.invoke(cli, ["grade", str(archive), "-o", str(tmp_path / "out"),
                                 "--gradescope", "--exercises", "1,3"])
    assert result.exit_code == 2 and "holds 2 submissions (alice, bob)" in result.output


def test_nested_submissions_sees_none_in_one_submission(tmp_path):
    # Gradescope's layout: the files at the top, perhaps an extra folder beside them.
    sub = tmp_path / "submission"
    (sub / "exercises").mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX1.filename, sub / EX1.filename)
    shutil.copy(SOLUTIONS / EX3.filename, sub / "exercises" / EX3.filename)
    assert nested_submissions(sub, FILENAMES) == []  # exercises/ is part of it, no student
    # notes/ holds no exercise file: no submission.
    assert nested_submissions(_class_folder(tmp_path), FILENAMES) == ["alice", "bob.zip",
                                                                      "carol"]


def test_gradescope_grades_a_submission_with_files_at_the_top(tmp_path, runner):
    """Files of its own at the top: one submission, whatever folders lie beside them (here
    copies that would each pass for a student). The file is the stub, so nothing runs."""
    sub = _class_folder(tmp_path)
    shutil.copy(STUBS / EX1.filename, sub / EX1.filename)
    result = runner.invoke(cli, ["grade", str(sub), "-o", str(tmp_path / "out"),
                                 "--gradescope", "--exercises", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["score"] == 0 and len(data["tests"]) == 1
    assert "is the stub of" in data["tests"][0]["output"]


# -- progress --------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _lines(stream) -> list[str]:
    return stream.getvalue().splitlines()


def test_a_stalled_count_names_what_still_runs_and_for_how_long():
    clock, stream = Clock(), Terminal()
    bar = Progress(3, stream=stream, clock=clock)
    for what in ("alice exercise1", "bob exercise7"):
        bar.start(what)
    clock.now += 2
    bar.advance("alice exercise1")
    clock.now += 2
    # One done in 2 s, two to go, one of them not yet handed out: an ETA, nothing named.
    assert bar.line().endswith("1/3 graded · 0:00:04 elapsed · ETA 0:00:04")
    bar.start("carol exercise1")
    clock.now += 1
    bar.advance("carol exercise1")
    clock.now += 12
    line = bar.line()
    # Nothing left to hand out: the one item running is named, with its time; no ETA.
    assert "2/3 graded" in line and line.endswith("running: bob exercise7 (17 s)")
    assert "ETA" not in line
    bar.draw()
    assert stream.getvalue().split("\r")[-1].rstrip().endswith("bob exercise7 (17 s)")


def test_items_still_queued_are_named_once_nothing_ends_for_a_while():
    clock = Clock()
    bar = Progress(10, jobs=3, stream=io.StringIO(), clock=clock)
    for what in ("a exercise1", "b exercise1", "c exercise1"):
        bar.start(what)
        clock.now += 1
    clock.now += 1
    assert progress_module.STALL_S > 4
    assert "running" not in bar.line()  # 4 s without an end, items queued: no stall yet
    clock.now += 68
    assert bar.line().endswith(
        "0/10 graded · 0:01:12 elapsed · running: a exercise1 (1 min 12 s), "
        "b exercise1 (1 min 11 s) and 1 more")


def test_off_a_terminal_lines_are_few_and_plain():
    clock, stream = Clock(), io.StringIO()
    total = 40
    bar = Progress(total, stream=stream, clock=clock)
    for n in range(total - 1):  # one item a second
        bar.start(f"s{n} exercise1")
        clock.now += 1
        bar.advance(f"s{n} exercise1")
        bar.draw()
    bar.start("z exercise7")
    for _ in range(60):  # the last one hangs for a minute, drawn every half second
        clock.now += 0.5
        bar.draw()
    bar.advance("z exercise7")
    bar.close()
    lines = _lines(stream)
    assert "\r" not in stream.getvalue()
    assert progress_module.LINE_EVERY_S == 10
    # Items end from t=1 s to t=39 s, the last at t=69 s: a line at the first, then one every
    # 10 s (t=11, 21, 31 while items end; 44, 54, 64 while the last one stalls, once nothing
    # has ended for 5 s), then the last item's.
    assert progress_module.STALL_S == 5
    assert len(lines) == 1 + 6 + 1
    stalled = [line for line in lines if "running: z exercise7" in line]
    assert len(stalled) == 3 and all(f"{total - 1}/{total} graded" in line for line in stalled)
    assert stalled[0].endswith("0:00:44 elapsed · running: z exercise7 (5 s)")
    assert lines[-1].startswith(f"[{'#' * progress_module.WIDTH}] {total}/{total} graded")


def test_grades_json_records_the_isolation_a_verdict_was_computed_under(tmp_path):
    from autograd_lab.grading.engine import grade
    from autograd_lab.sandbox import isolation

    report = grade(EX3, str(SOLUTIONS / EX3.filename), timeout=30).to_dict()
    assert report["isolation"] == isolation.level()
    student = Submission("alice", "alice", files={EX3.id: SOLUTIONS / EX3.filename},
                         shown={EX3.id: f"alice/{EX3.filename}"})
    book = Gradebook(tmp_path / "out", exercises=[EX3], submissions=[student], skipped=[],
                     settings={})
    assert book.to_grade() == [("alice", EX3.id)]
    book.record("alice", EX3.id, {"ok": True, "report": report, "text": "text"})
    data = json.loads((tmp_path / "out" / "grades.json").read_text())
    assert data["students"]["alice"]["exercises"][EX3.id]["isolation"] == isolation.level()


def test_a_verdict_cached_under_other_isolation_is_graded_again(tmp_path, monkeypatch):
    from autograd_lab.classroom.run import grade_class
    from autograd_lab.sandbox import isolation

    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX3.filename, subs / "alice" / EX3.filename)
    run = lambda: grade_class(subs, tmp_path / "out", exercises=[EX3], timeout=30)  # noqa: E731
    assert (run().graded, run().cached) == (1, 1)  # unchanged: from the cache
    level = isolation.level()
    monkeypatch.setattr(isolation, "level", lambda: level + ",more")
    again = run()
    assert (again.graded, again.cached) == (1, 0)
