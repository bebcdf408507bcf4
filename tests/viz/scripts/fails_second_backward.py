"""A second backward() without retain_graph: fails, the saved tensors already freed."""
import torch

w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
loss = (w * w).sum()
loss.backward()
loss.backward()
print("never reached")
