"""Kernel isolation at class scale: `grade --jobs 2` with students who attack the others.

A forger writes result lines into every pipe it can open through /proc (its grader's result
pipe, on a machine without namespaces); a killer SIGKILLs every process of the run it can see
for 20 s (the other grader, its workers, the `grade` process itself); a daemon re-forks
itself to a fresh pid every 20 ms. Under namespaces none of it reaches anyone: the honest
students get exactly what they get graded alone, and no process outlives the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from support import SOLUTIONS
from test_isolation import needs_namespaces, no_survivor, with_token

HOSTILE = Path(__file__).resolve().parent / "hostile"
EX3 = lookup("3")
FULL = sum(check.points for check in EX3.checks)
HONEST = [f"honest{i}" for i in range(1, 6)]
ATTACKERS = {"a_forger": "iso_forges_through_proc.py", "a_killer": "iso_kills_neighbours.py",
             "a_daemon": "iso_respawning_daemon.py"}

pytestmark = [pytest.mark.slow, needs_namespaces]


def grade(subs: Path, out: Path, token: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, AUTOGRAD_LAB_TEST_CLASS=token)
    env.pop("AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES", None)
    return subprocess.run([sys.executable, "-m", "autograd_lab", "grade", str(subs), "-o",
                           str(out), "--exercises", "3", "--jobs", "2", "--timeout", "30"],
                          env=env, capture_output=True, text=True, timeout=600)


def verdicts(out: Path) -> dict:
    data = json.loads((out / "grades.json").read_text())
    return {student: (record["exercises"]["exercise3"]["score"],
                      [(c["name"], c["status"]) for c in record["exercises"]["exercise3"]["checks"]])
            for student, record in data["students"].items()}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """(verdicts with the attackers, verdicts of the honest alone, the run, survivors)."""
    root = tmp_path_factory.mktemp("isolation_class")
    token = uuid.uuid4().hex
    subs, alone = root / "subs", root / "alone"
    for student in HONEST:
        for folder in (subs, alone):
            (folder / student).mkdir(parents=True)
            shutil.copy(SOLUTIONS / EX3.filename, folder / student / EX3.filename)
    for student, name in ATTACKERS.items():
        (subs / student).mkdir()
        shutil.copy(HOSTILE / name, subs / student / EX3.filename)
    try:
        started = time.monotonic()
        run = grade(subs, root / "out", token)
        seconds = time.monotonic() - started
        survived = not no_survivor(token)
        honest_alone = grade(alone, root / "alone_out", uuid.uuid4().hex)
        assert honest_alone.returncode == 0, honest_alone.stderr
        yield verdicts(root / "out"), verdicts(root / "alone_out"), run, survived, seconds
    finally:
        for pid in with_token(token):
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def test_the_run_completes(attacked):
    _, _, run, _, seconds = attacked
    assert run.returncode == 0, run.stderr
    assert seconds < 120


def test_honest_students_get_exactly_what_they_get_alone(attacked):
    together, alone, _, _, _ = attacked
    for student in HONEST:
        assert together[student] == alone[student], student
        assert together[student][0] == FULL


def test_the_forger_earns_what_its_zeros_earn(attacked):
    assert attacked[0]["a_forger"][0] == 0


def test_the_attackers_who_compute_right_earn_it(attacked):
    assert attacked[0]["a_killer"][0] == FULL
    assert attacked[0]["a_daemon"][0] == FULL


def test_no_process_outlives_the_run(attacked):
    assert not attacked[3]
