"""Two losses from one graph: the first backward keeps it (retain_graph=True), the second
adds its gradient to x.grad (accumulation: .grad before and after)."""
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x ** 2 * 4
y.sum().backward(retain_graph=True)
y.mean().backward()
