"""exercise1 · numpy_backprop · the two-layer network, backprop by hand in NumPy.

Probes (``probe_*``) run in the worker next to the student's module; checks run in the
grading process (the network checks are shared with exercise2, see network_checks).
"""

from __future__ import annotations

import numpy as np

from autograd_lab.catalog import network_checks, strategies
from autograd_lab.catalog.base import Check, Exercise, returned_kind, rule, runs, watch
from autograd_lab.catalog.watch import torch_calls
from autograd_lab.grading.compare import Expect, check_array, check_number
from autograd_lab.grading.failure import CheckFailure
from autograd_lab.grading.search import find_failure

# -- probes (worker side) --------------------------------------------------------------------


@runs("forward_backward")
def probe_forward_backward(m, x, y, w1, w2):
    with torch_calls(m.__file__) as calls:
        result = m.forward_backward(x, y, w1, w2)
    triple = isinstance(result, tuple) and len(result) == 3
    loss, grad_w1, grad_w2 = result if triple else (None, None, None)
    return {"is_triple": triple, "returned": returned_kind(result), "loss": loss,
            "grad_w1": grad_w1, "grad_w2": grad_w2, "torch_calls": calls}


@runs("train")
def probe_train(m, x, y, w1, w2, learning_rate, steps):
    x0, y0 = x.copy(), y.copy()
    own_grads = network_checks.own_gradients(m, x, y, w1, w2)
    with torch_calls(m.__file__) as calls:
        losses = m.train(x, y, w1, w2, learning_rate, steps)
    return {"losses": losses, "w1": w1, "w2": w2, "torch_calls": calls, "own_grads": own_grads,
            "x_changed": not np.array_equal(x, x0), "y_changed": not np.array_equal(y, y0)}


# -- checks (grading side) -------------------------------------------------------------------


def _expect(case, values, session, **extra) -> Expect:
    return Expect(np.asarray(values), dtype="float64", device=None, **extra)


FLAVOR = network_checks.Flavor(
    probe_forward_backward=probe_forward_backward,
    probe_train=probe_train,
    cases=strategies.network_arrays,
    wrap=lambda values: {k: np.asarray(v, dtype=np.float64) for k, v in values.items()},
    check_loss=check_number,
    check_grad=check_array,
    expect=_expect,
)


FORWARD_BACKWARD = watch("forward_backward", "loss", "grad_w1", "grad_w2")


def check_numpy_only(session):
    def body(case):
        found = []
        network = {name: case[name] for name in ("x", "y", "w1", "w2")}
        if session.watches("forward_backward"):
            found += session.call(probe_forward_backward, **network)["torch_calls"]
        if session.watches("train"):
            found += session.call(probe_train, **network, learning_rate=case["learning_rate"],
                                  steps=case["steps"])["torch_calls"]
        if found:
            raise CheckFailure("exercise1 is NumPy only, but your code called torch",
                               [f"first call seen: {found[0]}",
                                "write every step with NumPy (`x.dot(w1)`, `np.maximum(h, 0)`, "
                                "`.T`): exercise2 is the one with tensors"])

    # train's arguments are shown with a failing input, so that it can be run again as shown.
    train = {"learning_rate": 1e-3, "steps": 1} if session.watches("train") else None
    return find_failure(strategies.network_arrays(), body, max_examples=2, constants=train)


EXERCISE = Exercise(
    number=1,
    slug="numpy_backprop",
    title="two-layer network, backprop by hand in NumPy",
    idea="the chain rule by hand: what backward computes, one matrix product at a time",
    filename="exercise1_numpy_backprop.py",
    checks=(
        Check("loss", "forward_backward's loss is sum((relu(x @ w1) @ w2 - y) ** 2), as a Python "
              "float", 2, network_checks.forward_backward_check(FLAVOR, "loss")),
        Check("grad_w1", "forward_backward's grad_w1 equals torch's gradient of the loss with "
              "respect to w1", 3, network_checks.forward_backward_check(FLAVOR, "grad_w1")),
        Check("grad_w2", "forward_backward's grad_w2 equals torch's gradient of the loss with "
              "respect to w2", 2, network_checks.forward_backward_check(FLAVOR, "grad_w2")),
        Check("train", "train runs gradient descent: the loss of each step, w1 and w2 updated in "
              "place, x and y untouched", 2, network_checks.train_check(FLAVOR),
              uses=(FORWARD_BACKWARD,)),
        rule("numpy_only", "no torch call happens while forward_backward and train run", 1,
             check_numpy_only, FORWARD_BACKWARD, watch("train"), voids=True),
    ),
)
