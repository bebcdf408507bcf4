"""Planted wrong submissions for exercise7: edits of solutions/exercise7_module_training.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

_INIT = """        self.linear1 = torch.nn.Linear(d_in, h)
        self.linear2 = torch.nn.Linear(h, d_out)"""
_FORWARD = "return self.linear2(torch.relu(self.linear1(x)))"
_ZERO_GRAD = "        opt.zero_grad()\n"
_RECORD = "        losses.append(loss.item())\n"
_STEP = "        opt.step()\n"

MUTANTS = [
    Mutant(
        name="plain_tensors",
        mistake="TwoLayerNet keeps its weights in plain tensors, which are not registered.",
        fail=["parameters"],
        diagnosis="parameters not registered",
        message=["self.w1"],
        replace=[
            (_INIT, "        # planted: plain tensors, not registered\n"
                    "        self.w1 = torch.randn(h, d_in, requires_grad=True)\n"
                    "        self.b1 = torch.zeros(h, requires_grad=True)\n"
                    "        self.w2 = torch.randn(d_out, h, requires_grad=True)\n"
                    "        self.b2 = torch.zeros(d_out, requires_grad=True)"),
            (_FORWARD, "return torch.relu(x @ self.w1.T + self.b1) @ self.w2.T + self.b2"),
        ],
    ),
    Mutant(
        name="layers_in_a_list",
        mistake="TwoLayerNet keeps its layers in a Python list, where nn.Module never looks.",
        fail=["parameters"],
        diagnosis="parameters not registered",
        message=["self.layers"],
        replace=[
            (_INIT, "        # planted: a plain list, not nn.ModuleList\n"
                    "        self.layers = [torch.nn.Linear(d_in, h), torch.nn.Linear(h, d_out)]"),
            (_FORWARD, "return self.layers[1](torch.relu(self.layers[0](x)))"),
        ],
    ),
    Mutant(
        name="no_bias",
        mistake="TwoLayerNet builds its layers with bias=False.",
        fail=["parameters"],
        diagnosis="missing bias",
        message=["linear1.bias"],
        replace=[
            ("torch.nn.Linear(d_in, h)\n", "torch.nn.Linear(d_in, h, bias=False)  # planted\n"),
            ("torch.nn.Linear(h, d_out)\n", "torch.nn.Linear(h, d_out, bias=False)  # planted\n"),
        ],
    ),
    Mutant(
        name="swapped_widths",
        mistake="TwoLayerNet's first layer is built as Linear(h, d_in), its arguments swapped.",
        fail=["parameters"],
        message=["out_features"],
        replace=[("torch.nn.Linear(d_in, h)\n", "torch.nn.Linear(h, d_in)  # planted: swapped\n")],
    ),
    Mutant(
        name="forward_without_relu",
        mistake="forward leaves the ReLU out.",
        fail=["forward"],
        diagnosis="ReLU missing",
        replace=[(_FORWARD, "return self.linear2(self.linear1(x))  # planted: no activation")],
    ),
    Mutant(
        name="forward_relu_on_output",
        mistake="forward applies a ReLU to the output as well.",
        fail=["forward"],
        diagnosis="ReLU on the output",
        replace=[(_FORWARD, "return torch.relu(self.linear2(torch.relu(self.linear1(x))))")],
    ),
    Mutant(
        name="forward_detached",
        mistake="forward returns a detached output, so no gradient reaches the parameters.",
        fail=["forward"],
        message=["does not require grad"],
        replace=[(_FORWARD, "return self.linear2(torch.relu(self.linear1(x))).detach()")],
    ),
    Mutant(
        name="train_no_zero_grad",
        mistake="train never zeroes the gradients, so they accumulate over the steps.",
        fail=["train_sgd", "train_adam"],
        diagnosis="gradients accumulated (no zero_grad)",
        replace=[(_ZERO_GRAD, "        # planted: no opt.zero_grad()\n")],
    ),
    Mutant(
        name="train_loss_after_update",
        mistake="train records each step's loss after the update, recomputed.",
        fail=["train_sgd", "train_adam"],
        diagnosis="loss recorded after the update",
        replace=[
            (_RECORD, ""),
            (_STEP, _STEP + "        losses.append(loss_fn(model(x), y).item())  # planted\n"),
        ],
    ),
    Mutant(
        name="train_always_sgd",
        mistake="train ignores the optimizer argument and always uses SGD.",
        fail=["train_adam"],
        diagnosis="wrong optimizer",
        replace=[('    if optimizer == "sgd":', '    if True:  # planted: always SGD')],
    ),
    Mutant(
        name="train_mean_loss",
        mistake="train uses MSELoss's default reduction, the mean.",
        fail=["train_sgd", "train_adam"],
        diagnosis="mean instead of sum",
        replace=[('    loss_fn = torch.nn.MSELoss(reduction="sum")\n',
                  "    loss_fn = torch.nn.MSELoss()  # planted: the default, mean\n")],
    ),
    Mutant(
        name="train_ignores_learning_rate",
        mistake="train builds the optimizers without lr=, so they use torch's default.",
        fail=["train_sgd", "train_adam"],
        diagnosis="learning rate ignored",
        replace=[
            ("torch.optim.SGD(model.parameters(), lr=learning_rate)",
             "torch.optim.SGD(model.parameters())  # planted: default lr"),
            ("torch.optim.Adam(model.parameters(), lr=learning_rate)",
             "torch.optim.Adam(model.parameters())  # planted: default lr"),
        ],
    ),
    Mutant(
        name="train_returns_tensors",
        mistake="train records the loss tensors themselves, not floats.",
        fail=["train_sgd", "train_adam"],
        message=["list of tensors"],
        replace=[(_RECORD, "        losses.append(loss)  # planted: a tensor, graph and all\n")],
    ),
    Mutant(
        name="train_on_a_copy",
        mistake="train trains a copy of the model, leaving the caller's model as it was.",
        fail=["train_sgd", "train_adam"],
        message=["did not change", "computed with another model"],
        replace=[
            ('    loss_fn = torch.nn.MSELoss(reduction="sum")\n',
             '    import copy\n\n'
             "    model = copy.deepcopy(model)  # planted: not the caller's model\n"
             '    loss_fn = torch.nn.MSELoss(reduction="sum")\n'),
        ],
    ),
    Mutant(
        name="train_zero_grad_before_step",
        mistake="train clears the gradients between backward and step, so no step moves.",
        fail=["train_sgd", "train_adam"],
        message=["its .grad is None after train", "in this order"],
        replace=[
            ("        loss.backward()\n        opt.step()\n",
             "        loss.backward()\n        opt.zero_grad()  # planted: clears them\n"
             "        opt.step()\n"),
        ],
    ),
]
