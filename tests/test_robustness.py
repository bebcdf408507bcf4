"""Broken and hostile student files for exercise3 (DESIGN.md, invariants 1 and 4).

Each file in tests/hostile/ does one bad thing. Grading it must return a Report in which the
checks fail with a message a student understands, points only for checks that genuinely
pass, no traceback from autograd-lab, no hang, and no process left behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from autograd_lab.catalog import lookup
from autograd_lab.grading.engine import grade
from autograd_lab.grading.session import MAX_OUTPUT_CHARS
from support import SOLUTIONS, alive, children
from mutants import Mutant, mutant

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXERCISE = lookup("3")
POINTS = {check.name: check.points for check in EXERCISE.checks}
MYRELU_CHECKS = {"forward", "backward", "grad_output_untouched", "save_for_backward"}


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def graded(capfd):
    """Grade a file and check what holds for every file: returns, cleans up, prints nothing."""

    def run(path, *, passing=frozenset(), timeout=20.0):
        before = children()
        report = grade(EXERCISE, str(path), timeout=timeout)
        out, err = capfd.readouterr()
        assert "Traceback" not in out + err, "autograd-lab printed a traceback"
        assert children() <= before, "a worker process was left behind"
        if passing is not None:  # None: whatever passes, as long as it is the same each time
            assert {c.name for c in report.checks if c.passed} == set(passing)
            assert report.score == sum(POINTS[name] for name in passing)
        for check in report.checks:
            assert check.passed or (check.message and "Traceback" not in check.message)
        return report

    return run


def failed(report) -> list[str]:
    return [check.message for check in report.checks if not check.passed]


def told_once(report, text: str) -> str:
    """The first failed check tells ``text``; every other one points to it or is not scored.

    One cause is told once (issue: a stub printing "not implemented" under every check).
    """
    failures = [check for check in report.checks if not check.passed]
    first, others = failures[0], failures[1:]
    assert text in first.message, first.message
    for check in others:
        assert check.message.startswith(
            (f"not run: stopped by the error shown under `{first.name}`", "not scored",
             "not run: the time limit")), (check.name, check.message)
    return first.message


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


def test_an_exception_in_backward_names_the_students_file_and_line(graded):
    path = HOSTILE / "raises_in_backward.py"
    # save_for_backward is kept, but is paid only with a backward that works.
    report = graded(path, passing={"forward"})
    where = f"{path}, line {line_of(path, 'raise ValueError')}, in backward"
    first, *others = failed(report)
    assert "your code raised ValueError: planted failure in backward" in first
    assert where in first
    # One cause, told once: the other checks it stops point to the first.
    assert others and all(m.startswith(("not run: stopped by the error shown under `backward`",
                                        "not scored")) for m in others), others


def test_a_syntax_error_fails_every_check_and_gives_the_line(graded):
    path = HOSTILE / "syntax_error.py"
    first, *others = failed(graded(path))
    assert first.startswith("your file has a syntax error")
    assert f"{path}, line {line_of(path, 'def forward')}: def forward(ctx, input)" in first
    assert others and all(m.startswith("not run: your file has a syntax error") for m in others)


def test_sys_exit_at_import_gains_nothing(graded):
    report = graded(HOSTILE / "sys_exit_at_import.py")
    assert all("your code called exit(0) while importing your file" in m for m in failed(report))
    assert "score: 10/10" in report.output and report.score == 0


def test_os_exit_in_forward_is_reported_as_the_process_exiting(graded):
    told_once(graded(HOSTILE / "os_exit_in_forward.py"),
              "the process running your code exited with code 0")


def test_an_infinite_loop_times_out(graded):
    started = time.monotonic()
    report = graded(HOSTILE / "hangs_in_forward.py", timeout=3)
    assert time.monotonic() - started < 8
    first = told_once(report, "time limit of 3 s")
    assert first.startswith("timed out")


SEGFAULT_BY_SIGNAL = """\
import os, signal, torch
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        os.kill(os.getpid(), signal.SIGSEGV)
    @staticmethod
    def backward(ctx, grad_output):
        return grad_output
