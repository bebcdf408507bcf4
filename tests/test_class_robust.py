"""A class never stops for one entry, and no entry changes another's grade (issue 11).

One class holds honest students, the bound_ hostile corpus (huge returns, a 12M-character
class name, fake replies written into the reply pipe, a coin tossed at import, result lines
forged into the grader's channel), damaged archives (deflate data corrupt, LZMA data corrupt,
not a zip at all, one damaged member next to a good one) and students whose folder names
are 250 characters long or odd. It is graded once with --jobs 2; then:

- the run completes; each damaged archive is that student's error, with what the reader said;
- every long or odd name has a feedback file, named safely;
- the honest students' grades are exactly what they get alone, and each hostile student's
  what its file gets alone (the coin falls the same way in both);
- no process is left behind; nothing unsettled is cached.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom.results import feedback_name, unsettled
from autograd_lab.classroom.run import grade_class
from autograd_lab.grading.engine import grade
from support import ROOT, SOLUTIONS, alive, descendants

HOSTILE = ROOT / "tests" / "hostile"
EX1, EX3 = lookup("1"), lookup("3")
TIMEOUT = 5.0
MEMORY_MB = 1024
HONEST = ("a_honest", "m_honest", "z_honest")
CORPUS = {  # student -> (hostile file, exercise)
    "h_huge_forward": ("bound_huge_forward.py", EX3),
    "h_huge_gradient": ("bound_huge_gradient.py", EX1),
    "h_huge_bool": ("bound_huge_bool.py", EX3),
    "h_long_type_name": ("bound_long_type_name.py", EX3),
    "h_fake_replies": ("bound_fake_replies.py", EX3),
    "h_import_coin": ("bound_import_coin.py", EX3),
    "h_forges_result_line": ("bound_forges_result_line.py", EX3),
}
LONG = "l" * 250
ODD = ("odd\nname", "o'dd \"quoted\" $(x)", os.fsdecode(b"bytes\xffname"))


def put(folder: Path, source: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / name)


def damaged_zip(path: Path, method: int, good: bool = False) -> None:
    """A zip whose central directory is intact and whose exercise3 data is corrupt (its
    exercise1, with ``good``, intact)."""
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.write(SOLUTIONS / EX3.filename, EX3.filename)
        if good:
            zf.write(SOLUTIONS / EX1.filename, EX1.filename)
    data = bytearray(path.read_bytes())
    start = 30 + len(EX3.filename)  # the first member's data follows its local header
    for i in range(start + 20, start + 80):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def build(subs: Path) -> None:
    for student in HONEST:
        put(subs / student, SOLUTIONS / EX3.filename, EX3.filename)
        put(subs / student / "exercises", SOLUTIONS / EX1.filename, EX1.filename)
    for student, (name, exercise) in CORPUS.items():
        put(subs / student, HOSTILE / name, exercise.filename)
    damaged_zip(subs / "bob.zip", zipfile.ZIP_DEFLATED)
    damaged_zip(subs / "carol.zip", zipfile.ZIP_LZMA)
    damaged_zip(subs / "erin.zip", zipfile.ZIP_DEFLATED, good=True)
    (subs / "dan.zip").write_bytes(b"PK\x03\x04 this is no archive" * 10)
    for student in (LONG, *ODD):
        put(subs / student, SOLUTIONS / EX3.filename, EX3.filename)


@pytest.fixture(scope="module")
def robust_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("robust_class")
    subs, out = root / "submissions", root / "out"
    build(subs)
    before = descendants()
    try:
        first = grade_class(subs, out, exercises=[EX1, EX3], jobs=2, timeout=TIMEOUT,
                            memory_mb=MEMORY_MB, stream=io.StringIO())
        left = descendants() - before
        data = json.loads((out / "grades.json").read_text())["students"]
        rerun = grade_class(subs, out, exercises=[EX1, EX3], jobs=2, timeout=TIMEOUT,
                            memory_mb=MEMORY_MB, stream=io.StringIO())
        alone = root / "alone"
        for student in HONEST:
            shutil.copytree(subs / student, alone / student)
        grade_class(alone, root / "alone_out", exercises=[EX1, EX3], jobs=2, timeout=TIMEOUT,
                    memory_mb=MEMORY_MB, stream=io.StringIO())
        yield {"data": data, "left": left, "out": out, "first": first, "rerun": rerun,
               "alone": json.loads((root / "alone_out" / "grades.json").read_text())["students"]}
    finally:
        for pid in descendants() - before:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


pytestmark = pytest.mark.slow


def test_honest_students_get_what_they_get_alone(robust_class):
    data, alone = robust_class["data"], robust_class["alone"]
    for student in HONEST:
        assert data[student] == alone[student]
        assert data[student]["score"] == data[student]["max_score"] == 20


@pytest.mark.parametrize("student", sorted(CORPUS))
def test_a_hostile_student_gets_what_its_file_gets_alone(robust_class, student):
    name, exercise = CORPUS[student]
    record = robust_class["data"][student]["exercises"][exercise.id]
    assert record["status"] == "graded"
    assert len(json.dumps(record)) < 100_000  # no megabytes of anything in grades.json
    if student == "h_forges_result_line":
        # What it forges lands in whatever channel its parent holds: a grader's in a class,
        # the check's own when alone; what it computes earns nothing either way.
        assert record["score"] == 0
        return
    alone = grade(exercise, str(HOSTILE / name), timeout=TIMEOUT)
    assert record["score"] == alone.score
    if "unsettled" in record:  # a timeout, an internal error: not reproducible, not cached
        assert unsettled(alone.to_dict()) is not None
        return
    assert [(c["name"], c["status"]) for c in record["checks"]] == [
        (c.name, c.status) for c in alone.checks]


def test_huge_returns_are_told_with_their_size(robust_class):
    data = robust_class["data"]

    def messages(student, exercise):
        return " ".join(c["message"] for c in data[student]["exercises"][exercise]["checks"])

    assert "returned a tensor of 3000000 elements" in messages("h_huge_forward", "exercise3")
    assert "returned an array of 3000000 elements" in messages("h_huge_gradient", "exercise1")
    assert "returned a tensor of 250000000 elements" in messages("h_huge_bool", "exercise3")


@pytest.mark.parametrize("student, why, exercises", [
    ("bob", f"{EX3.filename}: Error -3 while decompressing data", ["exercise3"]),
    ("carol", f"{EX3.filename}: Corrupt input data", ["exercise3"]),
    # Not a zip at all: no exercise can be read from it.
    ("dan", "File is not a zip file", ["exercise1", "exercise3"]),
])
def test_a_damaged_archive_is_that_students_error(robust_class, student, why, exercises):
    records = robust_class["data"][student]["exercises"]
    if exercises == ["exercise3"]:  # its directory lists exercise3 only
        assert records["exercise1"]["status"] == "missing"
    for exercise in exercises:
        record = records[exercise]
        assert record["status"] == "error", record
        assert record["message"].startswith(f"cannot read {student}.zip: damaged archive (")
        assert why in record["message"]


def test_a_damaged_member_costs_only_its_exercise(robust_class):
    erin = robust_class["data"]["erin"]["exercises"]
    assert (erin["exercise1"]["status"], erin["exercise1"]["score"]) == ("graded", 10)
    assert erin["exercise3"]["status"] == "error"
    assert erin["exercise3"]["message"].startswith(
        f"cannot read erin.zip: damaged archive ({EX3.filename}: Error -3")


@pytest.mark.parametrize("student", [LONG, *ODD], ids=["long", "newline", "quotes", "bytes"])
def test_long_and_odd_names_get_a_feedback_file_named_safely(robust_class, student):
    record = robust_class["data"][student]
    assert record["exercises"]["exercise3"]["score"] == 10
    path = robust_class["out"] / record["feedback"]
    assert path.name == feedback_name(student) and path.is_file()
    assert len(path.name.encode()) <= 140 and "\n" not in path.name and "/" not in path.name
    assert "autograd-lab feedback for" in path.read_text(encoding="utf-8")
    csv = (robust_class["out"] / "grades.csv").read_text(encoding="utf-8")
    assert csv.count("\n") == 1 + len(robust_class["data"]) + 1  # "odd\nname" is quoted


def test_no_process_is_left_behind(robust_class):
    assert not robust_class["left"], sorted(robust_class["left"])


def test_only_settled_verdicts_are_cached(robust_class):
    data = robust_class["data"]
    unsettled = {(s, e) for s, d in data.items() for e, r in d["exercises"].items()
                 if r["status"] == "graded" and "unsettled" in r}
    errors = {(s, e) for s, d in data.items() for e, r in d["exercises"].items()
              if r["status"] == "error" and not r["message"].startswith("cannot read")}
    assert ("h_huge_bool", "exercise3") in unsettled  # it ran out of time: a rerun tries again
    graded = sum(r["status"] in ("graded", "error") and not r.get("message", "").startswith(
        "cannot read") for d in data.values() for r in d["exercises"].values())
    assert robust_class["rerun"].graded == len(unsettled | errors)
    assert robust_class["rerun"].cached == graded - len(unsettled | errors)


def test_the_command_completes_with_exit_0(tmp_path):
    subs = tmp_path / "subs"
    damaged_zip(subs.parent / "bob.zip", zipfile.ZIP_DEFLATED)
    subs.mkdir()
    shutil.move(subs.parent / "bob.zip", subs / "bob.zip")
    put(subs / LONG, SOLUTIONS / EX3.filename, EX3.filename)
    command = [sys.executable, "-m", "autograd_lab", "grade", str(subs), "-o",
               str(tmp_path / "out"), "--exercises", "3"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    assert data["bob"]["exercises"]["exercise3"]["message"].startswith(
        "cannot read bob.zip: damaged archive")
    assert data[LONG]["exercises"]["exercise3"]["score"] == 10
    assert (tmp_path / "out" / data[LONG]["feedback"]).is_file()
