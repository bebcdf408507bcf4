"""exercise6 · leaves · leaves, retain_grad, no_grad and detach.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. The
weights reach the student's code as leaves that require grad (as a model's weights would),
each probe building them afresh, so ``.grad`` is None when the student's code starts.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.catalog.base import Check, Exercise, returned_kind, rule, runs, watch
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.diagnose import TRANSPOSED
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.remember import remembered
from autograd_lab.grading.search import find_failure
from autograd_lab.sandbox.protocol import TensorData

# -- probes (worker side) --------------------------------------------------------------------


@runs("intermediate_grads")
def probe_intermediate_grads(m, x, w):
    result = m.intermediate_grads(x, w)
    pair = isinstance(result, (tuple, list)) and len(result) == 2
    grad_w, grad_h = result if pair else (None, None)
    return {"pair": pair, "returned": returned_kind(result), "grad_w": grad_w, "grad_h": grad_h}


@runs("frozen_first_layer_loss")
def probe_frozen(m, x, y, w1, w2):
    """Call the student's function, then run the caller's backward pass on what it returned."""
    loss = m.frozen_first_layer_loss(x, y, w1, w2)
    found = {"loss": loss, "w1_requires_grad": w1.requires_grad, "backward": False,
             "grad_w1": None, "grad_w2": None,
             "ran_backward": w1.grad is not None or w2.grad is not None}
    if found["ran_backward"]:
        return found
    if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.numel() == 1:
        loss.backward()
        found.update(backward=True, grad_w1=w1.grad, grad_w2=w2.grad)
    return found


@runs("predict")
def probe_predict(m, w1, w2, x):
    """Call predict while counting the tensors autograd saves for a backward pass."""
    saved = []

    def pack(tensor):
        saved.append(tuple(tensor.shape))
        return tensor

    grad_mode = torch.is_grad_enabled()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        y_pred = m.predict(w1, w2, x)
    left_off = grad_mode and not torch.is_grad_enabled()
    torch.set_grad_enabled(grad_mode)  # the later probes in this worker need it back
    return {"y_pred": y_pred, "saved": len(saved), "grad_mode_left_off": left_off}


# -- inputs ----------------------------------------------------------------------------------

_WEIGHTS = ("w", "w1", "w2")


def _weights_require_grad(case: dict) -> dict:
    return {name: dataclasses.replace(value, requires_grad=True) if name in _WEIGHTS else value
            for name, value in case.items()}


def _pick(values: dict, names: tuple[str, ...]) -> dict:
    """The network's tensors a function takes, in its order (``w`` is the network's ``w1``)."""
    return {name: values["w1" if name == "w" else name] for name in names}


@st.composite
def _cases(draw, names):
    return _weights_require_grad(_pick(draw(strategies.network_tensors()), names))


def _edge_cases(names):
    """The fixed edge cases of DESIGN.md, invariant 2, and a non-contiguous one."""
    edges = strategies.network_edge_cases()
    found = [(label, strategies.as_tensors(_pick(values, names))) for label, values in edges]
    typical = dict(edges)["a typical case"]
    found.append(("non-contiguous inputs",
                  strategies.as_tensors(_pick(typical, names), "float32", noncontiguous=True)))
    return [(label, _weights_require_grad(case)) for label, case in found]


INTERMEDIATE = ("x", "w")
FROZEN = ("x", "y", "w1", "w2")
PREDICT = ("w1", "w2", "x")

# -- checks (grading side) -------------------------------------------------------------------


def _expect(case, values, session, **extra) -> Expect:
    return Expect(np.asarray(values), dtype=case["x"].dtype, device=session.device, **extra)


@remembered
def _intermediate(x, w, kink_slope: float = 0.0):
    """torch's ``(grad_w, grad_h, h)``, ReLU's derivative at 0 taken as ``kink_slope``."""
    x, w = oracles.leaf(x), oracles.leaf(w, True)
    h = x @ w
    h.retain_grad()
    (h.clamp(min=0) if kink_slope else h.relu()).sum().backward()
    return w.grad.numpy(), h.grad.numpy(), h.detach().numpy()


def _pair(got) -> None:
    if not got["pair"]:
        raise CheckFailure(f"intermediate_grads returned {got['returned']}, expected a tuple "
                           "(grad_w, grad_h)")


_MASK_HINT = ("backpropagate `loss = h.relu().sum()` and keep the gradient of `h = x @ w` itself "
              "(call `h.retain_grad()` on h, not on `h.relu()`)")
RELU_MASK_MISSING = Diagnosis(
    "ReLU mask missing",
    "your grad_h is all ones, the gradient of h.sum() (or of loss with respect to h.relu()): "
    "the ReLU's gradient, 0 where h < 0, is missing",
    _MASK_HINT,
)
RELU_MASK_MISSING_W = Diagnosis(
    RELU_MASK_MISSING.name,
    "your grad_w is x.T @ ones, the gradient of h.sum(): the ReLU's gradient, 0 where h < 0, "
    "is missing",
    _MASK_HINT,
)
RELU_MISSING = Diagnosis(
    "ReLU missing",
    "your result is x @ w1 @ w2: the network without its ReLU",
    "apply the activation between the layers: `(x @ w1).relu() @ w2`",
)
MISSING_RETAIN_GRAD = Diagnosis(
    "missing retain_grad",
    "grad_h came back None: autograd computes the gradient of a non-leaf on its way to the "
    "leaves, uses it, and drops it",
    "call `h.retain_grad()` right after `h = x @ w`, before `loss.backward()`; then `h.grad` "
    "holds it",
)


def check_grad_w(session):
    def body(case):
        got = session.call(probe_intermediate_grads, **case)
        _pair(got)
        if got["grad_w"] is None:
            raise CheckFailure("grad_w is None: no gradient reached w",
                               ["w is a leaf that requires grad: after `loss.backward()` its "
                                "gradient is in `w.grad`"])
        relu, clamp = _intermediate(**case), _intermediate(**case, kink_slope=1.0)
        x = oracles.rounded(case["x"])
        alternatives = [(RELU_MASK_MISSING_W, x.T @ np.ones_like(relu[1]))]
        if relu[0].shape[0] == relu[0].shape[1]:  # square: a transpose keeps the shape
            alternatives.append((TRANSPOSED, relu[0].T))
        check_tensor("intermediate_grads(x, w): grad_w", got["grad_w"],
                     _expect(case, relu[0], session, accept=(clamp[0],),
                             alternatives=tuple(alternatives)))

    return find_failure(_cases(INTERMEDIATE), body, _edge_cases(INTERMEDIATE))


def check_grad_h(session):
    def body(case):
        got = session.call(probe_intermediate_grads, **case)
        _pair(got)
        if got["grad_h"] is None:
            raise CheckFailure(
                "h.grad is None: h is not a leaf, so autograd does not keep its gradient unless "
                "you call h.retain_grad() before backward",
                ["h = x @ w has a grad_fn (MmBackward0): it is an intermediate result, and only "
                 "leaves (tensors you created, like w) get a .grad by default"],
                MISSING_RETAIN_GRAD)
        relu, clamp = _intermediate(**case), _intermediate(**case, kink_slope=1.0)
        check_tensor("intermediate_grads(x, w): grad_h", got["grad_h"],
                     _expect(case, relu[1], session, accept=(clamp[1],), kink=(relu[2] == 0),
                             alternatives=((RELU_MASK_MISSING, np.ones_like(relu[1])),)))

    return find_failure(_cases(INTERMEDIATE), body, _edge_cases(INTERMEDIATE))


MEAN_NOT_SUM = Diagnosis(
    "mean instead of sum",
    "your numbers are those of the MEAN of the squared errors",
    "the loss is their sum: `((y_pred - y) ** 2).sum()`, not `.mean()`",
)
NOT_DETACHED = Diagnosis(
    "first layer not cut off",
    "after loss.backward(), w1.grad holds a gradient: the graph still reaches w1",
    "detach the first layer's output, `h = (x @ w1).detach()` (or compute it from "
    "`w1.detach()`): a backward pass stops at a detached tensor",
)


def _frozen_expected(case):
    """torch's loss and gradient for w2 (the same whether or not w1 is cut off), sum and mean."""
    relu, _ = oracles.two_layer_both(case["x"], case["y"], case["w1"], case["w2"])
    size = relu.y_pred.size
    return relu, relu.loss / size, relu.grad_w2 / size


