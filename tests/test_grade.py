"""Grading a class: `autograd-lab grade` (issue 5).

A small class is built in a temporary folder from solutions/, the stubs, a zip, a hostile file
and a student with a missing exercise and stray files; exercises 1 and 3 only, to stay quick.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom.submissions import _layout
from autograd_lab.cli import cli
from autograd_lab.grading.engine import grade
from support import SOLUTIONS, STUBS, children

HOSTILE = Path(__file__).resolve().parent / "hostile"
EX1, EX3 = lookup("1"), lookup("3")
ONLY = ["--exercises", "1,3", "--jobs", "2"]


def put(folder: Path, source: Path, name: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / (name or source.name))


def build_class(root: Path) -> Path:
    """The class: alice (solutions, under exercises/), bob (the stubs untouched, one saved with
    CRLF line endings and trailing spaces), carol.zip (solutions in a wrapping folder), dave
    (exercise3 only, a misnamed file, notes), mallory (a hostile file), evil.zip (a path that
    climbs out)."""
    subs = root / "submissions"
    put(subs / "alice" / "exercises", SOLUTIONS / EX1.filename)
    put(subs / "alice" / "exercises", SOLUTIONS / EX3.filename)
    put(subs / "bob", STUBS / EX1.filename)
    (subs / "bob" / EX3.filename).write_bytes(
        b"\r\n".join(line.rstrip() + b"  " for line in
                      (STUBS / EX3.filename).read_bytes().split(b"\n")) + b"\r\n\r\n")
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:
        zf.write(SOLUTIONS / EX1.filename, f"carol/{EX1.filename}")
        zf.write(SOLUTIONS / EX3.filename, f"carol/exercises/{EX3.filename}")
        zf.writestr("carol/README.txt", "my work")
    put(subs / "dave", SOLUTIONS / EX3.filename)
    put(subs / "dave", SOLUTIONS / EX1.filename, "exercise1.py")
    (subs / "dave" / "notes.txt").write_text("notes")
    put(subs / "mallory", SOLUTIONS / EX1.filename)
    put(subs / "mallory", HOSTILE / "forges_result.py", EX3.filename)
    with zipfile.ZipFile(subs / "evil.zip", "w") as zf:
        zf.writestr(f"../{EX3.filename}", "print('escaped')")
    (subs / "syllabus.pdf").write_bytes(b"%PDF")
    return subs


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class graded once: (root, submissions, out, CLI result, children before)."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("class")
    subs = build_class(root)
    before = children()
    result = CliRunner().invoke(cli, ["grade", str(subs), "-o", str(root / "out"), *ONLY])
    return root, subs, root / "out", result, before


def grades(out: Path) -> dict:
    return json.loads((out / "grades.json").read_text())


def test_run_completes_with_exit_0_and_leaves_no_process(graded_class):
    root, subs, out, result, before = graded_class
    assert result.exit_code == 0, result.output
    assert children() <= before
    assert not (root / EX3.filename).exists() and not (subs.parent / EX3.filename).exists()


def test_csv_has_a_row_per_student_then_the_total(graded_class):
    rows = list(csv.reader(io.StringIO((graded_class[2] / "grades.csv").read_text())))
    assert rows[0] == ["student", "exercise1", "exercise3", "total"]
    table = {row[0]: row[1:] for row in rows[1:]}
    # A cell is a score when the file was graded (mallory's forged exercise3 earns a real 0),
    # else why there is none; the total adds the scores only.
    assert table == {"alice": ["10", "10", "20"], "bob": ["stub", "stub", "0"],
                     "carol": ["10", "10", "20"], "dave": ["missing", "10", "10"],
                     "evil": ["missing", "missing", "0"], "mallory": ["10", "0", "10"]}
    assert [row[0] for row in rows[1:]] == ["alice", "bob", "carol", "dave", "evil", "mallory"]


def test_json_has_scores_checks_missing_and_skipped(graded_class):
    data = grades(graded_class[2])
    assert data["skipped"] == ["syllabus.pdf: neither a folder nor a .zip, not graded"]
    alice = data["students"]["alice"]["exercises"]["exercise3"]
    assert (alice["status"], alice["score"], alice["max_score"]) == ("graded", 10, 10)
    assert alice["file"] == f"alice/exercises/{EX3.filename}"
    assert [(c["name"], c["kind"], c["status"]) for c in alice["checks"]] == [
        (c.name, c.kind, "passed") for c in EX3.checks]
    bob = data["students"]["bob"]["exercises"]
    assert {e: (r["status"], r["score"], r["checks"]) for e, r in bob.items()} == {
        "exercise1": ("stub", 0, []), "exercise3": ("stub", 0, [])}
    assert "is the stub of" in bob["exercise3"]["message"]
    assert bob["exercise3"]["file"] == f"bob/{EX3.filename}"
    assert data["students"]["mallory"]["exercises"]["exercise3"]["status"] == "graded"
    dave = data["students"]["dave"]
    assert dave["exercises"]["exercise1"]["status"] == "missing"
    assert any("exercise1.py" in s and EX1.filename in s for s in dave["skipped"])
    assert any(s.startswith("notes.txt: unknown file") for s in dave["skipped"])
    assert any("README.txt" in s for s in data["students"]["carol"]["skipped"])
    evil = data["students"]["evil"]
    assert "leaves the archive" in evil["skipped"][0]
    assert {e["status"] for e in evil["exercises"].values()} == {"missing"}


def test_feedback_file_holds_what_check_prints(graded_class):
    out = graded_class[2]
    alone = grade(EX3, str(SOLUTIONS / EX3.filename))
    text = (out / "feedback" / "alice.txt").read_text()
    for check in alone.checks:
        assert f"PASS  {check.name}" in text
    assert "score: 10/10 (6 of 6 checks passed)\n" in text
    assert f"file: alice/exercises/{EX3.filename}" in text
    assert f"bob/{EX1.filename} is the stub of" in (out / "feedback" / "bob.txt").read_text()
    dave = (out / "feedback" / "dave.txt").read_text()
    assert "not submitted" in dave and "notes.txt" in dave


def test_hostile_student_changes_no_one_else(graded_class, tmp_path, runner):
    """Alice and mallory graded alone get exactly what they got in the class."""
    _, subs, out, _, _ = graded_class
    in_class = grades(out)["students"]
    for student in ("alice", "mallory"):
        alone = tmp_path / student / "subs"
        shutil.copytree(subs / student, alone / student)
        result = runner.invoke(cli, ["grade", str(alone), "-o", str(tmp_path / student / "o"),
                                     "--exercises", "1,3"])
        assert result.exit_code == 0
        assert grades(tmp_path / student / "o")["students"][student] == in_class[student]
    forged = in_class["mallory"]["exercises"]["exercise3"]
    assert forged["score"] == grade(EX3, str(HOSTILE / "forges_result.py")).score == 0


def test_rerun_skips_unchanged_work_and_force_regrades(graded_class, tmp_path, runner):
    _, subs, out, _, _ = graded_class
    first = (out / "grades.json").read_bytes()
    work = tmp_path / "subs"
    shutil.copytree(subs, work)
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    again = runner.invoke(cli, ["grade", str(work), "-o", str(copy), *ONLY])
    # 7 files to grade: bob's two untouched stubs are not graded at all.
    assert again.exit_code == 0 and "0 graded, 7 unchanged" in again.output
    assert (copy / "grades.json").read_bytes() == first
    shutil.copy(SOLUTIONS / EX1.filename, work / "bob" / EX1.filename)
    changed = runner.invoke(cli, ["grade", str(work), "-o", str(copy), *ONLY])
    assert "1 graded, 7 unchanged" in changed.output
    assert grades(copy)["students"]["bob"]["score"] == 10
    forced = runner.invoke(cli, ["grade", str(work), "-o", str(copy), "--force", *ONLY])
    assert "8 graded, 0 unchanged" in forced.output
    assert grades(copy)["students"]["bob"]["score"] == 10
    shutil.copy(STUBS / EX1.filename, work / "bob" / EX1.filename)
    fresh = tmp_path / "fresh"
    runner.invoke(cli, ["grade", str(work), "-o", str(fresh), *ONLY])
    assert (fresh / "grades.json").read_bytes() == first  # the same class, graded anew


def test_gradescope_results_json_follows_the_spec(tmp_path, runner):
    put(tmp_path / "submission", SOLUTIONS / EX3.filename)
    result = runner.invoke(cli, ["grade", str(tmp_path / "submission"), "-o",
                                 str(tmp_path / "out"), "--gradescope", "--exercises", "1,3"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert set(data) == {"score", "execution_time", "output", "output_format",
                         "test_output_format", "visibility", "stdout_visibility", "tests"}
    assert data["score"] == 10 and isinstance(data["execution_time"], int)
    assert len(data["tests"]) == 1 + len(EX3.checks)  # exercise1 missing: one failed test
    for test in data["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output",
                             "output_format", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
    missing = data["tests"][0]
    assert (missing["status"], missing["score"], missing["max_score"]) == ("failed", 0, 10)
    assert sum(t["max_score"] for t in data["tests"]) == 20


def test_misuse_exits_2(tmp_path, runner):
    missing = runner.invoke(cli, ["grade", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "No such folder" in missing.output
    (tmp_path / "subs").mkdir()
    unknown = runner.invoke(cli, ["grade", str(tmp_path / "subs"), "-o", str(tmp_path / "o"),
                                  "--exercises", "1,relux"])
    assert unknown.exit_code == 2 and "my_relu" in unknown.output
    inside = runner.invoke(cli, ["grade", str(tmp_path / "subs"), "-o",
                                 str(tmp_path / "subs" / "out")])
    assert inside.exit_code == 2


def test_layout_prefers_the_top_and_looks_through_one_wrapping_folder():
    names = {EX1.filename: "exercise1", EX3.filename: "exercise3"}
    chosen, skipped = _layout([f"w/{EX3.filename}", f"w/exercises/{EX3.filename}",
                               f"w/deep/er/{EX1.filename}"], names)
    assert chosen == {"exercise3": f"w/{EX3.filename}"}
    assert any("ignored" in s for s in skipped)
    assert any("belong at the top" in s for s in skipped)
