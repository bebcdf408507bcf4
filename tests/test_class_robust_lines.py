"""Result lines between a grader and `grade` (autograd_lab/classroom/lines.py, pool.py).

Every result line carries the id of the item it answers (chosen by `grade`, learned by the
grader only after the item is graded) and the digest of the task it graded; anything else is
rejected: a second line voids the item's result, garbage or a line over the bound ends the
grader and its item is graded again (once), and nothing is ever taken for the next student.
Lines are read in linear time and never held past their bound.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom import lines, pool
from autograd_lab.classroom.run import grade_class
from support import SOLUTIONS, descendants

EX1 = lookup("1")

# -- the line format and the reader -----------------------------------------------------------


def test_a_result_line_round_trips():
    line = lines.encode("k1", lines.digest("task\n"), {"ok": True})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert lines.decode(line[:-1]) == ("k1", lines.digest("task\n"), {"ok": True})


@pytest.mark.parametrize("line", [
    b"\xff\xfe", b"[1, 2]", b'{"ok": true, "report": {}}',
    b'{"item": "k", "task": "d"}', b'{"item": 5, "task": "d", "result": {}}',
    b'{"item": "", "task": "d", "result": {}}',
    json.dumps({"item": "k" * 65, "task": "d", "result": {}}).encode(),
    b'{"item": "k", "task": "d", "result": []}',
    b'{"item": "k", "task": "d", "result": {}, "extra": 1}',
    b"[" * 100_000,
], ids=["bytes", "list", "old format", "no result", "int id", "empty id", "long id",
        "list result", "extra key", "deep"])
def test_anything_but_a_result_line_is_rejected(line):
    with pytest.raises(lines.BadLine):
        lines.decode(line)


def test_lines_are_cut_across_and_within_chunks():
    reader = lines.LineReader()
    assert reader.feed(b"ab") == []
    assert reader.feed(b"c\nd\n\ne") == [b"abc", b"d", b""]
    assert reader.feed(b"f\n") == [b"ef"]


def test_a_long_line_is_read_in_linear_time():
    reader = lines.LineReader()
    chunk = b"x" * (1 << 16)
    started = time.monotonic()
    for _ in range(255):  # a line of 16 MB, less 64 KB, read as a pipe gives it
        assert reader.feed(chunk) == []
    (line,) = reader.feed(b"\n")
    assert len(line) == 255 << 16
    # Joining once: well under a second. Appending to one bytes object (the old way) copies
    # the line so far at each chunk: some 2 GB of copying for this line, 30 times longer.
    assert time.monotonic() - started < 1.0


def test_a_line_over_the_bound_is_refused_before_it_ends():
    reader = lines.LineReader(max_bytes=100)
    reader.feed(b"x" * 60)
    with pytest.raises(lines.LineTooLong):
        reader.feed(b"x" * 60)  # no newline yet: refused as soon as it is over
    assert reader.feed(b"ok\n") == [b"ok"]  # what was held is dropped
    with pytest.raises(lines.LineTooLong):
        lines.LineReader(max_bytes=100).feed(b"y" * 101 + b"\n")


# -- at class scale: graders that send what they should not -------------------------------------

HONEST = ("a_ok", "g_ok", "h_ok")
MISBEHAVING = {
    "b_garbage": "a line that is not JSON",
    "c_second": "two results came back for it",
    "d_long": f"a line over {lines.MAX_LINE_BYTES} bytes",
    "e_digest": "graded a task it was not given",
    "f_unknown": "a result for no item it was given",
}


def misbehaving_line(key: str, task_line: str, result: dict) -> bytes:
    """What a grader sends for the students of MISBEHAVING (it runs in the forked graders)."""
    real = lines.encode(key, lines.digest(task_line), result)
    student = json.loads(task_line)["student"]
    if student == "b_garbage":
        return b"\xff not json\n" + real
    if student == "c_second":
        return real + real
    if student == "d_long":
        return b"x" * (lines.MAX_LINE_BYTES + 10) + b"\n" + real
    if student == "e_digest":
        return lines.encode(key, lines.digest("another task\n"), result)
    if student == "f_unknown":
        return lines.encode("0" * 32, lines.digest(task_line), result)
    return real


def build(root: Path, students) -> Path:
    for student in students:
        (root / student).mkdir(parents=True)
        shutil.copy(SOLUTIONS / EX1.filename, root / student / EX1.filename)
    return root


def test_no_line_is_taken_for_another_item(tmp_path, monkeypatch):
    subs = build(tmp_path / "subs", [*HONEST, *MISBEHAVING])
    alone = build(tmp_path / "alone", HONEST)
    grade_class(alone, tmp_path / "alone_out", exercises=[EX1], jobs=2, timeout=20,
                stream=io.StringIO())
    monkeypatch.setattr(pool, "_result_line", misbehaving_line)
    before = descendants()
    out = tmp_path / "out"
    summary = grade_class(subs, out, exercises=[EX1], jobs=2, timeout=20, stream=io.StringIO())
    assert not descendants() - before
    data = json.loads((out / "grades.json").read_text())["students"]
    expected = json.loads((tmp_path / "alone_out" / "grades.json").read_text())["students"]
    for student in HONEST:
        assert data[student] == expected[student]
        assert data[student]["score"] == 10
    for student, why in MISBEHAVING.items():
        record = data[student]["exercises"]["exercise1"]
        assert record["status"] == "error" and why in record["message"], (student, record)
    assert summary.graded == 8
    # Nothing rejected is in the cache (c_second's first line was, until the second voided
    # it): a rerun grades each of them again.
    cached = [json.loads(p.read_text()) for p in (out / ".cache").glob("*.json")]
    assert sorted(record["file"].split("/")[0] for record in cached) == sorted(HONEST)


def test_progress_shows_a_long_or_odd_name_as_one_short_line():
    from autograd_lab.classroom.progress import MAX_SHOWN, Progress, shown

    assert shown("odd\nname exercise3") == "odd\\nname exercise3"
    long = shown("l" * 250 + " exercise3")
    assert len(long) == MAX_SHOWN and long.endswith(" exercise3")
    stream = io.StringIO()
    progress = Progress(1, stream=stream)
    progress.start("odd\nname exercise3")
    assert list(progress.running) == ["odd\\nname exercise3"]
    progress.advance("odd\nname exercise3")
    assert not progress.running and "\n" not in stream.getvalue().rstrip("\n")
