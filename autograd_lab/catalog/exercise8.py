"""exercise8 · adam · Adam from scratch.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. Inputs,
the oracle (``torch.optim.Adam`` replayed in float64) and the known wrong updates live in
:mod:`autograd_lab.catalog.adam_oracle`. Each step's update (the parameter after the step minus
the parameter before it) is compared, so that a mistake shows at the step where it happens.
"""

from __future__ import annotations

import numpy as np
import torch

from autograd_lab.catalog import adam_oracle, oracles
from autograd_lab.catalog.adam_oracle import parameter_names
from autograd_lab.catalog.base import Check, Exercise, rule, runs, structure, watch
from autograd_lab.catalog.functions import AutogradWatch
from autograd_lab.catalog.rule_watch import GraphWatch, TorchOptimWatch
from autograd_lab.grading.compare import Expect, check_values, summarize
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure
from autograd_lab.grading.tolerance import all_close
from autograd_lab.sandbox.protocol import TensorData

# -- probes (worker side) --------------------------------------------------------------------


def _split(tensors: dict) -> tuple[list, list]:
    names = parameter_names(tensors)
    return [tensors[n] for n in names], [tensors["g" + n[1:]] for n in names]


def _run(optimizer, params, grads, steps) -> list[list]:
    """A training loop without the backward pass: zero_grad, write each p.grad, step."""
    after = []
    for t in range(steps):
        if t:
            optimizer.zero_grad()
        for p, g in zip(params, grads):
            p.grad = g[t].clone()
        optimizer.step()
        after.append([p.detach().clone() for p in params])
    return after


def _meta(params) -> list[dict]:
    return [{"is_leaf": p.is_leaf, "requires_grad": p.requires_grad,
             "grad_fn": None if p.grad_fn is None else type(p.grad_fn).__name__} for p in params]


@runs("Adam(params, lr, betas, eps), zero_grad() and step()")
def probe_steps(m, lr, betas, eps, steps, **tensors):
    params, grads = _split(tensors)
    optimizer = m.Adam(params, lr=lr, betas=tuple(betas), eps=eps)
    after = _run(optimizer, params, grads, steps)
    return {"after": after, "meta": _meta(params)}


