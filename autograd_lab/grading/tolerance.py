"""How close is close enough, per dtype: results are compared in float64 against torch."""

from __future__ import annotations

import numpy as np

# Relative tolerance by the dtype the student computed in. The oracle runs in float64 on
# the same (rounded) inputs; a real mistake is off by far more than these.
RTOL = {"float64": 1e-6, "float32": 1e-3, "float16": 2e-2, "bfloat16": 5e-2}


def rtol_for(dtype: str) -> float:
    """The relative tolerance for results computed in ``dtype``."""
    return RTOL.get(dtype, 1e-6)


def close(got: np.ndarray, expected: np.ndarray, dtype: str) -> np.ndarray:
    """Elementwise: is ``got`` within tolerance of ``expected``?

    The absolute part of the tolerance scales with the largest expected magnitude, since
    cancellation in a sum can leave a small result with a large rounding error.
    """
    rtol = rtol_for(dtype)
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(got - expected) <= rtol * scale + rtol * np.abs(expected)
    both_nan = np.isnan(got) & np.isnan(expected)
    same_inf = np.isinf(got) & np.isinf(expected) & (np.sign(got) == np.sign(expected))
    return ok | both_nan | same_inf


def all_close(got: np.ndarray, expected: np.ndarray, dtype: str) -> bool:
    """Are all of ``got`` within tolerance of ``expected`` (same shape required)?"""
    return got.shape == expected.shape and bool(np.all(close(got, expected, dtype)))
