# expect-score: 7.5
# why: forward_backward is right (loss 2, grad_w1 3, grad_w2 2) and keeps numpy_only for its
# half of the point (0.5); train is not written.
# expect-status: train failed
# expect-status: numpy_only partial
import numpy as np


def forward_backward(x, y, w1, w2):
    h = x.dot(w1)
    h_relu = np.maximum(h, 0)
    y_pred = h_relu.dot(w2)
    loss = float(np.square(y_pred - y).sum())
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T.dot(grad_y_pred)
    grad_h = grad_y_pred.dot(w2.T) * (h > 0)
    return loss, x.T.dot(grad_h), grad_w2


def train(x, y, w1, w2, learning_rate, steps):
    raise NotImplementedError("exercise1: implement train")
