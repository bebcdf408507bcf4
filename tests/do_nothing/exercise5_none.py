"""exercise5, no work: every function returns None."""


def grads_of_two_losses(f, x):
    return None


def accumulated_grad(f, x, times):
    return None
