# expect-fail: x_untouched
# expect-message: x.grad
"""exercise5 with one planted mistake: accumulated_grad backpropagates into x itself."""

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
    x.requires_grad_(True)
    loss = f(x).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return x.grad.detach()
