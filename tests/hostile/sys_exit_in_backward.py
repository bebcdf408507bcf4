"""Hostile: forward is correct; backward raises SystemExit(0) hoping the grade ends as a success."""

import sys

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        print("score: 10/10")
        sys.exit(0)


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
