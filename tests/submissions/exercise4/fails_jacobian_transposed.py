# expect-fail: jacobian
# expect-diagnosis: transposed
# expect-message: the Jacobian's transpose
"""exercise4 with one planted mistake: jacobian puts the rows along the last dimensions (J^T)."""

from collections.abc import Callable

import torch


def vjp(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    y = f(xr)
    (grad,) = torch.autograd.grad(y, xr, v)
    return grad.detach()


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
    return torch.movedim(rows, 0, -1).reshape(x.shape + y.shape)