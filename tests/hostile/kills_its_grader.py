"""Hostile: kills the process that grades it (its parent) from forward, then computes nonsense."""

import os
import signal

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        os.kill(os.getppid(), signal.SIGKILL)
        return input * 3

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
