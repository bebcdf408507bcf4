"""exercise5, no work: f never called (so no graph is left alive), zeros shaped like x."""
import torch


def grads_of_two_losses(f, x):
    return torch.zeros_like(x), torch.zeros_like(x)


def accumulated_grad(f, x, times):
    return torch.zeros_like(x)
