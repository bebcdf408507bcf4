"""A second derivative: the backward pass of y builds a graph of its own (create_graph=True)."""
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
dy_dx.backward()
