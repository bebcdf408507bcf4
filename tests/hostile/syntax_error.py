"""Hostile: a syntax error on line 7 (a missing colon)."""

import torch


class MyReLU(torch.autograd.Function):
    def forward(ctx, input)
        return input.clamp(min=0)
