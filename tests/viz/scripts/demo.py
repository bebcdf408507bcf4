import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
y = w * 3
loss = (y ** 2).sum()
loss.backward()
