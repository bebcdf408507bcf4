"""Replayed searches (autograd_lab/grading/replay.py) give exactly the reports real ones give.

A process that grades many files records, on the first run of a search in which every drawn
input passes, the inputs hypothesis drew, and replays them for the next files. Each test here
grades a file twice in this process: once with replay disabled (hypothesis for real, as
`autograd-lab check` does) and once after a reference solution was graded first (so that the
searches replay), and requires the very same report.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from hypothesis import settings

from autograd_lab.catalog import lookup
from autograd_lab.grading import replay
from autograd_lab.grading.engine import grade
from autograd_lab.grading.profiles import GRADING_SETTINGS
from autograd_lab.grading.render import render_text
from autograd_lab.sandbox.protocol import TensorArg
from mutants import mutants
from support import SOLUTIONS


def report_of(exercise, path) -> tuple[dict, str]:
    report = grade(exercise, str(path), timeout=60)
    return report.to_dict(), render_text(report, timing=False)


def unreplayed(exercise, path) -> tuple[dict, str]:
    with replay.disabled():
        return report_of(exercise, path)


def after_solution(exercise, path) -> tuple[dict, str]:
    """The report of ``path`` graded after the solution, so that its searches replay."""
    replay.clear()
    solution = report_of(exercise, SOLUTIONS / exercise.filename)[0]
    assert solution["score"] == solution["max_score"]
    before = replay.counts()
    assert before["recorded"] > 0
    got = report_of(exercise, path)
    after = replay.counts()
    assert after["replayed"] > before["replayed"]
    assert after["mismatches"] == 0
    return got


def mutant(exercise_id: str, name: str, folder) -> str:
    found = {m.name: m for m in mutants(exercise_id)}[name]
    return str(found.write(SOLUTIONS / lookup(exercise_id).filename, folder))


@pytest.fixture(autouse=True)
def fresh_recordings():
    replay.clear()
    yield
    replay.clear()


@pytest.mark.parametrize("exercise_id", ["exercise3", "exercise4", "exercise9"])
def test_a_passing_file_gets_the_same_report_replayed(exercise_id):
    exercise = lookup(exercise_id)
    path = SOLUTIONS / exercise.filename
    expected = unreplayed(exercise, path)
    assert after_solution(exercise, path) == expected
    assert expected[0]["score"] == expected[0]["max_score"]


@pytest.mark.parametrize("exercise_id, name", [
    ("exercise1", "fails_sign_flipped"),
    ("exercise3", "backward_sign_flipped"),
    ("exercise3", "forward_abs"),
    ("exercise3", "saved_as_attribute"),
    ("exercise9", "off_by_one_repeats"),
    ("exercise9", "separate_layers"),
])
def test_a_failing_file_after_a_passing_one_gets_the_same_shrunk_counterexample(
        exercise_id, name, tmp_path):
    exercise = lookup(exercise_id)
    path = mutant(exercise_id, name, tmp_path)
    expected = unreplayed(exercise, path)
    got = after_solution(exercise, path)
    assert got == expected
    failed = [c for c in got[0]["checks"] if not c["passed"]]
    assert failed and any("smallest failing input:" in c["message"] for c in failed)


# A MyReLU that is wrong on the 6th call of forward only: the failure cannot be repeated, so
# what the report says depends on exactly which calls reached the file before. A replay that
# called the file again for the inputs it had already run would shift the count and pass.
WRONG_ON_SIXTH_CALL = '''
import torch

CALLS = [0]


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        CALLS[0] += 1
        ctx.save_for_backward(input)
        output = input.clamp(min=0)
        return output + 1 if CALLS[0] == 6 else output

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0)


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
'''


def test_a_file_that_keeps_state_sees_the_calls_it_would_see_unreplayed(tmp_path):
    exercise = lookup("exercise3")
    path = tmp_path / exercise.filename
    path.write_text(textwrap.dedent(WRONG_ON_SIXTH_CALL))
    expected = unreplayed(exercise, path)
    forward = next(c for c in expected[0]["checks"] if c["name"] == "forward")
    assert not forward["passed"]
    assert after_solution(exercise, path) == expected


def test_what_is_recorded_does_not_depend_on_the_file_graded(tmp_path):
    exercise = lookup("exercise3")
    report_of(exercise, SOLUTIONS / exercise.filename)
    from_solution = dict(replay._state.recorded)
    replay.clear()
    report = report_of(exercise, mutant("exercise3", "backward_sign_flipped", tmp_path))[0]
    from_mutant = dict(replay._state.recorded)
    passed = {c["name"] for c in report["checks"] if c["passed"]}
    # A rule not scored (its values fail) still ran, for what it can tell: where every input
    # passed, it recorded them too.
    unpaid = {c["name"] for c in report["checks"] if c["status"] == "not scored"}
    assert passed and "backward" not in passed and unpaid
    assert passed <= {key[1] for key in from_mutant} <= passed | unpaid
    for key, cases in from_mutant.items():
        assert replay.same(cases, from_solution[key]), key


def test_only_a_named_check_with_derandomized_settings_records_or_replays():
    five = settings(GRADING_SETTINGS, max_examples=5)
    phases = tuple(GRADING_SETTINGS.phases)
    assert replay.next_key(GRADING_SETTINGS) is None
    with replay.scope("exercise3", "forward", "cpu"):
        assert replay.next_key(GRADING_SETTINGS) == ("exercise3", "forward", "cpu", 1, 20, phases)
        assert replay.next_key(five) == ("exercise3", "forward", "cpu", 2, 5, phases)
        assert replay.next_key(settings(GRADING_SETTINGS, derandomize=False)) is None
        with replay.disabled():
            assert replay.next_key(GRADING_SETTINGS) is None
    assert replay.next_key(GRADING_SETTINGS) is None


def test_same_compares_types_and_every_bit():
    a = {"x": TensorArg(np.array([0.0, 1.5])), "n": 2, "lr": 0.5}
    assert replay.same(a, replay.snapshot(a))
    assert not replay.same(a, {**a, "x": TensorArg(np.array([-0.0, 1.5]))})
    assert not replay.same(a, {**a, "x": TensorArg(np.array([0.0, 1.5]), "float32")})
    assert not replay.same(a, {**a, "n": 2.0})
    assert not replay.same(a, {"n": 2, "x": a["x"], "lr": 0.5})  # order is part of a case
    assert not replay.same(0.0, -0.0) and replay.same(math.nan, math.nan)


def test_replay_runs_copies_and_stops_at_the_first_failure():
    cases = ({"v": np.array([1.0])}, {"v": np.array([2.0])}, {"v": np.array([3.0])})
    seen = []

    def run(case):
        seen.append(case["v"][0])
        case["v"][0] = -1.0  # a body that changes its input changes no recording
        if len(seen) == 2:
            raise ValueError("second")

    answers = replay.replay(cases, run)
    assert seen == [1.0, 2.0] and cases[0]["v"][0] == 1.0
    assert answers.answer({"v": np.array([1.0])}) is True
    with pytest.raises(ValueError, match="second"):
        answers.answer({"v": np.array([2.0])})
    assert answers.answer({"v": np.array([3.0])}) is False
    assert replay.replay(cases[:1], lambda case: None) is None
