"""Kernel isolation of a worker under `check` (DESIGN.md, "Isolation"; issue 11, points 1-3).

Each hostile file in tests/hostile/iso_*.py tries one thing a worker must not be able to do.
Tests that need namespaces skip, with the reason, where the kernel refuses them; the fallback
is tested everywhere by simulating the refusal (AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES).
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.grading.engine import grade
from autograd_lab.sandbox import cgroups, isolation
from support import SOLUTIONS

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXERCISE = lookup("3")
FULL = sum(check.points for check in EXERCISE.checks)
NAMESPACES = {"pid", "net", "ipc", "mount", "proc"}
LEVEL = isolation.probe()

needs_namespaces = pytest.mark.skipif(
    not NAMESPACES <= set(LEVEL.split(",")),
    reason=f"the kernel refuses namespaces to this user here (level: {LEVEL!r})")


def with_token(env_value: str) -> list[int]:
    """Pids of processes (not this one) whose environment holds the class token."""
    needle = f"AUTOGRAD_LAB_TEST_CLASS={env_value}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if needle in Path(f"/proc/{entry}/environ").read_bytes():
                    found.append(int(entry))
            except OSError:
                continue
    return found


def no_survivor(token: str, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while with_token(token) and time.monotonic() < end:
        time.sleep(0.05)
    return not with_token(token)


@pytest.fixture
def token(monkeypatch):
    """A class token in this process's environment: every worker started here carries it."""
    value = uuid.uuid4().hex
    monkeypatch.setenv("AUTOGRAD_LAB_TEST_CLASS", value)
    yield value
    for pid in with_token(value):  # never leave one behind, even when a test failed
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def view(report) -> dict[str, str]:
    lines = [line.removeprefix("view: ") for line in report.output.splitlines()
             if line.startswith("view: ")]
    return dict(line.split(" ", 1) for line in lines)


# -- what a worker sees ---------------------------------------------------------------------
@needs_namespaces
def test_a_worker_sees_only_its_own_processes_and_no_grader():
    report = grade(EXERCISE, str(HOSTILE / "iso_reports_its_view.py"), timeout=30)
    seen = view(report)
    assert report.score == FULL
    # Process 1 is the worker's init; the worker is process 2 of its own PID namespace.
    assert seen["pid"] == "2"
    assert seen["processes"] == "[1, 2]"
    assert seen["host"] == "autograd-lab-worker"
    assert seen["/tmp"].startswith("not writable: Read-only file system")


@pytest.mark.skipif(not cgroups.available(), reason="needs root and cgroup v1 memory and pids")
def test_as_root_a_worker_has_a_cgroup_of_its_own_that_is_removed_afterwards():
    report = grade(EXERCISE, str(HOSTILE / "iso_reports_its_view.py"), timeout=30)
    groups = view(report)["cgroups"]
    prefix = f"{cgroups.PREFIX}{os.getpid()}-"
    assert f"memory:/{prefix}" in groups and f"pids:/{prefix}" in groups, groups
    for controller in cgroups.CONTROLLERS:
        left = [name for name in os.listdir(os.path.join(cgroups.ROOT, controller))
                if name.startswith(prefix)]
        assert not left, left


def test_the_grading_process_is_not_dumpable():
    grade(EXERCISE, str(SOLUTIONS / EXERCISE.filename), timeout=30)
    assert ctypes.CDLL(None).prctl(3, 0, 0, 0, 0) == 0  # PR_GET_DUMPABLE


# -- attacks --------------------------------------------------------------------------------
@needs_namespaces
def test_a_worker_cannot_open_the_graders_pipes_through_proc(token):
    report = grade(EXERCISE, str(HOSTILE / "iso_forges_through_proc.py"), timeout=30)
    assert "forged into 0 pipes" in report.output
    assert report.score == 0  # it computes zeros, and nothing it wrote was taken for a result


@needs_namespaces
def test_a_detached_respawning_daemon_does_not_outlive_the_check(token):
    report = grade(EXERCISE, str(HOSTILE / "iso_respawning_daemon.py"), timeout=30)
    assert report.score == FULL
    assert no_survivor(token), f"survivors: {with_token(token)}"


@needs_namespaces
def test_a_tracer_that_never_reaps_cannot_hold_the_check_past_its_timeout(token):
    started = time.monotonic()
    report = grade(EXERCISE, str(HOSTILE / "iso_ptrace_never_reaps.py"), timeout=5)
    took = time.monotonic() - started
    assert took < 5 + 3, f"took {took:.1f} s"
    assert report.score == 0
    assert "timed out" in report.checks[0].message
    assert no_survivor(token), f"survivors: {with_token(token)}"


@needs_namespaces
def test_a_worker_has_no_network(monkeypatch):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(15)
    received = []

    def serve():
        try:
            connection, _ = server.accept()
            received.append(connection.recv(16))
        except OSError:
            pass

    listener = threading.Thread(target=serve)
    listener.start()
    monkeypatch.setenv("AUTOGRAD_LAB_TEST_PORT", str(server.getsockname()[1]))
    try:
        report = grade(EXERCISE, str(HOSTILE / "iso_uses_network.py"), timeout=30)
    finally:
        server.close()
        listener.join()
    assert not received
    assert "network: [Errno" in report.output
    assert report.score == FULL  # the honest part is graded as usual


