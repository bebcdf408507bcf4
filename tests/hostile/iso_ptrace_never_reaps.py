"""Hostile (isolation): a child ptrace-attaches to the worker and never waits for it (so the
worker, once killed, is a zombie its parent cannot reap while the tracer lives); then the
worker loops forever, so that the grader must kill it at the timeout.

A grader that waits for the worker with a blocking waitpid waits as long as the tracer
lives (60 s here), whatever the timeout.
"""

import ctypes
import os
import signal
import time

import torch

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE, PR_SET_PTRACER, PTRACE_ATTACH = 4, 0x59616D61, 16
libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
libc.prctl(PR_SET_PTRACER, ctypes.c_ulong(-1), 0, 0, 0)  # any process may trace us
worker = os.getpid()
ready_r, ready_w = os.pipe()
if os.fork() == 0:
    os.setsid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    attached = libc.ptrace(PTRACE_ATTACH, worker, 0, 0) == 0
    os.write(ready_w, b"1" if attached else b"0")
    time.sleep(60)
    os._exit(0)
attached = os.read(ready_r, 1) == b"1"
print(f"traced: {attached}")
if attached:
    # A tracee stops on the attach's SIGSTOP until its tracer lets it go; this one never
    # will, so the worker stays stopped: the grader sees no answer and times out.
    pass
while True:
    time.sleep(0.1)


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
