"""Every reference solution scores full marks; every stub scores 0 with "not implemented yet"."""

from __future__ import annotations

import pytest
import torch

from autograd_lab.catalog import EXERCISES
from support import SOLUTIONS, STUBS, graded

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_solution_scores_full_marks(exercise):
    report = graded(exercise.id, str(SOLUTIONS / exercise.filename))
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert not failed, failed
    assert report.score == report.max_score == exercise.points > 0


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_stub_scores_zero_with_not_implemented_said_once(exercise):
    report = graded(exercise.id, str(STUBS / exercise.filename))
    assert report.score == 0
    told = []
    for check in report.checks:
        assert not check.passed
        if check.message.startswith("not implemented yet:"):
            assert check.message.startswith(f"not implemented yet: {exercise.id}: implement")
            told.append(check.message.splitlines()[0])
        else:
            # Another check already told it, or a rule waits for the values it is paid with.
            assert (check.message.startswith("not run: stopped by the error shown under `")
                    or check.message.startswith("not scored")), check.message
    assert told, "no check says what is not implemented yet"
    assert len(told) == len(set(told)), f"told more than once: {told}"


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_solution_scores_full_marks_on_cuda(exercise):
    report = graded(exercise.id, str(SOLUTIONS / exercise.filename), "cuda")
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert not failed, failed
