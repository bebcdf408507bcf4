"""Hostile: forward crashes the process with a segmentation fault (a NULL read)."""

import ctypes

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctypes.string_at(0)
        return input

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
