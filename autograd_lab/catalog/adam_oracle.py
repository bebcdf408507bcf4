"""exercise8's inputs and oracle: parameters, a fixed sequence of gradients, torch.optim.Adam.

A case is flat, so that a failing input prints one line per value::

    {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "steps": 3,
     "p0": TensorArg (a parameter), "g0": TensorArg (its gradients, one per step), "p1": ...}

``g0[t]`` is ``p0.grad`` at step ``t + 1``. Adam's moments depend only on the gradients, never on
the parameters, so each step's update has a closed form; the known wrong versions of it (no
bias correction, eps inside the square root, ...) are computed here too, exactly.
"""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.grading.failure import Diagnosis
from autograd_lab.grading.remember import remembered
from autograd_lab.sandbox.protocol import TensorArg

DEFAULTS = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}
# Learning rates large enough that a float32 parameter shows a wrong update beyond float32's
# tolerance; float64 also gets the usual 1e-3. Large eps values make its place visible.
LEARNING_RATES = {"float64": (0.1, 0.5, 0.001), "float32": (0.1, 0.5)}
BETAS = ((0.9, 0.999), (0.5, 0.9), (0.8, 0.5), (0.0, 0.99))
EPSILONS = (1e-8, 0.1, 1.0)


def parameter_names(case: dict) -> list[str]:
    """``["p0", "p1", ...]``, in order."""
    return sorted((k for k in case if k[0] == "p" and k[1:].isdigit()), key=lambda k: int(k[1:]))


@st.composite
def cases(draw, *, min_steps: int = 3, max_steps: int = 6, dtypes=strategies.FLOAT_DTYPES,
          hyperparameters: bool = True) -> dict:
    """1 to 3 parameters of small shapes (0-dim included), their gradients, and hyperparameters."""
    dtype = draw(st.sampled_from(dtypes))
    steps = draw(st.integers(min_steps, max_steps))
    case: dict = {}
    if hyperparameters:
        case.update(lr=draw(st.sampled_from(LEARNING_RATES[dtype])),
                    betas=draw(st.sampled_from(BETAS)), eps=draw(st.sampled_from(EPSILONS)))
    case["steps"] = steps
    for i in range(draw(st.integers(1, 3))):
        shape = draw(strategies.shapes(min_dims=0, max_dims=2, max_side=3))
        case[f"p{i}"] = TensorArg(draw(strategies.arrays(shape)), dtype, requires_grad=True,
                                  noncontiguous=draw(st.booleans()))
        case[f"g{i}"] = TensorArg(draw(strategies.arrays((steps,) + shape)), dtype)
    return case


def edge_cases(steps: int, *, hyperparameters: bool = True) -> list[tuple[str, dict]]:
    """The fixed edge cases of DESIGN.md, invariant 2, with ``steps`` steps each."""
    rng = np.random.default_rng(0)

    def draw(*shape):
        return np.round(rng.uniform(-2, 2, shape) * 4) / 4

    def case(hyper, dtype="float64", noncontiguous=False, **arrays):
        found = dict(hyper) if hyperparameters else {}
        found["steps"] = steps
        for i, (p, g) in enumerate(zip(arrays["p"], arrays["g"])):
            found[f"p{i}"] = TensorArg(np.asarray(p, dtype=np.float64), dtype, requires_grad=True,
                                       noncontiguous=noncontiguous)
            found[f"g{i}"] = TensorArg(np.asarray(g, dtype=np.float64)[:steps], dtype)
        return found

    typical = {"lr": 0.1, "betas": (0.9, 0.999), "eps": 0.1}
    some_zero = draw(6, 3)
    some_zero[1, :2] = 0.0
    return [
        ("all zeros", case(typical, p=[np.zeros((2, 3)), np.zeros(2)],
                           g=[np.zeros((6, 2, 3)), np.zeros((6, 2))])),
        ("a 0-dim parameter and one of a single element",
         case({"lr": 0.5, "betas": (0.5, 0.9), "eps": 1.0}, "float32",
              p=[np.array(1.5), np.array([-0.5])], g=[draw(6), draw(6, 1)])),
        ("non-contiguous parameters", case(typical, "float32", noncontiguous=True,
                                           p=[draw(3, 2), draw(2, 3)],
                                           g=[draw(6, 3, 2), draw(6, 2, 3)])),
        ("large values", case(DEFAULTS, p=[draw(2, 2) * 1000, draw(3) * 1000],
                              g=[draw(6, 2, 2) * 10000, draw(6, 3) * 10000])),
        ("zeros in the gradient of step 2", case({"lr": 0.1, "betas": (0.8, 0.5), "eps": 1e-8},
                                           p=[draw(3), draw(2, 2), draw(1, 3)],
                                           g=[some_zero, draw(6, 2, 2), draw(6, 1, 3)])),
    ]


