# expect-score: 4.5
# why: vjp is right (2 points) and keeps its rules; jacobian fails on its second backward pass
# (no retain_graph), so it earns nothing, and each of the five rules pays vjp's half only.
# expect-status: jacobian failed
# expect-status: f_called_once partial
import torch


def vjp(f, x, v):
    xr = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(xr), xr, v)
    return grad.detach()


def jacobian(f, x):
    xr = x.detach().requires_grad_(True)
    y = f(xr)
    rows = []
    for i in range(y.numel()):
        one_hot = torch.zeros(y.numel(), dtype=y.dtype, device=y.device)
        one_hot[i] = 1
        (row,) = torch.autograd.grad(y, xr, one_hot.view(y.shape))
        rows.append(row)
    return torch.stack(rows).reshape(y.shape + x.shape).detach()
