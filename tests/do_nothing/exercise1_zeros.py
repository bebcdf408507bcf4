"""exercise1, no work: zeros of the right shapes, a loss of 0, train that changes nothing."""
import numpy as np


def forward_backward(x, y, w1, w2):
    return 0.0, np.zeros_like(w1), np.zeros_like(w2)


def train(x, y, w1, w2, learning_rate, steps):
    return [0.0] * steps
