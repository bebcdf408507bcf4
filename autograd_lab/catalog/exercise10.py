"""exercise10 · cross_entropy · softmax cross-entropy and BCE by hand.

Probes (``probe_*``) run in the worker next to the student's module and return plain data;
checks (``check_*``) run in the grading process, draw inputs and compare with torch. Inputs, the
oracle (``F.cross_entropy`` and ``F.binary_cross_entropy_with_logits`` with autograd, in float64)
and the known wrong answers live in :mod:`autograd_lab.catalog.loss_oracle`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import loss_oracle
from autograd_lab.catalog.base import Check, Exercise, rule, runs, watch
from autograd_lab.catalog.functions import AutogradWatch
from autograd_lab.grading.compare import Expect, check_tensor, summarize
from autograd_lab.grading.failure import CheckFailure, Diagnosis
from autograd_lab.grading.search import find_failure
from autograd_lab.sandbox.protocol import TensorData

CE_CALL = "cross_entropy_forward_backward(logits, labels)"
BCE_CALL = "bce_with_logits_forward_backward(z, y)"

# -- probes (worker side) --------------------------------------------------------------------


def _pair(result) -> dict:
    pair = isinstance(result, (tuple, list)) and len(result) == 2
    loss, grad = result if pair else (None, None)
    if isinstance(result, (tuple, list)):
        returned = f"a sequence of {len(result)}"
    elif isinstance(result, torch.Tensor):
        returned = "a single tensor"
    else:
        returned = f"a value of type {type(result).__name__}"
    return {"is_pair": pair, "returned": returned, "loss": loss, "grad": grad}


@runs("cross_entropy_forward_backward")
def probe_ce(m, logits, labels):
    return _pair(m.cross_entropy_forward_backward(logits, labels))


@runs("bce_with_logits_forward_backward")
def probe_bce(m, z, y):
    return _pair(m.bce_with_logits_forward_backward(z, y))


def _with_graph(result) -> list[str]:
    values = result if isinstance(result, (tuple, list)) else (result,)
    return [f"value {i}" for i, value in enumerate(values)
            if isinstance(value, torch.Tensor) and value.grad_fn is not None]


@runs("cross_entropy_forward_backward and bce_with_logits_forward_backward")
def probe_rules(m, logits, labels, z, y, watching=None):
    ce = bce = None
    with AutogradWatch() as ce_watch:
        if watching in (None, "cross_entropy_forward_backward"):
            ce = m.cross_entropy_forward_backward(logits, labels)
    with AutogradWatch() as bce_watch:
        if watching in (None, "bce_with_logits_forward_backward"):
            bce = m.bce_with_logits_forward_backward(z, y)
    return {"ce_passes": ce_watch.passes, "ce_graph": _with_graph(ce),
            "bce_passes": bce_watch.passes, "bce_graph": _with_graph(bce)}


# -- checks (grading side) -------------------------------------------------------------------


def _result(session, probe, case, call: str) -> dict:
    got = session.call(probe, **case)
    if not got["is_pair"]:
        raise CheckFailure(f"{call} returned {got['returned']}, expected a pair (loss, gradient)")
    return got


def _check_loss(what: str, got, expected, alternatives, inputs, session) -> None:
    shape = inputs.values.shape
    if isinstance(got, TensorData) and got.shape and got.shape in (shape, shape[:1]):
        raise CheckFailure(f"{what}: expected a 0-dim tensor, got shape {got.shape}: one loss per "
                           f"{'sample' if got.shape == shape[:1] else 'element'}",
                           ["the loss is the mean over the batch: take `.mean()`"])
    check_tensor(what, got, Expect(np.asarray(expected), dtype=inputs.dtype, device=session.device,
                                   alternatives=tuple(alternatives)))


def _loss_check(probe, cases, edges, call: str, oracle: Callable, alternatives: Callable,
                inputs: str):
    """A check of the loss a function returns."""

    def run(session):
        def body(case):
            got = _result(session, probe, case, call)
            loss, grad = oracle(case)
            _check_loss(f"{call}: loss", got["loss"], loss, alternatives(case, loss, grad)[0],
                        case[inputs], session)

        return find_failure(cases(), body, edges())

    return run


def _grad_check(probe, cases, edges, call: str, oracle: Callable, alternatives: Callable,
                inputs: str):
    """A check of the gradient a function returns."""

    def run(session):
        def body(case):
            got = _result(session, probe, case, call)
            loss, grad = oracle(case)
            check_tensor(f"{call}: the gradient with respect to {inputs}", got["grad"],
                         Expect(grad, dtype=case[inputs].dtype, device=session.device,
                                alternatives=tuple(alternatives(case, loss, grad)[1])))

        return find_failure(cases(), body, edges())

    return run


CE_OVERFLOW = Diagnosis(
    "overflow in exp",
    "exp of a large logit is inf (float32 overflows past 88, float64 past 709), and inf / inf "
    "or inf - inf is NaN",
    "subtract each row's max before exp: softmax(z) = softmax(z - max(z)), and log-sum-exp "
    "log(sum(exp(z))) = m + log(sum(exp(z - m))) with m = max(z) (or `torch.logsumexp`)")
BCE_OVERFLOW = Diagnosis(
    "overflow in exp",
    "for a logit of -1e4, exp(-z) is inf and log(sigmoid(z)) is log(0) = -inf (and "
    "log(1 - sigmoid(z)) for +1e4): the loss becomes inf or NaN",
    "use the stable form: loss = max(z, 0) - z * y + log(1 + exp(-|z|)) "
    "(`z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))`), where exp never sees a "
    "positive number, and `torch.sigmoid(z)` for the gradient")


def _stable_check(probe, cases, edges, call: str, oracle: Callable, alternatives: Callable,
                  inputs: str, overflow: Diagnosis):
    """Finite and correct results for logits as large as +-1e4."""

    def run(session):
        def body(case):
            got = _result(session, probe, case, call)
            loss, grad = oracle(case)
            wrong_losses, wrong_grads = alternatives(case, loss, grad)
            dtype = case[inputs].dtype
            for name, value, expected, wrong in (
                    ("loss", got["loss"], loss, wrong_losses),
                    (f"the gradient with respect to {inputs}", got["grad"], grad, wrong_grads)):
                if isinstance(value, TensorData) and not np.all(np.isfinite(value.values)):
                    raise CheckFailure(
                        f"{call}: the {name} has NaN or inf for logits as large as +-1e4",
                        [f"expected: {summarize(np.asarray(expected))}",
                         f"got:      {summarize(value.values)}"], overflow)
                if name == "loss":
                    _check_loss(f"{call}: loss", value, expected, wrong, case[inputs], session)
                    continue
                check_tensor(f"{call}: {name}", value,
                             Expect(np.asarray(expected), dtype=dtype, device=session.device,
                                    alternatives=tuple(wrong)))

        return find_failure(cases(large=True), body, edges(), max_examples=5)

    return run


USED_AUTOGRAD = Diagnosis(
    "autograd used",
    "exercise10 computes the gradients by hand, but autograd did the work",
    "write the gradient out: (softmax(logits) - onehot(labels)) / N and (sigmoid(z) - y) / "
    "z.numel(); no `.backward()`, no `torch.autograd.grad`, no inputs that require grad")


def check_no_autograd(session):
    def body(case):
        got = session.call(probe_rules, watching=session.watching, **case)
        problems = []
        for call, key in ((CE_CALL, "ce"), (BCE_CALL, "bce")):
            if got[f"{key}_passes"]:
                problems.append(f"{call} ran {got[key + '_passes']} backward pass(es)")
            if got[f"{key}_graph"]:
                problems.append(f"{call} returned with a grad_fn: {', '.join(got[key + '_graph'])}")
        if problems:
            raise CheckFailure("your code breaks the rules of exercise10", problems, USED_AUTOGRAD)

    edges = [(a if a == b else f"{a} / {b}", {**ce, **bce}) for (a, ce), (b, bce) in
             zip(loss_oracle.ce_edge_cases()[3:], loss_oracle.bce_edge_cases()[3:])]
    return find_failure(_rule_cases(), body, edges, max_examples=2)


def _rule_cases():
    return st.builds(lambda ce, bce: {**ce, **bce}, loss_oracle.ce_cases(), loss_oracle.bce_cases())


CE = dict(probe=probe_ce, call=CE_CALL, oracle=loss_oracle.cross_entropy, inputs="logits")
BCE = dict(probe=probe_bce, call=BCE_CALL, oracle=loss_oracle.bce, inputs="z")
CE_DATA = dict(cases=loss_oracle.ce_cases, edges=loss_oracle.ce_edge_cases,
               alternatives=loss_oracle.ce_alternatives)
BCE_DATA = dict(cases=loss_oracle.bce_cases, edges=loss_oracle.bce_edge_cases,
                alternatives=loss_oracle.bce_alternatives)

CE_FUNCTION, BCE_FUNCTION = "cross_entropy_forward_backward", "bce_with_logits_forward_backward"

EXERCISE = Exercise(
    number=10,
    slug="cross_entropy",
    title="softmax cross-entropy and BCE by hand",
    idea="the gradient of a classification loss (softmax minus one-hot), mean reduction, and "
         "numerical stability",
    filename="exercise10_cross_entropy.py",
    checks=(
        Check("ce_loss", "cross_entropy_forward_backward's loss equals F.cross_entropy (mean), "
              "a 0-dim tensor", 2, _loss_check(**CE, **CE_DATA)),
        Check("ce_grad", "cross_entropy_forward_backward's gradient equals autograd's gradient "
              "of F.cross_entropy", 2, _grad_check(**CE, **CE_DATA)),
        Check("bce_loss", "bce_with_logits_forward_backward's loss equals "
              "F.binary_cross_entropy_with_logits (mean)", 1, _loss_check(**BCE, **BCE_DATA)),
        Check("bce_grad", "bce_with_logits_forward_backward's gradient equals autograd's", 2,
              _grad_check(**BCE, **BCE_DATA)),
        Check("ce_stable", "cross-entropy: finite, correct results for logits as large as "
              "+-1e4", 1, _stable_check(**CE, cases=loss_oracle.ce_cases,
                                        edges=loss_oracle.ce_large_edge_cases,
                                        alternatives=loss_oracle.ce_alternatives,
                                        overflow=CE_OVERFLOW)),
        Check("bce_stable", "BCE: finite, correct results for logits as large as +-1e4", 1,
              _stable_check(**BCE, cases=loss_oracle.bce_cases,
                            edges=loss_oracle.bce_large_edge_cases,
                            alternatives=loss_oracle.bce_alternatives, overflow=BCE_OVERFLOW)),
        rule("no_autograd", "no autograd: no backward pass, nothing returned has a grad_fn", 1,
             check_no_autograd, watch(CE_FUNCTION, "ce_loss", "ce_grad", "ce_stable"),
             watch(BCE_FUNCTION, "bce_loss", "bce_grad", "bce_stable"), voids=True),
    ),
)