@runs("Adam(params), zero_grad() and step()")
def probe_defaults(m, steps, **tensors):
    """Step the same parameters with Adam(params) and with torch's defaults spelled out."""
    params, grads = _split(tensors)
    twins = [p.detach().clone().requires_grad_(True) for p in params]
    spelled = m.Adam(twins, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    return {"default": _run(m.Adam(params), params, grads, steps),
            "spelled": _run(spelled, twins, grads, steps)}


@runs("Adam.zero_grad")
def probe_zero_grad(m, steps, **tensors):
    params, grads = _split(tensors)
    optimizer = m.Adam(params)
    optimizer.zero_grad()  # before any gradient exists: every p.grad is None
    none_kept = [p.grad is None for p in params]
    for p, g in zip(params, grads):
        p.grad = g[0].clone()
    optimizer.zero_grad()
    return {"grads": [p.grad for p in params], "none_kept": none_kept}


@runs("Adam(params, lr, betas, eps), zero_grad() and step()")
def probe_rules(m, lr, betas, eps, steps, **tensors):
    """Run Adam under watch: graphs built, backward passes, torch.optim used."""
    params, grads = _split(tensors)
    graphs = GraphWatch(m.__file__)
    with AutogradWatch() as autograd, TorchOptimWatch() as optim, graphs:
        optimizer = m.Adam(params, lr=lr, betas=tuple(betas), eps=eps)
        _run(optimizer, params, grads, steps)
    used = list(optim.used)
    if isinstance(optimizer, torch.optim.Optimizer):
        used.append(f"your Adam is a subclass of {type(optimizer).__mro__[1].__qualname__}, "
                    "a torch.optim.Optimizer")
    return {"graphs": graphs.found, "passes": autograd.passes, "optim": used,
            "meta": _meta(params)}


# -- checks (grading side) -------------------------------------------------------------------


def _hyper_line(case: dict) -> str:
    lr, betas, eps = adam_oracle.hyperparameters(case)
    return (f"compared with torch.optim.Adam(params, lr={lr:g}, betas={betas}, eps={eps:g}), run "
            "on the same gradients in float64")


def _compare_updates(session, case: dict, after) -> None:
    """Compare each step's update of each parameter with torch.optim.Adam's."""
    names = parameter_names(case)
    expected = adam_oracle.torch_updates(case)
    wrong = adam_oracle.wrong_updates(case)
    before = [oracles.rounded(case[name]) for name in names]
    for t in range(case["steps"]):
        now = []
        for i, name in enumerate(names):
            got = after[t][i]
            if not isinstance(got, TensorData):
                raise CheckFailure(f"after step {t + 1}, {name} is no longer a tensor")
            values = got.values.astype(np.float64)
            now.append(values)
            what = (f"the change step {t + 1} made to {name}" if case["steps"] > 1
                    else f"the change step() made to {name}")
            expect = Expect(expected[t][i], dtype=case[name].dtype, device=session.device,
                            alternatives=tuple(wrong[t][i]))
            try:
                check_values(what + " (p after minus p before)", values - before[i], expect,
                             got.device)
            except CheckFailure as exc:
                exc.failure.details.append(f"{name} before step {t + 1}: {summarize(before[i])}")
                exc.failure.details.append(_hyper_line(case))
                raise
        before = now


def _steps_check(min_steps: int, max_steps: int, max_examples: int | None = None):
    def run(session):
        def body(case):
            _compare_updates(session, case, session.call(probe_steps, **case)["after"])

        return find_failure(adam_oracle.cases(min_steps=min_steps, max_steps=max_steps), body,
                            adam_oracle.edge_cases(max_steps), max_examples=max_examples)

    return run


DEFAULTS_HINT = ("give __init__ torch.optim.Adam's defaults: lr=1e-3, betas=(0.9, 0.999), "
                 "eps=1e-8")


def _wrong_default_lr(expected: np.ndarray) -> list[tuple[Diagnosis, np.ndarray]]:
    """Adam's update is proportional to lr: a wrong default lr scales every update."""
    return [(Diagnosis("wrong default lr", f"your Adam(params) moves the parameters as "
                       f"lr={lr:g} would; torch's default is 0.001", DEFAULTS_HINT),
             expected * (lr / adam_oracle.DEFAULTS["lr"])) for lr in (1e-2, 1e-4, 0.1, 1.0, 3e-4)]


def check_defaults(session):
    """Adam(params) against the student's own Adam with torch's defaults spelled out.

    Comparing the student's code with itself keeps this check about the defaults alone: a
    mistake in the arithmetic costs the points of the step checks, not these too.
    """

    def body(case):
        got = session.call(probe_defaults, **case)
        names = parameter_names(case)
        before = spelled_before = [oracles.rounded(case[name]) for name in names]
        for t in range(case["steps"]):
            default = [p.values.astype(np.float64) for p in got["default"][t]]
            spelled = [p.values.astype(np.float64) for p in got["spelled"][t]]
            for i, name in enumerate(names):
                expected = spelled[i] - spelled_before[i]
                expect = Expect(expected, dtype=case[name].dtype, device=session.device,
                                alternatives=tuple(_wrong_default_lr(expected)))
                try:
                    check_values(f"the change step {t + 1} of Adam(params) made to {name}",
                                 default[i] - before[i], expect, got["default"][t][i].device)
                except CheckFailure as exc:
                    exc.failure.details.append(
                        "compared with your own Adam(params, lr=1e-3, betas=(0.9, 0.999), "
                        "eps=1e-8) on the same parameters and gradients")
                    if exc.failure.diagnosis is None:
                        exc.failure.details.append(DEFAULTS_HINT)
                    raise
            before, spelled_before = default, spelled

    return find_failure(adam_oracle.cases(min_steps=2, max_steps=3, dtypes=("float64",),
                                          hyperparameters=False),
                        body, adam_oracle.edge_cases(3, hyperparameters=False)[3:],
                        max_examples=5)


def check_zero_grad(session):
    def body(case):
        try:
            got = session.call(probe_zero_grad, **case)
        except CheckFailure as exc:
            if "NoneType" in exc.failure.summary:
                exc.failure.details.append(
                    "zero_grad() was called before any gradient existed, when every p.grad is "
                    "None: leave those alone (`if p.grad is not None: ...`), or set "
                    "`p.grad = None` for every parameter")
            raise
        for name, grad, kept in zip(parameter_names(case), got["grads"], got["none_kept"]):
            if not kept:
                raise CheckFailure(f"zero_grad() gave {name} a gradient where it had none",
                                   ["a p.grad that is None must stay None"])
            if grad is None:
                continue
            if not isinstance(grad, TensorData) or np.any(grad.values != 0):
                shown = summarize(grad.values) if isinstance(grad, TensorData) else repr(grad)
                raise CheckFailure(
                    f"after zero_grad(), {name}.grad is not cleared: it holds {shown}",
                    ["set `p.grad = None` (torch's default) or zero it in place with "
                     "`p.grad.zero_()`; `grad = p.grad; grad = None` only rebinds a local name"])

    return find_failure(adam_oracle.cases(min_steps=1, max_steps=1, hyperparameters=False), body,
                        adam_oracle.edge_cases(1, hyperparameters=False)[1:3], max_examples=4)


def check_in_place(session):
    def body(case):
        got = session.call(probe_steps, **case)
        expected = adam_oracle.torch_updates(case)
        for i, name in enumerate(parameter_names(case)):
            given, after, meta = case[name], got["after"][0][i], got["meta"][i]
            problems = []
            if after.dtype != given.dtype:
                problems.append(f"its dtype changed from {given.dtype} to {after.dtype}")
            if after.device.split(":")[0] != session.device:
                problems.append(f"it moved from {session.device} to {after.device}")
            if after.shape != given.values.shape:
                problems.append(f"its shape changed from {given.values.shape} to {after.shape}")
            if not meta["requires_grad"]:
                problems.append("it no longer requires grad")
            if problems:
                raise CheckFailure(f"step() changed what {name} is, not only its values", problems
                                   + ["update the values only: `p -= ...` under torch.no_grad()"])
            unchanged = np.array_equal(after.values.astype(np.float64), oracles.rounded(given))
            if unchanged and not all_close(expected[0][i], np.zeros_like(expected[0][i]),
                                           given.dtype):
                raise CheckFailure(
                    f"step() did not change the tensor {name} that was given to Adam",
                    [f"torch.optim.Adam moves it by {summarize(expected[0][i])}"],
                    adam_oracle.NOT_UPDATED)

    return find_failure(adam_oracle.cases(min_steps=1, max_steps=2), body,
                        adam_oracle.edge_cases(2)[2:3], max_examples=4)


USED_AUTOGRAD = Diagnosis(
    "autograd used",
    "step() let autograd record its arithmetic on the parameters",
    "an optimizer's arithmetic is not part of the model: run step() under `with torch.no_grad():` "
    "and update in place (`p -= ...`), or work on `p.data`; `p.data = p - ...` still records "
    "`p - ...` in a graph")


def check_no_autograd(session):
    def body(case):
        got = session.call(probe_rules, **case)
        problems = []
        if got["graphs"]:
            problems.append("operations recorded by autograd (their results have a grad_fn): "
                            + ", ".join(got["graphs"]))
        if got["passes"]:
            problems.append(f"backward passes run: {got['passes']}")
        for name, meta in zip(parameter_names(case), got["meta"]):
            if not meta["is_leaf"] or meta["grad_fn"]:
                problems.append(f"{name} is no longer a leaf (grad_fn {meta['grad_fn']})")
        if problems:
            raise CheckFailure("Adam used autograd", problems, USED_AUTOGRAD)

    return find_failure(adam_oracle.cases(min_steps=2, max_steps=3), body,
                        adam_oracle.edge_cases(2)[4:], max_examples=3)


def check_no_torch_optim(session):
    def body(case):
        used = session.call(probe_rules, **case)["optim"]
        if used:
            raise CheckFailure("Adam used torch.optim", used + [
                "write the update yourself in a plain class (`class Adam:`), keeping m and v "
                "for each parameter: no torch.optim.Adam, no subclass of torch.optim.Optimizer"])

    return find_failure(adam_oracle.cases(min_steps=2, max_steps=2), body,
                        adam_oracle.edge_cases(2)[4:], max_examples=2)


STEP = watch("Adam.step", "one_step", "several_steps")

EXERCISE = Exercise(
    number=8,
    slug="adam",
    title="Adam from scratch",
    idea="an optimizer reads p.grad and updates parameters in place, outside the graph",
    filename="exercise8_adam.py",
    checks=(
        Check("one_step", "one step() moves every parameter as torch.optim.Adam does (drawn lr, "
              "betas, eps; several parameters of different shapes)", 2,
              _steps_check(1, 1, max_examples=10)),
        Check("several_steps", "3 to 6 steps, zero_grad() between them: every step moves every "
              "parameter as torch.optim.Adam does", 3, _steps_check(3, 6)),
        structure("defaults", "Adam(params) has torch's defaults: lr=1e-3, betas=(0.9, 0.999), "
                  "eps=1e-8", 1, check_defaults, STEP),
        Check("zero_grad", "zero_grad() clears every parameter's gradient (None or zeros)", 1,
              check_zero_grad),
        structure("in_place", "step() updates the very tensors given to Adam, in place, keeping "
                  "their dtype, device and requires_grad", 1, check_in_place, STEP),
        rule("no_autograd", "step() builds no graph: nothing it computes has a grad_fn, the "
             "parameters stay leaves, no backward pass", 1, check_no_autograd, STEP, voids=True),
        rule("no_torch_optim", "torch.optim is not used", 1, check_no_torch_optim, STEP,
             voids=True),
    ),
)
