"""Hostile: forward asks for a 400 GB tensor."""

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        waste = torch.empty(10**11)
        return input.clamp(min=0) + waste[0] * 0

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
