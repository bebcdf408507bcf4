"""Hostile: prints about 2 MB at import, twice the output cap, and is otherwise correct."""

import torch

for _ in range(20_000):
    print("x" * 99)


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
