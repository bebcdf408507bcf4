"""Hostile: forward never returns."""

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        while True:
            pass

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