@needs_namespaces
def test_a_worker_cannot_write_outside_its_scratch(tmp_path, monkeypatch):
    source = tmp_path / "exercise3_my_relu.py"
    source.write_text((HOSTILE / "iso_writes_outside.py").read_text())
    before = source.read_bytes()
    target = tmp_path / "outside.txt"
    monkeypatch.setenv("AUTOGRAD_LAB_TEST_TARGET", str(target))
    report = grade(EXERCISE, str(source), timeout=30)
    assert not target.exists()
    assert source.read_bytes() == before
    assert "Read-only file system" in report.output
    assert report.score == FULL  # scratch is writable: the file's SCALE came out as 1


# -- where the kernel refuses ---------------------------------------------------------------
def cli(*args: str, refuse: bool, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES", None)
    if refuse:
        env["AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES"] = "1"
    return subprocess.run([sys.executable, "-m", "autograd_lab", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_where_the_kernel_refuses_check_runs_and_says_once_what_is_missing(tmp_path):
    run = cli("check", "3", "--file", str(SOLUTIONS / EXERCISE.filename), "--json",
              refuse=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("warning: student code runs without") == 1, run.stderr
    assert PROTECTIONS_LINE("pid") in run.stderr
    assert "unprivileged user namespaces" in run.stderr
    level = json.loads(run.stdout)["isolation"]
    assert "pid" not in level.split(",") and "net" not in level.split(",")


def PROTECTIONS_LINE(name: str) -> str:
    return f"  - {isolation.PROTECTIONS[name]}"


def test_where_the_kernel_refuses_strict_check_refuses_to_run(tmp_path):
    run = cli("check", "3", "--file", str(SOLUTIONS / EXERCISE.filename), "--isolation",
              "strict", refuse=True, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--isolation strict" in run.stderr
    assert PROTECTIONS_LINE("net") in run.stderr
    assert "passed" not in run.stdout  # nothing was graded


def test_where_the_kernel_refuses_strict_grade_refuses_before_writing_anything(tmp_path):
    subs = tmp_path / "subs" / "alice"
    subs.mkdir(parents=True)
    (subs / EXERCISE.filename).write_text((SOLUTIONS / EXERCISE.filename).read_text())
    run = cli("grade", str(tmp_path / "subs"), "-o", str(tmp_path / "out"), "--exercises", "3",
              "--isolation", "strict", refuse=True, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--isolation strict" in run.stderr
    assert not (tmp_path / "out").exists()


def test_where_the_kernel_refuses_grade_warns_once_for_all_graders(tmp_path):
    for student in ("alice", "bob", "carol"):
        folder = tmp_path / "subs" / student
        folder.mkdir(parents=True)
        (folder / EXERCISE.filename).write_text((SOLUTIONS / EXERCISE.filename).read_text())
    run = cli("grade", str(tmp_path / "subs"), "-o", str(tmp_path / "out"), "--exercises", "3",
              "--jobs", "2", refuse=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("warning: student code runs without") == 1, run.stderr
    assert run.stdout.count(f"{FULL:g}/{FULL:g}") == 3


def test_check_json_records_the_isolation_it_ran_under(tmp_path):
    run = cli("check", "3", "--file", str(SOLUTIONS / EXERCISE.filename), "--json",
              refuse=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["isolation"] == LEVEL


def test_strict_runs_exactly_where_nothing_wanted_is_missing(tmp_path):
    run = cli("check", "3", "--file", str(SOLUTIONS / EXERCISE.filename), "--isolation",
              "strict", refuse=False, cwd=tmp_path)
    lacking = isolation.missing(LEVEL)
    assert run.returncode == (2 if lacking else 0), (lacking, run.stderr)



# -- the other ways in ----------------------------------------------------------------------
@needs_namespaces
def test_without_the_root_shortcut_the_worker_is_isolated_the_same_way(monkeypatch):
    """The way a non-root grader takes (a first child unshares, then forks the worker)."""
    from autograd_lab.sandbox import confine

    monkeypatch.setattr(confine, "fork_into_new_pid_namespace", lambda life_r: None)
    report = grade(EXERCISE, str(HOSTILE / "iso_reports_its_view.py"), timeout=30)
    seen = view(report)
    assert report.score == FULL
    assert (seen["pid"], seen["processes"]) == ("2", "[1, 2]")
    assert seen["/tmp"].startswith("not writable: Read-only file system")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to become an unprivileged user")
def test_an_unprivileged_grader_gets_the_namespaces_through_a_user_namespace():
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
            os.write(write_end, isolation.probe().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    level = os.read(read_end, 1000).decode()
    os.waitpid(child, 0)
    if "user" not in level.split(","):
        pytest.skip(f"this kernel refuses unprivileged user namespaces (level: {level!r})")
    assert set(level.split(",")) >= NAMESPACES | {"user", "caps"}
