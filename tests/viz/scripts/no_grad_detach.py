"""Tensors outside autograd: a no_grad result, a detach(), a constant; the graph is never run."""
import torch

w = torch.ones(3, requires_grad=True)
with torch.no_grad():
    c = w * 2
d = w.detach()
k = torch.full((3,), 0.5)
y = (w * c + w * d + k).sum()
