"""Checks shared by the exercises that compute the two-layer network's gradients by hand.

exercise1 (NumPy arrays) and exercise2 (torch tensors) differ only in how inputs travel,
how results are compared and which probes run: a :class:`Flavor` holds those differences.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.grading.compare import check_values
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure

LEARNING_RATE = 1e-3

LOSS_AFTER_UPDATE = Diagnosis(
    "loss recorded after the update",
    "your losses are the expected ones shifted by one step",
    "compute and record the loss of a step before updating the weights with its gradients",
)
GRADIENT_ASCENT = Diagnosis(
    "sign flipped",
    "your weights moved up the gradient: the results match training with `w += lr * grad`",
    "gradient descent subtracts: `w -= learning_rate * grad`",
)


@dataclass(frozen=True)
class Flavor:
    """What differs between the NumPy and the torch version of the network exercise."""

    probe_forward_backward: Callable
    probe_train: Callable
    cases: Callable[[], st.SearchStrategy]
    """Strategy for ``{"x", "y", "w1", "w2"}`` arguments."""
    wrap: Callable[[dict], dict]
    """Turn a dict of float64 arrays into arguments (for the fixed edge cases)."""
    check_loss: Callable
    check_grad: Callable
    expect: Callable
    """``expect(case, values, session, **extra) -> Expect``."""


def forward_backward_check(flavor: Flavor, quantity: str) -> Callable:
    """A check of one of ``loss``, ``grad_w1``, ``grad_w2`` from ``forward_backward``."""

    def run(session):
        def body(case):
            got = session.call(flavor.probe_forward_backward, **case)
            if not got.get("is_triple"):
                raise CheckFailure(
                    f"forward_backward returned {got.get('returned')}, expected a tuple "
                    "(loss, grad_w1, grad_w2)")
            relu, clamp = oracles.two_layer_both(case["x"], case["y"], case["w1"], case["w2"])
            if quantity == "loss":
                flavor.check_loss("loss", got["loss"], flavor.expect(case, np.asarray(relu.loss), session))
                return
            expected = getattr(relu, quantity)
            other = getattr(clamp, quantity)
            flavor.check_grad(quantity, got[quantity],
                              flavor.expect(case, expected, session, accept=(other,)))

        edges = [(label, flavor.wrap(values)) for label, values in strategies.network_edge_cases()]
        return find_failure(flavor.cases(), body, edges)

    return run


@st.composite
def _train_cases(draw, cases):
    case = dict(draw(cases))
    case["steps"] = draw(st.integers(1, 4))
    return case


def _losses(got) -> np.ndarray:
    if not isinstance(got, list):
        raise CheckFailure(f"train returned {type(got).__name__}, expected a list of floats")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in got):
        raise CheckFailure("train must return a list of Python floats (use `float(loss)` or "
                           "`loss.item()` for each step)")
    return np.asarray(got, dtype=np.float64)


def train_check(flavor: Flavor) -> Callable:
    """A check of ``train``: the loss of each step, and the weights updated in place."""

    def run(session):
        def body(case):
            steps = case["steps"]
            got = session.call(flavor.probe_train, learning_rate=LEARNING_RATE, **case)
            losses = _losses(got["losses"])
            args = (case["x"], case["y"], case["w1"], case["w2"])
            relu = oracles.train(*args, LEARNING_RATE, steps)
            clamp = oracles.train(*args, LEARNING_RATE, steps, kink_slope=1.0)
            shifted = oracles.train(*args, LEARNING_RATE, steps + 1)[0][1:]
            ascent = oracles.train(*args, -LEARNING_RATE, steps)
            expect = flavor.expect(case, np.asarray(relu[0]), session,
                                   accept=(np.asarray(clamp[0]),),
                                   alternatives=((LOSS_AFTER_UPDATE, np.asarray(shifted)),
                                                 (GRADIENT_ASCENT, np.asarray(ascent[0]))))
            check_values(f"the losses of {steps} step(s)", losses,
                         dataclasses.replace(expect, device=None))
            for i, name in ((1, "w1"), (2, "w2")):
                before = oracles.rounded(case[name])
                after = got[name]
                unchanged = np.array_equal(np.asarray(getattr(after, "values", after),
                                                      dtype=np.float64), before)
                if unchanged and not np.array_equal(relu[i], before):
                    raise CheckFailure(
                        f"{name} was not updated in place",
                        [f"after train, the caller's {name} still holds its initial values",
                         f"update the array itself: `{name} -= learning_rate * grad_{name}` "
                         f"(`{name} = {name} - ...` only rebinds a local name)"])
                flavor.check_grad(f"{name} after {steps} step(s)", after,
                                  flavor.expect(case, relu[i], session, accept=(clamp[i],),
                                                alternatives=((GRADIENT_ASCENT, ascent[i]),)))
            for name in ("x", "y"):
                if got.get(f"{name}_changed"):
                    raise CheckFailure(f"train modified its input {name}",
                                       ["only w1 and w2 may change"])

        edges = [(label, dict(flavor.wrap(values), steps=3))
                 for label, values in strategies.network_edge_cases() if label != "large values"]
        return find_failure(_train_cases(flavor.cases()), body, edges, max_examples=10)

    return run
