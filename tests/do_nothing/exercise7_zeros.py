"""exercise7, no work: the layers registered, a forward of zeros, a train loop that does not
train."""
import torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()
        self.linear1 = torch.nn.Linear(d_in, h)
        self.linear2 = torch.nn.Linear(h, d_out)
        self.d_out = d_out

    def forward(self, x):
        return torch.zeros(x.shape[0], self.d_out, dtype=x.dtype, device=x.device)


def train(model, x, y, learning_rate, steps, optimizer="sgd"):
    return [0.0] * steps
