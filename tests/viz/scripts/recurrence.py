"""A tanh recurrence unrolled STEPS times (default 100) with one weight shared by every step."""
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
torch.manual_seed(0)
w = torch.randn(4, 4, requires_grad=True)
h = torch.zeros(1, 4)
for t in range(steps):
    h = torch.tanh(h @ w + 1.0)
loss = h.sum()
loss.backward()