def check_frozen_loss(session):
    def body(case):
        got = session.call(probe_frozen, **case)
        relu, mean_loss, _ = _frozen_expected(case)
        check_tensor("frozen_first_layer_loss(x, y, w1, w2)", got["loss"],
                     _expect(case, relu.loss, session,
                             alternatives=((MEAN_NOT_SUM, np.asarray(mean_loss)),)))

    return find_failure(_cases(FROZEN), body, _edge_cases(FROZEN))


def check_frozen_first_layer(session):
    def body(case):
        got = session.call(probe_frozen, **case)
        loss = got["loss"]
        if not isinstance(loss, TensorData):
            raise CheckFailure(f"frozen_first_layer_loss returned {_describe_data(loss)}, "
                               "expected a 0-dim tensor")
        if got["ran_backward"]:
            raise CheckFailure(
                "frozen_first_layer_loss ran a backward pass itself",
                ["return the loss and leave the backward pass to the caller: a second pass "
                 "through the same graph fails, and gradients would be added twice"])
        if not got["w1_requires_grad"]:
            raise CheckFailure(
                "frozen_first_layer_loss turned off w1.requires_grad",
                ["that freezes the caller's w1 for good, not just in this loss: leave w1 alone "
                 "and detach instead (`h = (x @ w1).detach()`)"])
        if not loss.requires_grad:
            raise CheckFailure(
                "the loss does not require grad: a backward pass cannot reach w2",
                ["cut off only the first layer: detach h = x @ w1 (or w1), not the loss, w2 or "
                 "the whole forward pass"])
        if not got["backward"]:
            raise CheckFailure(f"the loss has shape {loss.shape}, expected a 0-dim tensor",
                               ["sum the squared errors into one number: "
                                "`((y_pred - y) ** 2).sum()`"])
        if got["grad_w1"] is not None:
            raise CheckFailure(
                "w1.grad is filled after loss.backward(): the first layer was not cut off",
                [f"w1.grad: {_describe_data(got['grad_w1'])}; expected None"], NOT_DETACHED)
        if got["grad_w2"] is None:
            raise CheckFailure("w2.grad is None after loss.backward(): w2 was cut off too",
                               ["detach only the first layer; y_pred = h_relu @ w2 must stay "
                                "in the graph"])
        relu, _, mean_grad = _frozen_expected(case)
        check_tensor("w2.grad after loss.backward()", got["grad_w2"],
                     _expect(case, relu.grad_w2, session,
                             alternatives=((MEAN_NOT_SUM, mean_grad),)))

    return find_failure(_cases(FROZEN), body, _edge_cases(FROZEN))


