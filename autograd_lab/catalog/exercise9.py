"""exercise9 · weight_sharing · dynamic graphs and weight sharing.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. The net's
inputs and its oracle live in :mod:`autograd_lab.catalog.dynamic_net`. The probe builds the
student's net, sets its layers' weights to the case's, runs ``net(x, repeats)`` and a backward
pass, and reads off the graph which tensors the output depends on.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import dynamic_net
from autograd_lab.catalog.base import Check, Exercise, rule, runs, structure, watch
from autograd_lab.catalog.dynamic_net import PARAMETERS
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure
from autograd_lab.sandbox.protocol import TensorData

# -- probes (worker side) --------------------------------------------------------------------


def _layer_problems(net, d_in: int, h: int, d_out: int) -> list[str]:
    problems = []
    for name, shape in (("input_linear", (d_in, h)), ("middle_linear", (h, h)),
                        ("output_linear", (h, d_out))):
        layer = getattr(net, name, None)
        if layer is None:
            problems.append(f"net.{name} does not exist")
        elif not isinstance(layer, torch.nn.Linear):
            problems.append(f"net.{name} is a {type(layer).__name__}, not a torch.nn.Linear")
        elif (layer.in_features, layer.out_features) != shape:
            problems.append(f"net.{name} is Linear({layer.in_features}, {layer.out_features}); "
                            f"expected Linear({shape[0]}, {shape[1]})")
        elif layer.bias is None:
            problems.append(f"net.{name} has no bias (bias=False)")
    return problems


@runs("DynamicNet.__init__")
def probe_layers(m, d_in, h, d_out):
    return {"problems": _layer_problems(m.DynamicNet(d_in, h, d_out), d_in, h, d_out)}


def _graph_leaves(y, params: dict) -> dict:
    """How many graph nodes use middle_linear.weight, and the other leaves the graph reaches.

    ``uses`` is None when there is no graph to read (the grad checks say why).
    """
    middle, known = params["middle_linear.weight"], [id(p) for p in params.values()]
    root = y.grad_fn
    if root is None:
        return {"uses": None, "foreign": []}
    stack, seen, kept, uses, foreign = ([root] if root else []), set(), [], 0, {}
    while stack:
        node = stack.pop()
        kept.append(node)  # keeps every node alive while the walk runs, so ids stay unique
        for child, _ in getattr(node, "next_functions", ()):
            if child is None:
                continue
            variable = getattr(child, "variable", None)
            if variable is middle:
                uses += 1
            elif isinstance(variable, torch.Tensor) and id(variable) not in known:
                foreign[id(variable)] = tuple(variable.shape)
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return {"uses": uses, "foreign": sorted(foreign.values())}


@runs("DynamicNet")
def probe_net(m, repeats, x, grad_output, **weights):
    h, d_in = weights["w_in"].shape
    d_out = weights["w_out"].shape[0]
    net = m.DynamicNet(d_in, h, d_out)
    problems = _layer_problems(net, d_in, h, d_out)
    if problems:
        return {"problems": problems}
    net.to(device=x.device, dtype=x.dtype)
    params = {name: getattr(getattr(net, name.split(".")[0]), name.split(".")[1])
              for name in PARAMETERS}
    with torch.no_grad():
        for name, key in PARAMETERS.items():
            params[name].copy_(weights[key])
    y = net(x, repeats)
    result = {"problems": [], "y": y, "names": [name for name, _ in net.named_parameters()],
              "grads": None, "uses": None, "foreign": []}
    if isinstance(y, torch.Tensor):
        result.update(_graph_leaves(y, params))
        if y.requires_grad and y.shape == grad_output.shape:
            (y * grad_output).sum().backward()
            result["grads"] = {name: p.grad for name, p in params.items()}
    return result


# -- checks (grading side) -------------------------------------------------------------------


def _net(session, case) -> dict:
    got = session.call(probe_net, **case)
    if got["problems"]:
        d_in, h, d_out = dynamic_net.dims(case)
        raise CheckFailure(f"DynamicNet({d_in}, {h}, {d_out}) does not have the layers of "
                           "exercise9", got["problems"])
    return got


def _wrong_repeats(applied: int, repeats: int) -> Diagnosis:
    return Diagnosis(
        "wrong number of repeats",
        f"your output is the net's with middle_linear applied {applied} "
        f"time{'s' if applied != 1 else ''}, not repeats = {repeats}",
        "apply middle_linear exactly `repeats` times: `for _ in range(repeats):`")


NO_MIDDLE_RELU = Diagnosis(
    "missing relu", "your output is the net's without the relu after middle_linear",
    "`h = self.middle_linear(h).clamp(min=0)` at every repeat")
OUTPUT_RELU = Diagnosis(
    "relu on the output", "your output is the net's with a relu after output_linear",
    "output_linear's result is the output as it is: no relu after it")


def check_forward(session):
    def body(case):
        got = _net(session, case)
        r = case["repeats"]
        alternatives = [(NO_MIDDLE_RELU, dynamic_net.forward(case, middle_relu=False)),
                        (OUTPUT_RELU, dynamic_net.forward(case, output_relu=True))]
        for other in (r - 1, r + 1):
            if other >= 0:
                alternatives.insert(0, (_wrong_repeats(other, r),
                                        dynamic_net.forward(case, repeats=other)))
        check_tensor(f"net(x, repeats={r})", got["y"],
                     Expect(dynamic_net.forward(case), dtype=case["x"].dtype,
                            device=session.device, alternatives=tuple(alternatives)))

    return find_failure(dynamic_net.cases(), body, dynamic_net.edge_cases())


def _shapes(got: dict) -> str:
    return ", ".join(str(tuple(shape)) for shape in got["foreign"])


LAYER_NOT_SHARED = Diagnosis(
    "layer not shared",
    "the output's graph goes through weights that are not middle_linear's own: copies of it",
    "call `self.middle_linear` itself at every repeat; a copy (`copy.deepcopy`, a new "
    "`torch.nn.Linear`, a ModuleList of separate layers) has weights of its own, and the gradient "
    "goes to them instead of to the shared layer")


def _one_use(which: str, r: int) -> Diagnosis:
    return Diagnosis(
        "gradient of one use only",
        f"the gradient is that of the {which} use of middle_linear alone; forward used it {r} "
        "times, and its gradient is the sum over all of them",
        "the other uses were cut off the graph (a `detach()`, `torch.no_grad()`) or went to a "
        "copy of the layer: call `self.middle_linear` on the running activation each time")


def _grads(session, case) -> dict:
    """The probe's answer, once it has gradients to compare."""
    got = _net(session, case)
    if got["grads"] is None:
        y = got["y"]
        if not isinstance(y, TensorData):
            raise CheckFailure("net(x, repeats) did not return a tensor")
        if not y.requires_grad:
            raise CheckFailure("net(x, repeats) returned a tensor that does not require grad",
                               ["the forward pass was not recorded: no torch.no_grad(), no "
                                "detach() on the way to the output"])
        raise CheckFailure(f"net(x, repeats) returned shape {y.shape}, expected "
                           f"{tuple(case['grad_output'].values.shape)}")
    return got


