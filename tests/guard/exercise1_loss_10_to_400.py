"""A loss that is a Python int of 401 digits: float() of it overflows in the comparison."""
import numpy as np


def forward_backward(x, y, w1, w2):
    return 10**400, np.zeros_like(w1), np.zeros_like(w2)


def train(x, y, w1, w2, learning_rate, steps):
    return [10**400] * steps
