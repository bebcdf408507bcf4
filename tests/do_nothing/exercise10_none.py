"""exercise10, no work: every function returns None."""


def cross_entropy_forward_backward(logits, labels):
    return None


def bce_with_logits_forward_backward(z, y):
    return None
