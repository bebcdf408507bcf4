# expect-fail: backward_passes
# expect-message: jacobian(f, x) ran 1 backward pass
"""exercise4 with one planted mistake: jacobian runs one batched pass instead of one pass per
output element.
"""

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
    eye = torch.eye(n, dtype=y.dtype, device=y.device).reshape((n, *y.shape))
    (rows,) = torch.autograd.grad(y, xr, eye, is_grads_batched=True)
    return rows.reshape(y.shape + x.shape).detach()
