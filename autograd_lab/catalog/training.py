"""exercise7's inputs and oracle: a two-layer ``nn.Module``, its forward pass and its training.

Parameters travel by their ``named_parameters()`` names (``linear1.weight``, ...) as top-level
arguments of a case, so that a failing input shows each one. The oracle rebuilds the network
from them with ``torch.nn.Linear`` in float64 on the CPU and trains it with ``torch.optim``
itself, so that a student's trajectory is compared with torch's, step for step.
"""

from __future__ import annotations

import inspect
from typing import Iterable

import numpy as np
import torch
from hypothesis import strategies as st

from autograd_lab.catalog import oracles, strategies
from autograd_lab.grading.remember import remembered
from autograd_lab.sandbox.protocol import TensorArg

NAMES = ("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


def parameter_shapes(d_in: int, h: int, d_out: int) -> dict[str, tuple[int, ...]]:
    """What ``TwoLayerNet(d_in, h, d_out).named_parameters()`` must hold, name by name."""
    return {"linear1.weight": (h, d_in), "linear1.bias": (h,),
            "linear2.weight": (d_out, h), "linear2.bias": (d_out,)}


def listing(shapes: dict[str, tuple[int, ...]]) -> str:
    """``linear1.weight (4, 3), linear1.bias (4,)``."""
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())


def default_learning_rate(optimizer: str) -> float | None:
    """The ``lr`` torch's optimizer uses when none is passed (None where one is required)."""
    default = inspect.signature(OPTIMIZERS[optimizer]).parameters["lr"].default
    return float(default) if isinstance(default, (int, float)) else None


# -- worker side -----------------------------------------------------------------------------


class ReferenceNet(torch.nn.Module):
    """The grader's TwoLayerNet: ``train`` is graded on it, apart from the student's own."""

    def __init__(self, d_in: int, h: int, d_out: int):
        super().__init__()
        self.linear1 = torch.nn.Linear(d_in, h)
        self.linear2 = torch.nn.Linear(h, d_out)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


def load(named: dict[str, torch.Tensor], values: dict[str, torch.Tensor]) -> None:
    """Copy ``values`` into the parameters ``named`` (same names and shapes, checked before)."""
    with torch.no_grad():
        for name, value in values.items():
            named[name].copy_(value)


# -- inputs ----------------------------------------------------------------------------------


def _small(shape) -> st.SearchStrategy[np.ndarray]:
    # Quarters / 4 (exact in every float dtype): weights of the size nn.Linear starts from, so
    # that a few SGD steps shrink the loss instead of blowing it up.
    return strategies.arrays(shape).map(lambda a: a / 4)


@st.composite
def cases(draw, *, dtypes: Iterable[str] = strategies.FLOAT_DTYPES, with_y: bool = False):
    """``d_in, h, d_out, x`` (maybe ``y``) and the four parameters, as tensor arguments."""
    n, d_in, h, d_out = draw(strategies.network_dims())
    dtype = draw(st.sampled_from(tuple(dtypes)))
    case = {"d_in": d_in, "h": h, "d_out": d_out,
            "x": TensorArg(draw(strategies.arrays((n, d_in))), dtype,
                           noncontiguous=draw(st.booleans()))}
    if with_y:
        case["y"] = TensorArg(draw(strategies.arrays((n, d_out))), dtype)
    for name, shape in parameter_shapes(d_in, h, d_out).items():
        case[name] = TensorArg(draw(_small(shape)), dtype)
    return case


def edge_cases(*, with_y: bool = False, large: bool = True) -> list[tuple[str, dict]]:
    """The network's fixed edge cases (strategies.network_edge_cases) as a module's inputs.

    ``linear1.weight`` is ``w1.T / 4``, so the kink case keeps its exact zeros before the ReLU
    (its bias is 0 there); a non-contiguous case is added.
    """
    found = []
    for label, values in strategies.network_edge_cases():
        if label == "large values" and not large:
            continue
        dtype = "float32" if label == "large values" else "float64"
        found.append((label, _edge(values, dtype, with_y)))
    typical = dict(strategies.network_edge_cases())["a typical case"]
    found.append(("a non-contiguous x", _edge(typical, "float64", with_y, noncontiguous=True)))
    return found


