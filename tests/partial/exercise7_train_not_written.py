# expect-score: 4
# why: TwoLayerNet is right (forward 2) and registers its layers (parameters 2); train is
# left undone.
# expect-status: parameters passed
# expect-status: train_adam not run
"""Exercise 7 (module_training): nn.Module, a loss and an optimizer.

Reference solution: the test suite grades it to prove the checks (it must score full marks).
It is never shipped in the wheel; students get the stub in exercises/.

The earlier exercises held the weights in tensors you passed around and updated by hand. PyTorch
packs the three parts of training into objects:

- a MODULE (`torch.nn.Module`) holds the parameters and computes the forward pass. Assigning an
  `nn.Linear` (or an `nn.Parameter`) as an attribute in `__init__` REGISTERS it: its weight and
  bias show up in `model.parameters()` and `model.named_parameters()` (as `linear1.weight`,
  `linear1.bias`, ...), move with `model.to(device)`, and are what an optimizer updates. A plain
  tensor attribute (`self.w1 = torch.randn(..., requires_grad=True)`) is NOT registered: the
  optimizer never sees it. `nn.Linear(d_in, d_out)` computes `x @ weight.T + bias`, with `weight`
  of shape (d_out, d_in) and `bias` of shape (d_out,). Call a module as `model(x)`, which runs
  its `forward`;
- a LOSS module: `torch.nn.MSELoss(reduction="sum")` is `((y_pred - y) ** 2).sum()`, the loss of
  the earlier exercises (its default, `reduction="mean"`, divides by the number of elements);
- an OPTIMIZER (`torch.optim.SGD`, `torch.optim.Adam`) holds references to the parameters and
  applies an update rule to them with `optimizer.step()`, using their `.grad`.

One training step, in this order::

    optimizer.zero_grad()          # backward ADDS into .grad: clear last step's gradients
    loss = loss_fn(model(x), y)    # forward pass and loss
    losses.append(loss.item())     # record the loss of this step, before its update
    loss.backward()                # fills p.grad for every parameter p
    optimizer.step()               # updates every parameter in place

Forget `zero_grad()` and each step uses the sum of all the gradients so far. SGD's update is
`p -= lr * p.grad`; Adam scales each step by running averages of the gradient and of its square.

Read: https://pytorch.org/docs/stable/generated/torch.nn.Module.html,
https://pytorch.org/docs/stable/generated/torch.nn.Linear.html,
https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html,
https://pytorch.org/docs/stable/optim.html, and "PyTorch: nn" and "PyTorch: optim" in
https://pytorch.org/tutorials/beginner/pytorch_with_examples.html.
Check your work with `autograd-lab check exercise7` (add `--device cuda` to run it on a GPU).
"""

import torch


class TwoLayerNet(torch.nn.Module):
    """The two-layer network as a module: `linear2(relu(linear1(x)))`, both layers with bias."""

    def __init__(self, d_in: int, h: int, d_out: int):
        """Create the two layers and register them as attributes.

        Call `super().__init__()` first (it sets up the registries), then assign
        `self.linear1 = torch.nn.Linear(d_in, h)` and `self.linear2 = torch.nn.Linear(h, d_out)`
        (both with a bias, the default). Exactly these names: the parameters must come out of
        `named_parameters()` as `linear1.weight` (h, d_in), `linear1.bias` (h,),
        `linear2.weight` (d_out, h) and `linear2.bias` (d_out,).

        Args:
            d_in: the width of an input row.
            h: the hidden width.
            d_out: the width of an output row.
        """
        super().__init__()
        # Module attributes register: their weights and biases become the model's parameters.
        self.linear1 = torch.nn.Linear(d_in, h)
        self.linear2 = torch.nn.Linear(h, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute `linear2(relu(linear1(x)))`.

        Call the layers (`self.linear1(x)`), not their weights by hand, and use `torch.relu`
        (either derivative at exactly 0 is accepted). The grader moves your model to the
        input's device and dtype with `model.to(...)` before calling it.

        Args:
            x: tensor of shape (N, d_in).

        Returns:
            `y_pred`, shape (N, d_out), on `x`'s device and dtype, connected by the graph to
            every parameter.
        """
        return self.linear2(torch.relu(self.linear1(x)))


def train(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    learning_rate: float,
    steps: int,
    optimizer: str = "sgd",
) -> list[float]:
    """Train `model` on `(x, y)` for `steps` steps; return the loss of each step.

    Build the loss `torch.nn.MSELoss(reduction="sum")` and the optimizer over
    `model.parameters()` with `lr=learning_rate`: `torch.optim.SGD` when `optimizer` is "sgd",
    `torch.optim.Adam` when it is "adam" (any other value: raise `ValueError`). Then run the
    step above `steps` times, zeroing the gradients at every step.

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
    raise NotImplementedError("left undone: train")
