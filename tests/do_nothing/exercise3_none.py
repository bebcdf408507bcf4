"""exercise3, no work: a Function whose methods return None, a network that returns None."""
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return None

    @staticmethod
    def backward(ctx, grad_output):
        return None


def two_layer_forward(x, w1, w2):
    return None
