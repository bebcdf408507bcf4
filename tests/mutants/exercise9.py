"""Planted wrong submissions for exercise9: edits of solutions/exercise9_weight_sharing.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

MIDDLE = "h = self.middle_linear(h).clamp(min=0)"

MUTANTS = [
    Mutant(
        name="deepcopy_per_repeat",
        mistake="forward applies a fresh copy.deepcopy of middle_linear at every repeat.",
        fail=["middle_grad", "shared"],
        diagnosis="layer not shared",
        replace=[(MIDDLE, "h = __import__('copy').deepcopy(self.middle_linear)(h).clamp(min=0)"
                          "  # planted: a copy")],
    ),
    Mutant(
        name="separate_layers",
        mistake="a ModuleList holds middle_linear and two more layers, one per repeat.",
        fail=["shared"],
        message=["middle_layers.1.weight"],
        replace=[
            (
                "        self.output_linear = torch.nn.Linear(h, d_out)\n",
                "        self.output_linear = torch.nn.Linear(h, d_out)\n"
                "        # planted: one layer per repeat instead of one shared layer\n"
                "        self.middle_layers = torch.nn.ModuleList(\n"
                "            [self.middle_linear] + [torch.nn.Linear(h, h) for _ in range(2)])\n",
            ),
            ("        for _ in range(repeats):\n            " + MIDDLE,
             "        for i in range(repeats):\n"
             "            h = self.middle_layers[i](h).clamp(min=0)"),
        ],
    ),
    Mutant(
        name="detach_between_repeats",
        mistake="the activation is detached before each use of middle_linear.",
        fail=["middle_grad"],
        diagnosis="gradient of one use only",
        replace=[(MIDDLE, "h = self.middle_linear(h.detach()).clamp(min=0)  # planted")],
    ),
    Mutant(
        name="off_by_one_repeats",
        mistake="middle_linear is applied repeats + 1 times.",
        fail=["forward"],
        diagnosis="wrong number of repeats",
        replace=[("        for _ in range(repeats):\n",
                  "        for _ in range(repeats + 1):  # planted\n")],
    ),
    Mutant(
        name="no_relu_after_middle",
        mistake="the relu after middle_linear is missing.",
        fail=["forward"],
        diagnosis="missing relu",
        replace=[(MIDDLE, "h = self.middle_linear(h)  # planted: no relu")],
    ),
    Mutant(
        name="middle_without_bias",
        mistake="middle_linear is created with bias=False.",
        fail=["layers"],
        message=["net.middle_linear has no bias"],
        replace=[("torch.nn.Linear(h, h)", "torch.nn.Linear(h, h, bias=False)  # planted")],
    ),
    Mutant(
        name="input_detached",
        mistake="the input layer's activation is detached, cutting input_linear off the graph.",
        fail=["other_grads"],
        message=["input_linear.weight.grad is None"],
        replace=[
            (
                "h = self.input_linear(x).clamp(min=0)",
                "h = self.input_linear(x).clamp(min=0).detach()  # planted",
            ),
        ],
    ),
]
