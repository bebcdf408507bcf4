"""A custom autograd.Function: its node is named after the class (MyReLUBackward)."""
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * (input > 0)


w = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
x = torch.ones(3, 2)
y = MyReLU.apply(x @ w).sum()
y.backward()
