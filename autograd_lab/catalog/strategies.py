"""Hypothesis strategies for the checks' inputs.

Values are multiples of 1/4 in [-3, 3]: exact in every float dtype, short to print, and
exact zeros come up often, so the ReLU kink is exercised without asking. They shrink
towards the simplest: 0, then 1 and -1, then other integers, then halves, then quarters,
so a smallest failing input reads like one worked by hand.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from autograd_lab.sandbox.protocol import TensorArg

_VALUES = sorted({i / 4 for i in range(-12, 13)},
                 key=lambda v: (v * 4 % 4 != 0, v * 4 % 2 != 0, abs(v), v < 0))
QUARTERS = st.sampled_from(_VALUES)
FLOAT_DTYPES = ("float64", "float32")


def arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` with quarter values."""
    return np_arrays(np.float64, shape, elements=QUARTERS)


@st.composite
def shapes(draw, *, min_dims: int = 1, max_dims: int = 3, max_side: int = 4) -> tuple[int, ...]:
    """Small shapes."""
    dims = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.lists(st.integers(1, max_side), min_size=dims, max_size=dims)))


@st.composite
def network_dims(draw, *, max_batch: int = 4, max_width: int = 4) -> tuple[int, int, int, int]:
    """``(N, D_in, H, D_out)`` for the two-layer network."""
    return (draw(st.integers(1, max_batch)), draw(st.integers(1, max_width)),
            draw(st.integers(1, max_width + 1)), draw(st.integers(1, max_width - 1)))


@st.composite
def network_arrays(draw) -> dict[str, np.ndarray]:
    """``x, y, w1, w2`` as float64 arrays."""
    n, d_in, h, d_out = draw(network_dims())
    return {"x": draw(arrays((n, d_in))), "y": draw(arrays((n, d_out))),
            "w1": draw(arrays((d_in, h))), "w2": draw(arrays((h, d_out)))}


@st.composite
def network_tensors(draw, *, dtypes=FLOAT_DTYPES) -> dict[str, TensorArg]:
    """``x, y, w1, w2`` as tensor arguments of one drawn dtype, some non-contiguous."""
    dtype = draw(st.sampled_from(dtypes))
    values = draw(network_arrays())
    return {name: TensorArg(array, dtype, noncontiguous=draw(st.booleans()))
            for name, array in values.items()}


def as_tensors(values: dict[str, np.ndarray], dtype: str = "float64",
               noncontiguous: bool = False) -> dict[str, TensorArg]:
    """Wrap arrays as tensor arguments (for fixed edge cases)."""
    return {name: TensorArg(np.asarray(array, dtype=np.float64), dtype, noncontiguous=noncontiguous)
            for name, array in values.items()}


def network_edge_cases() -> list[tuple[str, dict[str, np.ndarray]]]:
    """The fixed edge cases of DESIGN.md, invariant 2, for the two-layer network."""
    rng = np.random.default_rng(0)

    def draw(*shape):
        return np.round(rng.uniform(-2, 2, shape) * 4) / 4

    x, y, w1, w2 = draw(3, 4), draw(3, 2), draw(4, 5), draw(5, 2)
    # h[1, 0] is exactly 0 while x[1] is not: the derivative taken at the kink shows in grad_w1.
    kink_x, kink_w1 = x.copy(), w1.copy()
    kink_x[1] = [1.0, -1.0, 2.0, -2.0]
    kink_w1[:, 0] = 1.0
    return [
        ("all zeros", {"x": np.zeros((2, 3)), "y": np.zeros((2, 2)),
                       "w1": np.zeros((3, 4)), "w2": np.zeros((4, 2))}),
        ("exact zeros at the ReLU kink", {"x": kink_x, "y": y, "w1": kink_w1, "w2": w2}),
        ("a batch of one", {"x": x[:1], "y": y[:1], "w1": w1, "w2": w2}),
        ("large values", {"x": x * 1000, "y": y * 1000, "w1": w1, "w2": w2}),
        ("a typical case", {"x": x, "y": y, "w1": w1, "w2": w2}),
    ]
