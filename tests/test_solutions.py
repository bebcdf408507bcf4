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
def test_stub_scores_zero_with_not_implemented(exercise):
    report = graded(exercise.id, str(STUBS / exercise.filename))
    assert report.score == 0
    for check in report.checks:
        assert not check.passed
        assert check.message.startswith(f"not implemented yet: {exercise.id}: implement"), check.message


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_solution_scores_full_marks_on_cuda(exercise):
    report = graded(exercise.id, str(SOLUTIONS / exercise.filename), "cuda")
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert not failed, failed
