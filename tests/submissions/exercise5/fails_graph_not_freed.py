# expect-fail: graph_freed
# expect-message: still held its saved tensors
"""exercise5 with one planted mistake: accumulated_grad retains the graph on its last pass too."""

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
        loss.backward(retain_graph=True)
    return xr.grad.detach()