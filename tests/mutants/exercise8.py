"""Planted wrong submissions for exercise8: edits of solutions/exercise8_adam.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

UPDATE = "p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)"

MUTANTS = [
    Mutant(
        name="no_bias_correction",
        mistake="m and v are used as they are, without dividing by (1 - beta ** t).",
        fail=["one_step", "several_steps"],
        diagnosis="missing bias correction",
        replace=[
            ("m_hat = m / bias1", "m_hat = m  # planted: no bias correction"),
            ("v_hat = v / bias2", "v_hat = v  # planted: no bias correction"),
        ],
    ),
    Mutant(
        name="eps_inside_sqrt",
        mistake="eps is added under the square root: sqrt(v_hat + eps).",
        fail=["one_step", "several_steps"],
        diagnosis="eps inside the square root",
        replace=[(UPDATE, "p -= self.lr * m_hat / (v_hat + self.eps).sqrt()  # planted")],
    ),
    Mutant(
        name="step_count_frozen",
        mistake="the step count is set to 1 at every step instead of counting up.",
        fail=["several_steps"],
        diagnosis="step count not advancing",
        replace=[("self.t += 1", "self.t = 1  # planted: never counts past 1")],
    ),
    Mutant(
        name="moments_reset",
        mistake="m and v are created anew at every step, so they forget earlier gradients.",
        fail=["several_steps"],
        diagnosis="moments not kept between steps",
        replace=[
            (
                "            for p, m, v in zip(self.params, self.m, self.v):\n",
                "            for p in self.params:  # planted: fresh moments every step\n"
                "                m, v = torch.zeros_like(p), torch.zeros_like(p)\n",
            ),
        ],
    ),
    Mutant(
        name="gradient_ascent",
        mistake="the update is added instead of subtracted.",
        fail=["one_step", "several_steps"],
        diagnosis="sign flipped",
        replace=[(UPDATE, UPDATE.replace("p -=", "p +=") + "  # planted: ascent")],
    ),
    Mutant(
        name="rebinds_parameter",
        mistake="the update rebinds the loop variable (p = p - ...) instead of updating p.",
        fail=["in_place", "one_step"],
        diagnosis="parameters not updated",
        replace=[(UPDATE, UPDATE.replace("p -= ", "p = p - ") + "  # planted: rebinds p")],
    ),
    Mutant(
        name="default_lr",
        mistake="the default learning rate is 1e-2, not torch's 1e-3.",
        fail=["defaults"],
        diagnosis="wrong default lr",
        replace=[("lr: float = 1e-3,", "lr: float = 1e-2,  # planted: not torch's default")],
    ),
    Mutant(
        name="zero_grad_rebinds",
        mistake="zero_grad rebinds a local name instead of clearing p.grad.",
        fail=["zero_grad"],
        message=["is not cleared"],
        replace=[
            (
                "        for p in self.params:\n            p.grad = None\n",
                "        for p in self.params:\n            grad = p.grad\n"
                "            grad = None  # planted: p.grad is untouched\n",
            ),
        ],
    ),
    Mutant(
        name="zero_grad_of_none",
        mistake="zero_grad zeroes every p.grad in place, even a None one.",
        fail=["zero_grad"],
        message=["NoneType", "if p.grad is not None"],
        replace=[("            p.grad = None\n", "            p.grad.zero_()  # planted\n")],
    ),
    Mutant(
        name="update_records_graph",
        mistake="step() runs outside torch.no_grad() and sets p.data = p - ..., building a graph.",
        fail=["no_autograd"],
        diagnosis="autograd used",
        message=["SubBackward0 (line"],
        replace=[
            (
                "        with torch.no_grad():\n            for p, m, v in zip(",
                "        if True:  # planted: no torch.no_grad()\n            for p, m, v in zip(",
            ),
            (UPDATE, UPDATE.replace("p -= ", "p.data = p - ") + "  # planted: records p - ..."),
        ],
    ),
    Mutant(
        name="wraps_torch_adam",
        mistake="Adam hands the work to a torch.optim.Adam it keeps inside.",
        fail=["no_torch_optim"],
        message=["torch.optim.Optimizer"],
        replace=[
            (
                "        self.t = 0\n",
                "        self.t = 0\n        self._torch = torch.optim.Adam(self.params, lr=lr, "
                "betas=betas, eps=eps)  # planted\n",
            ),
            ("        self.t += 1\n", "        return self._torch.step()  # planted\n"),
        ],
    ),
]
