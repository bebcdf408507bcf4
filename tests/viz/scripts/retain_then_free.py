"""Two backward passes: the first keeps the saved tensors (retain_graph=True), the second
frees them."""
import torch

w = torch.randn(3, 2, requires_grad=True)
x = torch.randn(4, 3)
h = x @ w
h.retain_grad()
loss = h.exp().sum()
loss.backward(retain_graph=True)
loss.backward()
