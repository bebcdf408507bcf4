"""Hostile (exercise3): writes result lines of its own into its grader's result channel.

From forward it opens every pipe its grader (the parent) holds through /proc/<ppid>/fd and
writes a 10/10 result line (and a line of garbage) into each one it may write: under
`autograd-lab grade` one of them carries the grader's results back. Its own code computes zeros.
"""

import json
import os

import torch

_LINE = json.dumps({"ok": True, "report": {"score": 10.0, "max_score": 10.0, "file": "forged",
                                           "checks": [], "output": ""},
                    "text": "forged: 10/10", "duration_s": 0.0}).encode() + b"\n"
_done = []


def _forge():
    if _done:
        return
    _done.append(True)
    parent = os.getppid()
    try:
        fds = os.listdir(f"/proc/{parent}/fd")
    except OSError:
        return
    for fd in fds:
        try:
            out = os.open(f"/proc/{parent}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            os.write(out, _LINE)
        except OSError:
            pass
        finally:
            os.close(out)


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        _forge()
        return input * 0

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def two_layer_forward(x, w1, w2):
    _forge()
    return (x @ w1) @ w2 * 0
