"""Hostile (exercise3): tosses coins at import (random, NumPy, torch) and is right only on heads.

Graded twice, it must get the same verdict: the worker seeds before importing the file.
"""

import random

import numpy as np
import torch

HEADS = (random.random() < 0.5, bool(np.random.rand() < 0.5), bool(torch.rand(()) < 0.5))


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0) if HEADS[0] else input.abs()

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0) if HEADS[1] else grad_output * 2


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2 if HEADS[2] else x @ w1 @ w2
