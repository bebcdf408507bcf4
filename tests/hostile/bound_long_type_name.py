"""Hostile (exercise3): a right ReLU whose Function class has a 12,000,000-character name.

Every tensor it returns has a grad_fn named after it, and so does every node the probes walk.
"""

import torch


def _forward(ctx, input):
    ctx.save_for_backward(input)
    return input.clamp(min=0)


def _backward(ctx, grad_output):
    (input,) = ctx.saved_tensors
    return grad_output * (input > 0)


MyReLU = type("R" * 12_000_000, (torch.autograd.Function,),
              {"forward": staticmethod(_forward), "backward": staticmethod(_backward)})


class Huge(type("N" * 12_000_000, (), {})):
    pass


def two_layer_forward(x, w1, w2):
    return Huge()
