"""Grading a class with hostile students in it (issue 5: isolation at class scale).

Seventeen hostile submissions of different kinds sit in one class folder next to two honest
students (the reference solution). The class is graded once with ``--jobs 2`` and a short
timeout; then:

- every hostile student earns exactly the checks its code genuinely passes (0 for most);
- the honest students' grades are the ones they get when graded without the hostile ones;
- no process is left behind: none descends from the test process, and none of the processes
  the hostile files started (fork flood, daemons, their pids written to a file) is alive;
- no pickle was unpickled outside the student's own process;
- the run ends in bounded time.

A second group of tests kills ``autograd-lab grade`` midway (SIGINT, SIGKILL) and checks that
what finished is on disk, valid, and skipped by a rerun.
"""

from __future__ import annotations

import csv
import io
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
from autograd_lab.classroom.run import grade_class
from support import ROOT, SOLUTIONS, alive, descendants

HOSTILE = Path(__file__).resolve().parent / "hostile"
EX1, EX3 = lookup("1"), lookup("3")
POINTS = {check.name: check.points for check in EX3.checks}
ALL = frozenset(POINTS)
TIMEOUT = 5.0
MEMORY_MB = 512

# student -> (hostile file, the checks its code genuinely passes). A rule kept by code whose
# values are all wrong is not scored (h02, h03: nonsense that keeps grad_output intact).
CORPUS = {
    "h01_forges_result": ("forges_result.py", set()),
    "h02_patches_grader": ("patches_grader.py", set()),
    "h03_lying_tensor_subclass": ("lying_tensor_subclass.py", set()),
    "h04_pickle_payload": ("pickle_payload.py", set()),
    "h05_sys_exit_at_import": ("sys_exit_at_import.py", set()),
    "h06_sys_exit_in_backward": ("sys_exit_in_backward.py", {"forward"}),
    "h07_os_exit_in_forward": ("os_exit_in_forward.py", set()),
    "h08_hangs_in_forward": ("hangs_in_forward.py", set()),
    "h09_ignores_signals": ("ignores_signals.py", set()),
    "h10_memory_bomb": ("memory_bomb.py", set()),
    "h11_memory_bomb_grows": ("memory_bomb_grows.py", set()),
    "h12_fork_flood": ("fork_flood.py", ALL),
    "h13_prints_too_much": ("prints_too_much.py", set()),
    "h14_segfault_in_forward": ("segfault_in_forward.py", set()),
    "h15_detaches_daemon": ("detaches_daemon.py", ALL),
    "h16_starts_processes": ("starts_processes.py", ALL),
    "h17_garbles_channel": ("garbles_channel.py", set()),
    "h18_kills_its_grader": ("kills_its_grader.py", set()),
}
HONEST = ("honest_ann", "honest_ben")


def put(folder: Path, source: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / name)


