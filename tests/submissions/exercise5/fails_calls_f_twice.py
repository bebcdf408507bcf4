# expect-fail: f_called_once
# expect-message: grads_of_two_losses(f, x) called f 2 times
"""exercise5 with one planted mistake: the second loss recomputes f(x) instead of retaining the
graph.
"""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    xr = x.detach().requires_grad_(True)
    (grad_of_mean,) = torch.autograd.grad(f(xr).mean(), xr)
    (grad_of_sum,) = torch.autograd.grad(f(xr).sum(), xr)
    return grad_of_mean.detach(), grad_of_sum.detach()


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    loss = f(xr).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return xr.grad.detach()
