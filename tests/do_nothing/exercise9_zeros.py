"""exercise9, no work: the three layers registered, a forward of zeros."""
import torch


class DynamicNet(torch.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()
        self.input_linear = torch.nn.Linear(d_in, h)
        self.middle_linear = torch.nn.Linear(h, h)
        self.output_linear = torch.nn.Linear(h, d_out)
        self.d_out = d_out

    def forward(self, x, repeats):
        return torch.zeros(x.shape[0], self.d_out, dtype=x.dtype, device=x.device)
