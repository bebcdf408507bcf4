# expect-score: 0
# why: every number is right, but the ReLU is computed with torch in an exercise that is NumPy
# only: numpy_only fails for forward_backward and for train (which calls it), and voids every
# value check.
# expect-status: grad_w1 void
# expect-status: numpy_only failed
import numpy as np
import torch


def forward_backward(x, y, w1, w2):
    h = x.dot(w1)
    h_relu = torch.relu(torch.from_numpy(h)).numpy()
    y_pred = h_relu.dot(w2)
    loss = float(np.square(y_pred - y).sum())
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T.dot(grad_y_pred)
    grad_h = grad_y_pred.dot(w2.T) * (h > 0)
    return loss, x.T.dot(grad_h), grad_w2


def train(x, y, w1, w2, learning_rate, steps):
    losses = []
    for _ in range(steps):
        loss, grad_w1, grad_w2 = forward_backward(x, y, w1, w2)
        losses.append(loss)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses
