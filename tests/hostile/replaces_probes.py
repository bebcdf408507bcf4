"""Hostile: replaces the catalog's probe functions in its worker with ones that reply nonsense."""
import torch

import autograd_lab.catalog.exercise3 as catalog

for name in dir(catalog):
    if name.startswith("probe_"):
        setattr(catalog, name, lambda m, **kwargs: {"unexpected": [1, 2, 3]})


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return input * 0

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def two_layer_forward(x, w1, w2):
    return (x @ w1) @ w2 * 0
