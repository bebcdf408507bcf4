"""A weight used twice: two gradients flow back to w, and w.grad is their sum."""
import torch

w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
a = torch.tensor([2.0, 3.0, 4.0])
b = torch.tensor([0.5, 0.25, -1.0])
loss = (w * a + w * b).sum()
loss.backward()
