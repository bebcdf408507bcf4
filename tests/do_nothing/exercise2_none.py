"""exercise2, no work: every function returns None."""


def forward_backward(x, y, w1, w2):
    return None


def train(x, y, w1, w2, learning_rate, steps):
    return None
