# expect-fail: no_functional
# expect-message: torch.autograd.functional.jacobian
"""exercise4 with one planted mistake: jacobian calls torch.autograd.functional (imported by name).
"""

from collections.abc import Callable

import torch
from torch.autograd.functional import jacobian as functional_jacobian


def vjp(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    y = f(xr)
    (grad,) = torch.autograd.grad(y, xr, v)
    return grad.detach()


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    return functional_jacobian(f, x)
