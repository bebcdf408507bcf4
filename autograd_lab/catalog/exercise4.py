"""exercise4 · vjp · vector-Jacobian products.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. The
functions ``f`` handed to the student's code, the watch kept on them and the rules shared with
exercise5 live in :mod:`autograd_lab.catalog.functions`.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_lab.catalog import functions
from autograd_lab.catalog.base import Check, Exercise, rule, runs, structure, watch
from autograd_lab.grading.compare import Expect, check_tensor, describe
from autograd_lab.grading.diagnose import TRANSPOSED
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure
from autograd_lab.grading.tolerance import all_close
from autograd_lab.sandbox.protocol import TensorData

# -- probes (worker side) --------------------------------------------------------------------


@runs("vjp")
def probe_vjp(m, f, x, v, x_grad=None):
    return functions.run_watched(lambda counted: m.vjp(counted, x, v), f, x, x_grad)


@runs("jacobian")
def probe_jacobian(m, f, x, x_grad=None):
    return functions.run_watched(lambda counted: m.jacobian(counted, x), f, x, x_grad)


# -- checks (grading side) -------------------------------------------------------------------


VJP = functions.Target("vjp(f, x, v)", probe_vjp, with_v=True)
JACOBIAN = functions.Target("jacobian(f, x)", probe_jacobian)
BOTH = (VJP, JACOBIAN)


def check_vjp(session):
    def body(case):
        got = session.call(probe_vjp, **case)["result"]
        expected = functions.vjp_of(case["f"], case["x"], case["v"])
        check_tensor("vjp(f, x, v)", got,
                     Expect(expected, dtype=case["x"].dtype, device=session.device))

    return find_failure(functions.cases(with_v=True), body, functions.edge_cases(with_v=True))


JACOBIAN_TRANSPOSED = Diagnosis(
    TRANSPOSED.name,
    "your numbers are the Jacobian's transpose: d f(x)[i] / d x[j] sits where "
    "d f(x)[j] / d x[i] belongs",
    "row i of the Jacobian is the gradient of output element i, shaped like x: stack the rows "
    "along a new FIRST dimension (`torch.stack(rows)`), then reshape to `y.shape + x.shape`",
)


def _check_jacobian(got, case, expected: np.ndarray, session) -> None:
    x_shape = case["x"].values.shape
    y_shape = expected.shape[:expected.ndim - len(x_shape)]
    dtype = case["x"].dtype
    by_rows = expected.reshape(math.prod(y_shape), math.prod(x_shape))
    flipped = by_rows.T.reshape(x_shape + y_shape)  # J^T, laid out as x.shape + y.shape
    if isinstance(got, TensorData) and got.shape != expected.shape and got.dtype == dtype:
        values = got.values.astype(np.float64)
        details = [f"expected: {describe(expected, dtype, session.device)}",
                   f"got:      {describe(values, got.dtype, got.device)}",
                   f"row i of J (shaped like x) is the gradient of f(x).reshape(-1)[i]: J is "
                   f"shaped f(x).shape + x.shape = {y_shape} + {x_shape}"]
        if all_close(values, flipped, dtype):
            raise CheckFailure(
                f"jacobian(f, x): expected shape {expected.shape}, got {got.shape} "
                "(x.shape + f(x).shape)", details, JACOBIAN_TRANSPOSED)
        if values.size == expected.size and all_close(values.reshape(expected.shape), expected,
                                                      dtype):
            raise CheckFailure(
                f"jacobian(f, x): the right values in the wrong shape: expected "
                f"{expected.shape}, got {got.shape}", details + ["reshape to `y.shape + x.shape`"])
    # Rows laid out as columns, then reshaped to the right shape: J^T's values, J's shape.
    alternatives = ((JACOBIAN_TRANSPOSED, flipped.reshape(expected.shape)),)
    check_tensor("jacobian(f, x)", got,
                 Expect(expected, dtype=dtype, device=session.device, alternatives=alternatives))


def check_jacobian(session):
    def body(case):
        got = session.call(probe_jacobian, **case)["result"]
        _check_jacobian(got, case, functions.jacobian_of(case["f"], case["x"]), session)

    return find_failure(functions.cases(), body, functions.edge_cases())


def check_called_once(session):
    return functions.check_rule(session, BOTH, functions.called_once)


def _one_pass_per_row(target, got, case) -> None:
    passes = got["passes"]
    if target is VJP:
        if passes != 1:
            raise CheckFailure(
                f"vjp(f, x, v) ran {passes} backward passes; it must run exactly one",
                ["one pass with v as its gradient computes v^T J without ever building J: "
                 "`torch.autograd.grad(y, xr, v)` (or `y.backward(v)`)"])
        return
    outputs = math.prod(functions.output_shape(case["f"], case["x"].values.shape))
    if passes != outputs:
        raise CheckFailure(
            f"jacobian(f, x) ran {passes} backward pass{'es' if passes != 1 else ''} for an "
            f"f(x) of {outputs} element{'s' if outputs != 1 else ''}; it must run one per "
            "output element",
            ["row i of J is one backward pass with a one-hot v (1 at element i of y, 0 "
             "elsewhere), all through the graph of the one call y = f(xr)"])


def check_backward_passes(session):
    return functions.check_rule(session, BOTH, _one_pass_per_row)


def _no_functional(target, got, case) -> None:
    if got["functional"]:
        names = ", ".join(f"torch.autograd.functional.{name}" for name in got["functional"])
        raise CheckFailure(
            f"{target.call} used {names}",
            ["torch.autograd.functional does this exercise for you: build the result from "
             "`torch.autograd.grad` (or `backward`) passes yourself"])


def check_no_functional(session):
    return functions.check_rule(session, BOTH, _no_functional, edges=slice(-1, None),
                                max_examples=3)


def check_x_untouched(session):
    # Edge cases: all zeros (x does not require grad), the last (x requires grad, has a .grad).
    return functions.check_rule(session, BOTH, functions.x_untouched, prior_grad=True,
                                edges=slice(None, None, 5), max_examples=5)


def _detached(target, got, case) -> None:
    result = got["result"]
    if not isinstance(result, TensorData):
        raise CheckFailure(f"{target.call} did not return a tensor")
    if result.requires_grad:
        raise CheckFailure(
            f"{target.call} returned a tensor that requires grad (grad_fn {result.grad_fn})",
            ["return `grad.detach()`; and leave out `create_graph=True`, which records a graph "
             "of the backward pass itself"])


def check_detached(session):
    return functions.check_rule(session, BOTH, _detached, edges=slice(-1, None), max_examples=3)


WATCHES = (watch("vjp"), watch("jacobian"))

EXERCISE = Exercise(
    number=4,
    slug="vjp",
    title="vector-Jacobian products",
    idea="what one backward pass computes: v^T J; a Jacobian as one pass per output element",
    filename="exercise4_vjp.py",
    checks=(
        Check("vjp", "vjp(f, x, v) equals v^T J_f(x), shaped like x (any shape, float dtype, "
              "0-dim f(x), non-contiguous x)", 2, check_vjp),
        Check("jacobian", "jacobian(f, x) equals the Jacobian of f at x, shaped "
              "f(x).shape + x.shape", 3, check_jacobian),
        rule("f_called_once", "vjp and jacobian call f exactly once", 1, check_called_once,
             *WATCHES, voids=True),
        rule("backward_passes", "vjp runs one backward pass; jacobian one per element of f(x)",
             1, check_backward_passes, *WATCHES, voids=True),
        rule("no_functional", "vjp and jacobian do not use torch.autograd.functional", 1,
             check_no_functional, *WATCHES, voids=True),
        rule("x_untouched", "vjp and jacobian leave x, its requires_grad and its .grad as they "
             "were", 1, check_x_untouched, *WATCHES),
        structure("result_detached", "what vjp and jacobian return does not require grad", 1,
                  check_detached, *WATCHES),
    ),
)
