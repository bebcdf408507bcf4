"""Hostile (bounded): forks 50 children at import that sleep a minute, then solves the exercise.

Not an unbounded fork bomb: 50 processes, each ignoring SIGTERM and SIGINT, whose pids go to
the file named by AUTOGRAD_LAB_TEST_PIDLOG (appended), so that a test can check grading
ended them all. The code itself is correct: it must earn exactly what it computes.
"""

import os
import signal
import time

import torch

PIDFILE = os.environ.get("AUTOGRAD_LAB_TEST_PIDLOG")
pids = []
for _ in range(50):
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        time.sleep(60)
        os._exit(0)
    pids.append(pid)
if PIDFILE:
    with open(PIDFILE, "a") as out:
        out.write(" ".join(map(str, pids)) + "\n")


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