def _describe_data(value) -> str:
    if isinstance(value, TensorData):
        return f"a tensor of shape {value.shape}"
    return "None" if value is None else f"a value of type {type(value).__name__}"


def check_predict(session):
    def body(case):
        got = session.call(probe_predict, **case)
        x, w1, w2 = (oracles.rounded(case[name]) for name in ("x", "w1", "w2"))
        check_tensor("predict(w1, w2, x)", got["y_pred"],
                     _expect(case, np.maximum(x @ w1, 0.0) @ w2, session,
                             alternatives=((RELU_MISSING, x @ w1 @ w2),)))

    return find_failure(_cases(PREDICT), body, _edge_cases(PREDICT))


NO_GRAD_HINT = ("run the forward pass inside `with torch.no_grad():`: nothing is recorded, "
                "nothing is saved, and the result does not require grad")


def check_predict_no_graph(session):
    def body(case):
        got = session.call(probe_predict, **case)
        y_pred = got["y_pred"]
        if not isinstance(y_pred, TensorData):
            raise CheckFailure(f"predict returned {_describe_data(y_pred)}, expected a tensor")
        if y_pred.requires_grad:
            raise CheckFailure(
                f"predict's result requires grad (its grad_fn is {y_pred.grad_fn}): autograd "
                "recorded a graph", [NO_GRAD_HINT])
        if got["saved"]:
            raise CheckFailure(
                f"predict built a graph and then cut it off: autograd saved {got['saved']} "
                "tensor(s) for a backward pass that never comes",
                ["`.detach()` at the end gives the right result, but only after the whole "
                 "graph was recorded and stored", NO_GRAD_HINT])
        if got["grad_mode_left_off"]:
            raise CheckFailure(
                "predict turned gradient recording off and left it off",
                ["`torch.set_grad_enabled(False)` (or `torch.no_grad()` called without `with`) "
                 "changes the mode for all the code that runs afterwards: use the block "
                 "`with torch.no_grad():`, which restores it when the block ends"])

    return find_failure(_cases(PREDICT), body, _edge_cases(PREDICT)[-2:], max_examples=3)


EXERCISE = Exercise(
    number=6,
    slug="leaves",
    title="leaves, retain_grad, no_grad and detach",
    idea="which tensors keep a .grad (leaves; retain_grad for the rest), and how to keep "
         "autograd out (detach, no_grad)",
    filename="exercise6_leaves.py",
    checks=(
        Check("grad_w", "intermediate_grads(x, w) returns the gradient of (x @ w).relu().sum() "
              "with respect to the leaf w", 2, check_grad_w),
        Check("grad_h", "intermediate_grads(x, w) returns the gradient with respect to the "
              "non-leaf h = x @ w (retain_grad)", 2, check_grad_h),
        Check("frozen_loss", "frozen_first_layer_loss returns the two-layer loss (a 0-dim "
              "tensor equal to torch's)", 1, check_frozen_loss),
        Check("frozen_first_layer", "after backward of frozen_first_layer_loss, w1.grad is None "
              "and w2.grad equals torch's", 2, check_frozen_first_layer,
              uses=(watch("frozen_first_layer_loss", "frozen_loss"),)),
        Check("predict", "predict(w1, w2, x) equals relu(x @ w1) @ w2", 1, check_predict),
        rule("predict_no_graph", "predict builds no graph: the result does not require grad, "
             "no tensor is saved for backward", 2, check_predict_no_graph, watch("predict"),
             voids=True),
    ),
)
