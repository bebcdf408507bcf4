"""The functions `f` that exercises 4 and 5 hand to a student's code, and how probes watch them.

Probes receive a function's NAME (a string), never a function: the worker is a fork of the
grading process, so both sides hold the same menu. Every function is deterministic, works on
any device and float dtype, and saves tensors for backward, so that a graph whose saved tensors
were freed can be told from one that was retained (:func:`graph_walk.saved_tensors_freed`).

Worker side: :func:`run_watched` calls the student's function with ``f`` wrapped to count its
calls and keep its outputs, while it counts backward passes and records any use of
``torch.autograd.functional``. Grading side: the oracle (``torch.autograd`` in float64), the
inputs, and the rule checks that exercises 4 and 5 share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.catalog.graph_walk import saved_tensors_freed
from autograd_lab.grading.compare import summarize
from autograd_lab.grading.failure import CheckFailure, Failure
from autograd_lab.grading.remember import remembered
from autograd_lab.grading.search import find_failure
from autograd_lab.sandbox.protocol import TensorArg, TensorData

# -- the menu ------------------------------------------------------------------------------


def _tanh_matmul(x):
    flat = x.flatten()
    # A fixed (n, 3) matrix of quarters from arange: no randomness, exact in every dtype.
    w = torch.arange(flat.numel() * 3, dtype=x.dtype, device=x.device).reshape(-1, 3)
    return torch.tanh(flat @ ((w % 5 - 2) / 4))


FORMULAS = {
    "square": "x ** 2",
    "sin_times_x": "x.sin() * x",
    "cumsum_of_squares": "(x ** 2).flatten().cumsum(0)",
    "outer": "x.flatten()[:, None] * x.flatten()[None, :]",
    "sum_of_squares": "(x ** 2).sum()",
    "tanh_matmul": "torch.tanh(x.flatten() @ W), W a fixed (x.numel(), 3) matrix",
}
FUNCTIONS = {
    "square": lambda x: x ** 2,
    "sin_times_x": lambda x: x.sin() * x,
    "cumsum_of_squares": lambda x: (x ** 2).flatten().cumsum(0),
    "outer": lambda x: x.flatten()[:, None] * x.flatten()[None, :],
    "sum_of_squares": lambda x: (x ** 2).sum(),
    "tanh_matmul": _tanh_matmul,
}


class FunctionName(str):
    """A menu entry's name; a failing input shows it with its formula."""

    def __repr__(self) -> str:
        return f"{str(self)}: {FORMULAS[str(self)]}"


NAMES = tuple(FunctionName(name) for name in FUNCTIONS)

# -- worker side ---------------------------------------------------------------------------


class Counted:
    """``f`` as a student's code gets it: counts its calls and keeps its outputs."""

    def __init__(self, name: str):
        self.__name__ = name
        self._function = FUNCTIONS[name]
        self.outputs: list = []

    def __call__(self, x):
        output = self._function(x)
        self.outputs.append(output)
        return output


_FUNCTIONAL = ("vjp", "jvp", "jacobian", "hessian", "vhp", "hvp")


class AutogradWatch:
    """While active: count backward passes and record uses of ``torch.autograd.functional``.

    Backward passes are counted where ``backward`` and ``grad`` both end, in the engine call
    that ``torch.autograd`` looks up at call time, so ``from torch.autograd import grad`` and
    ``Tensor.backward`` are counted too. Every function of ``torch.autograd.functional`` goes
    through its ``_as_tuple``, which catches functions imported by name before grading.
    """

    def __init__(self):
        self.passes = 0
        self.functional: set[str] = set()
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, owner, name: str, on_call) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return

        def wrapper(*args, **kwargs):
            on_call(args)
            return original(*args, **kwargs)

        self._saved.append((owner, name, original))
        setattr(owner, name, wrapper)

    def _count(self, _args) -> None:
        self.passes += 1

    def __enter__(self) -> AutogradWatch:
        functional = torch.autograd.functional
        if hasattr(torch.autograd, "_engine_run_backward"):
            self._wrap(torch.autograd, "_engine_run_backward", self._count)
        else:  # an older torch: count at the public entry points
            self._wrap(torch.autograd, "backward", self._count)
            self._wrap(torch.autograd, "grad", self._count)
        for name in _FUNCTIONAL:
            self._wrap(functional, name, lambda _args, name=name: self.functional.add(name))
        self._wrap(functional, "_as_tuple", lambda args: self.functional.add(
            str(args[2]) if len(args) > 2 else "a function"))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()


