"""Hostile: forward keeps allocating and touching 64 MiB tensors (up to 64 GiB), keeping them all.

Unlike memory_bomb.py's single impossible request, every step here is small and succeeds until
the memory limit: it is the limit, not the size of one request, that must stop it.
"""

import torch

hoard = []


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        for _ in range(1024):
            hoard.append(torch.ones(16 * 1024 * 1024))
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
