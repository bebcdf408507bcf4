# expect-fail: accumulated_grad
# expect-diagnosis: missing retain_graph
"""exercise5 with one planted mistake: accumulated_grad never retains the graph."""

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
        loss.backward()
    return xr.grad.detach()