"""exercise3 · my_relu · a custom autograd Function.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.catalog.base import Check, Exercise, rule, runs, watch
from autograd_lab.catalog.graph_walk import node_names
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.remember import remembered
from autograd_lab.grading.search import find_failure
from autograd_lab.sandbox.protocol import TensorArg, TensorData

# -- probes (worker side) --------------------------------------------------------------------


@runs("MyReLU.forward")
def probe_forward(m, input):
    return {"output": m.MyReLU.apply(input)}


@runs("MyReLU.forward and MyReLU.backward")
def probe_backward(m, input, grad_output):
    x = input.detach().requires_grad_(True)
    # The gradient of sum(y * grad_output) reaches MyReLU.backward as grad_output itself, and
    # a backward pass with no explicit gradient spares the worker torch's lazy sympy import.
    (m.MyReLU.apply(x) * grad_output).sum().backward()
    return {"grad": x.grad}


@runs("MyReLU.backward")
def probe_grad_output(m, input, grad_output):
    """Call backward by hand, to see what it does to the very grad_output it is given."""
    x = input.detach().requires_grad_(True)
    y = m.MyReLU.apply(x)
    given = grad_output.clone()
    version = given._version
    m.MyReLU.backward(y.grad_fn, given)
    return {"after": given, "version_changed": given._version != version}


@runs("MyReLU.forward")
def probe_saved(m, input):
    x = input.detach().requires_grad_(True)
    given = x.detach().clone()
    y = m.MyReLU.apply(x)
    node = y.grad_fn
    saved = list(node.saved_tensors) if node is not None else []
    attributes = sorted(name for name, value in getattr(node, "__dict__", {}).items()
                        if isinstance(value, torch.Tensor))
    return {"grad_fn": type(node).__name__ if node is not None else None,
            "saved": saved, "attributes": attributes,
            "input_changed": not torch.equal(x.detach(), given)}


@runs("two_layer_forward")
def probe_network(m, x, w1, w2):
    x = x.detach()
    w1 = w1.detach().requires_grad_(True)
    w2 = w2.detach().requires_grad_(True)
    y_pred = m.two_layer_forward(x, w1, w2)
    nodes = node_names(y_pred)
    result = {"y_pred": y_pred, "nodes": nodes, "grad_w1": None, "grad_w2": None}
    if isinstance(y_pred, torch.Tensor) and y_pred.requires_grad:
        y_pred.sum().backward()
        result.update(grad_w1=w1.grad, grad_w2=w2.grad)
    return result


# -- inputs ----------------------------------------------------------------------------------


@st.composite
def relu_cases(draw):
    shape = draw(strategies.shapes())
    dtype = draw(st.sampled_from(strategies.FLOAT_DTYPES))
    noncontiguous = draw(st.booleans())
    return {"input": TensorArg(draw(strategies.arrays(shape)), dtype, noncontiguous=noncontiguous),
            "grad_output": TensorArg(draw(strategies.arrays(shape)), dtype)}


def relu_edge_cases():
    values = np.array([[-2.0, 0.0, 1.5], [0.0, 3.0, -0.25]])
    upstream = np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 4.0]])
    return [
        ("exact zeros at the ReLU kink", {"input": TensorArg(values), "grad_output": TensorArg(upstream)}),
        ("a non-contiguous input", {"input": TensorArg(values.T.copy(), noncontiguous=True),
                                    "grad_output": TensorArg(upstream.T.copy())}),
        ("all zeros", {"input": TensorArg(np.zeros((2, 2))), "grad_output": TensorArg(np.ones((2, 2)))}),
        ("large values", {"input": TensorArg(values * 1e4, "float32"),
                          "grad_output": TensorArg(upstream * 1e4, "float32")}),
        ("a 0-dim input", {"input": TensorArg(np.array(2.0)), "grad_output": TensorArg(np.array(3.0))}),
    ]


@st.composite
def network_cases(draw):
    values = draw(strategies.network_tensors())
    del values["y"]
    return values


def network_edge_cases():
    cases = []
    for label, values in strategies.network_edge_cases():
        values = {k: v for k, v in values.items() if k != "y"}
        cases.append((label, strategies.as_tensors(values)))
    return cases


# -- checks (grading side) -------------------------------------------------------------------


def _expect(case_input: TensorArg, values: np.ndarray, session, **extra) -> Expect:
    return Expect(values, dtype=case_input.dtype, device=session.device, **extra)


def check_forward(session):
    def body(case):
        got = session.call(probe_forward, input=case["input"])["output"]
        x = oracles.rounded(case["input"])
        check_tensor("MyReLU.apply(input)", got, _expect(case["input"], np.maximum(x, 0.0), session))

    return find_failure(relu_cases(), body, relu_edge_cases())


BACKWARD_UNMASKED = Diagnosis(
    "ReLU mask missing",
    "your gradient is grad_output itself: it went through unmasked, also where input < 0",
    "the ReLU blocks the gradient where its input was negative: `grad_output * (input > 0)` "
    "(with `input, = ctx.saved_tensors`)",
)


def check_backward(session):
    def body(case):
        got = session.call(probe_backward, **case)["grad"]
        if got is None:
            raise CheckFailure("input.grad is None after backward: no gradient reached the input")
        x, g = oracles.rounded(case["input"]), oracles.rounded(case["grad_output"])
        expect = _expect(case["input"], g * (x > 0), session,
                         accept=(g * (x >= 0),), kink=(x == 0),
                         alternatives=((BACKWARD_UNMASKED, g),))
        check_tensor("the gradient with respect to input", got, expect)

    return find_failure(relu_cases(), body, relu_edge_cases())


GRAD_OUTPUT_MODIFIED = Diagnosis(
    "grad_output modified in place",
    "after your backward ran, the grad_output it was given had changed",
    "grad_output belongs to autograd and may be used elsewhere in the graph: build a new "
    "tensor (`grad_output * mask` or `grad_output.clone()` first), never `grad_output[...] = 0`",
)


def check_grad_output(session):
    def body(case):
        got = session.call(probe_grad_output, **case)
        before = oracles.rounded(case["grad_output"])
        after = got["after"]
        values_changed = isinstance(after, TensorData) and not np.array_equal(
            after.values.astype(np.float64), before)
        if values_changed:
            raise CheckFailure("backward modified grad_output in place",
                               [f"grad_output before: {before.tolist()}",
                                f"grad_output after:  {after.values.tolist()}"],
                               GRAD_OUTPUT_MODIFIED)
        if got["version_changed"]:
            raise CheckFailure("backward wrote into grad_output in place",
                               ["its values happen to be unchanged on this input, but its version "
                                "counter moved: an in-place operation ran on it"],
                               GRAD_OUTPUT_MODIFIED)

    return find_failure(relu_cases(), body, relu_edge_cases()[:1])


INPUT_MODIFIED = Diagnosis(
    "input modified in place",
    "after MyReLU.apply(input) the input's values had changed: an in-place operation in "
    "forward (such as `input.clamp_(min=0)`) wrote into it, so what save_for_backward saved "
    "is the modified tensor, and the caller's input is changed too",
    "`clamp_` (with the underscore) modifies its tensor in place: compute a new one, "
    "`return input.clamp(min=0)`",
)


def check_saved(session):
    def body(case):
        got = session.call(probe_saved, input=case["input"])
        x = oracles.rounded(case["input"])
        if got["grad_fn"] != "MyReLUBackward":
            raise CheckFailure(
                f"the output's grad_fn is {got['grad_fn']}, expected MyReLUBackward",
                ["MyReLU.apply(input) must return a tensor whose grad_fn is MyReLU's backward node"])
        saved = [t for t in got["saved"] if isinstance(t, TensorData)]
        if got.get("input_changed") and saved:
            # (An in-place write that leaves the values as they were harms nothing saved: an
            # input with a negative value shows the mistake, and the search finds one.)
            raise CheckFailure(
                "forward modified its input in place: the tensor it saved no longer holds the "
                "input's values",
                [f"input given: {x.tolist()}",
                 f"saved:       {[t.values.tolist() for t in saved]}"], INPUT_MODIFIED)
        if any(t.shape == x.shape and np.array_equal(t.values.astype(np.float64), x) for t in saved):
            return
        details = []
        if got["attributes"]:
            names = ", ".join(f"ctx.{a}" for a in got["attributes"])
            details.append(f"you stored tensors as attributes ({names}): use "
                           "ctx.save_for_backward(input), which checks that the tensor was not "
                           "modified in place before backward and frees it after backward")
        raise CheckFailure("the input was not saved with ctx.save_for_backward", details)

    return find_failure(relu_cases(), body, relu_edge_cases()[:1])


_BYPASS = {"ReluBackward0", "ClampMinBackward0", "ClampBackward1", "ThresholdBackward0"}


def check_network(session):
    def body(case):
        got = session.call(probe_network, **case)
        dtype = case["x"].dtype
        # Gradients of y_pred.sum(), with either derivative of ReLU at 0.
        ga = _sum_grads(case, kink_slope=0.0)
        gb = _sum_grads(case, kink_slope=1.0)
        check_tensor("two_layer_forward(x, w1, w2)", got["y_pred"],
                     Expect(ga[0], dtype=dtype, device=session.device))
        for name, i in (("w1", 1), ("w2", 2)):
            got_grad = got[f"grad_{name}"]
            if got_grad is None:
                raise CheckFailure(f"{name}.grad is None after y_pred.sum().backward(): the output "
                                   "is not connected to the weights by the graph")
            wrong = ((NETWORK_UNMASKED, _unmasked_grad_w1(case)),) if name == "w1" else ()
            check_tensor(f"the gradient of y_pred.sum() with respect to {name}", got_grad,
                         Expect(ga[i], dtype=dtype, device=session.device, accept=(gb[i],),
                                alternatives=wrong))

    return find_failure(network_cases(), body, network_edge_cases())


NETWORK_UNMASKED = Diagnosis(
    BACKWARD_UNMASKED.name,
    "your gradient for w1 is x.T @ (ones @ w2.T): the gradient reached x @ w1 through the ReLU "
    "unmasked, as if MyReLU.backward returned grad_output itself",
    BACKWARD_UNMASKED.hint,
)


def _unmasked_grad_w1(case) -> np.ndarray:
    """The gradient of y_pred.sum() for w1 through a ReLU whose backward masks nothing."""
    x, w2 = oracles.rounded(case["x"]), oracles.rounded(case["w2"])
    return x.T @ (np.ones((x.shape[0], w2.shape[1])) @ w2.T)


@remembered
def _sum_grads(case, kink_slope):
    x = oracles.leaf(case["x"])
    w1, w2 = oracles.leaf(case["w1"], True), oracles.leaf(case["w2"], True)
    h = x @ w1
    y_pred = (h.clamp(min=0) if kink_slope else h.relu()) @ w2
    y_pred.sum().backward()
    return y_pred.detach().numpy(), w1.grad.numpy(), w2.grad.numpy()


def check_network_uses_myrelu(session):
    def body(case):
        got = session.call(probe_network, **case)
        nodes = got["nodes"]
        bypass = sorted(_BYPASS.intersection(nodes))
        if "MyReLUBackward" not in nodes or bypass:
            detail = (f"the graph of y_pred has {', '.join(bypass)}: torch's own ReLU did the "
                      "work" if bypass else "the graph of y_pred has no MyReLUBackward node")
            raise CheckFailure(
                "two_layer_forward does not go through MyReLU",
                [detail, f"nodes found: {', '.join(nodes) or 'none'}",
                 "use `MyReLU.apply(x @ w1)` as the activation, so that backward runs your code"])

    return find_failure(network_cases(), body, network_edge_cases()[:1], max_examples=3)


BACKWARD = watch("MyReLU.backward", "backward")

EXERCISE = Exercise(
    number=3,
    slug="my_relu",
    title="a custom autograd Function",
    idea="how autograd calls your own backward: ctx, save_for_backward, grad_output",
    filename="exercise3_my_relu.py",
    checks=(
        Check("forward", "MyReLU.apply(input) equals input.clamp(min=0) (any shape, float dtype, "
              "non-contiguous input)", 2, check_forward),
        Check("backward", "the gradient through MyReLU is grad_output where input > 0 and 0 where "
              "input < 0", 3, check_backward),
        rule("grad_output_untouched", "backward does not modify grad_output in place", 1,
             check_grad_output, BACKWARD, voids=True),
        rule("save_for_backward", "forward saves the input with ctx.save_for_backward", 1,
             check_saved, BACKWARD, voids=True),
        Check("two_layer_forward", "two_layer_forward(x, w1, w2) computes relu(x @ w1) @ w2, with "
              "the right gradients for w1 and w2", 2, check_network,
              uses=(watch("MyReLU", "forward", "backward"),)),
        rule("two_layer_uses_myrelu", "two_layer_forward's graph goes through MyReLUBackward", 1,
             check_network_uses_myrelu, watch("two_layer_forward"), voids=True),
    ),
)
