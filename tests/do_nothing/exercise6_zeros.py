"""exercise6, no work: zeros everywhere (a prediction of zeros has no graph)."""
import torch


def intermediate_grads(x, w):
    return torch.zeros_like(w), torch.zeros(x.shape[0], w.shape[1], dtype=x.dtype, device=x.device)


def frozen_first_layer_loss(x, y, w1, w2):
    return torch.zeros((), dtype=x.dtype, device=x.device)


def predict(w1, w2, x):
    return torch.zeros(x.shape[0], w2.shape[1], dtype=x.dtype, device=x.device)
