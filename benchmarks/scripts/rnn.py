"""A tanh recurrence unrolled STEPS times with one shared weight: a benchmark script.

    python rnn.py [STEPS]      (default 100)

Every step reuses ``w`` (a weight shared by all steps) and adds an input ``x_t``; the loss
is the sum of the last state. The graph has about 4 nodes per step.
"""

import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
torch.manual_seed(0)
w = torch.randn(8, 8, requires_grad=True)
h = torch.zeros(1, 8)
for t in range(steps):
    x_t = torch.randn(1, 8)
    h = torch.tanh(h @ w + x_t)
loss = h.sum()
loss.backward()
print(f"{steps} steps, loss {loss.item():.4f}")
