# expect-score: 4.5
# why: vjp is right and keeps its rules (2 + 5 halves of 1); jacobian's values are right but
# come from torch.autograd.functional: no_functional fails for it and voids them, so jacobian
# earns no value points and no share of the other rules.
# expect-status: jacobian void
# expect-status: no_functional partial
import torch


def vjp(f, x, v):
    xr = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(xr), xr, v)
    return grad.detach()


def jacobian(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())
