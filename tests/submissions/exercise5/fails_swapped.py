# expect-fail: grads_of_two_losses
# expect-diagnosis: swapped
"""exercise5 with one planted mistake: the two gradients are returned in the wrong order."""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    xr = x.detach().requires_grad_(True)
    z = f(xr)
    (grad_of_mean,) = torch.autograd.grad(z.mean(), xr, retain_graph=True)
    (grad_of_sum,) = torch.autograd.grad(z.sum(), xr)
    return grad_of_sum.detach(), grad_of_mean.detach()

def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    loss = f(xr).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return xr.grad.detach()
