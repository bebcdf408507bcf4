"""exercise4, no work: every function returns None."""


def vjp(f, x, v):
    return None


def jacobian(f, x):
    return None
