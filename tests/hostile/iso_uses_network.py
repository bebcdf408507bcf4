"""Hostile (isolation): connects to the TCP port named by AUTOGRAD_LAB_TEST_PORT on 127.0.0.1
(a server the test runs outside the worker) and sends a secret; then solves correctly.

Without a network namespace of its own the connection succeeds; with one, nothing answers.
"""

import os
import socket

import torch

PORT = int(os.environ.get("AUTOGRAD_LAB_TEST_PORT", "0"))
if PORT:
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=2) as connection:
            connection.sendall(b"leaked")
        print("network: connected")
    except OSError as exc:
        print(f"network: {exc}")


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
