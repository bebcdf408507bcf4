"""Hostile (isolation): tries to write outside its scratch folder: a file named by
AUTOGRAD_LAB_TEST_TARGET (a folder the test owns) and its own source file (to leave
something behind for the next run). Scratch must stay writable: the file writes and reads
back a tensor through tempfile, and computes wrongly if it cannot.
"""

import os
import tempfile

import torch

for path in (os.environ.get("AUTOGRAD_LAB_TEST_TARGET"), __file__):
    if not path:
        continue
    try:
        with open(path, "a") as out:
            out.write("\n# written by the worker\n")
        print(f"wrote {path}")
    except OSError as exc:
        print(f"could not write {path}: {exc}")

try:
    with tempfile.TemporaryDirectory() as scratch:
        torch.save(torch.ones(3), os.path.join(scratch, "t.pt"))
        SCALE = float(torch.load(os.path.join(scratch, "t.pt"), weights_only=True).sum()) / 3
except OSError as exc:
    print(f"scratch not writable: {exc}")
    SCALE = 0.5


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0) * SCALE

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0) * SCALE


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
