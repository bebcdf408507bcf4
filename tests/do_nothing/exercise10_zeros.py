"""exercise10, no work: zero losses and gradients, finite everywhere, no autograd."""
import torch


def cross_entropy_forward_backward(logits, labels):
    return torch.zeros((), dtype=logits.dtype, device=logits.device), torch.zeros_like(logits)


def bce_with_logits_forward_backward(z, y):
    return torch.zeros((), dtype=z.dtype, device=z.device), torch.zeros_like(z)
