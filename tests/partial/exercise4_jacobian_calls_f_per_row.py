# expect-score: 4.5
# why: vjp right (2 + 5 halves); jacobian's values are right but f is called once per row
# (a new graph each time): f_called_once fails for it and voids its values.
# expect-status: jacobian void
# expect-status: f_called_once partial
import torch


def vjp(f, x, v):
    xr = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(xr), xr, v)
    return grad.detach()


def jacobian(f, x):
    xr = x.detach().requires_grad_(True)
    n = f(xr).numel()
    rows = []
    for i in range(n):
        y = f(xr)
        one_hot = torch.zeros(n, dtype=y.dtype, device=y.device)
        one_hot[i] = 1
        (row,) = torch.autograd.grad(y, xr, one_hot.view(y.shape))
        rows.append(row)
    return torch.stack(rows).reshape(f(xr).shape + x.shape).detach()
