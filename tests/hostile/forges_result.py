"""Hostile: makes every comparison succeed, prints a perfect score, and computes nonsense."""

import numpy
import torch

numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
print("score: 10/10")
print("all checks passed")


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return input * 2

    @staticmethod
    def backward(ctx, grad_output):
        grad_output.mul_(3)
        return grad_output


def two_layer_forward(x, w1, w2):
    return (x @ w1).abs() @ w2
