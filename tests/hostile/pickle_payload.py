"""Hostile: tries to get a pickle unpickled by the grading process.

MyReLU returns objects whose ``__reduce__`` would run code, and two_layer_forward writes pickled
payloads to every file descriptor it inherited (the channel to the grader included). Were any
of them unpickled outside this process, the file named by AUTOGRAD_LAB_TEST_MARKER would be
created (with the pid of the process that ran it). Nothing here computes a ReLU.
"""

import os
import pickle
import struct

import torch

MARKER = os.environ.get("AUTOGRAD_LAB_TEST_MARKER", os.devnull)


class Payload:
    def __reduce__(self):
        code = f"open({MARKER!r}, 'w').write(str(__import__('os').getpid()))"
        return (exec, (code,))


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return Payload()

    @staticmethod
    def backward(ctx, grad_output):
        return Payload()


def two_layer_forward(x, w1, w2):
    blob = pickle.dumps(Payload())
    for fd in range(3, 64):
        for data in (blob, struct.pack(">Q", len(blob)) + blob):
            try:
                os.write(fd, data)
            except OSError:
                pass
    return Payload()
