"""Remembered oracle answers (autograd_lab/grading/remember.py): by value, copied, bounded.

The grading side remembers what an oracle answered for an input, so that a process grading
many files computes each expected answer once. These tests pin what makes that safe: an
answer is shared only by inputs that are the same to the bit and the type, every caller gets
its own copy, and values a student's code returned are never a key.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lab.catalog import lookup, training
from autograd_lab.grading import remember
from autograd_lab.grading.engine import grade
from autograd_lab.sandbox.protocol import TensorArg
from mutants import Mutant
from support import SOLUTIONS


def counted():
    calls = []

    @remember.remembered
    def oracle(x, *, scale=1.0):
        calls.append(x)
        return {"y": np.asarray(getattr(x, "values", x), dtype=np.float64) * scale}

    return oracle, calls


def test_the_same_input_is_computed_once_and_every_caller_gets_a_copy():
    oracle, calls = counted()
    first = oracle(np.array([1.0, 2.0]), scale=2.0)
    first["y"][0] = 99.0  # a check that changes its answer changes nothing remembered
    second = oracle(np.array([1.0, 2.0]), scale=2.0)
    second["y"][1] = -1.0
    third = oracle(np.array([1.0, 2.0]), scale=2.0)
    assert len(calls) == 1
    np.testing.assert_array_equal(third["y"], [2.0, 4.0])


@pytest.mark.parametrize("other", [
    np.array([-0.0, 2.0]),                    # -0.0 is not 0.0
    np.array([0.0, 2.0], dtype=np.float32),   # another dtype
    np.array([[0.0, 2.0]]),                   # another shape
    TensorArg(np.array([0.0, 2.0])),          # another type
], ids=["negative-zero", "dtype", "shape", "type"])
def test_inputs_that_differ_in_any_bit_or_type_do_not_share_an_answer(other):
    oracle, calls = counted()
    oracle(np.array([0.0, 2.0]))
    oracle(other)
    assert len(calls) == 2


def test_keys_tell_apart_what_equality_confuses():
    key = remember.value_key
    assert key(1) != key(1.0) != key(True)
    assert key(0.0) != key(-0.0)
    assert key({"a": 1, "b": 2}) != key({"b": 2, "a": 1})
    assert key(TensorArg(np.ones(2), "float32")) != key(TensorArg(np.ones(2), "float64"))
    assert key(TensorArg(np.ones(2), noncontiguous=True)) != key(TensorArg(np.ones(2)))


def test_compute_and_unkeyable_inputs_are_never_remembered():
    oracle, calls = counted()
    oracle.compute(np.array([1.0]))
    oracle.compute(np.array([1.0]))
    assert len(calls) == 2 and not oracle.answers

    class Opaque:
        values = np.array([1.0])

    oracle(Opaque())
    oracle(Opaque())
    assert len(calls) == 4 and not oracle.answers


def test_answers_are_bounded(monkeypatch):
    monkeypatch.setattr(remember, "MAX_ANSWERS", 3)
    oracle, calls = counted()
    for value in (1.0, 2.0, 3.0, 1.0, 4.0):  # 1.0 used again: 2.0 is the least recent
        oracle(np.array([value]))
    assert len(oracle.answers) == 3 and len(calls) == 4
    oracle(np.array([1.0]))
    assert len(calls) == 4
    oracle(np.array([2.0]))
    assert len(calls) == 5


def arrays_in(key):
    """Every array a remembered answer's key holds."""
    if isinstance(key, tuple) and len(key) == 4 and key[0] == "numpy.ndarray":
        yield np.frombuffer(key[3], dtype=np.dtype(key[1])).reshape(key[2])
    elif isinstance(key, tuple):
        for part in key:
            yield from arrays_in(part)


MARKED_INIT = Mutant(
    name="marked_init", mistake="none: every parameter starts at 0.123456 (a value no case has)",
    fail=[], replace=[("        self.linear2 = torch.nn.Linear(h, d_out)\n",
                       "        self.linear2 = torch.nn.Linear(h, d_out)\n"
                       "        for p in self.parameters():\n"
                       "            torch.nn.init.constant_(p, 0.123456)\n")])


def test_a_students_own_values_are_never_a_key(tmp_path):
    exercise = lookup("exercise7")
    path = MARKED_INIT.write(SOLUTIONS / exercise.filename, tmp_path)
    training.forward.answers.clear()
    report = grade(exercise, str(path), timeout=60)
    assert report.score == report.max_score
    assert training.forward.answers  # the cases' own parameters were remembered
    for key in training.forward.answers:
        for array in arrays_in(key):
            assert not np.any(np.isclose(array, 0.123456)), key[0]
