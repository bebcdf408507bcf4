"""Run an oracle's tiny torch computations on one thread (grading side).

The oracles work on tensors of a few elements. On such tensors some kernels (softmax, the
cross-entropy loss, their backward) still open a parallel region, and on a busy machine waking
torch's other intra-op threads costs milliseconds per call, hundreds of times what the
arithmetic does (measured: 10 ms against 0.03 ms for a cross-entropy and its gradient with two
threads on a loaded two-core machine). The worker runs on one thread already; this does the same
for the oracle, only while it runs, and restores the thread count after.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

import torch

F = TypeVar("F", bound=Callable)


def single_threaded(function: F) -> F:
    """Decorate an oracle function so that it runs with one intra-op thread."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        threads = torch.get_num_threads()
        if threads == 1:
            return function(*args, **kwargs)
        torch.set_num_threads(1)
        try:
            return function(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    return wrapper  # type: ignore[return-value]