def _compare_grads(session, case, got: dict, names: tuple[str, ...]) -> None:
    """Compare with every accepted choice of ReLU derivatives at 0; raise the first failure."""
    first = None
    for slopes in dynamic_net.slope_choices(case):
        oracle = dynamic_net.gradients(case, slopes)
        try:
            for name in names:
                _compare_one(session, case, got, name, oracle)
            return
        except CheckFailure as exc:
            first = first or exc
    raise first


def _compare_one(session, case, got: dict, name: str, oracle) -> None:
    r, grad, expected = case["repeats"], got["grads"][name], oracle.grads[name]
    if expected is None:  # middle_linear unused: no gradient, or zeros
        if grad is None or (isinstance(grad, TensorData) and not np.any(grad.values)):
            return
        raise CheckFailure(f"{name}.grad is neither None nor zero, though repeats = 0 does not "
                           "use middle_linear")
    if grad is None:
        if got["foreign"]:
            raise CheckFailure(
                f"{name}.grad is None after backward, though forward used middle_linear {r} "
                "time(s)", [f"the output's graph reaches weights of shapes {_shapes(got)} that "
                            "are not the net's three layers' own"], LAYER_NOT_SHARED)
        raise CheckFailure(f"{name}.grad is None after backward: no use of "
                           f"{name.split('.')[0]} reaches the output in the graph",
                           ["look for a detach() or torch.no_grad() on the way to the output"])
    alternatives = []
    if name.startswith("middle_linear") and r > 1:
        kind = name.split(".")[1]
        alternatives = [(_one_use("last", r), oracle.per_use[-1][kind]),
                        (_one_use("first", r), oracle.per_use[0][kind])]
    check_tensor(f"{name}.grad", grad, Expect(expected, dtype=case["x"].dtype,
                                              device=session.device,
                                              alternatives=tuple(alternatives)))


