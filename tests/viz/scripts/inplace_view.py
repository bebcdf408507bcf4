"""An in-place op on a view: the base's grad_fn becomes CopySlices; versions count the writes."""
import torch

w = torch.ones(4, requires_grad=True)
a = w.clone()
b = a[1:]
b.mul_(2)
loss = a.sum()
loss.backward()
