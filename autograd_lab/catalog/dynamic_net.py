"""exercise9's inputs and oracle: the dynamic network, built in torch from the case's weights.

A case is flat, so that a failing input prints one line per value::

    {"repeats": 2, "x": (N, D_in), "w_in": (H, D_in), "b_in": (H,), "w_mid": (H, H),
     "b_mid": (H,), "w_out": (D_out, H), "b_out": (D_out,), "grad_output": (N, D_out)}

The weights are laid out as ``torch.nn.Linear`` keeps them (``weight`` is (out, in)). Gradients
are those of ``(y_pred * grad_output).sum()``. The oracle gives each use of the middle layer its
own copy of the weights, so that the gradient of every use is known on its own; the shared
layer's gradient is their sum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch.nn.functional as F
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.grading.remember import remembered
from autograd_lab.sandbox.protocol import TensorArg

# (layer, case key of its weight, case key of its bias)
LAYERS = (("input_linear", "w_in", "b_in"), ("middle_linear", "w_mid", "b_mid"),
          ("output_linear", "w_out", "b_out"))
PARAMETERS = {f"{layer}.{kind}": key for layer, w, b in LAYERS
              for kind, key in (("weight", w), ("bias", b))}
"""``"middle_linear.weight" -> "w_mid"``, in the order of ``named_parameters()``."""


def dims(case: dict) -> tuple[int, int, int]:
    """``(d_in, h, d_out)`` of a case."""
    h, d_in = case["w_in"].values.shape
    return d_in, h, case["w_out"].values.shape[0]


def _case(repeats, x, w_in, b_in, w_mid, b_mid, w_out, b_out, grad_output, *, dtype="float64",
          noncontiguous=False) -> dict:
    arrays = {"w_in": w_in, "b_in": b_in, "w_mid": w_mid, "b_mid": b_mid, "w_out": w_out,
              "b_out": b_out, "grad_output": grad_output}
    case = {"repeats": repeats,
            "x": TensorArg(np.asarray(x, dtype=np.float64), dtype, noncontiguous=noncontiguous)}
    case.update({k: TensorArg(np.asarray(v, dtype=np.float64), dtype) for k, v in arrays.items()})
    return case


@st.composite
def cases(draw, *, min_repeats: int = 0, max_repeats: int = 3) -> dict:
    """Small nets of one drawn dtype, some with a non-contiguous x."""
    dtype = draw(st.sampled_from(strategies.FLOAT_DTYPES))
    repeats = draw(st.integers(min_repeats, max_repeats))
    n, d_in, h, d_out = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                         draw(st.integers(1, 4)), draw(st.integers(1, 3)))
    shapes = [(n, d_in), (h, d_in), (h,), (h, h), (h,), (d_out, h), (d_out,), (n, d_out)]
    arrays = [draw(strategies.arrays(shape)) for shape in shapes]
    return _case(repeats, *arrays, dtype=dtype, noncontiguous=draw(st.booleans()))


def edge_cases() -> list[tuple[str, dict]]:
    """The fixed edge cases of DESIGN.md, invariant 2."""
    rng = np.random.default_rng(0)

    def draw(*shape):
        return np.round(rng.uniform(-2, 2, shape) * 4) / 4

    n, d_in, h, d_out = 3, 4, 4, 2
    x, grad_output = draw(n, d_in), draw(n, d_out)
    weights = [draw(h, d_in), draw(h), draw(h, h), draw(h), draw(d_out, h), draw(d_out)]
    # The input layer's unit 0 gets exactly 0 from sample 1, whose x is not 0: the derivative
    # taken at the kink shows in the gradients.
    kink_x, kink_w_in, kink_b_in = x.copy(), weights[0].copy(), weights[1].copy()
    kink_x[1] = [1.0, -1.0, 2.0, -2.0]
    kink_w_in[0], kink_b_in[0] = 1.0, 0.0
    zeros = [np.zeros_like(w) for w in weights]
    return [
        ("repeats = 0: middle_linear unused", _case(0, x, *weights, grad_output)),
        ("repeats = 3", _case(3, x, *weights, grad_output)),
        ("a batch of one", _case(2, x[:1], *weights, grad_output[:1])),
        ("all zeros", _case(2, np.zeros_like(x), *zeros, grad_output)),
        ("exact zeros at the ReLU kink", _case(1, kink_x, kink_w_in, kink_b_in, *weights[2:],
                                               grad_output)),
        ("a non-contiguous x", _case(2, x, *weights, grad_output, dtype="float32",
                                     noncontiguous=True)),
        ("large values", _case(2, x * 1000, *weights, grad_output)),
    ]


@remembered
def forward(case: dict, *, repeats: int | None = None, middle_relu: bool = True,
            output_relu: bool = False) -> np.ndarray:
    """The net's output in float64; the options give known wrong versions of it."""
    p = {key: oracles.leaf(case[key]) for key in PARAMETERS.values()}
    h = F.linear(oracles.leaf(case["x"]), p["w_in"], p["b_in"]).relu()
    for _ in range(case["repeats"] if repeats is None else repeats):
        h = F.linear(h, p["w_mid"], p["b_mid"])
        h = h.relu() if middle_relu else h
    y = F.linear(h, p["w_out"], p["b_out"])
    return (y.relu() if output_relu else y).numpy()


