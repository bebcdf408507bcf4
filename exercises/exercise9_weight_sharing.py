"""Exercise 9 (weight_sharing): dynamic graphs and weight sharing.

Autograd records the graph while the forward pass runs, one call at a time. Nothing about it is
fixed in advance: ordinary Python control flow (a loop, an `if`) decides which operations run,
and each call builds a graph of its own. This network applies its middle layer a number of times
chosen at each call. Its forward pass::

    h = relu(input_linear(x))                  # (N, D_in) -> (N, H)
    repeat `repeats` times (0 to 3):
        h = relu(middle_linear(h))             # (N, H) -> (N, H), the SAME layer each time
    y_pred = output_linear(h)                  # (N, H) -> (N, D_out), no relu

Weight sharing: `middle_linear` is one module, called several times. Its weight is one tensor
that appears at several places in the graph, and backward adds up the gradients that reach it
from every place::

    middle_linear.weight.grad = sum over its uses k of  d loss / d (the weight at use k)

You write nothing for that sum: autograd accumulates it, as long as every use is the very same
`self.middle_linear`. A copy (`copy.deepcopy(self.middle_linear)`, a new `torch.nn.Linear`, or a
`ModuleList` of separate layers) has weights of its own: the gradient then goes to the copy, and
the net has parameters it should not have.

Worked example, on a different function: one weight `w` used twice, `y = w * (w * x)`::

    w = torch.tensor(2.0, requires_grad=True)
    x = torch.tensor(3.0)
    y = w * (w * x)         # 12: w appears at two places in the graph
    y.backward()
    w.grad                  # tensor(12.): the outer use gets d y / d w = (w * x) = 6, the
                            # inner one w * (d (w * x) / d w) = w * x = 6; autograd adds them

The same `y` with a graph built by a loop, `y = x; for _ in range(2): y = w * y`, gives the same
graph and the same gradient: a Python loop is just another way of recording operations.

Rules: the three layers are `torch.nn.Linear` modules with a bias, created once in `__init__`
as `self.input_linear`, `self.middle_linear` and `self.output_linear`; the net has no other
parameters. The checks set the layers' weights and biases to values of their own.

Read: "PyTorch: Control Flow + Weight Sharing" in
https://pytorch.org/tutorials/beginner/pytorch_with_examples.html,
https://pytorch.org/docs/stable/notes/autograd.html ("How autograd encodes the history"), and
https://pytorch.org/docs/stable/generated/torch.nn.Linear.html.
Check your work with `autograd-lab check exercise9`; stuck? `autograd-lab hint 9` gives a hint,
a more precise one each time you ask.
"""

import torch


class DynamicNet(torch.nn.Module):
    """input_linear + relu, then middle_linear + relu `repeats` times, then output_linear."""

    def __init__(self, d_in: int, h: int, d_out: int) -> None:
        """Create the three layers, once, each a `torch.nn.Linear` with a bias.

        Call `super().__init__()` first, so that the layers you assign become the module's
        submodules and their weights its parameters. Their widths follow from the shapes above.

        Args:
            d_in: the width of the input, D_in.
            h: the width of the hidden layers, H.
            d_out: the width of the output, D_out.
        """
        raise NotImplementedError("exercise9: implement DynamicNet.__init__")

    def forward(self, x: torch.Tensor, repeats: int) -> torch.Tensor:
        """Run the network, applying `self.middle_linear` (and a relu) `repeats` times.

        The forward pass above, with the same `self.middle_linear` at every repeat. For the relu,
        `.clamp(min=0)` or `torch.relu` (at exactly 0 either derivative is accepted). No
        `detach`, no `torch.no_grad()`: every use must reach the weights in the graph.

        Args:
            x: tensor of shape (N, D_in), with the layers' dtype and device.
            repeats: how many times to apply the middle layer, 0 to 3.

        Returns:
            `y_pred`, a tensor of shape (N, D_out).
        """
        raise NotImplementedError("exercise9: implement DynamicNet.forward")
