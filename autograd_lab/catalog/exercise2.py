"""exercise2 · tensor_backprop · the network with torch tensors, gradients by hand.

Probes (``probe_*``) run in the worker next to the student's module; checks run in the
grading process (the network checks are shared with exercise1, see network_checks).
"""

from __future__ import annotations

import numpy as np
import torch

from autograd_lab.catalog import network_checks, strategies
from autograd_lab.catalog.base import Check, Exercise, returned_kind, rule, runs, watch
from autograd_lab.catalog.watch import autograd_calls, created_devices
from autograd_lab.grading.compare import Expect, check_tensor
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure

# -- probes (worker side) --------------------------------------------------------------------


@runs("forward_backward")
def probe_forward_backward(m, x, y, w1, w2):
    before = [t.clone() for t in (x, y, w1, w2)]
    result = m.forward_backward(x, y, w1, w2)
    triple = isinstance(result, tuple) and len(result) == 3
    loss, grad_w1, grad_w2 = result if triple else (None, None, None)
    changed = [name for name, old, new in zip("x y w1 w2".split(), before, (x, y, w1, w2))
               if not torch.equal(old, new)]
    return {"is_triple": triple, "returned": returned_kind(result), "loss": loss,
            "grad_w1": grad_w1, "grad_w2": grad_w2, "changed": changed}


@runs("forward_backward and train")
def probe_rules(m, x, y, w1, w2, watching=None):
    """Run forward_backward and then train (or the one watched), watching for autograd and
    foreign devices."""
    watch = created_devices()
    counts, with_graph, train_counts = {"backward": 0}, [], {"backward": 0}
    if watching in (None, "forward_backward"):
        with autograd_calls() as counts, watch:
            result = m.forward_backward(x, y, w1, w2)
        returned = result if isinstance(result, tuple) else (result,)
        with_graph = [f"value {i}" for i, value in enumerate(returned)
                      if isinstance(value, torch.Tensor) and value.grad_fn is not None]
    if watching in (None, "train"):
        with autograd_calls() as train_counts:
            m.train(x, y, w1.clone(), w2.clone(), 1e-3, 1)
    return {"backward_calls": counts["backward"], "train_backward_calls": train_counts["backward"],
            "with_graph": with_graph, "devices": sorted(watch.devices - {x.device.type})}


@runs("train")
def probe_train(m, x, y, w1, w2, learning_rate, steps):
    x0, y0 = x.clone(), y.clone()
    own_grads = network_checks.own_gradients(m, x, y, w1, w2)
    losses = m.train(x, y, w1, w2, learning_rate, steps)
    return {"losses": losses, "w1": w1, "w2": w2, "own_grads": own_grads,
            "x_changed": not torch.equal(x, x0), "y_changed": not torch.equal(y, y0)}


# -- checks (grading side) -------------------------------------------------------------------


def _expect(case, values, session, **extra) -> Expect:
    return Expect(np.asarray(values), dtype=case["x"].dtype, device=session.device, **extra)


FLAVOR = network_checks.Flavor(
    probe_forward_backward=probe_forward_backward,
    probe_train=probe_train,
    cases=strategies.network_tensors,
    wrap=strategies.as_tensors,
    check_loss=check_tensor,
    check_grad=check_tensor,
    expect=_expect,
)

USED_AUTOGRAD = Diagnosis(
    "autograd used",
    "exercise2 computes gradients by hand, but autograd did the work",
    "write the chain rule out with tensor operations (`x.t() @ grad_h`); no `.backward()`, no "
    "`torch.autograd.grad`, and no inputs that require grad",
)


FORWARD_BACKWARD = watch("forward_backward", "loss", "grad_w1", "grad_w2")


def check_no_autograd(session):
    def body(case):
        got = session.call(probe_rules, watching=session.watching, **case)
        problems = []
        if got["backward_calls"]:
            problems.append(f"backward passes run: {got['backward_calls']}")
        if got["with_graph"]:
            problems.append(f"returned with a grad_fn: {', '.join(got['with_graph'])}")
        if got["devices"]:
            problems.append(f"tensors created on {', '.join(got['devices'])}, not on the inputs' "
                            "device: pass `device=x.device` or use `*_like` constructors")
        if got["train_backward_calls"]:
            problems.append(f"backward passes run by train: {got['train_backward_calls']}")
        if problems:
            used = got["backward_calls"] or got["with_graph"] or got["train_backward_calls"]
            raise CheckFailure("your code breaks the rules of exercise2", problems,
                               USED_AUTOGRAD if used else None)

    return find_failure(strategies.network_tensors(), body, max_examples=3)


def check_inputs_untouched(session):
    def body(case):
        changed = session.call(probe_forward_backward, **case)["changed"]
        if changed:
            raise CheckFailure(f"forward_backward modified its input(s): {', '.join(changed)}",
                               ["compute new tensors instead of writing into the inputs "
                                "(no `x.clamp_(...)`, `h[h < 0] = 0` on an input, `w1 -= ...`)"])

    edges = [(label, strategies.as_tensors(values))
             for label, values in strategies.network_edge_cases()]
    return find_failure(strategies.network_tensors(), body, edges, max_examples=5)


EXERCISE = Exercise(
    number=2,
    slug="tensor_backprop",
    title="the same network with torch tensors, gradients by hand",
    idea="tensors, dtypes and devices: the chain rule again, on any device",
    filename="exercise2_tensor_backprop.py",
    checks=(
        Check("loss", "forward_backward's loss is a 0-dim tensor equal to torch's, on the inputs' "
              "device and dtype", 2, network_checks.forward_backward_check(FLAVOR, "loss")),
        Check("grad_w1", "forward_backward's grad_w1 equals torch's gradient with respect to w1", 2,
              network_checks.forward_backward_check(FLAVOR, "grad_w1")),
        Check("grad_w2", "forward_backward's grad_w2 equals torch's gradient with respect to w2", 2,
              network_checks.forward_backward_check(FLAVOR, "grad_w2")),
        Check("train", "train runs gradient descent on tensors: the loss of each step, w1 and w2 "
              "updated in place", 2, network_checks.train_check(FLAVOR),
              uses=(FORWARD_BACKWARD,)),
        rule("no_autograd", "no autograd: no backward pass, nothing returned has a grad_fn, no "
             "tensor created on another device", 1, check_no_autograd, FORWARD_BACKWARD,
             watch("train"), voids=True),
        rule("inputs_untouched", "forward_backward does not modify its inputs", 1,
             check_inputs_untouched, FORWARD_BACKWARD),
    ),
)
