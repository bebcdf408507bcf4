"""Remember, on each backward node, the script line that created it.

:class:`LocationMode` is a ``torch.overrides.TorchFunctionMode``: it sees every torch call the
script makes and, after it, looks at the outputs. Only when an output has a ``grad_fn`` not
seen before does it walk the stack (to the first script frame) and write ``"train.py:12"``
into ``grad_fn.metadata``. (A ``TorchDispatchMode`` would see more, but its first use imports
sympy and costs a second.)

Some nodes are made inside one call without being its output (a Python op built from several
ops, a ``CopySlices`` when a view is changed in place): the mode walks back from the new node
through nodes made since the previous call, recognised by their sequence numbers (autograd
numbers nodes in creation order), and gives them the same line. Nodes made before the
recorder started, or by another thread, are left alone.

It also writes down the inputs that did not require grad (constants, ``detach()`` and
``no_grad`` results), which autograd does not link to the graph, so the picture can show them.
"""

from __future__ import annotations

import weakref
import torch
from torch.overrides import TorchFunctionMode

from autograd_lab.viz.torch_graph import (
    INPUTS_KEY, LOCATION_KEY, NOTE_KEY, Constant, tensor_fields,
)

_ACCUMULATE = 2**64 - 1
"""The sequence number of every ``AccumulateGrad`` node (leaves): never walked into."""


def current_sequence_nr() -> int:
    """The sequence number the last node made on this thread got (makes one to find out)."""
    with torch.enable_grad():
        return (torch.zeros((), requires_grad=True) * 1).grad_fn._sequence_nr()


class LocationMode(TorchFunctionMode):
    """Writes ``where()`` (``"file:line"`` or None) into the metadata of each new ``grad_fn``."""

    def __init__(self, where) -> None:
        super().__init__()
        self.where = where
        self.newest = current_sequence_nr()
        """Nodes numbered above this were made after the last node this mode annotated."""
        self.made_without_grad: dict[int, tuple[weakref.ref, str]] = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)  # the mode is off inside this method: no recursion
        self.mark(out, func, args, kwargs)
        return out

    def mark(self, out, func, args, kwargs) -> None:
        """Annotate the new ``grad_fn`` of ``out`` (a tensor, or tensors in a tuple)."""
        if isinstance(out, torch.Tensor):
            self._mark_tensor(out, func, args, kwargs)
        elif isinstance(out, (tuple, list)):
            for item in out:
                if isinstance(item, torch.Tensor):
                    self._mark_tensor(item, func, args, kwargs)
        elif out is None and args and isinstance(args[0], torch.Tensor):
            self._mark_tensor(args[0], func, args, kwargs)  # __setitem__ changes args[0]

    def _mark_tensor(self, tensor: torch.Tensor, func, args, kwargs) -> None:
        fn = tensor.grad_fn
        if fn is None:
            if not tensor.requires_grad:
                self._remember_made_without_grad(tensor, func, args)
            return
        metadata = fn.metadata
        if LOCATION_KEY in metadata or fn._sequence_nr() <= self.newest:
            return
        constants = self._constants(args, kwargs)
        if constants:
            metadata[INPUTS_KEY] = constants
        self.annotate(fn, self.where())

    def annotate(self, fn, location: str | None, note: str = "") -> None:
        """Write ``location`` (and ``note``) into ``fn`` and the nodes made since the last call."""
        newest = self.newest
        stack = [fn]
        while stack:  # iterative: a long chain of new nodes is fine
            node = stack.pop()
            metadata = node.metadata
            if LOCATION_KEY in metadata:
                continue
            metadata[LOCATION_KEY] = location
            if note:
                metadata[NOTE_KEY] = note
            self.newest = max(self.newest, node._sequence_nr())
            for child, _ in node.next_functions:
                if child is not None and newest < child._sequence_nr() < _ACCUMULATE:
                    stack.append(child)

    def note_made_since(self, fn, since: int, location: str | None, note: str) -> None:
        """Write ``note`` into ``fn`` and the nodes behind it numbered above ``since`` (the
        nodes a backward pass with ``create_graph=True`` made), and their location if none."""
        stack, seen = [fn], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.metadata.setdefault(LOCATION_KEY, location)
            node.metadata[NOTE_KEY] = note
            self.newest = max(self.newest, node._sequence_nr())
            stack.extend(child for child, _ in node.next_functions
                         if child is not None and since < child._sequence_nr() < _ACCUMULATE)

    def _remember_made_without_grad(self, tensor: torch.Tensor, func, args) -> None:
        """Note a tensor made from graph tensors without a graph (detach(), .data, no_grad)."""
        name = getattr(func, "__name__", "")
        if name == "__get__":  # a property: which one
            name = "." + getattr(getattr(func, "__self__", None), "__name__", "")
        if name == "detach":
            note = "made by detach()"
        elif name == ".data":
            note = "made by .data"
        elif not torch.is_grad_enabled() and any(
                isinstance(a, torch.Tensor) and a.requires_grad for a in args):
            note = "made under torch.no_grad()"
        else:
            return
        key = id(tensor)
        table = self.made_without_grad
        table[key] = (weakref.ref(tensor, lambda _, key=key: table.pop(key, None)), note)

    def _constants(self, args, kwargs) -> tuple[Constant, ...]:
        """The tensor arguments that do not require grad (autograd does not link them)."""
        found = []  # a plain loop: this runs once per new node, often 100,000s of times
        for value in (*args, *kwargs.values()) if kwargs else args:
            if isinstance(value, torch.Tensor):
                if not value.requires_grad:
                    found.append(value)
            elif isinstance(value, (tuple, list)):
                found += [t for t in value if isinstance(t, torch.Tensor) and not t.requires_grad]
        if not found:
            return ()
        constants, seen = [], set()
        for tensor in found:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                known = self.made_without_grad.get(id(tensor))
                fields = tensor_fields(tensor)
                constants.append(Constant(weakref.ref(tensor), fields["shape"], fields["dtype"],
                                          fields["device"],
                                          known[1] if known and known[0]() is tensor else ""))
        return tuple(constants)
