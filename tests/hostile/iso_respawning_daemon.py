"""Hostile (isolation): starts a detached daemon (fork, setsid, fork) that ignores SIGTERM,
SIGINT and SIGHUP and hops to a fresh pid every 20 ms (fork, parent exits), so that a scan of
/proc never finds it twice; then solves the exercise correctly.

It carries the grading process's environment, so a test finds it by AUTOGRAD_LAB_TEST_CLASS.
"""

import os
import signal
import time

import torch

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            time.sleep(0.02)
            try:
                if os.fork() != 0:
                    os._exit(0)
            except OSError:
                pass
        os._exit(0)
    os._exit(0)


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