def _edge(values: dict, dtype: str, with_y: bool, noncontiguous: bool = False) -> dict:
    x, w1, w2 = values["x"], values["w1"], values["w2"]
    (d_in, h), d_out = w1.shape, w2.shape[1]
    zero_at_kink = np.array([0.0, 0.5, -0.25, 0.25, -0.5])[:h]
    bias1 = zero_at_kink if np.any(x) else np.zeros(h)
    bias2 = np.array([0.5, -0.25, 0.75])[:d_out] if np.any(x) else np.zeros(d_out)
    case = {"d_in": d_in, "h": h, "d_out": d_out,
            "x": TensorArg(np.asarray(x, dtype=np.float64), dtype, noncontiguous=noncontiguous)}
    if with_y:
        case["y"] = TensorArg(np.asarray(values["y"], dtype=np.float64), dtype)
    # (+ 0.0 turns the -0.0 that rounding leaves into 0.0, which prints as 0.)
    arrays = {"linear1.weight": w1.T / 4 + 0.0, "linear1.bias": bias1,
              "linear2.weight": w2.T / 4 + 0.0, "linear2.bias": bias2}
    case.update({name: TensorArg(np.ascontiguousarray(a), dtype) for name, a in arrays.items()})
    return case


# -- the oracle (grading side) ---------------------------------------------------------------


def _layer(weight: np.ndarray, bias: np.ndarray) -> torch.nn.Linear:
    # skip_init: no random initialisation, so the grading process's RNG is left as it was.
    layer = torch.nn.utils.skip_init(torch.nn.Linear, weight.shape[1], weight.shape[0],
                                     dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.array(weight, dtype=np.float64)))
        layer.bias.copy_(torch.from_numpy(np.array(bias, dtype=np.float64)))
    return layer


def network(params: dict[str, np.ndarray]) -> tuple[torch.nn.Linear, torch.nn.Linear]:
    """``linear1, linear2`` as float64 ``torch.nn.Linear`` layers holding ``params``."""
    return (_layer(params["linear1.weight"], params["linear1.bias"]),
            _layer(params["linear2.weight"], params["linear2.bias"]))


@remembered
def forward(x, params: dict[str, np.ndarray], *, kink_slope: float = 0.0, variant: str = ""):
    """``linear2(relu(linear1(x)))`` and the gradients of its sum, by parameter name.

    ``kink_slope`` is ReLU's derivative at exactly 0 (``torch.relu``: 0; ``clamp``: 1).
    ``variant`` replays a known mistake: ``"no_relu"`` leaves the activation out,
    ``"relu_on_output"`` applies one to the output too.
    """
    linear1, linear2 = network(params)
    h = linear1(oracles.leaf(x))
    if variant != "no_relu":
        h = h.clamp(min=0) if kink_slope else torch.relu(h)
    y = linear2(h)
    if variant == "relu_on_output":
        y = torch.relu(y)
    y.sum().backward()
    layers = {"linear1": linear1, "linear2": linear2}
    grads = {name: getattr(layers[name.split(".")[0]], name.split(".")[1]).grad.numpy()
             for name in NAMES}
    return y.detach().numpy(), grads


@remembered
def replay(case: dict, optimizer: str, learning_rate: float, steps: int, *,
           zero_grad: bool = True, reduction: str = "sum"):
    """torch's own training from the case's parameters: the losses and the final parameters.

    ``zero_grad=False`` and ``reduction="mean"`` replay known mistakes.
    """
    linear1, linear2 = network({name: oracles.rounded(case[name]) for name in NAMES})
    x, y = oracles.leaf(case["x"]), oracles.leaf(case["y"])
    parameters = {"linear1.weight": linear1.weight, "linear1.bias": linear1.bias,
                  "linear2.weight": linear2.weight, "linear2.bias": linear2.bias}
    step = OPTIMIZERS[optimizer](parameters.values(), lr=learning_rate)
    loss_fn = torch.nn.MSELoss(reduction=reduction)
    losses = []
    for _ in range(steps):
        if zero_grad:
            step.zero_grad()
        loss = loss_fn(linear2(torch.relu(linear1(x))), y)
        losses.append(loss.item())
        loss.backward()
        step.step()
    return np.asarray(losses), {name: p.detach().numpy().copy() for name, p in parameters.items()}
