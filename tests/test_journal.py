"""Results journaled as they come, the files written once (issue 13, point 5).

The journal's lines, a damaged last line, how often it is synced; a gradebook with a journal
writing what one without writes, with a number of writes that does not grow with the class;
a run interrupted by SIGTERM keeping what it finished, and one killed by SIGKILL resumed from
its journal. Only the last two grade anything (two students, exercise 1).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom import journal as journal_module
from autograd_lab.classroom import results
from autograd_lab.classroom.journal import Journal, read
from autograd_lab.classroom.results import Gradebook
from autograd_lab.classroom.submissions import Submission
from support import SOLUTIONS

EX1, EX3 = lookup("1"), lookup("3")
HOSTILE = Path(__file__).resolve().parent / "hostile"


def _record(score: float) -> dict:
    return {"status": "graded", "score": score, "max_score": 10.0, "checks": []}


def test_lines_read_back_the_last_one_for_an_item_winning(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append("alice", "exercise1", "k1", _record(3))
    journal.append("bob", "exercise1", "k2", _record(4))
    journal.append("alice", "exercise1", "k3", _record(5))
    journal.close()
    entries, damaged = read(tmp_path / "journal.jsonl")
    assert damaged == 0
    assert entries == {("alice", "exercise1"): ("k3", _record(5)),
                       ("bob", "exercise1"): ("k2", _record(4))}
    assert len((tmp_path / "journal.jsonl").read_bytes().splitlines()) == 3


def test_a_line_cut_short_by_a_kill_is_ignored_and_cut_before_the_next(tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append("alice", "exercise1", "k1", _record(3))
    journal.close()
    whole = path.read_bytes()
    line = json.dumps({"student": "bob", "exercise": "exercise1", "key": "k2",
                       "record": _record(4)})
    path.write_bytes(whole + line[:len(line) // 2].encode())  # killed mid-write
    entries, damaged = read(path)
    assert (list(entries), damaged) == ([("alice", "exercise1")], 1)
    again = Journal(path)  # the next run goes on after the whole lines
    assert path.read_bytes() == whole
    again.append("carol", "exercise1", "k3", _record(6))
    again.close()
    entries, damaged = read(path)
    assert (sorted(entries), damaged) == ([("alice", "exercise1"), ("carol", "exercise1")], 0)


def test_a_journal_of_one_cut_line_is_emptied(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"student": "al')
    Journal(path).close()
    assert path.read_bytes() == b""
    assert read(tmp_path / "none.jsonl") == ({}, 0)


def test_garbage_and_lines_of_another_shape_are_counted_not_fatal(tmp_path):
    path = tmp_path / "journal.jsonl"
    good = json.dumps({"student": "a", "exercise": "exercise1", "key": "k", "record": {}})
    path.write_text("\n".join(["[1, 2]", "not json", good, '{"student": 1}', "\udcff"
                               .encode("utf-8", "surrogateescape").decode("latin-1")]) + "\n")
    entries, damaged = read(path)
    assert list(entries) == [("a", "exercise1")] and damaged == 4


def test_fsync_at_most_every_so_often_and_at_close(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(journal_module.os, "fsync", lambda fd: synced.append(fd))
    now = [0.0]
    journal = Journal(tmp_path / "journal.jsonl", fsync_every=1.0, clock=lambda: now[0])
    for i in range(100):  # 100 results within the same second: no fsync yet
        journal.append(f"s{i}", "exercise1", "k", _record(1))
    assert synced == []
    now[0] = 1.5
    journal.append("late", "exercise1", "k", _record(1))
    assert len(synced) == 1
    journal.append("later", "exercise1", "k", _record(1))
    assert len(synced) == 1
    journal.close()
    assert len(synced) == 2
    # Every line is in the file all along (written, not buffered): a kill loses none.
    assert len(read(tmp_path / "journal.jsonl")[0]) == 102


# -- the gradebook -----------------------------------------------------------------------------

def _class(root: Path, n: int) -> list[Submission]:
    folder = root / "files"
    folder.mkdir(exist_ok=True)
    shutil.copy(SOLUTIONS / EX1.filename, folder / EX1.filename)
    return [Submission(f"s{i}", f"s{i}", files={EX1.id: folder / EX1.filename},
                       shown={EX1.id: f"s{i}/{EX1.filename}"}) for i in range(n)]


def _result(i: int) -> dict:
    check = {"name": "grad", "title": "the gradient", "kind": "value", "status": "passed",
             "passed": i % 2 == 0, "score": 10.0 * (i % 2 == 0), "max_score": 10.0,
             "message": "" if i % 2 == 0 else "wrong"}
    report = {"score": check["score"], "max_score": 10.0, "file": f"s{i}/{EX1.filename}",
              "checks": [check], "output": "", "isolation": "test"}
    return {"ok": True, "report": report, "text": f"report of s{i}"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_journaled_book_writes_what_a_book_writing_after_every_result_writes(tmp_path):
    subs = _class(tmp_path, 5)
    live = Gradebook(tmp_path / "live", exercises=[EX1], submissions=subs, skipped=["x"],
                     settings={})
    book = Gradebook(tmp_path / "journaled", exercises=[EX1], submissions=subs,
                     skipped=["x"], settings={},
                     journal=Journal(tmp_path / "journaled" / journal_module.NAME),
                     clock=lambda: 0.0)  # no checkpoint: the time does not move
    for b in (live, book):
        assert len(b.to_grade()) == 5
    for i in range(5):
        live.record(f"s{i}", EX1.id, _result(i))
        book.record(f"s{i}", EX1.id, _result(i))
    assert not (tmp_path / "journaled" / "grades.json").exists()  # nothing written yet
    assert len(read(tmp_path / "journaled" / journal_module.NAME)[0]) == 5
    book.finish()
    assert not (tmp_path / "journaled" / journal_module.NAME).exists()
    assert _tree(tmp_path / "journaled") == _tree(tmp_path / "live")
    assert "s1" in (tmp_path / "live" / "grades.csv").read_text()


@pytest.mark.parametrize("students", [10, 100])
def test_recording_writes_nothing_but_the_journal_and_the_cache(tmp_path, monkeypatch,
                                                               students):
    # The cost that grew with the class was rewriting every student's row after every result:
    # here a result is one journal line and one cache file, whatever the class's size, and
    # the final write is one file per student plus the two tables.
    writes = []
    real = results.write_atomic
    monkeypatch.setattr(results, "write_atomic",
                        lambda path, text: (writes.append(Path(path).name), real(path, text)))
    subs = _class(tmp_path, students)
    book = Gradebook(tmp_path / "out", exercises=[EX1], submissions=subs, skipped=[],
                     settings={}, journal=Journal(tmp_path / "out" / journal_module.NAME),
                     clock=lambda: 0.0)  # results within a second: no checkpoint
    book.to_grade()
    for i in range(students):
        book.record(f"s{i}", EX1.id, _result(i))
    assert len(writes) == students and all(w.endswith(".json") for w in writes)  # the cache
    assert not any(w.startswith("grades") for w in writes)
    writes.clear()
    book.finish()
    assert sorted(writes) == sorted(["grades.csv", "grades.json",
                                     *(f"s{i}.txt" for i in range(students))])


def test_checkpoints_come_at_most_every_2_s_and_take_at_most_5_percent(tmp_path, monkeypatch):
    now = [0.0]
    subs = _class(tmp_path, 40)
    book = Gradebook(tmp_path / "out", exercises=[EX1], submissions=subs, skipped=[],
                     settings={}, journal=Journal(tmp_path / "out" / journal_module.NAME),
                     clock=lambda: now[0])
    book.to_grade()
    real = book._write_tables

    def slow_tables():  # a rewrite of the tables that takes 1 s (of the fake clock)
        now[0] += 1.0
        real()

    monkeypatch.setattr(book, "_write_tables", slow_tables)
    assert not book.checkpoint()  # nothing new to write
    book.record("s0", EX1.id, _result(0))
    assert not (tmp_path / "out" / "grades.json").exists()  # under 2 s since the start
    now[0] = 2.0
    assert book.checkpoint()
    data = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    assert data["s0"]["exercises"][EX1.id]["status"] == "graded"
    assert data["s1"]["exercises"][EX1.id]["status"] == "pending"
    assert (tmp_path / "out" / "feedback" / "s0.txt").exists()
    assert not (tmp_path / "out" / "feedback" / "s1.txt").exists()  # only who changed
    # That rewrite took 1 s: the next waits 1 / 0.05 = 20 s, though results keep coming.
    assert results.CHECKPOINT_SHARE == 0.05
    written_at = now[0]
    for i in range(1, 40):
        now[0] = written_at + i * 0.6
        book.record(f"s{i}", EX1.id, _result(i))
        if now[0] - written_at < 20:
            assert json.loads((tmp_path / "out" / "grades.json").read_text())[
                "students"][f"s{i}"]["exercises"][EX1.id]["status"] == "pending"
    data = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    status = {s: data[s]["exercises"][EX1.id]["status"] for s in data}
    assert status["s34"] == "graded"  # recorded at 20.4 s: written with it
    assert status["s35"] == "pending"  # after: waits for the next one (20 s later)
    # A tick (the pool's, every half second) writes the rest once due; then nothing is new.
    now[0] += 100
    assert book.checkpoint() and not book.checkpoint()
    data = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    assert data["s39"]["exercises"][EX1.id]["status"] == "graded"


def test_a_journal_gives_back_settled_verdicts_of_the_same_key_only(tmp_path):
    subs = _class(tmp_path, 4)
    out = tmp_path / "out"

    def book(force=False):
        return Gradebook(out, exercises=[EX1], submissions=subs, skipped=[], settings={},
                         force=force)

    first = book()
    key = first.keys
    entries = {("s0", EX1.id): (key[("s0", EX1.id)], _record(7)),
               ("s1", EX1.id): ("another file's key", _record(7)),
               ("s2", EX1.id): (key[("s2", EX1.id)], {**_record(7), "unsettled": "timeout"}),
               ("s3", EX1.id): (key[("s3", EX1.id)], {**_record(0), "status": "error"}),
               ("nobody", EX1.id): ("k", _record(7))}
    assert first.resume(entries) == 1
    assert first.to_grade() == [("s1", EX1.id), ("s2", EX1.id), ("s3", EX1.id)]
    assert first.records[("s0", EX1.id)]["score"] == 7
    forced = book(force=True)
    assert forced.resume(entries) == 0 and len(forced.to_grade()) == 4


# -- interrupted runs ----------------------------------------------------------------------------

def _hanging_class(root: Path) -> Path:
    """alice (exercise 1 solved, graded first) and zed (exercise 1 never returns)."""
    subs = root / "subs"
    (subs / "alice").mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX1.filename, subs / "alice" / EX1.filename)
    (subs / "zed").mkdir()
    (subs / "zed" / EX1.filename).write_text(
        "def two_layer_backward(*args, **kwargs):\n    while True:\n        pass\n"
        "def two_layer_forward(*args, **kwargs):\n    while True:\n        pass\n")
    return subs


def _start(subs: Path, out: Path) -> subprocess.Popen:
    cli = str(Path(sys.executable).with_name("autograd-lab"))
    return subprocess.Popen([cli, "grade", str(subs), "-o", str(out), "--exercises", "1",
                             "--timeout", "60"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for_a_line(process: subprocess.Popen, out: Path) -> None:
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if read(out / journal_module.NAME)[0]:
            return
        if process.poll() is not None:
            pytest.fail(f"grade ended first: {process.communicate()}")
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("no result was journaled in 120 s")


def _in_session(sid: int) -> list[int]:
    """Pids of the live processes of session ``sid`` (zombies aside), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _statuses(out: Path) -> dict[str, str]:
    data = json.loads((out / "grades.json").read_text())["students"]
    return {s: e["exercises"][EX1.id]["status"] for s, e in data.items()}