def check_middle_grad(session):
    def body(case):
        _compare_grads(session, case, _grads(session, case),
                       ("middle_linear.weight", "middle_linear.bias"))

    return find_failure(dynamic_net.cases(), body, dynamic_net.edge_cases())


def check_other_grads(session):
    def body(case):
        _compare_grads(session, case, _grads(session, case),
                       ("input_linear.weight", "input_linear.bias", "output_linear.weight",
                        "output_linear.bias"))

    return find_failure(dynamic_net.cases(), body, dynamic_net.edge_cases(), max_examples=10)


def check_shared(session):
    def body(case):
        got = _net(session, case)
        r = case["repeats"]
        extra = [name for name in got["names"] if name not in PARAMETERS]
        if extra:
            raise CheckFailure(
                "the net has parameters besides its three layers' weights and biases",
                [f"extra parameters: {', '.join(extra)}",
                 "a layer used several times is ONE module, created once in __init__"],
                LAYER_NOT_SHARED)
        if got["uses"] is not None and (got["uses"] != r or got["foreign"]):
            details = [f"forward(x, repeats={r}) used middle_linear.weight {got['uses']} "
                       f"time(s) in the graph, expected {r}"]
            if got["foreign"]:
                details.append(f"and went through other weights, of shapes {_shapes(got)}")
            elif got["uses"] < r:
                details.append("the other uses are not in the output's graph: cut off by a "
                               "detach() or torch.no_grad()?")
            raise CheckFailure("middle_linear is not the one layer used at every repeat",
                               details, LAYER_NOT_SHARED if got["foreign"] else None)

    return find_failure(dynamic_net.cases(min_repeats=1), body, dynamic_net.edge_cases()[1:3],
                        max_examples=8)


@st.composite
def _dims(draw):
    return {"d_in": draw(st.integers(1, 4)), "h": draw(st.integers(1, 5)),
            "d_out": draw(st.integers(1, 4))}


def check_layers(session):
    def body(case):
        problems = session.call(probe_layers, **case)["problems"]
        if problems:
            raise CheckFailure(f"DynamicNet({case['d_in']}, {case['h']}, {case['d_out']}) does "
                               "not have the layers of exercise9", problems + [
                                   "in __init__: input_linear = Linear(d_in, h), middle_linear "
                                   "= Linear(h, h), output_linear = Linear(h, d_out), with bias"])

    edges = [("three different widths", {"d_in": 2, "h": 3, "d_out": 4})]
    return find_failure(_dims(), body, edges, max_examples=3)


FORWARD = watch("DynamicNet.forward", "forward")

EXERCISE = Exercise(
    number=9,
    slug="weight_sharing",
    title="dynamic graphs and weight sharing",
    idea="the graph is built anew by each forward call; a shared weight's gradient sums its uses",
    filename="exercise9_weight_sharing.py",
    checks=(
        structure("layers", "input_linear, middle_linear and output_linear are torch.nn.Linear "
                  "layers of the right widths, with bias", 1, check_layers, FORWARD),
        Check("forward", "net(x, repeats) equals torch's for repeats 0 to 3", 2, check_forward),
        Check("middle_grad", "the gradient reaching middle_linear's weight and bias is the sum "
              "over its uses", 3, check_middle_grad, uses=(FORWARD,)),
        Check("other_grads", "the gradients of input_linear's and output_linear's weights and "
              "biases equal torch's", 2, check_other_grads, uses=(FORWARD,)),
        rule("shared", "middle_linear is one layer, used `repeats` times: no copies, no other "
             "parameters", 2, check_shared, watch("DynamicNet.forward", "middle_grad"),
             voids=True),
    ),
)
