"""Exercise 3 (my_relu): a custom autograd Function.

Autograd records every operation on tensors that require grad as a node of a graph; `backward()`
walks that graph from the loss back to the leaves, asking each node for the gradient of its inputs
given the gradient of its output. A `torch.autograd.Function` lets you write such a node yourself:

- `forward(ctx, input)` computes the output. Autograd is off inside it, so whatever it does is not
  recorded; it saves what `backward` will need with `ctx.save_for_backward(...)`.
- `backward(ctx, grad_output)` gets `grad_output` = d loss / d output (shaped like the output),
  reads back what `forward` saved from `ctx.saved_tensors`, and returns d loss / d input (shaped
  like the input): the chain rule for this one node, d loss / d output times d output / d input.
- You never call them directly: `MyReLU.apply(x)` runs `forward` and links the node into the graph,
  so the result's `grad_fn` is a `MyReLUBackward` node.

Your node is ReLU. Its forward pass is `output = max(input, 0)`, elementwise, which is
`input.clamp(min=0)`. Its backward pass returns `grad_output` where the input was positive and 0
where it was negative: work out how to compute that from what `forward` saved. At exactly 0 the
derivative is undefined; either 0 or 1 is accepted there.

Worked example, a different node: `exp`. Its derivative is `exp` itself, so the cheapest thing
to keep for the backward pass is the forward pass's RESULT::

    class MyExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            result = input.exp()
            ctx.save_for_backward(result)        # what backward needs: exp(input)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors          # a tuple, in the order they were saved
            return grad_output * result          # d loss/d input = d loss/d output * exp(input)

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x)                           # y.grad_fn is a MyExpBackward node
    y.sum().backward()                           # calls MyExp.backward with grad_output = [1, 1]
    x.grad                                       # tensor([1.0000, 2.7183])

Rules: save the input with `ctx.save_for_backward` (not as an attribute of `ctx`: saved tensors
are checked for in-place changes and freed with the graph). `backward` must not modify
`grad_output` in place: autograd may pass the same tensor to other nodes too. `forward` does not
use autograd to do `backward`'s work: the output's `grad_fn` is `MyReLUBackward`. It works for
any shape, float dtype and device, and for non-contiguous inputs.

Read: https://pytorch.org/docs/stable/notes/extending.html,
https://pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.save_for_backward.html,
and "PyTorch: Defining new autograd functions" in
https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise3`; stuck? `autograd-lab hint 3` gives a hint,
a more precise one each time you ask.
"""

import torch


class MyReLU(torch.autograd.Function):
    """ReLU as a hand-written autograd node: `MyReLU.apply(x)` is `x.clamp(min=0)`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor) -> torch.Tensor:
        """Compute `input.clamp(min=0)` and save `input` for the backward pass.

        Calling `clamp` here is fine: inside `forward` autograd records nothing, so the gradient
        still comes from your `backward`.

        Args:
            ctx: the context object; what you save on it reaches `backward`.
            input: a float tensor of any shape, dtype and device, possibly non-contiguous.

        Returns:
            A new tensor shaped like `input`, same dtype and device: `input` where it is
            positive, 0 elsewhere.
        """
        raise NotImplementedError("exercise3: implement MyReLU.forward")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """Return the gradient of the loss with respect to `forward`'s input.

        `grad_output` where the saved input was positive, 0 where it was negative (either at
        exactly 0), as a new tensor: `grad_output` itself is left unchanged.

        Args:
            ctx: the context object `forward` saved the input on.
            grad_output: d loss / d output, shaped like the output (and like the input).

        Returns:
            d loss / d input: a tensor shaped like the input, with `grad_output`'s dtype and
            device.
        """
        raise NotImplementedError("exercise3: implement MyReLU.backward")


def two_layer_forward(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    """Run the two-layer network forward with `MyReLU` as its activation.

    The network is `y_pred = relu(x @ w1) @ w2`, with the relu done by your Function. Call it
    through `MyReLU.apply`, so that `loss.backward()` sends the gradients for `w1` through
    `MyReLU.backward`; the rest of the graph (the two matrix products) is recorded by autograd as
    usual.

    Args:
        x: tensor of shape (N, D_in).
        w1: tensor of shape (D_in, H), usually with `requires_grad=True`.
        w2: tensor of shape (H, D_out), usually with `requires_grad=True`.

    Returns:
        `y_pred`, a tensor of shape (N, D_out) on the inputs' device and dtype.
    """
    raise NotImplementedError("exercise3: implement two_layer_forward")
