# expect-fail: grads_of_two_losses
# expect-diagnosis: missing retain_graph
"""exercise5 with one planted mistake: the first of two passes through one graph does not retain
it.
"""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    xr = x.detach().requires_grad_(True)
    z = f(xr)
    (grad_of_mean,) = torch.autograd.grad(z.mean(), xr)
    (grad_of_sum,) = torch.autograd.grad(z.sum(), xr)
    return grad_of_mean.detach(), grad_of_sum.detach()

def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    loss = f(xr).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return xr.grad.detach()
