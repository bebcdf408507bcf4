"""Read torch's autograd objects: backward-node classes, saved tensors, graph roots.

What :mod:`~autograd_lab.viz.capture` needs to know about torch, kept apart from the walk:

- which tensors a backward node saved (``_saved_self``, ``_raw_saved_self``, a custom
  Function's ``saved_tensors``) and whether a backward pass freed them;
- the keys under which the recorder leaves notes in ``grad_fn.metadata`` (the script line
  that made a node, the inputs that did not require grad, what a node saved when first seen);
- which tensors of a namespace are roots, and which of them share a graph.
"""

from __future__ import annotations

import re
import weakref
from collections import deque
from typing import NamedTuple

import torch

from autograd_lab.viz.disjoint_sets import DisjointSets

LOCATION_KEY = "autograd_lab.location"
"""``grad_fn.metadata`` key: ``file:line`` of the script line that created the node."""
NOTE_KEY = "autograd_lab.note"
"""``grad_fn.metadata`` key: a short note (``made by the backward pass at ...``)."""
SAVED_KEY = "autograd_lab.saved"
"""``grad_fn.metadata`` key: what the node saved, as first seen (for after it is freed)."""
INPUTS_KEY = "autograd_lab.inputs"
"""``grad_fn.metadata`` key: the inputs that did not require grad, as :class:`Constant`."""
SAVED_VALUES_KEY = "autograd_lab.saved_values"
"""``grad_fn.metadata`` key: ``{(attribute, list index): (values, number?)}`` of what the node
saved, as first read (a capture after a backward freed them still shows them)."""
FREED_BY_KEY = "autograd_lab.freed_by"
"""``grad_fn.metadata`` key: the title of the recorded backward pass that freed what the node
saved."""
PASSES_KEY = "autograd_lab.passes"
"""``grad_fn.metadata`` key (on a root's ``grad_fn``): the indices of the kept graphs that
recorded backward passes from it, so that a pass re-run on the very same graph objects
(``retain_graph=True``) is never merged into an earlier one (:mod:`~autograd_lab.viz.recorder`).
Metadata lives and dies with the node itself, so unlike an ``id()`` it cannot be mistaken for
a new graph that happens to reuse a freed node's address."""

OP_NOTES = {
    "CopySlices": "in-place op on a view, written into its base",
    "AsStridedBackward0": "view of a tensor changed in place",
}
ACCUMULATE_GRAD = type(torch.ones(1, requires_grad=True).expand(1).grad_fn.next_functions[0][0])
"""The class of the backward node that stands for a leaf (its ``.variable``)."""
_FREED = ("freed", "backward through the graph a second time")
VERSIONS = re.compile(r"is at version (\d+); expected version (\d+)")


class Constant(NamedTuple):  # a named tuple: made for every constant input, it must be cheap
    """An op's input that did not require grad (a constant, a detach() or no_grad result)."""

    ref: weakref.ref
    """A weak reference to the tensor (it may be gone by capture time)."""
    shape: tuple[int, ...]
    dtype: str
    device: str
    note: str = ""


_DTYPES: dict = {}
_DEVICES: dict = {}


def tensor_fields(tensor: torch.Tensor) -> dict:
    """The model's shape, dtype (``float32``), device (``cpu``) and version of a tensor."""
    dtype, device = tensor.dtype, tensor.device
    if dtype not in _DTYPES:
        _DTYPES[dtype] = str(dtype).removeprefix("torch.")
    if device not in _DEVICES:
        _DEVICES[device] = str(device)
    return {"shape": tuple(tensor.shape), "dtype": _DTYPES[dtype], "device": _DEVICES[device],
            "version": tensor._version}


def saved_value(fn, attr: str):
    """(value, state) of one saved attribute; state is ``ok``, ``freed`` or the error text."""
    try:
        if attr == "saved_tensors":  # a custom Function's ctx.save_for_backward(...)
            return fn.saved_tensors, "ok"
        return getattr(fn, "_saved_" + attr), "ok"
    except RuntimeError as error:
        text = str(error)
        return None, ("freed" if any(word in text for word in _FREED) else text)


_NUMBER_PROBES = {torch.int64: torch.int32, torch.float64: torch.float32,
                  torch.complex128: torch.complex64}