def grades(out: Path) -> dict:
    return json.loads((out / "grades.json").read_text())


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """The class graded once: (grades.json, seconds, pids the hostile files started, marker,
    processes left behind, the honest students graded alone)."""
    root = tmp_path_factory.mktemp("hostile_class")
    subs = root / "submissions"
    for student, (name, _) in CORPUS.items():
        put(subs / student, HOSTILE / name, EX3.filename)
    for student in HONEST:
        put(subs / student / "exercises", SOLUTIONS / EX3.filename, EX3.filename)
        put(subs / student / "exercises", SOLUTIONS / EX1.filename, EX1.filename)
    pidfile, pidlog, marker = root / "pids", root / "pidlog", root / "unpickled"
    names = ("AUTOGRAD_LAB_TEST_PIDFILE", "AUTOGRAD_LAB_TEST_PIDLOG", "AUTOGRAD_LAB_TEST_MARKER",
             "AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES")
    saved = {k: os.environ.get(k) for k in names}
    # The hostile files log their pids to files here: that needs the fallback without
    # namespaces (where the kernel refuses them), which must hold too. The same attacks
    # under namespaces: tests/test_isolation_class.py.
    os.environ["AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES"] = "1"
    os.environ["AUTOGRAD_LAB_TEST_PIDFILE"] = str(pidfile)  # starts_processes.py (overwrites)
    os.environ["AUTOGRAD_LAB_TEST_PIDLOG"] = str(pidlog)  # fork_flood.py, detaches_daemon.py
    os.environ["AUTOGRAD_LAB_TEST_MARKER"] = str(marker)
    started = []
    try:
        before = descendants()
        t0 = time.monotonic()
        grade_class(subs, root / "out", exercises=[EX1, EX3], jobs=2, timeout=TIMEOUT,
                    memory_mb=MEMORY_MB, stream=io.StringIO())
        seconds = time.monotonic() - t0
        left = descendants() - before
        started = [int(p) for f in (pidfile, pidlog) if f.exists() for p in f.read_text().split()]
        alone_subs = root / "alone"
        for student in HONEST:
            shutil.copytree(subs / student, alone_subs / student)
        grade_class(alone_subs, root / "alone_out", exercises=[EX1, EX3], jobs=2,
                    timeout=TIMEOUT, memory_mb=MEMORY_MB, stream=io.StringIO())
        yield (grades(root / "out"), seconds, started, marker, left,
               grades(root / "alone_out"), root / "out")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for pid in started + sorted(descendants()):
            if alive(pid) and pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


pytestmark = pytest.mark.slow


def test_the_class_is_graded_in_bounded_time(hostile_class):
    seconds = hostile_class[1]
    # 20 items, two of them hang for the 5 s timeout each, on 2 graders.
    assert seconds < 60, seconds


@pytest.mark.parametrize("student", sorted(CORPUS))
def test_a_hostile_student_earns_only_what_its_code_computes(hostile_class, student):
    data = hostile_class[0]["students"][student]
    passing = CORPUS[student][1]
    ex3 = data["exercises"]["exercise3"]
    assert data["exercises"]["exercise1"]["status"] == "missing"
    assert ex3["score"] == sum(POINTS[name] for name in passing), ex3
    if ex3["status"] == "graded":
        assert {c["name"] for c in ex3["checks"] if c["passed"]} == set(passing)
    else:  # only a student that kills its grader gets no report at all
        assert student == "h18_kills_its_grader" and ex3["status"] == "error", ex3
    assert data["score"] == ex3["score"]


def test_kinds_of_failure_are_named(hostile_class):
    students = hostile_class[0]["students"]

    def messages(student):
        return " ".join(c["message"] for c in students[student]["exercises"]["exercise3"]["checks"]
                        if not c["passed"])

    assert "timed out" in messages("h08_hangs_in_forward")
    assert "timed out" in messages("h09_ignores_signals")
    assert "SIGSEGV" in messages("h14_segfault_in_forward")
    assert "printing more output than allowed" in messages("h13_prints_too_much")
    assert "can't allocate memory" in messages("h11_memory_bomb_grows")
    assert "exit(0)" in messages("h05_sys_exit_at_import")
    assert "exited with code 0" in messages("h07_os_exit_in_forward")
    assert "tensor subclass Liar" in messages("h03_lying_tensor_subclass")
    assert "Payload" in messages("h04_pickle_payload")
    assert "could not be graded" in students["h18_kills_its_grader"]["exercises"]["exercise3"][
        "message"]


def test_honest_students_get_what_they_get_alone(hostile_class):
    in_class, alone = hostile_class[0]["students"], hostile_class[5]["students"]
    for student in HONEST:
        assert in_class[student] == alone[student]
        assert in_class[student]["score"] == in_class[student]["max_score"] == 20


