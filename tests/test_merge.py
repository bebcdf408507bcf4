"""`autograd-lab merge`: shards merged equal to one run (issue 13, point 4).

A class of four (a folder, a zip, a failing file, a stub, a missing exercise and a stray
entry, exercises 1 and 3) is graded once whole and once as two shards; the merge of the
shards must be the whole run's output byte for byte: every file, the cache included (no field
differs legitimately: grades.json, the feedback and the cache hold no timings, no temporary
paths). Then every way inputs can fail to make one class is refused, with nothing written.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograd_lab.catalog import lookup
from autograd_lab.classroom.shard import shard_of
from autograd_lab.cli import cli
from support import SOLUTIONS, STUBS

HOSTILE = Path(__file__).resolve().parent / "hostile"
EX1, EX3 = lookup("1"), lookup("3")
ARGS = ["--exercises", "1,3", "--timeout", "30"]


def build_class(root: Path) -> Path:
    """alice (solutions, under exercises/), bob (exercise1 the stub, exercise3 raising in
    backward), carol.zip (solutions in a wrapping folder), dave (exercise3 only, and a note);
    a syllabus beside them (skipped)."""
    subs = root / "submissions"
    (subs / "alice" / "exercises").mkdir(parents=True)
    for e in (EX1, EX3):
        shutil.copy(SOLUTIONS / e.filename, subs / "alice" / "exercises" / e.filename)
    (subs / "bob").mkdir()
    shutil.copy(STUBS / EX1.filename, subs / "bob" / EX1.filename)
    shutil.copy(HOSTILE / "raises_in_backward.py", subs / "bob" / EX3.filename)
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:
        zf.write(SOLUTIONS / EX1.filename, f"carol/{EX1.filename}")
        zf.write(SOLUTIONS / EX3.filename, f"carol/exercises/{EX3.filename}")
    (subs / "dave").mkdir()
    shutil.copy(SOLUTIONS / EX3.filename, subs / "dave" / EX3.filename)
    (subs / "dave" / "notes.txt").write_text("notes")
    (subs / "syllabus.pdf").write_bytes(b"%PDF")
    return subs


def _grade(subs: Path, out: Path, *extra: str):
    result = CliRunner().invoke(cli, ["grade", str(subs), "-o", str(out), *ARGS, *extra])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(root, submissions, the whole run's output, shard 1's, shard 2's, the merge's)."""
    root = tmp_path_factory.mktemp("merge")
    subs = build_class(root)
    # The names split 2 + 2 (this test is about merging: both shards must hold someone).
    assert sorted(shard_of(s, 2) for s in ("alice", "bob", "carol", "dave")) == [1, 1, 2, 2]
    _grade(subs, root / "whole")
    _grade(subs, root / "s1", "--shard", "1/2")
    _grade(subs, root / "s2", "--shard", "2/2")
    merged = CliRunner().invoke(cli, ["merge", str(root / "s1"), str(root / "s2"),
                                      "-o", str(root / "merged")])
    assert merged.exit_code == 0, merged.output
    return root, subs, root / "whole", root / "s1", root / "s2", root / "merged"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_merge_is_the_whole_run_byte_for_byte(graded):
    root, subs, whole, s1, s2, merged = graded
    expected, got = tree(whole), tree(merged)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    # What is compared: the tables, four feedback files, run.json, and a cached verdict per
    # file graded (alice 2, bob 1: his code raising is a settled failure, carol 2, dave 1).
    assert {"grades.csv", "grades.json", "run.json", *(f"feedback/{s}.txt" for s in
            ("alice", "bob", "carol", "dave"))} <= set(expected)
    assert len([n for n in expected if n.startswith(".cache/")]) == 6


def test_each_shard_holds_its_half_of_the_class(graded):
    root, subs, whole, s1, s2, merged = graded
    for k, folder in ((1, s1), (2, s2)):
        students = json.loads((folder / "grades.json").read_text())["students"]
        assert sorted(students) == sorted(s for s in ("alice", "bob", "carol", "dave")
                                          if shard_of(s, 2) == k)
        assert json.loads((folder / "run.json").read_text())["shard"] == {"index": k,
                                                                          "count": 2}
    # The whole run graded something of every kind the merge must carry over.
    data = json.loads((whole / "grades.json").read_text())["students"]
    assert data["alice"]["score"] == 20 and data["carol"]["score"] == 20
    assert data["bob"]["exercises"]["exercise1"]["status"] == "stub"
    assert data["bob"]["exercises"]["exercise3"]["score"] < 10
    assert data["dave"]["exercises"]["exercise1"]["status"] == "missing"


