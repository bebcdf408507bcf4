"""exercise7's checks of ``train``: a student's training loop against torch.optim, step by step.

``train`` is graded on the grader's own TwoLayerNet (:class:`training.ReferenceNet`), so that a
mistake in the student's module costs the module's points only. The probe loads the case's
initial parameters into it; the grading process replays the same training with
``torch.nn.Linear``, ``torch.nn.MSELoss(reduction="sum")`` and ``torch.optim`` from the same
parameters, and compares the losses and the trained parameters. When they differ, replays of
known mistakes (no ``zero_grad``, the loss recorded after the update, the other optimizer, the
mean loss, the default learning rate) name the one that explains the numbers.

Training runs in float64 (the reference model is moved to float64 and the inputs are float64),
on the session's device: the student's trajectory and torch's then agree to float64's tolerance,
where in float32 Adam's normalised steps and rounding would leave differences close to those a
forgotten ``zero_grad`` makes in a few small steps.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, training
from autograd_lab.catalog.base import runs
from autograd_lab.catalog.network_checks import LOSS_AFTER_UPDATE
from autograd_lab.grading.compare import Expect, check_tensor, check_values
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure
from autograd_lab.grading.tolerance import all_close
from autograd_lab.sandbox.protocol import TensorData

# Small, so that float64 trajectories stay well-conditioned; SGD's is not torch's default
# (1e-3), so that an optimizer built without `lr=` shows.
LEARNING_RATES = {"sgd": 2e-3, "adam": 1e-2}

# -- probes (worker side) --------------------------------------------------------------------


@runs("train")
def probe_train(m, x, y, d_in, h, d_out, learning_rate, steps, optimizer=None, **params):
    """Train the grader's own TwoLayerNet (float64, on x's device) with the student's train."""
    model = training.ReferenceNet(d_in, h, d_out).to(device=x.device, dtype=torch.float64)
    named = dict(model.named_parameters())
    training.load(named, params)
    chosen = {} if optimizer is None else {"optimizer": optimizer}
    # Count the gradients computed for these very parameters (a copy of the model, which
    # does not carry the hooks, counts none): where one did not move, they tell why.
    reached = dict.fromkeys(named, 0)
    hooks = [p.register_hook(lambda grad, name=name: reached.__setitem__(name, reached[name] + 1))
             for name, p in named.items()]
    try:
        losses = m.train(model, x, y, learning_rate, steps, **chosen)
    finally:
        for hook in hooks:
            hook.remove()
    return {"losses": losses, "final": {name: p.detach() for name, p in named.items()},
            "grads": {name: p.grad for name, p in named.items()}, "reached": reached}


# -- checks (grading side) -------------------------------------------------------------------

ACCUMULATED = Diagnosis(
    "gradients accumulated (no zero_grad)",
    "your numbers are those of training without zeroing the gradients: each step used the sum "
    "of all the gradients so far",
    "`loss.backward()` ADDS into every `p.grad`: call `optimizer.zero_grad()` at the start of "
    "every step, before the backward pass",
)
MEAN_LOSS = Diagnosis(
    "mean instead of sum",
    "your numbers are those of MSELoss(reduction='mean')",
    "the loss is the SUM of the squared errors: `torch.nn.MSELoss(reduction=\"sum\")` (the "
    "default reduction is 'mean')",
)
_OPTIMIZER_NAMES = {"sgd": "torch.optim.SGD", "adam": "torch.optim.Adam"}


def _wrong_optimizer(asked: str, used: str) -> Diagnosis:
    names = _OPTIMIZER_NAMES
    return Diagnosis("wrong optimizer",
                     f"your numbers are those of {names[used]} where optimizer={asked!r} asked "
                     f"for {names[asked]}",
                     f"build `{names[asked]}(model.parameters(), lr=learning_rate)` when "
                     f"optimizer == {asked!r}")


def _lr_ignored(optimizer: str, default: float) -> Diagnosis:
    return Diagnosis("learning rate ignored",
                     f"your numbers are those of training with the optimizer's default lr "
                     f"({default:g}), not learning_rate",
                     f"pass it on: `{_OPTIMIZER_NAMES[optimizer]}(model.parameters(), "
                     "lr=learning_rate)`")


def _losses(got, steps: int) -> np.ndarray:
    if not isinstance(got, list):
        raise CheckFailure(f"train returned {_kind(got)}, expected a list of {steps} float(s)")
    if any(isinstance(value, TensorData) for value in got):
        raise CheckFailure("train returned a list of tensors, expected Python floats",
                           ["record `loss.item()`: a number, with no graph attached (keeping "
                            "`loss` itself keeps every step's graph alive)"])
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in got):
        raise CheckFailure("train must return a list of Python floats (`loss.item()` for each "
                           "step)")
    if len(got) != steps:
        raise CheckFailure(f"train returned {len(got)} loss(es) for {steps} step(s)",
                           ["record one loss per step, before the step's update"])
    return np.asarray(got, dtype=np.float64)


