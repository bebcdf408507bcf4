"""Hostile: returns a tensor subclass that lies: every comparison, allclose and equality says
"equal", and its repr shows the values a correct answer would have; its data is nonsense."""

import torch


class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "__eq__", "eq", "isclose", "ne", "__ne__"):
            if name in ("allclose", "equal"):
                return True
            return torch.ones(args[0].shape, dtype=torch.bool)
        return super().__torch_function__(func, types, args, kwargs or {})

    def __repr__(self):
        return "tensor(correct)"

    def numpy(self, *args, **kwargs):
        return torch.Tensor.numpy(torch.Tensor.clamp(self.as_subclass(torch.Tensor), min=0))


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        return (input * -7).as_subclass(Liar)

    @staticmethod
    def backward(ctx, grad_output):
        return (grad_output * 5).as_subclass(Liar)


def two_layer_forward(x, w1, w2):
    return MyReLU.apply(x @ w1) @ w2
