"""exercise7 · module_training · nn.Module, loss and optimizer.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. The inputs
and the oracle (``torch.nn.Linear`` in float64) live in :mod:`autograd_lab.catalog.training`;
the checks of ``train`` in :mod:`autograd_lab.catalog.train_checks`.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, train_checks, training
from autograd_lab.catalog.base import Check, Exercise, runs, structure, watch
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure

# -- probes (worker side) --------------------------------------------------------------------


def _unregistered(model) -> list[str]:
    """Attributes holding tensors or modules that nn.Module did not register."""
    found = []
    for name, value in getattr(model, "__dict__", {}).items():
        if name.startswith("_"):
            continue
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, torch.Tensor) or (isinstance(value, (list, tuple)) and any(
                isinstance(item, (torch.Tensor, torch.nn.Module)) for item in value)):
            found.append(name)
    return found


def _structure(model) -> dict:
    linear = {name: isinstance(getattr(model, name, None), torch.nn.Linear)
              for name in ("linear1", "linear2")}
    return {"is_module": isinstance(model, torch.nn.Module), "type": type(model).__name__,
            "parameters": [[name, list(p.shape)] for name, p in model.named_parameters()]
            if isinstance(model, torch.nn.Module) else [],
            "unregistered": _unregistered(model), "linear": linear}


@runs("TwoLayerNet(d_in, h, d_out)")
def probe_parameters(m, d_in, h, d_out):
    return _structure(m.TwoLayerNet(d_in, h, d_out))


@runs("TwoLayerNet and its forward")
def probe_forward(m, x, d_in, h, d_out, **params):
    """Build the student's model on x's device and dtype, load ``params`` if given, run it."""
    model = m.TwoLayerNet(d_in, h, d_out)
    found = _structure(model)
    shapes = training.parameter_shapes(d_in, h, d_out)
    if not found["is_module"] or {n: tuple(s) for n, s in found["parameters"]} != shapes:
        return found
    model = model.to(device=x.device, dtype=x.dtype)
    named = dict(model.named_parameters())
    training.load(named, params)
    found["values"] = {name: p.detach().clone() for name, p in named.items()}
    found["y"] = y = model(x)
    found["grads"] = None
    if isinstance(y, torch.Tensor) and y.requires_grad:
        y.sum().backward()
        found["grads"] = {name: p.grad for name, p in named.items()}
    return found


# -- checks (grading side) -------------------------------------------------------------------

NOT_REGISTERED = Diagnosis(
    "parameters not registered",
    "TwoLayerNet keeps tensors or layers where nn.Module does not look: only nn.Parameter and "
    "nn.Module attributes are registered, so model.parameters() misses them and an optimizer "
    "would never update them",
    "assign the layers as attributes: `self.linear1 = torch.nn.Linear(d_in, h)` and "
    "`self.linear2 = torch.nn.Linear(h, d_out)` (not plain tensors, not a Python list)",
)
MISSING_BIAS = Diagnosis(
    "missing bias",
    "every weight is there, but a bias is not",
    "nn.Linear has a bias unless you pass `bias=False`: leave it out",
)


def _module_or_fail(got) -> None:
    if not got["is_module"]:
        raise CheckFailure(f"TwoLayerNet(d_in, h, d_out) is a {got['type']}, not a "
                           "torch.nn.Module",
                           ["declare `class TwoLayerNet(torch.nn.Module)` and call "
                            "`super().__init__()` first in `__init__`"])


def _parameters_failure(got, case) -> CheckFailure | None:
    expected = training.parameter_shapes(case["d_in"], case["h"], case["d_out"])
    found = {name: tuple(shape) for name, shape in got["parameters"]}
    details = [f"expected: {training.listing(expected)}",
               f"got:      {training.listing(found) or 'no parameters at all'}"]
    if found != expected:
        missing = [name for name in expected if name not in found]
        if got["unregistered"]:
            names = ", ".join(f"self.{name}" for name in got["unregistered"])
            return CheckFailure(f"TwoLayerNet's named_parameters() are not the ones asked for: "
                                f"{names} not registered", details, NOT_REGISTERED)
        if missing and all(n.endswith(".bias") for n in missing) and len(found) + len(
                missing) == len(expected):
            return CheckFailure(f"TwoLayerNet has no {' and no '.join(missing)}", details,
                                MISSING_BIAS)
        return CheckFailure("TwoLayerNet's named_parameters() are not the ones asked for",
                            details + ["nn.Linear(in_features, out_features) holds a weight of "
                                       "shape (out_features, in_features) and a bias of shape "
                                       "(out_features,)"])
    not_linear = [name for name, ok in got["linear"].items() if not ok]
    if not_linear:
        return CheckFailure(f"{' and '.join(f'model.{n}' for n in not_linear)} must be "
                            "torch.nn.Linear", ["use `torch.nn.Linear(...)` itself"])
    return None


def check_parameters(session):
    def body(case):
        got = session.call(probe_parameters, **case)
        _module_or_fail(got)
        failure = _parameters_failure(got, case)
        if failure is not None:
            raise failure

    edges = [("one unit everywhere", {"d_in": 1, "h": 1, "d_out": 1}),
             ("three different widths", {"d_in": 3, "h": 5, "d_out": 2})]
    dims = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 3)).map(
        lambda t: {"d_in": t[0], "h": t[1], "d_out": t[2]})
    return find_failure(dims, body, edges, max_examples=3)


NO_RELU = Diagnosis(
    "ReLU missing",
    "your output is linear2(linear1(x)): the network without its activation",
    "apply the ReLU between the layers: `self.linear2(torch.relu(self.linear1(x)))`",
)
RELU_ON_OUTPUT = Diagnosis(
    "ReLU on the output",
    "your output is relu(linear2(relu(linear1(x)))): negative outputs are cut to 0",
    "the ReLU goes between the layers only; the output layer is linear",
)


def check_forward(session):
    def body(case):
        got = session.call(probe_forward, **case)
        _module_or_fail(got)
        if "y" not in got:
            failure = _parameters_failure(got, case)
            raise CheckFailure("the forward pass cannot be compared with torch's: "
                               f"{failure.failure.summary if failure else 'no parameters'}",
                               (failure.failure.details if failure else [])
                               + ["see the check `parameters`"])
        given = all(name in case for name in training.NAMES)
        params = {name: oracles.rounded(case[name]) if given
                  else got["values"][name].values.astype(np.float64) for name in training.NAMES}
        # The student's own initial parameters are never a key of remembered answers.
        forward = training.forward if given else training.forward.compute
        x, dtype = case["x"], case["x"].dtype
        y, grads = forward(x, params)
        _, clamp_grads = forward(x, params, kink_slope=1.0)
        wrong = [(diagnosis, *forward(x, params, variant=variant))
                 for diagnosis, variant in ((NO_RELU, "no_relu"),
                                            (RELU_ON_OUTPUT, "relu_on_output"))]
        check_tensor("model(x)", got["y"],
                     Expect(y, dtype=dtype, device=session.device,
                            alternatives=tuple((d, values) for d, values, _ in wrong)))
        if got["grads"] is None:
            raise CheckFailure("model(x) does not require grad: forward cut the graph",
                               ["no `torch.no_grad()`, `.detach()`, `.data` or `.item()` in "
                                "forward: the output must be connected to every parameter"])
        for name in training.NAMES:
            grad = got["grads"][name]
            if grad is None:
                raise CheckFailure(f"model.{name}.grad is None after model(x).sum().backward()",
                                   [f"forward does not use {name} through the graph: call "
                                    "the layers themselves (`self.linear1(x)`)"])
            check_tensor(f"the gradient of model(x).sum() with respect to {name}", grad,
                         Expect(grads[name], dtype=dtype, device=session.device,
                                accept=(clamp_grads[name],),
                                alternatives=tuple((d, g[name]) for d, _, g in wrong)))

    typical = dict(training.edge_cases())["a typical case"]
    own = ("your own initial parameters",
           {k: v for k, v in typical.items() if k not in training.NAMES})
    return find_failure(training.cases(), body, [*training.edge_cases(), own])


FORWARD = watch("TwoLayerNet.forward", "forward")

EXERCISE = Exercise(
    # Building a torch.optim optimizer imports torch._dynamo (over a second): once, before the
    # fork, serves both the grader's replay and the student's train.
    preload=("torch._dynamo",),
    number=7,
    slug="module_training",
    title="nn.Module, loss and optimizer",
    idea="what nn.Module registers, and the training step: zero_grad, forward, loss, backward, "
         "step",
    filename="exercise7_module_training.py",
    checks=(
        structure("parameters", "TwoLayerNet registers linear1 and linear2 (nn.Linear with "
                  "bias): named_parameters() has their weights and biases, in the right shapes",
                  2, check_parameters, FORWARD),
        Check("forward", "model(x) equals linear2(relu(linear1(x))) with the model's own "
              "parameters, and backward reaches every parameter", 2, check_forward),
        Check("train_sgd", "train(..., optimizer=\"sgd\") matches torch.optim.SGD with "
              "MSELoss(reduction=\"sum\") step for step: losses and trained parameters", 3,
              train_checks.train_check("sgd"), uses=(FORWARD,)),
        Check("train_adam", "train(..., optimizer=\"adam\") matches torch.optim.Adam step for "
              "step: losses and trained parameters", 3, train_checks.train_check("adam"),
              uses=(FORWARD,)),
    ),
)
