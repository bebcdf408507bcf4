"""Hostile (exercise3): a forward that returns a 250 MB bool tensor (one byte an element)."""

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return torch.zeros(250_000_000, dtype=torch.bool)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return torch.zeros(250_000_000, dtype=torch.bool)
