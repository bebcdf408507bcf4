"""Hostile (exercise3): tosses a coin at import (random, NumPy and torch together) and is a
right ReLU only on heads, a wrong one on tails.

Graded twice, it must get the same verdict: the worker seeds before importing the file.
"""

import random

import numpy as np
import torch

HEADS = (random.random() + float(np.random.rand()) + float(torch.rand(()))) % 1.0 > 0.5


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0) if HEADS else input.abs()

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0) if HEADS else grad_output * 2


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
