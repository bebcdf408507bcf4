"""Hostile: starts two long-lived processes at import, one of them in a session of its own.

It writes their pids to the file named by AUTOGRAD_LAB_TEST_PIDFILE, so that a test can check
that grading ended them (and end them itself if it did not).
"""

import os
import subprocess

import torch

same_group = subprocess.Popen(["sleep", "60"])
own_session = subprocess.Popen(["sleep", "60"], start_new_session=True)
with open(os.environ.get("AUTOGRAD_LAB_TEST_PIDFILE", os.devnull), "w") as pids:
    pids.write(f"{same_group.pid} {own_session.pid}\n")


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0)


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