def _kind(value) -> str:
    return "None" if value is None else f"a value of type {type(value).__name__}"


def _final_values(got) -> dict[str, np.ndarray] | None:
    final = got.get("final")
    if not isinstance(final, dict) or not all(
            isinstance(final.get(name), TensorData) for name in training.NAMES):
        return None
    return {name: final[name].values.astype(np.float64) for name in training.NAMES}


def _not_moved(name: str, got) -> CheckFailure:
    """model.<name> still holds its initial values where torch's training moves it: say why,
    from what the model's parameters hold after train."""
    grad = (got.get("grads") or {}).get(name)
    reached = (got.get("reached") or {}).get(name)
    if not reached:
        return CheckFailure(
            f"model.{name} did not change: train must update the model it is given",
            [f"no backward pass computed a gradient for this model's {name}: the loss was "
             "computed with another model (a copy, a new one)",
             "compute the loss with `model(x)` itself, build the optimizer over that very "
             "model's `model.parameters()`, and call `optimizer.step()` every step"])
    if grad is None or (isinstance(grad, TensorData) and not np.any(grad.values)):
        held = "None" if grad is None else "all zeros"
        return CheckFailure(
            f"model.{name} did not change, and its .grad is {held} after train",
            ["the step had no gradient to take: the gradients were cleared between "
             "`loss.backward()` and `optimizer.step()`, or never computed",
             "each step runs, in this order: `optimizer.zero_grad()`, the forward pass and the "
             "loss, `loss.backward()`, `optimizer.step()`"])
    return CheckFailure(
        f"model.{name} did not change: train must update the model it is given",
        [f"backward passes computed model.{name}.grad, and it holds a gradient after train, "
         "but no step applied it",
         "build the optimizer over `model.parameters()` of that very model (not a copy, not a "
         "new model) and call `optimizer.step()` every step"])


def _alternatives(case, optimizer: str, learning_rate: float, steps: int):
    """Known wrong trainings: ``(diagnosis, losses, final parameters or None)``."""
    other = "adam" if optimizer == "sgd" else "sgd"
    found = [(ACCUMULATED, *training.replay(case, optimizer, learning_rate, steps,
                                            zero_grad=False))]
    shifted = training.replay(case, optimizer, learning_rate, steps + 1)[0][1:]
    found.append((LOSS_AFTER_UPDATE, shifted, None))
    found.append((_wrong_optimizer(optimizer, other),
                  *training.replay(case, other, learning_rate, steps)))
    found.append((MEAN_LOSS, *training.replay(case, optimizer, learning_rate, steps,
                                              reduction="mean")))
    default = training.default_learning_rate(optimizer)
    if default is not None and default != learning_rate:
        found.append((_lr_ignored(optimizer, default),
                      *training.replay(case, optimizer, default, steps)))
    return found


def train_check(optimizer: str):
    """The check of ``train(..., optimizer=optimizer)``: the losses and the trained parameters."""
    learning_rate = LEARNING_RATES[optimizer]

    def run(session):
        def body(case):
            steps = case["steps"]
            got = session.call(probe_train, **case)
            losses = _losses(got["losses"], steps)
            expected, final = training.replay(case, optimizer, learning_rate, steps)
            values = _final_values(got)
            if values is not None and all_close(losses, expected, "float64") and all(
                    all_close(values[name], final[name], "float64") for name in training.NAMES):
                return
            wrong = _alternatives(case, optimizer, learning_rate, steps)
            check_values(f"the losses of {steps} step(s)", losses,
                         Expect(expected, dtype="float64", device=None,
                                alternatives=tuple((d, trail) for d, trail, _ in wrong)))
            for name in training.NAMES:
                before = oracles.rounded(case[name])
                after = got["final"][name]
                if (isinstance(after, TensorData) and np.array_equal(after.values, before)
                        and not np.array_equal(final[name], before)):
                    raise _not_moved(name, got)
                check_tensor(f"model.{name} after {steps} step(s)", after,
                             Expect(final[name], dtype="float64", device=session.device,
                                    alternatives=tuple((d, p[name]) for d, _, p in wrong
                                                       if p is not None)))

        fixed = {"learning_rate": learning_rate, "steps": 3, "optimizer": optimizer}
        edges = [(label, {**case, **fixed})
                 for label, case in training.edge_cases(with_y=True, large=False)]
        if optimizer == "sgd":
            typical = dict(edges)["a typical case"]
            edges.append(("optimizer left to its default", {
                k: v for k, v in typical.items() if k != "optimizer"}))
        return find_failure(_train_cases(optimizer, learning_rate), body, edges, max_examples=10)

    return run


@st.composite
def _train_cases(draw, optimizer: str, learning_rate: float):
    case = draw(training.cases(dtypes=("float64",), with_y=True))
    case.update(learning_rate=learning_rate, steps=draw(st.integers(1, 4)), optimizer=optimizer)
    return case
