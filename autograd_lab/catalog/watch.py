"""Probe helpers (run in the worker): watch what student code calls while it runs.

These observe rules (NumPy only, no autograd); they cannot stop a student who sets out
to hide from them, and need not: a rule observation earns a point, while the values a
check compares are computed by the grading process itself.
"""

from __future__ import annotations

import contextlib
import sys

import torch
from torch.overrides import TorchFunctionMode


def _is_torch_callable(function) -> bool:
    module = getattr(function, "__module__", None) or ""
    owner = type(getattr(function, "__self__", None)).__module__ or ""
    return module.startswith("torch") or owner.startswith("torch")


def student_line(frame, student_file: str) -> int | None:
    """The line of ``student_file`` that the stack from ``frame`` outwards passes through."""
    while frame is not None:
        if frame.f_code.co_filename == student_file:
            return frame.f_lineno
        frame = frame.f_back
    return None


@contextlib.contextmanager
def torch_calls(student_file: str):
    """Record calls into torch made while the block runs: yields a list of descriptions."""
    found: list[str] = []

    def profile(frame, event, arg):
        if found:
            return
        if event == "c_call" and _is_torch_callable(arg):
            name = getattr(arg, "__qualname__", None) or getattr(arg, "__name__", "?")
        elif event == "call" and frame.f_globals.get("__name__", "").startswith("torch"):
            name = frame.f_code.co_qualname
        else:
            return
        line = student_line(frame.f_back if event == "call" else frame, student_file)
        found.append(f"torch: {name}" + (f" (line {line})" if line else ""))

    sys.setprofile(profile)
    try:
        yield found
    finally:
        sys.setprofile(None)


@contextlib.contextmanager
def autograd_calls():
    """Count backward passes and autograd.functional uses while the block runs.

    Yields a dict ``{"backward": n, "functional": [names]}``. ``Tensor.backward`` goes
    through ``torch.autograd.backward``, so both entry points are counted.
    """
    counts = {"backward": 0, "functional": []}
    originals = {"backward": torch.autograd.backward, "grad": torch.autograd.grad}

    def counting(original):
        def wrapper(*args, **kwargs):
            counts["backward"] += 1
            return original(*args, **kwargs)
        return wrapper

    functional = torch.autograd.functional
    functional_names = ("jacobian", "vjp", "jvp", "hessian", "hvp", "vhp")
    functional_originals = {name: getattr(functional, name) for name in functional_names}

    def recording(name, original):
        def wrapper(*args, **kwargs):
            counts["functional"].append(name)
            return original(*args, **kwargs)
        return wrapper

    torch.autograd.backward = counting(originals["backward"])
    torch.autograd.grad = counting(originals["grad"])
    for name, original in functional_originals.items():
        setattr(functional, name, recording(name, original))
    try:
        yield counts
    finally:
        torch.autograd.backward = originals["backward"]
        torch.autograd.grad = originals["grad"]
        for name, original in functional_originals.items():
            setattr(functional, name, original)


def tensors_in(value):
    """The tensors in a function's result (a tensor, or nested tuples and lists)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from tensors_in(item)


class DeviceWatch(TorchFunctionMode):
    """Records the device type of every tensor a torch function returns (``.devices``).

    A function mode, not a dispatch mode: the first dispatch mode in a process imports
    sympy and takes a second; this costs nothing.
    """

    def __init__(self):
        super().__init__()
        self.devices: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in tensors_in(out):
            self.devices.add(tensor.device.type)
        return out


def created_devices() -> DeviceWatch:
    """A mode to use as a context manager while student code runs."""
    return DeviceWatch()
