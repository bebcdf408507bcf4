"""exercise7, no work: an empty module, a train that returns nothing."""
import torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()


def train(model, x, y, learning_rate, steps, optimizer="sgd"):
    return None
