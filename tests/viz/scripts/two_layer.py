"""The tutorial's two-layer net, one step: leaves (x, y, w1, w2), named non-leaves, the loss."""
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 4, 3, 5, 2
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)
h = x @ w1
h_relu = h.clamp(min=0)
y_pred = h_relu @ w2
loss = (y_pred - y).pow(2).sum()
loss.backward()
