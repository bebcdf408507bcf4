"""Hostile: a correct MyReLU except that backward raises an ordinary exception."""

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        raise ValueError("planted failure in backward")


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