def test_csv_agrees_with_json(hostile_class):
    data, out = hostile_class[0], hostile_class[6]
    rows = list(csv.reader(io.StringIO((out / "grades.csv").read_text())))
    assert rows[0] == ["student", "exercise1", "exercise3", "total"]
    for student, *scores, total in rows[1:]:
        assert float(total) == data["students"][student]["score"]


def test_no_process_is_left_behind(hostile_class):
    _, _, started, _, left, _, _ = hostile_class
    assert not left, f"left behind: {sorted(left)}"
    # 50 from the fork flood, 1 daemon, 2 from starts_processes (which writes its own file).
    assert len(started) == 53
    end = time.monotonic() + 3
    while any(alive(pid) for pid in started) and time.monotonic() < end:
        time.sleep(0.05)
    assert not [pid for pid in started if alive(pid)]


def test_no_pickle_was_unpickled_outside_the_students_process(hostile_class):
    assert not hostile_class[3].exists()


# -- killing the run midway -----------------------------------------------------------------


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _graded_count(out: Path) -> int:
    try:
        data = grades(out)
    except (OSError, ValueError):
        return 0
    return sum(e["status"] == "graded" for s in data["students"].values()
               for e in s["exercises"].values())


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killing_the_run_midway_loses_nothing_finished(tmp_path, how):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for student in ("a_one", "b_two", "c_three"):
        put(subs / student, SOLUTIONS / EX3.filename, EX3.filename)
    put(subs / "z_hangs", HOSTILE / "hangs_in_forward.py", EX3.filename)
    command = [sys.executable, "-m", "autograd_lab", "grade", str(subs), "-o", str(out),
               "--exercises", "3", "--jobs", "1", "--timeout", "300"]
    log = tmp_path / "log"
    with open(log, "wb") as sink:
        # A test run started in the background inherits SIGINT ignored, and so would the
        # run: give it the default disposition a user's terminal gives it.
        proc = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=sink,
                                start_new_session=True, preexec_fn=_default_sigint)
    try:
        assert _wait_for(lambda: _graded_count(out) == 3, 60), log.read_text()
        time.sleep(0.5)  # z_hangs is now being graded
        assert proc.poll() is None
        tree = {proc.pid} | descendants(proc.pid)
        proc.send_signal(how)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    # Interrupted, the run ends its graders and workers itself; killed, its graders learn of
    # it from the kernel (PR_SET_PDEATHSIG) and end their workers.
    ended = _wait_for(lambda: not [p for p in tree if alive(p)], 5)
    left = [p for p in tree if alive(p)]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert ended, f"left running after {how.name}: {left}"
    data = grades(out)
    finished = {s: d["exercises"]["exercise3"] for s, d in data["students"].items()}
    assert {s: r["status"] for s, r in finished.items()} == {
        "a_one": "graded", "b_two": "graded", "c_three": "graded", "z_hangs": "pending"}
    assert all(finished[s]["score"] == 10 for s in ("a_one", "b_two", "c_three"))
    rows = list(csv.reader(io.StringIO((out / "grades.csv").read_text())))
    assert rows == [["student", "exercise3", "total"], ["a_one", "10", "10"],
                    ["b_two", "10", "10"], ["c_three", "10", "10"], ["z_hangs", "pending", "0"]]
    assert not list(out.rglob(".*.tmp"))

    # The rerun keeps every setting (they are part of the cache key); the student who hung
    # has fixed the file meanwhile, so that it ends.
    shutil.copy(SOLUTIONS / EX3.filename, subs / "z_hangs" / EX3.filename)
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 graded, 3 unchanged" in rerun.stdout, rerun.stdout
    again = grades(out)["students"]
    assert {s: again[s]["exercises"]["exercise3"]["score"] for s in again} == {
        "a_one": 10, "b_two": 10, "c_three": 10, "z_hangs": 10}
    assert {s: again[s]["exercises"]["exercise3"] for s in ("a_one", "b_two", "c_three")} == {
        s: finished[s] for s in ("a_one", "b_two", "c_three")}