def hyperparameters(case: dict) -> tuple[float, tuple[float, float], float]:
    """``(lr, betas, eps)`` of a case, torch's defaults where it has none."""
    return (case.get("lr", DEFAULTS["lr"]), tuple(case.get("betas", DEFAULTS["betas"])),
            case.get("eps", DEFAULTS["eps"]))


@remembered
def torch_updates(case: dict) -> list[list[np.ndarray]]:
    """``updates[t][i]``: how much torch's Adam (float64) moved parameter i at step t+1.

    The replay calls ``torch.optim.adam.adam``, the function that ``torch.optim.Adam.step``
    hands its arithmetic to, with the state that ``step`` keeps: the optimizer object itself
    costs a one-time import of torch._dynamo (a second) on first use. A torch whose functional
    signature differs gets the optimizer object instead.
    """
    names = parameter_names(case)
    params = [oracles.leaf(case[name]) for name in names]
    grads = [oracles.leaf(case["g" + name[1:]]) for name in names]
    try:
        return _replay_functional(case, params, grads)
    except TypeError:
        params = [oracles.leaf(case[name], True) for name in names]
        return _replay_optimizer(case, params, grads)


def _replay_functional(case, params, grads) -> list[list[np.ndarray]]:
    from torch.optim.adam import adam

    lr, (beta1, beta2), eps = hyperparameters(case)
    exp_avgs = [torch.zeros_like(p) for p in params]
    exp_avg_sqs = [torch.zeros_like(p) for p in params]
    steps = [torch.tensor(0.0) for _ in params]
    updates = []
    for t in range(case["steps"]):
        before = [p.clone() for p in params]
        adam(params, [g[t] for g in grads], exp_avgs, exp_avg_sqs, [], steps, foreach=False,
             amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=0.0, eps=eps,
             maximize=False)
        updates.append([(p - b).numpy() for p, b in zip(params, before)])
    return updates


def _replay_optimizer(case, params, grads) -> list[list[np.ndarray]]:
    lr, betas, eps = hyperparameters(case)
    optimizer = torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, foreach=False)
    updates = []
    for t in range(case["steps"]):
        before = [p.detach().clone() for p in params]
        for p, g in zip(params, grads):
            p.grad = g[t].clone()
        optimizer.step()
        optimizer.zero_grad()
        updates.append([(p.detach() - b).numpy() for p, b in zip(params, before)])
    return updates


# -- known wrong updates ------------------------------------------------------------------------

_BIAS_HINT = ("m and v start at 0, so early on they are too small: divide them by "
              "(1 - beta ** t), `m_hat = m / (1 - beta1 ** t)`, `v_hat = v / (1 - beta2 ** t)`, "
              "with t the number of steps taken, this one included (1 at the first step)")
NO_BIAS_CORRECTION = Diagnosis(
    "missing bias correction",
    "your updates are Adam's with neither m divided by (1 - beta1 ** t) nor v by "
    "(1 - beta2 ** t)", _BIAS_HINT)
NO_BIAS_CORRECTION_V = Diagnosis(
    NO_BIAS_CORRECTION.name,
    "your updates are Adam's with m divided by (1 - beta1 ** t) but v not divided by "
    "(1 - beta2 ** t)", _BIAS_HINT)
