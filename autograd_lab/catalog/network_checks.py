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
from autograd_lab.grading.diagnose import mean_not_sum
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure

LEARNING_RATE = 1e-3

LOSS_AFTER_UPDATE = Diagnosis(
    "loss recorded after the update",
    "your losses are the expected ones shifted by one step",
    "compute and record the loss of a step before updating the weights with its gradients",
)
RELU_MASK_MISSING = Diagnosis(
    "ReLU mask missing",
    "your grad_w1 is x.T @ grad_h_relu: the gradient went back through the ReLU unmasked "
    "(grad_h = grad_h_relu), also where h < 0",
    "the ReLU lets the gradient through only where its input is positive: "
    "`grad_h = grad_h_relu * (h > 0)`",
)
H_FOR_H_RELU = Diagnosis(
    "h instead of h_relu",
    "your grad_w2 is h.T @ grad_y_pred: the ReLU's input where its output belongs",
    "y_pred = h_relu @ w2, so the gradient of w2 takes what multiplied it: "
    "`grad_w2 = h_relu.T @ grad_y_pred`",
)
MEAN_HINT = ("the loss is the SUM of the squared errors, `sum((y_pred - y) ** 2)`, so "
             "d loss / d y_pred = 2 * (y_pred - y), with no division")


def mean_instead_of_sum(what: str, count: int) -> Diagnosis:
    """The mean of the squared errors where their sum is asked, for one input's size."""
    return mean_not_sum(what, count, "the number of squared errors (N * D_out)", MEAN_HINT)


def _alternatives(quantity: str, case) -> tuple:
    """The known wrong answers of ``loss``, ``grad_w1`` or ``grad_w2`` on ``case``."""
    wrong = oracles.two_layer_mistakes(case["x"], case["y"], case["w1"], case["w2"])
    found = [(mean_instead_of_sum(quantity, wrong.count),
              np.asarray(getattr(wrong.mean, quantity)))]
    if quantity == "grad_w1":
        found.append((RELU_MASK_MISSING, wrong.unmasked_grad_w1))
    if quantity == "grad_w2":
        found.append((H_FOR_H_RELU, wrong.h_for_h_relu_grad_w2))
    return tuple(found)


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
            alternatives = _alternatives(quantity, case)
            if quantity == "loss":
                flavor.check_loss("loss", got["loss"], flavor.expect(
                    case, np.asarray(relu.loss), session, alternatives=alternatives))
                return
            expected = getattr(relu, quantity)
            other = getattr(clamp, quantity)
            flavor.check_grad(quantity, got[quantity],
                              flavor.expect(case, expected, session, accept=(other,),
                                            alternatives=alternatives))

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


def own_gradients(m, x, y, w1, w2) -> dict | None:
    """Worker side: the student's forward_backward gradients at these weights, on copies.

    train is meant to step by them: where w1 did not move, they tell a gradient of zero from
    an update that never reached the caller's array. None where forward_backward fails.
    """
    copies = [v.clone() if hasattr(v, "clone") else v.copy() for v in (x, y, w1, w2)]
    try:
        result = m.forward_backward(*copies)
    except Exception:  # train's own call reports it, in train's check
        return None
    if not (isinstance(result, tuple) and len(result) == 3):
        return None
    return {"w1": result[1], "w2": result[2]}


def _not_moved(name: str, got) -> CheckFailure:
    """w1 (or w2) still holds its initial values where torch's training moves it: say why."""
    own = (got.get("own_grads") or {}).get(name)
    values = getattr(own, "values", own)
    first = f"after train, the caller's {name} still holds its initial values"
    if isinstance(values, np.ndarray) and values.size and not np.any(values):
        return CheckFailure(
            f"{name} did not change: your forward_backward's grad_{name} is zero at these "
            "weights", [first,
                        f"train steps by forward_backward's gradients, and yours is all zeros "
                        f"here (torch's is not), so `{name} -= learning_rate * grad_{name}` "
                        "changes nothing",
                        f"make forward_backward's grad_{name} right first (the check "
                        f"grad_{name})"])
    if isinstance(values, np.ndarray) and np.any(values):
        return CheckFailure(
            f"{name} was not updated in place",
            [first + f", though your forward_backward's grad_{name} at them is not zero",
             f"update it in place: `{name} -= learning_rate * grad_{name}` "
             f"(`{name} = {name} - ...` only rebinds a local name)"])
    return CheckFailure(f"{name} did not change", [first + ", where torch's training moves it"])


def train_check(flavor: Flavor) -> Callable:
    """A check of ``train``: the loss of each step, and the weights updated in place."""

    def run(session):
        def body(case):
            steps, learning_rate = case["steps"], case["learning_rate"]
            got = session.call(flavor.probe_train, **case)
            losses = _losses(got["losses"])
            args = (case["x"], case["y"], case["w1"], case["w2"])
            relu = oracles.train(*args, learning_rate, steps)
            clamp = oracles.train(*args, learning_rate, steps, kink_slope=1.0)
            shifted = oracles.train(*args, learning_rate, steps + 1)[0][1:]
            ascent = oracles.train(*args, -learning_rate, steps)
            mean = oracles.train(*args, learning_rate, steps, reduction="mean")
            count = int(np.asarray(oracles.rounded(case["y"])).size)
            mean_diagnosis = Diagnosis(
                "mean instead of sum",
                f"your numbers are those of training on the MEAN of the {count} squared errors "
                "(N * D_out), not their sum", "train steps by forward_backward: " + MEAN_HINT)
            expect = flavor.expect(case, np.asarray(relu[0]), session,
                                   accept=(np.asarray(clamp[0]),),
                                   alternatives=((LOSS_AFTER_UPDATE, np.asarray(shifted)),
                                                 (GRADIENT_ASCENT, np.asarray(ascent[0])),
                                                 (mean_diagnosis, np.asarray(mean[0]))))
            check_values(f"the losses of {steps} step(s)", losses,
                         dataclasses.replace(expect, device=None))
            for i, name in ((1, "w1"), (2, "w2")):
                before = oracles.rounded(case[name])
                after = got[name]
                unchanged = np.array_equal(np.asarray(getattr(after, "values", after),
                                                      dtype=np.float64), before)
                if unchanged and not np.array_equal(relu[i], before):
                    raise _not_moved(name, got)
                flavor.check_grad(f"{name} after {steps} step(s)", after,
                                  flavor.expect(case, relu[i], session, accept=(clamp[i],),
                                                alternatives=((GRADIENT_ASCENT, ascent[i]),
                                                              (mean_diagnosis, mean[i]))))
            for name in ("x", "y"):
                if got.get(f"{name}_changed"):
                    raise CheckFailure(f"train modified its input {name}",
                                       ["only w1 and w2 may change"])

        edges = [(label, dict(flavor.wrap(values), steps=3))
                 for label, values in strategies.network_edge_cases() if label != "large values"]
        return find_failure(_train_cases(flavor.cases()), body, edges, max_examples=10,
                            constants={"learning_rate": LEARNING_RATE})

    return run
