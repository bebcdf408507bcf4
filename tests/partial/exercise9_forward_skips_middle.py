# expect-score: 0
# why: forward never uses middle_linear, so it is right only for repeats=0: forward, middle_grad
# and other_grads fail; layers, kept, is not scored with them; shared is told broken (it is
# what explains the wrong values) and pays nothing either.
# expect-status: shared failed
# expect-status: layers not scored
import torch


class DynamicNet(torch.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()
        self.input_linear = torch.nn.Linear(d_in, h)
        self.middle_linear = torch.nn.Linear(h, h)
        self.output_linear = torch.nn.Linear(h, d_out)

    def forward(self, x, repeats):
        return self.output_linear(self.input_linear(x).relu())