@dataclass(frozen=True)
class Gradients:
    """The gradients of ``(y_pred * grad_output).sum()`` for one choice of ReLU derivatives."""

    grads: dict[str, np.ndarray | None]
    """By parameter name; the middle layer's is None when it was not used (repeats = 0)."""
    per_use: list[dict[str, np.ndarray]]
    """The middle layer's ``weight`` and ``bias`` gradients at each of its uses, in order."""


@remembered
def gradients(case: dict, slopes: tuple[int, ...]) -> Gradients:
    """Run the net with autograd; ``slopes[k]`` is the ReLU's derivative at 0 in layer k."""
    p = {key: oracles.leaf(case[key], True) for key in PARAMETERS.values()}

    def relu(h, slope):
        return h.clamp(min=0) if slope else h.relu()

    h = relu(F.linear(oracles.leaf(case["x"]), p["w_in"], p["b_in"]), slopes[0])
    uses = []
    for k in range(case["repeats"]):
        w = p["w_mid"].detach().clone().requires_grad_()
        b = p["b_mid"].detach().clone().requires_grad_()
        uses.append((w, b))
        h = relu(F.linear(h, w, b), slopes[k + 1])
    y = F.linear(h, p["w_out"], p["b_out"])
    (y * oracles.leaf(case["grad_output"])).sum().backward()
    per_use = [{"weight": w.grad.numpy(), "bias": b.grad.numpy()} for w, b in uses]
    grads = {name: (p[key].grad.numpy() if p[key].grad is not None else None)
             for name, key in PARAMETERS.items()}
    for kind in ("weight", "bias"):
        grads[f"middle_linear.{kind}"] = (sum(use[kind] for use in per_use) if per_use else None)
    return Gradients(grads, per_use)


def has_kink(case: dict) -> bool:
    """Whether some ReLU's input is exactly 0 (where either derivative is accepted)."""
    p = {key: oracles.leaf(case[key]) for key in PARAMETERS.values()}
    h = F.linear(oracles.leaf(case["x"]), p["w_in"], p["b_in"])
    found = bool((h == 0).any())
    for _ in range(case["repeats"]):
        h = F.linear(h.relu(), p["w_mid"], p["b_mid"])
        found = found or bool((h == 0).any())
    return found


@remembered
def slope_choices(case: dict) -> list[tuple[int, ...]]:
    """The ReLU derivatives at 0 to try, layer by layer: all 0, then (at a kink) every mix."""
    layers = case["repeats"] + 1
    if not has_kink(case):
        return [(0,) * layers]
    mixed = [c for c in itertools.product((0, 1), repeat=layers) if len(set(c)) > 1]
    return [(0,) * layers, (1,) * layers] + mixed

