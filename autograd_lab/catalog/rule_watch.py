"""Probe helpers (run in the worker): watch for a graph being built, and for torch.optim.

Like :mod:`autograd_lab.catalog.watch`, these observe rules and cannot stop a student who sets
out to hide from them; a rule observation earns a point, while the values a check compares are
computed by the grading process itself.
"""

from __future__ import annotations

import sys

import torch
from torch.overrides import TorchFunctionMode

from autograd_lab.catalog.watch import function_name, student_line, tensors_in


class GraphWatch(TorchFunctionMode):
    """Records the torch operations that autograd recorded (whose result has a ``grad_fn``).

    ``.found`` lists ``"torch.Tensor.sub -> SubBackward0 (line 42)"``-style descriptions (the
    function called, by its public name, and the node autograd recorded), the first few only. A
    function mode, not a dispatch mode: it costs no import of sympy (see ``watch.DeviceWatch``).
    """

    LIMIT = 5

    def __init__(self, student_file: str):
        super().__init__()
        self.student_file = student_file
        self.found: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if len(self.found) < self.LIMIT:
            for tensor in tensors_in(out):
                node = tensor.grad_fn
                if node is not None:
                    line = student_line(sys._getframe(1), self.student_file)
                    where = f" (line {line})" if line else ""
                    found = f"{function_name(func)} -> {type(node).__name__}{where}"
                    if found not in self.found:
                        self.found.append(found)
                    break
        return out


class TorchOptimWatch:
    """While active: record uses of ``torch.optim``'s optimizers and of its Adam functions.

    Wraps ``torch.optim.Optimizer.__init__`` (every optimizer, and every subclass of
    ``Optimizer``, goes through it) and the functions that do Adam's arithmetic, which
    ``torch.optim.adam.adam`` looks up at call time (so they are caught even when a student
    imported ``adam`` by name before grading). ``.used`` lists what was called.
    """

    def __init__(self):
        self.used: list[str] = []
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, owner, name: str, shown: str) -> None:
        # A class's own attribute, not one it inherits (that one is restored on its owner).
        original = (owner.__dict__.get(name) if isinstance(owner, type)
                    else getattr(owner, name, None))
        if original is None:
            return

        def wrapper(*args, **kwargs):
            if shown not in self.used:
                self.used.append(shown)
            return original(*args, **kwargs)

        self._saved.append((owner, name, original))
        setattr(owner, name, wrapper)

    def __enter__(self) -> TorchOptimWatch:
        import torch.optim.adam as adam_module

        self._wrap(torch.optim.Optimizer, "__init__", "torch.optim.Optimizer (an optimizer of "
                   "torch.optim, or a subclass of torch.optim.Optimizer, was created)")
        for name in ("adam", "_single_tensor_adam", "_multi_tensor_adam", "_fused_adam"):
            self._wrap(adam_module, name, "torch.optim's Adam arithmetic (torch.optim.Adam.step "
                       "or torch.optim.adam.adam)")
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
