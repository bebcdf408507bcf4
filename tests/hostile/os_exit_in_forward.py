"""Hostile: forward ends the process with status 0, skipping every cleanup handler."""

import os

import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        os._exit(0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
