# expect-fail: accumulated_grad
# expect-diagnosis: only one pass counted
"""exercise5 with one planted mistake: accumulated_grad returns the last pass's gradient alone."""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    xr = x.detach().requires_grad_(True)
    z = f(xr)
    (grad_of_mean,) = torch.autograd.grad(z.mean(), xr, retain_graph=True)
    (grad_of_sum,) = torch.autograd.grad(z.sum(), xr)
    return grad_of_mean.detach(), grad_of_sum.detach()


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    loss = f(xr).sum()
    for i in range(times):
        (grad,) = torch.autograd.grad(loss, xr, retain_graph=i < times - 1)  # returns, does not add
    return grad.detach()