def test_sigterm_keeps_what_finished_and_a_rerun_grades_only_the_rest(tmp_path):
    subs, out = _hanging_class(tmp_path), tmp_path / "out"
    process = _start(subs, out)
    _wait_for_a_line(process, out)
    process.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    time.sleep(0.5)
    assert _in_session(process.pid) == []  # the graders and zed's worker were ended too
    assert "interrupted (SIGTERM): 1 graded in this run" in stderr
    assert _statuses(out) == {"alice": "graded", "zed": "pending"}
    assert "score: 10/10" in (out / "feedback" / "alice.txt").read_text()
    assert not (out / journal_module.NAME).exists()  # grades.json holds it now
    # A rerun takes alice from the cache and grades zed only (here: without zed's loop).
    from autograd_lab.classroom.run import grade_class

    (subs / "zed" / EX1.filename).write_text("x = 1\n")
    # The CLI run's limits, so that its cache (and journal) count.
    summary = grade_class(subs, out, exercises=[EX1], timeout=60)
    assert (summary.graded, summary.cached) == (1, 1)
    assert _statuses(out) == {"alice": "graded", "zed": "graded"}


def test_a_run_killed_outright_is_resumed_from_its_journal(tmp_path):
    subs, out = _hanging_class(tmp_path), tmp_path / "out"
    process = _start(subs, out)
    _wait_for_a_line(process, out)
    os.killpg(process.pid, signal.SIGKILL)  # no final write: only the journal is left
    process.communicate(timeout=60)
    assert read(out / journal_module.NAME)[0]  # the journal holds alice's result
    with open(out / journal_module.NAME, "ab") as handle:
        handle.write(b'{"student": "zed", "exercise": "exer')  # a line the kill cut short
    # The cache is gone too: what alice got comes from the journal alone.
    shutil.rmtree(out / ".cache")
    shutil.rmtree(subs / "zed")
    from autograd_lab.classroom.run import grade_class

    # The CLI run's limits, so that its cache (and journal) count.
    summary = grade_class(subs, out, exercises=[EX1], timeout=60)
    assert (summary.graded, summary.cached) == (0, 1)
    assert _statuses(out) == {"alice": "graded"}
    assert json.loads((out / "grades.json").read_text())["students"]["alice"]["score"] == 10
    assert not (out / journal_module.NAME).exists()
