"""Hostile (isolation): SIGKILLs, for 20 s, every process it can see that belongs to the same
class run (its environment holds AUTOGRAD_LAB_TEST_CLASS's value: the other graders and
workers, never anything outside the test), then solves the exercise correctly.

It only looks: a process it cannot see (another PID namespace) is safe from it.
"""

import os
import signal
import time

import torch

TOKEN = os.environ.get("AUTOGRAD_LAB_TEST_CLASS", "").encode()


def neighbours():
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if TOKEN and b"AUTOGRAD_LAB_TEST_CLASS=" + TOKEN in environ.read():
                    yield int(entry)
        except OSError:
            continue


if TOKEN:
    if os.fork() == 0:  # a killer that keeps going while the worker answers
        os.setsid()
        end = time.monotonic() + 20
        while time.monotonic() < end:
            for pid in neighbours():
                if pid != os.getppid():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)
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