def is_wrapped_number(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` is a Python number torch wrapped in a 0-d tensor (the 3 of ``y * 3``,
    which ``MulBackward0`` saves as ``other``), not a 0-d tensor the script made.

    Python exposes no ``is_wrapped_number()``, but type promotion tells the two apart, by a
    documented rule (``torch.result_type``, "Type promotion" in the tensor attributes docs):
    a Python number ranks below a 0-d tensor of the same category, so with a 0-d ``int32``
    probe a wrapped ``int64`` 3 gives ``int32`` while ``torch.tensor(3)`` gives ``int64``
    (likewise float64/float32 and complex128/complex64). The flag lives on the tensor itself,
    and a saved input is unpacked as that very tensor, so the test holds for saved tensors.
    Python numbers wrap only as those three dtypes, on the cpu; a wrapped bool cannot be told
    apart (bool is the lowest category) and reads as a tensor.
    """
    probe = _NUMBER_PROBES.get(tensor.dtype)
    if probe is None or tensor.dim() != 0 or tensor.device.type != "cpu":
        return False
    try:
        return torch.result_type(torch.zeros((), dtype=probe), tensor) == probe
    except (RuntimeError, TypeError):
        return False


def is_freed(fn, attr: str, i: int | None) -> bool:
    """Whether a saved attribute known to hold a tensor was freed (cheap: no exception when
    the saved tensor is a single one, the common case)."""
    try:
        if attr == "saved_tensors":  # a custom Function
            raw = fn._raw_saved_tensors
        else:
            raw = getattr(fn, "_raw_saved_" + attr)
    except RuntimeError:  # lists of saved tensors cannot even be listed once freed
        return True
    if isinstance(raw, (list, tuple)):
        raw = raw[i or 0]
    return raw.data is None


_PLANS: dict[type, tuple[str, bool, tuple[str, ...], str]] = {}


def plan(fn) -> tuple[str, bool, tuple[str, ...], str]:
    """(op name, custom Function?, saved tensor attributes, note) of a backward node's class,
    worked out once per class."""
    cls = type(fn)
    known = _PLANS.get(cls)
    if known is None:
        custom = isinstance(fn, torch.autograd.function.BackwardCFunction)
        attrs = ("saved_tensors",) if custom else tuple(
            a[len("_raw_saved_"):] for a in dir(fn) if a.startswith("_raw_saved_"))
        known = _PLANS[cls] = (cls.__name__, custom, attrs, OP_NOTES.get(cls.__name__, ""))
    return known


def data_pointer(tensor: torch.Tensor) -> int | None:
    """``tensor.data_ptr()``, or None for a tensor that has none (sparse, meta)."""
    try:
        return tensor.data_ptr()
    except (RuntimeError, NotImplementedError):
        return None


def alias_key(tensor: torch.Tensor) -> tuple | None:
    """Same memory, same layout, same dtype: the same tensor seen through another handle."""
    try:
        if tensor.layout != torch.strided or tensor.numel() == 0:
            return None
        return tensor.data_ptr(), tuple(tensor.shape), tensor.stride(), tensor.dtype
    except (RuntimeError, NotImplementedError):
        return None


def root_groups(tensors: list[torch.Tensor]) -> list[list[torch.Tensor]]:
    """Group tensors that have a graph by the graph they are in, keeping only the roots.

    A root is a tensor no other one of ``tensors`` was computed from. Tensors whose graphs
    share a node (a leaf used by both) are in one group. Groups come in the order of their
    first root in ``tensors``.
    """
    by_output: dict[tuple[int, int], list[int]] = {}
    for i, tensor in enumerate(tensors):
        by_output.setdefault((id(tensor.grad_fn), tensor.output_nr), []).append(i)
    sets = DisjointSets(len(tensors))
    owner: dict[int, int] = {}  # id(node) -> the tensor whose walk met it first
    keep: list[object] = []
    used: set[int] = set()
    for i, tensor in enumerate(tensors):
        start = tensor.grad_fn
        if id(start) in owner:
            sets.union(i, owner[id(start)])
            continue
        owner[id(start)] = i
        keep.append(start)
        queue = deque([start])
        while queue:
            for child, nr in queue.popleft().next_functions:
                if child is None:
                    continue
                used.update(by_output.get((id(child), nr), ()))
                if id(child) in owner:
                    sets.union(i, owner[id(child)])
                    continue
                owner[id(child)] = i
                keep.append(child)
                queue.append(child)
    groups: dict[int, list[torch.Tensor]] = {}
    for i, tensor in enumerate(tensors):
        if i not in used:
            groups.setdefault(sets.find(i), []).append(tensor)
    return list(groups.values())
