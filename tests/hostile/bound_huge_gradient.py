"""Hostile (exercise1): a backward pass that returns 3,000,000-element gradients for a tiny network.

The loss is right; the gradients are as large as the student likes. A check can expect arrays
the size of the weights (a few elements): the reply must be refused, not put on the wire whole.
"""

import numpy as np


def forward_backward(x, y, w1, w2):
    h = x @ w1
    loss = float(np.sum((np.maximum(h, 0.0) @ w2 - y) ** 2))
    return loss, np.zeros(3_000_000), np.zeros(3_000_000)


def train(x, y, w1, w2, learning_rate, steps):
    return [0.0] * steps