def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
"""


@pytest.mark.parametrize("how", ["null read", "signal"])
def test_a_crash_is_reported_as_sigsegv(graded, tmp_path, how):
    path = (HOSTILE / "segfault_in_forward.py" if how == "null read"
            else write(tmp_path, "segv.py", SEGFAULT_BY_SIGNAL))
    told_once(graded(path), "the process running your code ended by SIGSEGV")


def test_printing_past_the_output_cap_still_returns_a_report(graded):
    report = graded(HOSTILE / "prints_too_much.py")
    assert len(report.output) < MAX_OUTPUT_CHARS + 100
    assert "characters cut" in report.output


def test_printing_past_the_output_cap_says_so(graded):
    for message in failed(graded(HOSTILE / "prints_too_much.py")):
        assert "printed more than" in message


@pytest.mark.parametrize("request_size", ["400 GB", "8 GB, over the address-space limit"])
def test_a_memory_bomb_fails_as_out_of_memory(graded, tmp_path, request_size):
    path = HOSTILE / "memory_bomb.py"
    if request_size.startswith("8 GB"):
        source = path.read_text().replace("torch.empty(10**11)", "torch.empty(2 * 10**9)")
        path = write(tmp_path, "memory_bomb_8gb.py", source)
    report = graded(path)
    told_once(report, "can't allocate memory")
    assert report.checks[0].diagnosis == "out of memory"


def test_forging_comparisons_and_printing_a_score_gains_nothing(graded):
    report = graded(HOSTILE / "forges_result.py")
    assert report.score == 0 and "score: 10/10" in report.output
    assert "MyReLU.apply(input): wrong values" in report.checks[0].message
    assert not np.allclose(0.0, 1.0) and not torch.allclose(torch.zeros(1), torch.ones(1))


def test_grading_works_while_sys_stdout_is_redirected():
    with contextlib.redirect_stdout(io.StringIO()):
        report = grade(EXERCISE, str(SOLUTIONS / EXERCISE.filename), timeout=20)
    assert report.passed, report.checks[0].message


def test_a_missing_function_is_named(graded):
    report = graded(HOSTILE / "missing_function.py", passing=MYRELU_CHECKS)
    assert told_once(report, "your file defines no 'two_layer_forward'").startswith(
        "your file defines no 'two_layer_forward'")


@pytest.mark.parametrize("name", ["missing_function.py", "syntax_error.py"])
def test_messages_show_only_the_students_own_code(graded, name):
    passing = MYRELU_CHECKS if name == "missing_function.py" else frozenset()
    for message in failed(graded(HOSTILE / name, passing=passing)):
        places = re.findall(r"^(.+), line \d+", message, re.M)
        assert all(place == str(HOSTILE / name) for place in places), places


def test_junk_on_the_channel_is_reported_as_malformed_data(graded):
    for message in failed(graded(HOSTILE / "garbles_channel.py")):
        assert "sent malformed data while importing your file" in message


def test_a_malformed_array_header_on_the_channel_fails_cleanly(graded):
    for message in failed(graded(HOSTILE / "sends_bad_array_header.py")):
        assert "malformed data" in message


@pytest.fixture
def started_pids(tmp_path, monkeypatch):
    """The pids starts_processes.py wrote; any still alive at the end are ended here."""
    pidfile = tmp_path / "pids"
    monkeypatch.setenv("AUTOGRAD_LAB_TEST_PIDFILE", str(pidfile))
    # The pids must be this process's and the file writable: the fallback without namespaces
    # (where the kernel refuses them) must end these processes too. With namespaces the
    # kernel does it: tests/test_isolation.py.
    monkeypatch.setenv("AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES", "1")
    pids: list[int] = []
    yield pidfile, pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, 9)


def _ended_after_grading(graded, started_pids, which: int) -> bool:
    """Grade starts_processes.py; has the process it started (0: same group, 1: own session) ended?"""
    pidfile, pids = started_pids
    graded(HOSTILE / "starts_processes.py", passing=set(POINTS))
    pids.extend(int(p) for p in pidfile.read_text().split())
    end = time.monotonic() + 2
    while alive(pids[which]) and time.monotonic() < end:
        time.sleep(0.02)
    return not alive(pids[which])


def test_processes_the_student_started_are_ended(graded, started_pids):
    assert _ended_after_grading(graded, started_pids, 0)


def test_processes_in_a_session_of_their_own_are_ended_too(graded, started_pids):
    assert _ended_after_grading(graded, started_pids, 1)


@pytest.mark.parametrize("source", [mutant("exercise3", "backward_sign_flipped"),
                                    HOSTILE / "os_exit_in_forward.py"],
                         ids=["backward_sign_flipped", "os_exit_in_forward"])
def test_grading_twice_gives_the_same_report(graded, tmp_path, source):
    path = source.write(SOLUTIONS / EXERCISE.filename, tmp_path) if isinstance(source, Mutant) else source
    first, second = graded(path, passing=None).to_dict(), graded(path, passing=None).to_dict()
    assert first == second
