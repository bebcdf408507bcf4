"""A two-layer MLP trained two steps with SGD: loss.backward(), optimizer.step(), twice.

Every number is a small dyadic fraction (halves, quarters), so every product and sum is exact
in float32 and the recorded values are the same on any CPU, whatever order a kernel sums in.
"""
import torch

x = torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 0.5]])
target = torch.tensor([[1.0], [-0.5]])
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.5, -0.25, 1.0], [0.25, 0.5, -0.5],
                                        [-1.0, 0.25, 0.5], [0.5, 0.5, 0.25]]))
    model[0].bias.copy_(torch.tensor([0.0, 0.25, -0.5, 0.5]))
    model[2].weight.copy_(torch.tensor([[0.5, -0.5, 0.25, 1.0]]))
    model[2].bias.copy_(torch.tensor([0.25]))
optimizer = torch.optim.SGD(model.parameters(), lr=0.25)
for step in range(2):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), target)
    loss.backward()
    optimizer.step()