def run_watched(call, f: str, x, x_grad=None) -> dict:
    """Run ``call(counted_f)`` on ``x`` and report what happened, as plain data."""
    if x_grad is not None:
        x.grad = x_grad
    version = x._version
    counted = Counted(f)
    with AutogradWatch() as watch:
        result = call(counted)
    return {"result": result, "f_calls": len(counted.outputs), "passes": watch.passes,
            "functional": sorted(watch.functional), "x": x, "x_requires_grad": x.requires_grad,
            "x_grad": x.grad, "x_version_changed": x._version != version,
            "graph_freed": [saved_tensors_freed(z) for z in counted.outputs]}


# -- grading side: the oracle --------------------------------------------------------------


@remembered
def output_shape(f: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of ``f(x)`` for an ``x`` of ``shape``."""
    with torch.no_grad():
        return tuple(FUNCTIONS[f](torch.zeros(shape, dtype=torch.float64)).shape)


@remembered
def jacobian_of(f: str, x: TensorArg) -> np.ndarray:
    """The Jacobian of ``f`` at the values the student's code sees, shaped ``f(x).shape + x.shape``.

    Row ``i`` is the gradient of the scalar ``f(x).reshape(-1)[i]``. No pass is given an explicit
    gradient tensor: that costs torch a one-time import of sympy (a quarter of a second).
    """
    x = oracles.leaf(x, True)
    y = FUNCTIONS[f](x)
    rows = [torch.autograd.grad(element, x, retain_graph=True)[0] for element in y.reshape(-1)]
    return torch.stack(rows).reshape(y.shape + x.shape).numpy()


@remembered
def vjp_of(f: str, x: TensorArg, v) -> np.ndarray:
    """``v^T J_f(x)``, shaped like ``x``; with ``v`` None, the gradient of ``f(x).sum()``."""
    x = oracles.leaf(x, True)
    y = FUNCTIONS[f](x)
    (grad,) = torch.autograd.grad(y.sum() if v is None else (y * oracles.leaf(v)).sum(), x)
    return grad.numpy()


# -- grading side: inputs ------------------------------------------------------------------


@st.composite
def cases(draw, *, with_v: bool = False, with_times: bool = False,
          prior_grad: bool = False) -> dict:
    """``f`` from the menu and a small ``x`` (some requiring grad, some non-contiguous).

    ``with_v``: a ``v`` shaped like ``f(x)``; ``with_times``: ``times`` from 1 to 4;
    ``prior_grad``: an ``x`` that requires grad may come with a ``.grad`` already (``x_grad``).
    """
    f = draw(st.sampled_from(NAMES))
    shape = draw(strategies.shapes(min_dims=0, max_dims=2, max_side=3))
    dtype = draw(st.sampled_from(strategies.FLOAT_DTYPES))
    requires_grad = draw(st.booleans())
    case = {"f": f, "x": TensorArg(draw(strategies.arrays(shape)), dtype, requires_grad,
                                   noncontiguous=draw(st.booleans()))}
    if prior_grad and requires_grad and draw(st.booleans()):
        case["x_grad"] = TensorArg(draw(strategies.arrays(shape)), dtype)
    if with_v:
        case["v"] = TensorArg(draw(strategies.arrays(output_shape(f, shape))), dtype)
    if with_times:
        case["times"] = draw(st.integers(1, 4))
    return case


def edge_cases(*, with_v: bool = False, with_times: bool = False,
               prior_grad: bool = False) -> list[tuple[str, dict]]:
    """The fixed edge cases of DESIGN.md, invariant 2, each with a function that makes it count."""
    rng = np.random.default_rng(0)

    def draw(*shape):
        return np.asarray(np.round(rng.uniform(-2, 2, shape) * 4) / 4)

    typical = draw(2, 3)
    found = [
        ("all zeros", "tanh_matmul", TensorArg(np.zeros((2, 3)))),
        ("a 0-dim x", "outer", TensorArg(np.array(1.5))),
        ("a single-element x", "cumsum_of_squares", TensorArg(np.array([-0.75]), "float32")),
        ("a non-contiguous x", "cumsum_of_squares",
         TensorArg(typical.T.copy(), noncontiguous=True)),
        ("large values", "sin_times_x", TensorArg(typical * 1000, "float32")),
        ("a typical case, x requires grad", "outer", TensorArg(typical, requires_grad=True)),
    ]
    result = []
    for i, (label, f, x) in enumerate(found):
        case = {"f": FunctionName(f), "x": x}
        if prior_grad and x.requires_grad:
            label += " and has a .grad already"
            case["x_grad"] = TensorArg(draw(*x.values.shape), x.dtype)
        if with_v:
            case["v"] = TensorArg(draw(*output_shape(f, x.values.shape)), x.dtype)
        if with_times:
            case["times"] = 3 if i % 2 else 2
        result.append((label, case))
    return result


# -- grading side: the rules exercises 4 and 5 share ----------------------------------------


@dataclass(frozen=True)
class Target:
    """One function of a student's file, as the rule checks call it."""

    call: str
    """How a message names the call: ``vjp(f, x, v)``."""
    probe: Callable
    """The probe that runs it under :func:`run_watched`."""
    with_v: bool = False
    with_times: bool = False

    @property
    def function(self) -> str:
        """The student's function's name (``vjp``), as the catalog's watches name it."""
        return self.call.split("(")[0]


def check_rule(session, targets: tuple[Target, ...], rule, *, prior_grad: bool = False,
               edges: slice = slice(-2, None), max_examples: int = 4) -> Failure | None:
    """Check ``rule(target, what_the_probe_saw, case)`` on each watched target in turn."""
    for target in targets:
        if not session.watches(target.function):
            continue

        def body(case, target=target):
            rule(target, session.call(target.probe, **case), case)

        kinds = {"with_v": target.with_v, "with_times": target.with_times,
                 "prior_grad": prior_grad}
        failure = find_failure(cases(**kinds), body, edge_cases(**kinds)[edges],
                               max_examples=max_examples)
        if failure is not None:
            return failure
    return None


def called_once(target: Target, got: dict, case: dict) -> None:
    """Rule: ``f`` was called exactly once."""
    calls = got["f_calls"]
    if calls != 1:
        raise CheckFailure(
            f"{target.call} called f {calls} time{'s' if calls != 1 else ''}; it must call f "
            "exactly once",
            ["compute `y = f(xr)` once and run every backward pass through that one graph"
             if calls else "call f on a fresh leaf: `xr = x.detach().requires_grad_(True)`"])


def x_untouched(target: Target, got: dict, case: dict) -> None:
    """Rule: ``x`` kept its values, its ``requires_grad`` and its ``.grad``."""
    x = case["x"]
    changes = []
    after = got["x"]
    if not (isinstance(after, TensorData) and np.array_equal(
            after.values.astype(np.float64), oracles.rounded(x))):
        changes.append(f"x's values changed to {summarize(after.values)}"
                       if isinstance(after, TensorData) else "x is no longer a tensor")
    elif got["x_version_changed"]:
        changes.append("x was modified in place (an in-place operation such as `x.add_()`)")
    if got["x_requires_grad"] != x.requires_grad:
        changes.append(f"x.requires_grad was {x.requires_grad}, it is now {got['x_requires_grad']}")
    before = case.get("x_grad")
    grad = got["x_grad"]
    if before is None and grad is not None:
        changes.append("x.grad was None, now it holds a gradient")
    elif before is not None and not (isinstance(grad, TensorData) and np.array_equal(
            grad.values.astype(np.float64), oracles.rounded(before))):
        changes.append("x.grad was changed" if grad is not None else "x.grad was set to None")
    if changes:
        raise CheckFailure(
            f"{target.call} did not leave x as it was", changes +
            ["work on a fresh leaf that shares x's values: `xr = x.detach().requires_grad_(True)`, "
             "then differentiate with respect to xr (`torch.autograd.grad` leaves .grad alone)"])
