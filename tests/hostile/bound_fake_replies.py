"""Hostile (exercise3): at import, writes well-formed replies of its own into every descriptor
it holds (the reply channel among them): a load reply, then "answers" for calls not made yet."""

import json
import os
import struct

import torch


def _message(body) -> bytes:
    head = json.dumps({"body": body, "blobs": []}).encode()
    return struct.pack(">Q", len(head)) + head


_FAKES = [_message({"$dict": {"ok": True, "value": None}})]
_FAKES += [_message({"$dict": {"ok": True, "value": {"$dict": {"output": [1, 2, 3]}}}})] * 20
_FAKES += [_message({"$dict": {"ok": True, "value": "passed"}})] * 20
for fd in range(3, 64):
    for fake in _FAKES:
        try:
            os.write(fd, fake)
        except OSError:
            break


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return input * 0

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def two_layer_forward(x, w1, w2):
    return (x @ w1) @ w2 * 0
