# expect-fail: grads_of_two_losses
# expect-diagnosis: accumulated
# expect-message: grad_of_sum
"""exercise5 with one planted mistake: both losses backpropagate into one .grad, so the second
gradient holds both.
"""

from collections.abc import Callable

import torch


def grads_of_two_losses(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    xr = x.detach().requires_grad_(True)
    z = f(xr)
    z.mean().backward(retain_graph=True)
    grad_of_mean = xr.grad.clone()
    z.sum().backward()  # adds into xr.grad, which still holds the gradient of the mean
    return grad_of_mean, xr.grad.detach()


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    xr = x.detach().requires_grad_(True)
    loss = f(xr).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return xr.grad.detach()
