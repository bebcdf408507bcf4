"""Remembered oracle answers: an input seen before, by value, gets the answer computed then.

Why. A process that grades many files (each grader of `autograd-lab grade`) runs the same
inputs through the same checks file after file: the inputs a search replays (see
:mod:`replay`) and the fixed edge cases. Once hypothesis no longer draws them, the oracle's
float64 autograd runs are the largest cost left on the grading side. An oracle is a pure
function of the inputs the grader made (float64 on the CPU, one thread: the same bits every
time), so computing it once per input and process gives every file the expected answer it
would have got anyway.

Why nothing can leak between files. The key is the whole input by value: arrays bit for bit
with their dtype and shape, every other value with its exact type, dict keys in order; two
inputs share an answer only if they are the same. An answer is handed out as a deep copy, and
kept as another, so a check that changes what it got changes nothing remembered. Only inputs
the grader made are keys: where an oracle runs on values that came back from a student's code,
the check calls ``.compute`` (the oracle itself, nothing remembered).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections import OrderedDict
from typing import Callable

import numpy as np


MAX_ANSWERS = 2048
"""Answers kept per oracle, the least recently used dropped first: the inputs replayed for
every file stay, the one-off inputs of shrinking come and go."""


class NoKey(Exception):
    """A value the key does not describe exactly (the answer is computed, not remembered)."""


def _type(value) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def value_key(value):
    """A hashable key equal for two values exactly when they are the same input: same types,
    arrays bit for bit, floats to the bit (``-0.0`` is not ``0.0``; a NaN is itself), dict keys
    in order. Raises :class:`NoKey` for a value it cannot describe so (an object array, an
    unknown type). Replay compares drawn inputs with it too (``replay.same``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a TensorArg
        return (_type(value), tuple(value_key(getattr(value, f.name))
                                    for f in dataclasses.fields(value)))
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise NoKey()
        return (_type(value), value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return (_type(value), tuple((value_key(k), value_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (_type(value), tuple(value_key(v) for v in value))
    if isinstance(value, float):
        return (_type(value), float(value).hex())  # tells -0.0 from 0.0
    if value is None or isinstance(value, (bool, int, str)):
        return (_type(value), value)
    raise NoKey()


def remembered(oracle: Callable) -> Callable:
    """Decorate a pure oracle of grader-made inputs to compute each answer once per process.

    The decorated function has ``.compute``: the oracle itself, for values that came from a
    student's code; and ``.answers``, what it remembers (key -> answer).
    """
    answers: OrderedDict = OrderedDict()

    @functools.wraps(oracle)
    def answer(*args, **kwargs):
        try:
            key = (value_key(args), value_key(kwargs))
        except NoKey:
            return oracle(*args, **kwargs)
        if key in answers:
            answers.move_to_end(key)
            return copy.deepcopy(answers[key])
        result = oracle(*args, **kwargs)
        answers[key] = copy.deepcopy(result)
        if len(answers) > MAX_ANSWERS:
            answers.popitem(last=False)
        return result

    answer.compute = oracle
    answer.answers = answers
    return answer
