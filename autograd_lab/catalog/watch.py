"""Probe helpers (run in the worker): watch what student code calls while it runs.

These observe rules (NumPy only, no autograd); they cannot stop a student who sets out
to hide from them, and need not: a rule observation earns a point, while the values a
check compares are computed by the grading process itself.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import types

import torch
from torch.overrides import TorchFunctionMode

PUBLIC_MODULES = ("torch", "torch.nn.functional", "torch.linalg", "torch.fft", "torch.special",
                  "torch.nn", "torch.nn.init", "torch.autograd", "torch.autograd.functional",
                  "torch.optim", "torch.func", "torch.distributions")
"""Where a student finds torch's functions and classes, searched in this order for the name to
show (``torch.from_numpy``, not ``_VariableFunctionsClass.from_numpy``). Only modules already
imported are searched: naming a call imports nothing."""


def _owner_class(function) -> type | None:
    """The class a method descriptor belongs to (``torch.Tensor.relu`` called unbound)."""
    owner = getattr(function, "__objclass__", None)
    return owner if isinstance(owner, type) else None


def _is_torch_callable(function) -> bool:
    module = getattr(function, "__module__", None) or ""
    owner = type(getattr(function, "__self__", None)).__module__ or ""
    objclass = (getattr(_owner_class(function), "__module__", None) or "")
    return any(m.startswith("torch") for m in (module, owner, objclass))


_INDEX: dict[tuple[str, ...], dict[int, tuple[str, object]]] = {}


def _public_index() -> dict[int, tuple[str, object]]:
    """``id`` of each object a public module holds (and of each function's code) -> its name.

    By identity, not by name: ``torch.linalg.norm`` is a builtin called ``linalg_norm``. Built
    once for the modules imported so far; the first module of :data:`PUBLIC_MODULES` wins.
    """
    loaded = tuple(name for name in PUBLIC_MODULES if name in sys.modules)
    index = _INDEX.get(loaded)
    if index is None:
        index = {}
        for module_name in reversed(loaded):  # earlier modules overwrite later ones
            for name, value in list(vars(sys.modules[module_name]).items()):
                if name.startswith("_") or isinstance(value, types.ModuleType):
                    continue
                shown = f"{module_name}.{name}"
                index[id(value)] = (shown, value)
                code = getattr(_unwrapped(value), "__code__", None)
                if code is not None:
                    index[id(code)] = (shown, code)
        _INDEX[loaded] = index
    return index


def _unwrapped(value):
    try:
        return inspect.unwrap(value) if callable(value) else value
    except Exception:  # a torch object whose __wrapped__ misbehaves is its own function
        return value


def _public(value) -> str | None:
    """The public name of ``value`` (a function, class or code object), where it has one."""
    shown, held = _public_index().get(id(value), (None, None))
    return shown if held is value else None


def class_name(cls: type) -> str:
    """A torch class by its public name (``torch.nn.Linear``, ``torch.Tensor``)."""
    if issubclass(cls, torch._C.TensorBase):
        return "torch.Tensor"
    return _public(cls) or f"{cls.__module__}.{cls.__qualname__}"


def function_name(function) -> str:
    """A torch function or method by the name a student writes it with.

    ``torch.from_numpy``, ``torch.Tensor.relu``, ``torch.linalg.norm``: looked up by identity
    in :data:`PUBLIC_MODULES` (or by the class that owns a method), so any function gets its
    public name, not only those of a list. A function found in none of them keeps its own
    dotted path.
    """
    name = getattr(function, "__name__", None) or "?"
    owner = getattr(function, "__self__", None)
    if isinstance(owner, torch.Tensor):
        return f"torch.Tensor.{name}"
    objclass = _owner_class(function)
    if objclass is not None:
        return f"{class_name(objclass)}.{name}"
    found = _public(function)
    if found:
        return found
    if owner is not None and not isinstance(owner, (type, types.ModuleType)):
        return f"{class_name(type(owner))}.{name}"
    module = getattr(function, "__module__", None) or "torch"
    return f"{module}.{getattr(function, '__qualname__', name)}"


def _wrapped_name(frame) -> str | None:
    """A decorator's wrapper (``torch.manual_seed`` runs one) by the function it wraps: the
    public function among its closure's variables."""
    for name in frame.f_code.co_freevars:
        value = frame.f_locals.get(name)
        shown = _public(getattr(value, "__code__", None)) if callable(value) else None
        if shown:
            return shown
    return None


def frame_name(frame) -> str:
    """The public name of the torch function (written in Python) that ``frame`` runs.

    A method is named by the class of its ``self`` (``torch.nn.MSELoss``, not
    ``_Loss.__init__``); creating or calling an object, or a private method, by the class
    alone, since that is what the student wrote.
    """
    code = frame.f_code
    qualname = code.co_qualname
    module = frame.f_globals.get("__name__", "torch")
    if "." not in qualname or "<locals>" in qualname:
        return _public(code) or _wrapped_name(frame) or f"{module}.{qualname}"
    method = code.co_name
    self = frame.f_locals.get("self") if code.co_argcount else None
    cls = type(self) if self is not None else frame.f_globals.get(qualname.split(".")[0])
    if not isinstance(cls, type):
        return f"{module}.{qualname}"
    shown = class_name(cls)
    private = method.startswith("_") and not (method.startswith("__") and method != "__init__")
    if method in ("__init__", "__call__") or private:
        return shown
    return f"{shown}.{method}"


def student_line(frame, student_file: str) -> int | None:
    """The line of ``student_file`` that the stack from ``frame`` outwards passes through."""
    while frame is not None:
        if frame.f_code.co_filename == student_file:
            return frame.f_lineno
        frame = frame.f_back
    return None


@contextlib.contextmanager
def torch_calls(student_file: str):
    """Record the first call into torch made while the block runs.

    Yields a list that gets one description, the call's public name and the student's line
    (``torch.from_numpy (line 12)``), once a call is seen.
    """
    found: list[str] = []

    def profile(frame, event, arg):
        if found:
            return
        if event == "c_call" and _is_torch_callable(arg):
            name = function_name(arg)
        elif event == "call" and frame.f_globals.get("__name__", "").startswith("torch"):
            name = frame_name(frame)
        else:
            return
        line = student_line(frame.f_back if event == "call" else frame, student_file)
        found.append(name + (f" (line {line})" if line else ""))

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
