"""Builds no autograd graph at all."""
import torch

x = torch.ones(3) * 2
print(x.sum().item())
