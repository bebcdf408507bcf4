"""A training loop: the same graph every step (STEPS, default 500)."""
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
torch.manual_seed(0)
x = torch.randn(8, 3)
target = torch.randn(8, 1)
model = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(steps):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    optimizer.step()
