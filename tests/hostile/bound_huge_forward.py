"""Hostile (exercise3): a forward that returns a 3,000,000-element tensor whatever the input."""

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return torch.zeros(3_000_000, dtype=input.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return torch.zeros_like(input)


def two_layer_forward(x, w1, w2):
    return torch.zeros(3_000_000, dtype=x.dtype)
