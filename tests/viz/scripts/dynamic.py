"""Dynamic control flow: the graph depends on the step (STEPS steps, default 30)."""
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
w = torch.ones(2, requires_grad=True)
for step in range(steps):
    y = w
    for _ in range(step % 25):
        y = y * 1.5
    y.sum().backward()
