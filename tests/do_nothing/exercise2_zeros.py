"""exercise2, no work: zeros on the inputs' device and dtype, train that changes nothing."""
import torch


def forward_backward(x, y, w1, w2):
    return torch.zeros((), dtype=x.dtype, device=x.device), torch.zeros_like(w1), torch.zeros_like(w2)


def train(x, y, w1, w2, learning_rate, steps):
    return [0.0] * steps
