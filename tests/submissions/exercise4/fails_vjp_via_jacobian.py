# expect-fail: backward_passes
# expect-message: vjp(f, x, v) ran
"""exercise4 with one planted mistake: vjp builds the whole Jacobian (one pass per output element)
first.
"""

from collections.abc import Callable

import torch


def vjp(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    full = jacobian(f, x)
    return (v.reshape(-1) @ full.reshape(v.numel(), -1)).reshape(x.shape)


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    y = f(xr)
    n = y.numel()
    rows = torch.zeros((n, *x.shape), dtype=x.dtype, device=x.device)
    for i in range(n):
        one_hot = torch.zeros(n, dtype=y.dtype, device=y.device)
        one_hot[i] = 1
        (row,) = torch.autograd.grad(y, xr, one_hot.view(y.shape), retain_graph=i < n - 1)
        rows[i] = row
    return rows.reshape(y.shape + x.shape)