NO_BIAS_CORRECTION_M = Diagnosis(
    NO_BIAS_CORRECTION.name,
    "your updates are Adam's with v divided by (1 - beta2 ** t) but m not divided by "
    "(1 - beta1 ** t)", _BIAS_HINT)
EPS_INSIDE_SQRT = Diagnosis(
    "eps inside the square root",
    "your updates divide by sqrt(v_hat + eps); torch.optim.Adam divides by sqrt(v_hat) + eps",
    "add eps after taking the square root: `m_hat / (v_hat.sqrt() + eps)`")
STEP_COUNT_FROZEN = Diagnosis(
    "step count not advancing",
    "your updates use the bias correction of step 1 at every step",
    "keep the step count on the optimizer (`self.t = 0` in __init__, `self.t += 1` at the start "
    "of step()) and use it in (1 - beta ** t)")
MOMENTS_RESET = Diagnosis(
    "moments not kept between steps",
    "your updates are those of m and v restarted from zero at every step: the running averages "
    "forget the earlier gradients",
    "create m and v once, in __init__ (one pair per parameter, `torch.zeros_like(p)`), and update "
    "them in place in step(): `m.mul_(beta1).add_((1 - beta1) * g)`")
NOT_UPDATED = Diagnosis(
    "parameters not updated",
    "the tensors given to Adam did not change",
    "update each parameter in place under `torch.no_grad()`: `p -= lr * ...` (or "
    "`p.data.add_(...)`); `p = p - ...` only rebinds a local name, and the caller's tensor stays "
    "as it was")


def _update(m, v, t, lr, betas, eps, *, correct_m=True, correct_v=True, eps_inside=False):
    beta1, beta2 = betas
    m_hat = m / (1 - beta1 ** t) if correct_m else m
    v_hat = v / (1 - beta2 ** t) if correct_v else v
    with np.errstate(divide="ignore", invalid="ignore"):
        if eps_inside:
            return -lr * m_hat / np.sqrt(v_hat + eps)
        return -lr * m_hat / (np.sqrt(v_hat) + eps)


@remembered
def wrong_updates(case: dict) -> list[list[list[tuple[Diagnosis, np.ndarray]]]]:
    """``wrong[t][i]``: (diagnosis, update) for each known mistake, at step t+1, parameter i."""
    lr, betas, eps = hyperparameters(case)
    beta1, beta2 = betas
    names = parameter_names(case)
    grads = [oracles.rounded(case["g" + name[1:]]) for name in names]
    wrong = [[[] for _ in names] for _ in range(case["steps"])]
    for i, g_all in enumerate(grads):
        m = np.zeros_like(g_all[0])
        v = np.zeros_like(g_all[0])
        for t in range(1, case["steps"] + 1):
            g = g_all[t - 1]
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            fresh_m, fresh_v = (1 - beta1) * g, (1 - beta2) * g * g
            # Most specific first: a step with a zero gradient can leave a parameter unchanged.
            wrong[t - 1][i] = [
                (NO_BIAS_CORRECTION, _update(m, v, t, lr, betas, eps, correct_m=False,
                                             correct_v=False)),
                (NO_BIAS_CORRECTION_V, _update(m, v, t, lr, betas, eps, correct_v=False)),
                (NO_BIAS_CORRECTION_M, _update(m, v, t, lr, betas, eps, correct_m=False)),
                (EPS_INSIDE_SQRT, _update(m, v, t, lr, betas, eps, eps_inside=True)),
                (STEP_COUNT_FROZEN, _update(m, v, 1, lr, betas, eps)),
                (MOMENTS_RESET, _update(fresh_m, fresh_v, t, lr, betas, eps)),
                (MOMENTS_RESET, _update(fresh_m, fresh_v, 1, lr, betas, eps)),
                (NOT_UPDATED, np.zeros_like(g)),
            ]
    return wrong
