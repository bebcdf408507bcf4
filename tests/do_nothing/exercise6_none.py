"""exercise6, no work: every function returns None."""


def intermediate_grads(x, w):
    return None


def frozen_first_layer_loss(x, y, w1, w2):
    return None


def predict(w1, w2, x):
    return None