def test_a_rerun_over_the_merged_output_grades_nothing_again(graded, tmp_path):
    root, subs, whole, s1, s2, merged = graded
    copy = tmp_path / "merged"
    shutil.copytree(merged, copy)
    result = _grade(subs, copy)
    # bob's exercise3 raises in his own code: a settled verdict, cached like the others.
    assert "0 graded" in result.output, result.output
    assert tree(copy) == tree(merged)


def test_a_shard_given_twice_merges_as_once(graded, tmp_path):
    root, subs, whole, s1, s2, merged = graded
    result = CliRunner().invoke(cli, ["merge", str(s1), str(s2), str(s1), "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == tree(merged)


# -- refused ---------------------------------------------------------------------------------

def _copy(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def _refused(tmp_path: Path, *inputs: Path) -> str:
    out = tmp_path / "refused_out"
    result = CliRunner().invoke(cli, ["merge", *map(str, inputs), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()  # nothing written
    return " ".join(result.output.split())


def test_a_missing_shard_is_refused(graded, tmp_path):
    assert "shard 2/2 missing" in _refused(tmp_path, graded[3])


def test_damaged_or_incomplete_inputs_are_refused(graded, tmp_path):
    s1, s2 = graded[3], graded[4]
    cut = _copy(s1, tmp_path, "cut")
    text = (cut / "grades.json").read_text()
    (cut / "grades.json").write_text(text[:len(text) // 2])
    assert "cannot be read" in _refused(tmp_path, cut, s2)
    lost = _copy(s1, tmp_path, "lost")
    next((lost / "feedback").iterdir()).unlink()
    assert "is missing" in _refused(tmp_path, lost, s2)
    bare = _copy(s1, tmp_path, "bare")
    (bare / "run.json").unlink()
    assert "has no run.json" in _refused(tmp_path, bare, s2)
    killed = _copy(s1, tmp_path, "killed")
    (killed / "journal.jsonl").write_text("")
    assert "journal.jsonl" in _refused(tmp_path, killed, s2)
    assert "No such folder" in _refused(tmp_path, tmp_path / "nowhere", s2)


@pytest.mark.parametrize("key, value, said", [
    ("settings", {"device": "cpu", "isolation": "none", "memory_mb": 4096, "timeout": 30.0},
     "different settings"),
    ("exercises", ["exercise1"], "different exercises"),
    ("grader_version", "0.0.1+000000000000", "different grader_version"),
    ("shard", {"index": 1, "count": 3}, "different counts"),
    ("shard", None, "whole class"),
])
def test_shards_graded_otherwise_are_refused(graded, tmp_path, key, value, said):
    other = _copy(graded[3], tmp_path, "other")
    run = json.loads((other / "run.json").read_text())
    run[key] = value
    (other / "run.json").write_text(json.dumps(run))
    assert said in _refused(tmp_path, other, graded[4])


def test_a_student_graded_differently_in_two_inputs_is_refused(graded, tmp_path):
    s1, s2 = graded[3], graded[4]
    changed = _copy(s1, tmp_path, "changed")
    data = json.loads((changed / "grades.json").read_text())
    student = next(iter(data["students"]))
    data["students"][student]["score"] += 1
    (changed / "grades.json").write_text(json.dumps(data, indent=2) + "\n")
    said = _refused(tmp_path, s1, changed, s2)
    assert f"'{student}' is in" in said and "graded differently" in said


def test_a_shard_holding_another_shards_student_is_refused(graded, tmp_path):
    s1, s2 = graded[3], graded[4]
    swapped = [_copy(s, tmp_path, f"swapped{k}") for k, s in ((1, s1), (2, s2))]
    for folder, index in zip(swapped, (2, 1)):  # each claims to be the other shard
        run = json.loads((folder / "run.json").read_text())
        run["shard"]["index"] = index
        (folder / "run.json").write_text(json.dumps(run))
    assert "was not graded with that --shard" in _refused(tmp_path, *swapped)


def test_the_output_cannot_be_an_input(graded, tmp_path):
    s1 = _copy(graded[3], tmp_path, "s1")
    result = CliRunner().invoke(cli, ["merge", str(s1), str(graded[4]), "-o", str(s1)])
    assert result.exit_code == 2 and "is one of the inputs" in result.output
