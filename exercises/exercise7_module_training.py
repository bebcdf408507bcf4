"""Exercise 7 (module_training): nn.Module, a loss and an optimizer.

The earlier exercises held the weights in tensors you passed around and updated by hand. PyTorch
packs the three parts of training into objects:

- a MODULE (`torch.nn.Module`) holds the parameters and computes the forward pass. Assigning an
  `nn.Linear` (or an `nn.Parameter`) as an attribute in `__init__` REGISTERS it: its weight and
  bias show up in `model.parameters()` and `model.named_parameters()` (as `linear1.weight`,
  `linear1.bias`, ...), move with `model.to(device)`, and are what an optimizer updates. A plain
  tensor attribute (`self.w1 = torch.randn(..., requires_grad=True)`) is NOT registered: the
  optimizer never sees it. `nn.Linear(in_features, out_features)` computes
  `x @ weight.T + bias`, with `weight` of shape (out_features, in_features) and `bias` of shape
  (out_features,). Call a module as `model(x)`, which runs its `forward`;
- a LOSS module: `torch.nn.MSELoss(reduction="sum")` is `((y_pred - y) ** 2).sum()`, the loss of
  the earlier exercises (its default, `reduction="mean"`, divides by the number of elements);
- an OPTIMIZER (`torch.optim.SGD`, `torch.optim.Adam`) is given the parameters when it is built,
  and applies an update rule to them when its `step()` is called, using their `.grad`.

A training step does, in this order: clear the gradients left by the previous step (a backward
pass ADDS into `.grad`), compute the forward pass and the loss, record the loss, run the backward
pass (which fills `.grad` of every parameter), and let the optimizer update the parameters.
Forget to clear and each step uses the sum of all the gradients so far. SGD's update is
`p -= lr * p.grad`; Adam scales each step by running averages of the gradient and of its square.

The network's forward pass: `y_pred = linear2(relu(linear1(x)))`.

Worked example, a different module: one weight per feature, registered as an `nn.Parameter`::

    class Scale(torch.nn.Module):
        def __init__(self, d):
            super().__init__()                          # first: it sets up the registries
            self.s = torch.nn.Parameter(torch.ones(d))  # registered, as "s"
            self.t = torch.ones(d, requires_grad=True)  # NOT registered: a plain attribute

        def forward(self, x):
            return x * self.s

    m = Scale(3)
    [name for name, _ in m.named_parameters()]          # ['s']: t is missing
    m(torch.ones(2, 3)).sum().backward()                # m.s.grad = [2., 2., 2.]

Read: https://pytorch.org/docs/stable/generated/torch.nn.Module.html,
https://pytorch.org/docs/stable/generated/torch.nn.Linear.html,
https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html,
https://pytorch.org/docs/stable/optim.html, and "PyTorch: nn" and "PyTorch: optim" in
https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise7` (add `--device cuda` to run it on a GPU);
stuck? `autograd-lab hint 7` gives a hint, a more precise one each time you ask.
"""

import torch


class TwoLayerNet(torch.nn.Module):
    """The two-layer network as a module: `linear2(relu(linear1(x)))`, both layers with bias."""

    def __init__(self, d_in: int, h: int, d_out: int):
        """Create the two layers and register them as attributes.

        Two `torch.nn.Linear` layers, both with a bias (the default), as `self.linear1`
        (d_in -> h) and `self.linear2` (h -> d_out). Exactly these names: the parameters must
        come out of `named_parameters()` as `linear1.weight` (h, d_in), `linear1.bias` (h,),
        `linear2.weight` (d_out, h) and `linear2.bias` (d_out,).

        Args:
            d_in: the width of an input row.
            h: the hidden width.
            d_out: the width of an output row.
        """
        raise NotImplementedError("exercise7: implement TwoLayerNet.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute `linear2(relu(linear1(x)))`.

        Call the layers, not their weights by hand, and use `torch.relu` (either derivative at
        exactly 0 is accepted). The grader moves your model to the input's device and dtype
        with `model.to(...)` before calling it.

        Args:
            x: tensor of shape (N, d_in).

        Returns:
            `y_pred`, shape (N, d_out), on `x`'s device and dtype, connected by the graph to
            every parameter.
        """
        raise NotImplementedError("exercise7: implement TwoLayerNet.forward")


def train(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    learning_rate: float,
    steps: int,
    optimizer: str = "sgd",
) -> list[float]:
    """Train `model` on `(x, y)` for `steps` steps; return the loss of each step.

    The loss is `torch.nn.MSELoss(reduction="sum")`; the optimizer, over the model's parameters
    with `lr=learning_rate`, is `torch.optim.SGD` when `optimizer` is "sgd" and
    `torch.optim.Adam` when it is "adam" (any other value: raise `ValueError`). Then the
    training step above, `steps` times, clearing the gradients at every step.

    Works for any module mapping (N, D_in) to (N, D_out): the grader calls it with a
    `TwoLayerNet` of its own (float64, on the inputs' device), so that a mistake in your
    `TwoLayerNet` does not cost you these points too.

    Args:
        model: the module to train; its parameters are updated in place.
        x: tensor of shape (N, D_in), on the model's device and dtype.
        y: tensor of shape (N, D_out), the targets.
        learning_rate: the optimizer's `lr`.
        steps: how many updates, an int >= 1.
        optimizer: "sgd" or "adam".

    Returns:
        A list of `steps` Python floats (`loss.item()`): the loss of each step, computed before
        that step's update.
    """
    raise NotImplementedError("exercise7: implement train")
