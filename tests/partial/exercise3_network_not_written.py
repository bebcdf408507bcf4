# expect-score: 7
# why: MyReLU is right (forward 2, backward 3) and keeps its two rules (1 + 1);
# two_layer_forward is left undone, so two_layer_uses_myrelu is not scored.
# expect-status: two_layer_uses_myrelu not scored
# expect-status: save_for_backward passed
"""Exercise 3 (my_relu): a custom autograd Function.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

Autograd records every operation on tensors that require grad as a node of a graph; `backward()`
walks that graph from the loss back to the leaves, asking each node for the gradient of its inputs
given the gradient of its output. A `torch.autograd.Function` lets you write such a node yourself:

- `forward(ctx, input)` computes the output. Autograd is off inside it, so whatever it does is not
  recorded; it saves what `backward` will need with `ctx.save_for_backward(...)`.
- `backward(ctx, grad_output)` gets `grad_output` = d loss / d output (shaped like the output) and
  returns d loss / d input (shaped like the input): the chain rule for this one node.
- You never call them directly: `MyReLU.apply(x)` runs `forward` and links the node into the graph,
  so the result's `grad_fn` is a `MyReLUBackward` node.

For ReLU, `output = max(input, 0)`, so d output / d input is 1 where `input > 0` and 0 where
`input < 0`, and::

    grad_input = grad_output * (input > 0)

At exactly `input == 0` the derivative is undefined; either 0 or 1 is accepted there.

Rules: save the input with `ctx.save_for_backward(input)` (not as `ctx.input = input`: saved
tensors are checked for in-place changes and freed with the graph). `backward` must not modify
`grad_output` in place: autograd may pass the same tensor to other nodes too. It works for any
shape, float dtype and device, and for non-contiguous inputs.

Read: https://pytorch.org/docs/stable/notes/extending.html,
https://pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.save_for_backward.html,
and "PyTorch: Defining new autograd functions" in
https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise3`.
"""

import torch


class MyReLU(torch.autograd.Function):
    """ReLU as a hand-written autograd node: `MyReLU.apply(x)` is `x.clamp(min=0)`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor) -> torch.Tensor:
        """Compute `input.clamp(min=0)` and save `input` for the backward pass.

        Calling `clamp` here is fine: inside `forward` autograd records nothing, so the gradient
        still comes from your `backward`. Save the input with `ctx.save_for_backward(input)`.

        Args:
            ctx: the context object; what you save on it reaches `backward`.
            input: a float tensor of any shape, dtype and device, possibly non-contiguous.

        Returns:
            A new tensor shaped like `input`, same dtype and device: `input` where it is
            positive, 0 elsewhere.
        """
        ctx.save_for_backward(input)
        # Autograd is off inside forward: clamp is not recorded, and the gradient comes from
        # MyReLU.backward.
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """Return the gradient of the loss with respect to `forward`'s input.

        Read the saved input back with `input, = ctx.saved_tensors`, then let the gradient
        through where the input was positive and block it where it was negative::

            grad_input = grad_output * (input > 0)

        or, masking in place on a copy (never on `grad_output` itself)::

            grad_input = grad_output.clone()
            grad_input[input < 0] = 0

        (the two differ only at `input == 0`, where either is accepted).

        Args:
            ctx: the context object `forward` saved the input on.
            grad_output: d loss / d output, shaped like the output (and like the input).

        Returns:
            d loss / d input: a tensor shaped like the input, with `grad_output`'s dtype and
            device. `grad_output` itself is left unchanged.
        """
        (input,) = ctx.saved_tensors
        # A new tensor: grad_output is left as it was. Derivative 0 at input == 0.
        return grad_output * (input > 0)


def two_layer_forward(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    """Run the two-layer network forward with `MyReLU` as its activation.

    Compute `y_pred = MyReLU.apply(x @ w1) @ w2`. Call the Function through `.apply`, so that
    `loss.backward()` sends the gradients for `w1` through `MyReLU.backward`; the rest of the
    graph (the two matrix products) is recorded by autograd as usual.

    Args:
        x: tensor of shape (N, D_in).
        w1: tensor of shape (D_in, H), usually with `requires_grad=True`.
        w2: tensor of shape (H, D_out), usually with `requires_grad=True`.

    Returns:
        `y_pred`, a tensor of shape (N, D_out) on the inputs' device and dtype.
    """
    raise NotImplementedError("left undone: two_layer_forward")
