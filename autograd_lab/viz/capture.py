"""Walk an autograd graph (``tensor.grad_fn`` and its ``next_functions``) to the plain model.

The walk is breadth-first from the roots and iterative (a deque, never recursion), so a
recurrence unrolled a million steps walks like a short one. Node ids are ``t``/``f``/``s`` plus
the order in which the walk met the node, and ``next_functions`` are read in their own order,
so the same script gives the same :class:`~autograd_lab.viz.model.Graph` every run. ``id()``
is used only to recognise objects met before during one walk (they are all kept alive until
it ends), never written to the model.

What becomes what:

- a leaf that requires grad (its ``AccumulateGrad`` node) is one TENSOR node;
- a backward node is a FUNCTION node named by its op; a named non-leaf tensor (and every
  root) is a TENSOR node that its function points to (OUTPUT), and its users read from it;
- each tensor a function saved for backward is a SAVED node pointing to that function
  (freed after a backward pass without ``retain_graph``);
- tensors that do not require grad, which autograd does not link at all, are drawn as
  ``grad_enabled=False`` inputs when the recorder saw the op take them (the op's node then
  carries them in its metadata, under ``INPUTS_KEY``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections import deque
from dataclasses import dataclass, field

import torch

from autograd_lab.viz import model
from autograd_lab.viz.model import Edge, Graph, Node
from autograd_lab.viz.torch_graph import (
    INPUTS_KEY, LOCATION_KEY, NOTE_KEY, OP_NOTES, SAVED_KEY, VERSIONS, Constant, alias_key,
    class_info, is_freed, saved_value, tensor_fields,
)


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cycle collector: building 100,000s of small objects (nodes, dicts)
    otherwise triggers it again and again, each time over the whole heap (twice as slow)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_NODE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Node)
                  if f.default is not dataclasses.MISSING}


def new_node(fields: dict) -> Node:
    """``Node(**fields)``, four times faster (a graph can have 100,000s of nodes).

    A frozen dataclass's ``__init__`` sets each of its 19 fields through
    ``object.__setattr__``; this fills the instance's ``__dict__`` at once. The result is an
    ordinary, equal :class:`Node`. (Should ``Node`` ever validate in ``__post_init__``, the
    real constructor is used.)
    """
    if hasattr(Node, "__post_init__"):
        return Node(**fields)
    node = object.__new__(Node)
    node.__dict__.update(_NODE_DEFAULTS)
    node.__dict__.update(fields)
    return node


class Names(dict):
    """``{id(tensor): "name, other name"}`` that also holds the tensors themselves.

    A plain dict of ids names leaves and roots; this one also lets the walk find named
    non-leaf tensors (from ``grad_fn`` alone there is no way back to the tensor).
    """

    def __init__(self) -> None:
        super().__init__()
        self.tensors: dict[int, torch.Tensor] = {}

    def add(self, tensor: torch.Tensor, name: str) -> None:
        key = id(tensor)
        if key not in self:
            self[key], self.tensors[key] = name, tensor
        elif name not in self[key].split(", "):
            self[key] += ", " + name


@dataclass
class Walked:
    """A walked graph, still as field dicts, with what it was read from: a backward pass can
    then mark what it changed (:meth:`refresh`) before the nodes are made (:meth:`graph`)."""

    fields: list[dict] = field(default_factory=list)
    """Keyword arguments of each :class:`Node`, in walk order."""
    edges: list[Edge] = field(default_factory=list)
    title: str = ""
    leaves: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    """(node index, tensor) of tensors whose ``.grad`` may fill."""
    saved: list[tuple[int, object, str, int | None]] = field(default_factory=list)
    """(node index, grad_fn, attribute, list index) of saved tensors that may be freed."""

    def refresh(self) -> None:
        """Update ``has_grad`` and ``freed`` after a backward pass ran on the graph."""
        for index, tensor in self.leaves:
            if tensor.is_leaf or tensor.retains_grad:
                self.fields[index]["has_grad"] = tensor.grad is not None
        freed: dict[int, bool] = {}  # a backward pass frees all of a node's saved tensors
        for index, fn, attr, i in self.saved:
            if id(fn) not in freed:
                freed[id(fn)] = is_freed(fn, attr, i)
            if freed[id(fn)]:
                self.fields[index]["freed"] = True

    def graph(self) -> Graph:
        """The plain graph (the tensors and nodes it was read from are no longer needed)."""
        with gc_paused():
            return Graph([new_node(fields) for fields in self.fields], self.edges, self.title)


def capture_graph(roots, *, names=None, saved: bool = True, title: str = "") -> Graph:
    """Walk the graphs behind ``roots`` (tensors) to one plain :class:`Graph`.

    Args:
        roots: the tensors to draw from (``loss``, or several outputs sharing a graph).
        names: ``{id(tensor): "name"}``; a :class:`Names` also names non-leaf tensors.
        saved: include the tensors each function saved for backward (SAVED nodes).
        title: the graph's title (where it was captured).
    """
    return walk(roots, names=names, saved=saved, title=title).graph()


def walk(roots, *, names=None, saved: bool = True, title: str = "") -> Walked:
    """Like :func:`capture_graph`, keeping what is needed to :meth:`Walked.refresh` it."""
    if isinstance(roots, torch.Tensor):
        roots = [roots]
    roots = list(roots)
    for i, root in enumerate(roots):
        if not isinstance(root, torch.Tensor):
            raise TypeError(f"capture_graph: roots[{i}] is {type(root).__name__}, not a tensor")
    with gc_paused():
        return _Walk(names if names is not None else {}, saved).run(roots, title)


class _Walk:
    """One breadth-first walk; nodes are appended as they are met, so ids follow walk order."""

    def __init__(self, names, saved: bool) -> None:
        self.names, self.with_saved = names, saved
        self.walked = Walked()
        self.nodes, self.edges = self.walked.fields, self.walked.edges
        self.keep: list[object] = []  # everything whose id() is a key below stays alive
        self.functions: dict[int, str] = {}
        self.leaves: dict[int, str] = {}
        self.constants: dict[int, str] = {}
        self.outputs: dict[int, dict[int, list[torch.Tensor]]] = {}
        self.tensor_ids: dict[tuple[int, int], str] = {}
        self.roots: set[int] = set()
        self.aliases: dict[tuple, str] | None = None
        self.queue: deque = deque()

    def run(self, roots: list[torch.Tensor], title: str) -> Walked:
        for tensor in list(getattr(self.names, "tensors", {}).values()) + roots:
            if tensor.grad_fn is not None:
                fn = tensor.grad_fn
                self.keep.append(fn)
                group = self.outputs.setdefault(id(fn), {}).setdefault(tensor.output_nr, [])
                if not any(t is tensor for t in group):
                    group.append(tensor)
        self.roots = {id(r) for r in roots}
        for root in roots:
            if root.grad_fn is None:
                self._lone_root(root)
            else:
                self._function(root.grad_fn)
        while self.queue:
            self._expand(self.queue.popleft())
        self.walked.title = title
        return self.walked

    def _add(self, kind: str, **fields) -> str:
        node_id = fields["id"] = f"{kind[0]}{len(self.nodes)}"
        fields["kind"] = kind
        self.nodes.append(fields)
        return node_id

    def _name(self, tensor) -> str:
        return self.names.get(id(tensor), "")

    def _lone_root(self, root: torch.Tensor) -> None:
        """A root without a graph: a leaf, or a tensor that does not require grad."""
        if id(root) in self.leaves:
            return
        self.keep.append(root)
        self.walked.leaves.append((len(self.nodes), root))
        self.leaves[id(root)] = self._add(
            model.TENSOR, label=self._name(root), requires_grad=root.requires_grad,
            is_leaf=root.is_leaf, has_grad=root.is_leaf and root.grad is not None, is_root=True,
            grad_enabled=root.requires_grad, **tensor_fields(root))

    def _function(self, fn) -> str:
        """The id of ``fn``'s node, adding it (and the named tensors it produced) when new."""
        key = id(fn)
        if key in self.functions:
            return self.functions[key]
        self.keep.append(fn)
        metadata = fn.metadata
        op, custom, _ = class_info(fn)
        note = metadata.get(NOTE_KEY) or OP_NOTES.get(op, "")
        fid = self.functions[key] = self._add(
            model.FUNCTION, label=op, custom=custom, location=metadata.get(LOCATION_KEY),
            note=note)
        self.queue.append(fn)
        for nr, tensors in sorted(self.outputs.get(key, {}).items()):
            tid = self.tensor_ids[(key, nr)] = self._named_tensor(tensors)
            self.edges.append(Edge(fid, tid, model.OUTPUT))
        return fid

    def _named_tensor(self, tensors: list[torch.Tensor]) -> str:
        tensor = tensors[0]
        labels = [self._name(t) for t in tensors]
        note = ""
        if tensor._is_view():
            base = self._name(tensor._base)
            note = f"view of {base}" if base else "a view"
        self.walked.leaves.append((len(self.nodes), tensor))
        return self._add(
            model.TENSOR, label=", ".join(label for label in labels if label),
            requires_grad=True, is_leaf=False, retains_grad=tensor.retains_grad,
            has_grad=tensor.retains_grad and tensor.grad is not None,
            is_root=any(id(t) in self.roots for t in tensors), note=note,
            **tensor_fields(tensor))

    def _leaf(self, accumulate) -> str:
        tensor = accumulate.variable
        key = id(tensor)
        if key not in self.leaves:
            self.keep.append(tensor)
            self.walked.leaves.append((len(self.nodes), tensor))
            self.leaves[key] = self._add(
                model.TENSOR, label=self._name(tensor), requires_grad=True, is_leaf=True,
                has_grad=tensor.grad is not None, is_root=id(tensor) in self.roots,
                **tensor_fields(tensor))
        return self.leaves[key]

    def _constant(self, constant: Constant) -> str:
        tensor = constant.ref()
        if tensor is not None and id(tensor) in self.constants:
            return self.constants[id(tensor)]
        node_id = self._add(
            model.TENSOR, label=self._name(tensor) if tensor is not None else "",
            shape=constant.shape, dtype=constant.dtype, device=constant.device,
            requires_grad=False, is_leaf=True, grad_enabled=False, note=constant.note,
            version=tensor._version if tensor is not None else None)
        if tensor is not None:
            self.keep.append(tensor)
            self.constants[id(tensor)] = node_id
        return node_id

    def _expand(self, fn) -> None:
        fid = self.functions[id(fn)]
        if self.with_saved:
            self._saved(fn, fid)
        for child, nr in fn.next_functions:
            if child is None:
                continue
            if type(child).__name__ == "AccumulateGrad":
                source = self._leaf(child)
            else:
                source = self._function(child)
                source = self.tensor_ids.get((id(child), nr), source)
            self.edges.append(Edge(source, fid, model.INPUT))
        for constant in fn.metadata.get(INPUTS_KEY, ()):
            self.edges.append(Edge(self._constant(constant), fid, model.INPUT))

    def _saved(self, fn, fid: str) -> None:
        metadata = fn.metadata
        seen_before = metadata.get(SAVED_KEY)
        if seen_before and is_freed(fn, seen_before[0][1], seen_before[0][2]):
            for label, attr, i, shape, dtype, device in seen_before:  # shapes as first seen
                self._saved_node(fn, fid, attr, i, label=label, shape=shape, dtype=dtype,
                                 device=device, freed=True)
            return
        seen = []
        for attr in class_info(fn)[2]:
            value, state = saved_value(fn, attr)
            if state == "freed":  # first seen freed: how many there were, not their shapes
                self._saved_node(fn, fid, attr, None, label=attr, freed=True)
            elif state != "ok":  # changed in place after it was saved: backward will fail
                versions = VERSIONS.search(state)
                note = (f"changed in place after it was saved (version {versions[1]}, saved at "
                        f"{versions[2]}): backward will fail" if versions
                        else "cannot be read: " + state.splitlines()[0])
                self.edges.append(Edge(self._add(model.SAVED, label=attr, note=note), fid,
                                       model.SAVED_BY))
            else:
                pairs = enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]
                for i, tensor in pairs:
                    if isinstance(tensor, torch.Tensor):
                        label = attr if i is None else f"{attr}[{i}]"
                        fields = tensor_fields(tensor)
                        seen.append((label, attr, i, fields["shape"], fields["dtype"],
                                     fields["device"]))
                        self._saved_node(fn, fid, attr, i, label=label,
                                         note=self._saved_note(tensor, fn), **fields)
        if seen and not seen_before:  # so that a capture after freeing knows the shapes
            metadata[SAVED_KEY] = tuple(seen)

    def _saved_node(self, fn, fid: str, attr: str, i: int | None, **fields) -> None:
        self.walked.saved.append((len(self.nodes), fn, attr, i))
        self.edges.append(Edge(self._add(model.SAVED, **fields), fid, model.SAVED_BY))

    def _saved_note(self, tensor: torch.Tensor, fn) -> str:
        """``= x`` when the saved tensor is (a copy of the handle of) a named tensor."""
        if self.aliases is None:
            self.aliases = {}
            for key, named in getattr(self.names, "tensors", {}).items():
                alias = alias_key(named)
                if alias is not None:
                    self.aliases.setdefault(alias, self.names[key])
        alias = alias_key(tensor)
        name = self.names.get(id(tensor)) or (self.aliases.get(alias) if alias else None)
        if name:
            return f"= {name}"
        return "this function's output" if tensor.grad_fn is fn else ""


