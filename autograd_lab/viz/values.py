"""Read a tensor's values for the picture: exact, small, and never a reference to the tensor.

What the model holds of a tensor's data is plain Python: nested tuples of numbers (a number
for a 0-d tensor), read with ``tolist()`` from the tensor as it is (detached, on the cpu), so
a float32 ``0.1`` is the Python float ``0.10000000149011612`` it really is. Tuples, not lists,
so that the frozen model nodes stay hashable. Only tensors of at most ``limit`` elements are
read (``--values N``, default :data:`DEFAULT_VALUES`; 0 reads none); a gradient is always
summarized by its shape and 2-norm (:func:`summarize`), with its values when small.

NaN and infinities stay Python floats here (the JSON writer spells them as strings); a
complex element is the string ``"1+2j"``; a bool stays a bool.
"""

from __future__ import annotations

import math

import torch

from autograd_lab.viz.model import Grad

DEFAULT_VALUES = 16
"""Tensors of at most this many elements show their values (a 4x4 weight, a small batch)."""


def check_values(values: int) -> None:
    """Reject a values limit that is not an int >= 0 (as ``check_max_nodes`` does)."""
    if isinstance(values, bool) or not isinstance(values, int):
        raise TypeError(f"Expected an int for values but got values={values!r}")
    if values < 0:
        raise ValueError(f"Expected values >= 0 but got values={values!r}")


def _plain(tensor: torch.Tensor):
    """The tensor's elements as Python numbers (``tolist``, which reads a conjugate or
    negative view as the numbers it shows, and never records an autograd op), or None when
    it has none to read (sparse, meta, quantized, a tensor subclass without storage)."""
    if tensor.layout != torch.strided:
        return None
    try:
        if tensor.is_cpu:  # the common case, and the cheapest: no detach, no copy
            return tensor.tolist()
        if tensor.is_meta:
            return None
        return tensor.detach().cpu().tolist()
    except (RuntimeError, TypeError, NotImplementedError, ValueError):
        return None


def _tuples(data):
    """Nested lists to nested tuples (depth is the tensor's few dimensions)."""
    if not isinstance(data, list):
        return data
    if not data or not isinstance(data[0], list):
        return tuple(data)
    return tuple(map(_tuples, data))


def _complex_tuples(data):
    """As :func:`_tuples`, each complex number a ``"1+2j"`` string (JSON has no complex)."""
    if not isinstance(data, list):
        return str(data).strip("()")
    return tuple(map(_complex_tuples, data))


def read_values(tensor: torch.Tensor, limit: int = DEFAULT_VALUES):
    """``tensor``'s values as nested tuples (a number for a 0-d tensor), or None when it has
    more than ``limit`` elements, ``limit`` is 0, or its data cannot be read."""
    if limit <= 0 or tensor.numel() > limit:
        return None
    data = _plain(tensor)
    if data is None:
        return None
    return _complex_tuples(data) if tensor.is_complex() else _tuples(data)


def _flat(values) -> list:
    stack, flat = [values], []
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        else:
            flat.append(item)
    return flat


def norm(tensor: torch.Tensor, values=None) -> float:
    """The 2-norm of ``tensor`` as a Python float, computed in float64 (from ``values`` when
    they were read: the same exact numbers, no torch call)."""
    if values is not None and not tensor.is_complex():
        return math.hypot(*map(float, _flat(values)))
    try:
        data = tensor.detach()
        if data.is_complex():
            data = data.abs()
        if data.dtype != torch.float64:
            data = data.to(torch.float64)
        return float(torch.linalg.vector_norm(data))
    except (RuntimeError, TypeError, NotImplementedError):
        return math.nan


def summarize(tensor: torch.Tensor, limit: int = DEFAULT_VALUES) -> Grad:
    """A :class:`~autograd_lab.viz.model.Grad`: shape, 2-norm, values when at most ``limit``."""
    values = read_values(tensor, limit)
    return Grad(tuple(tensor.shape), norm(tensor, values), values)


def summarize_all(tensors, limit: int = DEFAULT_VALUES) -> tuple:
    """:func:`summarize` each of ``tensors`` (gradients a backward node got or sent), None for
    a slot without a tensor (an input that needs no gradient)."""
    return tuple(summarize(t, limit) if isinstance(t, torch.Tensor) else None for t in tensors)
