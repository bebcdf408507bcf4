"""Two outputs of one leaf, no backward: one graph with two roots, captured at the end."""
import torch

w = torch.arange(5.0, requires_grad=True)
y1 = (w * 2).sum()
y2 = (w**2).mean()
