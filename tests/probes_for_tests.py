"""Probes for the sandbox tests: run in a real worker, report what the worker built.

A probe is called as ``probe(student_module, **args)``; these ignore the module (the tests
call them without loading any file) and return plain data only.
"""

from __future__ import annotations


def describe_tensor(m, tensor):
    """What the worker made of a TensorArg: the tensor itself and its layout."""
    return {
        "tensor": tensor,
        "contiguous": tensor.is_contiguous(),
        "stride": list(tensor.stride()),
        "shape": list(tensor.shape),
        "dtype": str(tensor.dtype).removeprefix("torch."),
        "requires_grad": tensor.requires_grad,
    }


def echo(m, **values):
    """Send back whatever arrived (plain values and arrays)."""
    return values


def random_draws(m):
    """What each random number generator a student's code may use gives first in a call."""
    import random

    import numpy as np
    import torch

    return {"torch": torch.rand(3), "numpy": np.random.rand(3), "python": random.random()}
