"""Hostile: patches the grader's own functions (and torch's checks) in its process, computes nonsense.

It replaces what it can reach of autograd-lab from inside the worker (the comparison and the
rendering functions, the reply encoder) with ones that say "passed", patches torch's and
numpy's comparison helpers, and prints a perfect score. The comparison runs in the grading
process, which none of this reaches.
"""

import numpy
import torch
import torch.testing

import autograd_lab.grading.compare as compare
import autograd_lab.grading.render as render

for name in dir(compare):
    if name.startswith("check_"):
        setattr(compare, name, lambda *args, **kwargs: None)
render.render_text = lambda *args, **kwargs: "score: 10/10 (6 of 6 checks passed)"
torch.testing.assert_close = lambda *args, **kwargs: None
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
torch.Tensor.allclose = lambda self, *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
print("score: 10/10 (6 of 6 checks passed)")


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return input + 1

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output


def two_layer_forward(x, w1, w2):
    return (x @ w1) @ w2 * 0
