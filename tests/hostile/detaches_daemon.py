"""Hostile: daemonizes a process at import (fork, setsid, fork again, parent exits) that would
outlive grading, ignoring SIGTERM, SIGINT and SIGHUP; then solves the exercise correctly.

The daemon's pid is appended to the file named by AUTOGRAD_LAB_TEST_PIDLOG, so that a test
can check that grading ended it.
"""

import os
import signal
import time

import torch

PIDFILE = os.environ.get("AUTOGRAD_LAB_TEST_PIDLOG")
read_end, write_end = os.pipe()
first = os.fork()
if first == 0:
    os.setsid()
    second = os.fork()
    if second == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        os.write(write_end, f"{os.getpid()}\n".encode())
        time.sleep(120)
        os._exit(0)
    os._exit(0)
os.waitpid(first, 0)
daemon = os.read(read_end, 64).decode().strip()
if PIDFILE:
    with open(PIDFILE, "a") as out:
        out.write(daemon + "\n")


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
