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

Values are read after the walk (:meth:`Walked.read_values`), so that a graph about to be
collapsed reads them only for the nodes it will draw: tensors and saved tensors of at most
``values`` elements, and ``.grad`` (values and norm) where it is filled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import torch

from autograd_lab.viz import model
from autograd_lab.viz.collapse import CollapsePlan, plan_collapse, split_shared_leaves
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.model import Edge, Graph, make_node
from autograd_lab.viz.torch_graph import (
    ACCUMULATE_GRAD, FREED_BY_KEY, INPUTS_KEY, LOCATION_KEY, NOTE_KEY, SAVED_KEY,
    SAVED_VALUES_KEY, VERSIONS, Constant, alias_key, data_pointer, is_freed,
    is_wrapped_number, plan, saved_value, tensor_fields,
)
from autograd_lab.viz.values import DEFAULT_VALUES, check_values, norm, read_values


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
    """A walked graph, still as field dicts, with what it was read from: values can be read
    for the nodes that will be drawn (:meth:`read_values`), a backward pass can then mark what
    it changed (:meth:`refresh`) before the nodes are made (:meth:`graph`)."""

    fields: list[dict] = field(default_factory=list)
    """Each node's fields (see :func:`~autograd_lab.viz.model.make_node`), in walk order (a
    node's id is its kind's initial and its index here)."""
    edges: list[Edge] = field(default_factory=list)
    title: str = ""
    leaves: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    """(node index, tensor) of tensors whose ``.grad`` may fill."""
    saved: list[tuple[int, object, str, int | None]] = field(default_factory=list)
    """(node index, grad_fn, attribute, list index) of saved tensors that may be freed."""
    constants: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    """(node index, tensor) of the inputs that do not require grad (still alive)."""
    functions: list[tuple[int, object, int]] = field(default_factory=list)
    """(node index, backward node, index in ``edges`` of its first input edge): its input
    edges are consecutive, one per ``next_functions`` slot that is not None, in slot order."""
    accumulators: list[tuple[int, object]] = field(default_factory=list)
    """(leaf node index, its ``AccumulateGrad`` node)."""
    outputs: list[tuple[int, int, int]] = field(default_factory=list)
    """(index in ``edges`` of an OUTPUT edge, node index of the function, output number)."""
    limit: int = DEFAULT_VALUES
    """The values limit :meth:`read_values` read with (:meth:`refresh` reads ``.grad`` so)."""
    drawn: set[int] | None = None
    """The node indices values are read for; None: all."""
    _nodes: list | None = field(default=None, repr=False)

    def read_values(self, limit: int = DEFAULT_VALUES, drawn: set[int] | None = None) -> None:
        """Fill ``values`` of tensors and saved tensors, and ``grad_values``/``grad_norm`` of
        tensors whose ``.grad`` is filled, for the nodes in ``drawn`` (None: all)."""
        self.limit, self.drawn = limit, drawn
        fields = self.fields
        for index, tensor in (*self.leaves, *self.constants):
            if drawn is None or index in drawn:
                values = read_values(tensor, limit)
                if values is not None:
                    fields[index]["values"] = values
        self.read_grads()
        for index, fn, attr, i in self.saved:
            if drawn is None or index in drawn:
                self._read_saved(fields[index], fn, attr, i, limit)

    def read_grads(self) -> None:
        """``grad_values``/``grad_norm`` (and ``has_grad``) from each tensor's ``.grad`` now."""
        drawn, limit = self.drawn, self.limit
        for index, tensor in self.leaves:
            if tensor.is_leaf or tensor.retains_grad:
                values = self.fields[index]
                grad = tensor.grad
                values["has_grad"] = grad is not None
                if grad is not None and (drawn is None or index in drawn):
                    grad_values = read_values(grad, limit)
                    values["grad_values"] = grad_values
                    values["grad_norm"] = norm(grad, grad_values)

    @staticmethod
    def _read_saved(values: dict, fn, attr: str, i: int | None, limit: int) -> None:
        """A saved tensor's values (and whether it is a wrapped Python number), read once
        and kept in the node's metadata for captures after a backward pass freed it."""
        metadata = fn.metadata
        known = metadata.get(SAVED_VALUES_KEY)
        if known is None:
            known = metadata[SAVED_VALUES_KEY] = {}
        read = known.get((attr, i))
        if read is None and not values.get("freed"):
            tensor, state = saved_value(fn, attr)
            if state == "ok" and i is not None:
                tensor = tensor[i]
            if isinstance(tensor, torch.Tensor):
                number = is_wrapped_number(tensor)  # its values even with values off: the
                read = known[(attr, i)] = (  # number is what the node is, not a detail
                    read_values(tensor, max(limit, 1) if number else limit), number)
        if read is not None:
            if read[0] is not None:
                values["values"] = read[0]
            if read[1]:
                values["number"] = True

    def refresh(self, title: str = "") -> None:
        """Update ``has_grad``, ``.grad``'s values and ``freed`` after a backward pass ran on
        the graph; saved tensors it freed are ``freed_by`` ``title`` (remembered in their
        node's metadata, for later captures)."""
        self.read_grads()
        freed: dict[int, str | None] = {}  # a backward pass frees all of a node's saved tensors
        fields = self.fields
        for index, fn, attr, i in self.saved:
            key = id(fn)
            if key not in freed:
                freed[key] = None
                if is_freed(fn, attr, i):
                    metadata = fn.metadata
                    if title and FREED_BY_KEY not in metadata:
                        metadata[FREED_BY_KEY] = title
                    freed[key] = metadata.get(FREED_BY_KEY, "")
            by = freed[key]
            if by is not None:
                fields[index]["freed"] = True
                if by:
                    fields[index]["freed_by"] = by

    def graph(self) -> Graph:
        """The plain graph (the tensors and nodes it was read from are no longer needed).

        The nodes are made once: each one's ``__dict__`` is its field dict itself
        (:func:`~autograd_lab.viz.model.make_node`), and ``edges`` is this very list, so a
        graph made before a backward pass (to plan its collapse) already shows what
        :meth:`read_values`, :meth:`refresh` and a trace wrote into them since; they are not
        made again for 100,000s of nodes. Nothing may hash the nodes in between."""
        with gc_paused():
            if self._nodes is None or len(self._nodes) != len(self.fields):
                self._nodes = list(map(make_node, self.fields))
            return Graph(self._nodes, self.edges, self.title)


def plan_drawing(walked: Walked, max_nodes: int | None) -> tuple[CollapsePlan | None,
                                                                   set[int] | None]:
    """How the picture will collapse ``walked`` once shared leaves are split (None: it will
    not), and the node indices it will show (None: all of them): what values and gradient
    summaries are worth reading for. The graph's structure decides both, and a backward pass
    does not change the structure, so this can be known before the pass; pass the plan to
    :func:`~autograd_lab.viz.collapse.collapse` afterwards, so it is not made twice."""
    if max_nodes is None or len(walked.fields) + len(walked.edges) <= max_nodes:
        return None, None  # (splitting adds at most a node per edge)
    split = split_shared_leaves(walked.graph())
    plan = plan_collapse(split, max_nodes)
    if plan is None:
        return None, None
    nodes = split.nodes
    return plan, {int((nodes[i].same_as or nodes[i].id)[1:]) for i in plan.kept()
                  if nodes[i].kind != model.COLLAPSED}


def prepare_drawing(walked: Walked, values: int, max_nodes: int | None) -> CollapsePlan | None:
    """Plan how ``walked`` will be collapsed (:func:`plan_drawing`) and read the values of
    the nodes that will be drawn; return the plan, for
    :func:`~autograd_lab.viz.collapse.collapse` once the graph is made."""
    plan, drawn = plan_drawing(walked, max_nodes)
    walked.read_values(values, drawn)
    return plan


def drawn_indices(walked: Walked, max_nodes: int | None) -> set[int] | None:
    """The node indices of ``walked`` the picture will show (None: all): see
    :func:`plan_drawing`."""
    return plan_drawing(walked, max_nodes)[1]


def capture_graph(roots, *, names=None, saved: bool = True, title: str = "",
                  values: int = DEFAULT_VALUES) -> Graph:
    """Walk the graphs behind ``roots`` (tensors) to one plain :class:`Graph`.

    Args:
        roots: the tensors to draw from (``loss``, or several outputs sharing a graph).
        names: ``{id(tensor): "name"}``; a :class:`Names` also names non-leaf tensors.
        saved: include the tensors each function saved for backward (SAVED nodes).
        title: the graph's title (where it was captured).
        values: read the values of tensors of at most this many elements (0: none).
    """
    check_values(values)
    walked = walk(roots, names=names, saved=saved, title=title)
    walked.read_values(values)
    return walked.graph()


def walk(roots, *, names=None, saved: bool = True, title: str = "") -> Walked:
    """Like :func:`capture_graph`, keeping what is needed to :meth:`Walked.refresh` it.

    No values are read yet: call :meth:`Walked.read_values` (or :func:`prepare_drawing`, for
    only the nodes that will be drawn)."""
    if isinstance(roots, torch.Tensor):
        roots = [roots]
    roots = list(roots)
    for i, root in enumerate(roots):
        if not isinstance(root, torch.Tensor):
            raise TypeError(f"capture_graph: roots[{i}] is {type(root).__name__}, not a tensor")
    with gc_paused():
        return _Walk(names if names is not None else {}, saved).run(roots, title)


class _Walk:
    """One breadth-first walk; nodes are appended as they are met, so ids follow walk order.

    This is the hot loop of drawing (a graph can have 100,000s of nodes), so it is written
    lean: each node is a dict of the fields that differ from their defaults, edges are
    tuples, the per-class facts (op name, saved attributes, note) are looked up once per
    class, and the queue carries each function with its node id and those facts.
    """

    def __init__(self, names, saved: bool) -> None:
        self.names, self.with_saved = names, saved
        self.walked = Walked()
        self.nodes, self.edges = self.walked.fields, self.walked.edges
        self.keep: list[object] = []  # everything whose id() is a key below stays alive
        self.known: dict[int, str] = {}  # id(function or leaf's AccumulateGrad) -> node id
        self.leaves: dict[int, str] = {}  # id(leaf tensor) -> node id
        self.constants: dict[int, str] = {}
        self.outputs: dict[int, dict[int, list[torch.Tensor]]] = {}
        self.tensor_ids: dict[tuple[int, int], str] = {}
        self.roots: set[int] = set()
        self.aliases: dict[tuple, str] | None = None  # named tensors by alias_key
        self.pointers: set[int] = set()  # their data pointers
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
                self._node_of(root.grad_fn)
        queue, expand = self.queue, self._expand
        while queue:
            expand(*queue.popleft())
        self.walked.title = title
        return self.walked

    def _add(self, kind: str, values: dict) -> str:
        """Append a node of ``kind`` with ``values`` (its other fields); return its id."""
        node_id = values["id"] = f"{kind[0]}{len(self.nodes)}"
        values["kind"] = kind
        self.nodes.append(values)
        return node_id

    def _name(self, tensor) -> str:
        return self.names.get(id(tensor), "")

    def _lone_root(self, root: torch.Tensor) -> None:
        """A root without a graph: a leaf, or a tensor that does not require grad."""
        if id(root) in self.leaves:
            return
        self.keep.append(root)
        self.walked.leaves.append((len(self.nodes), root))
        self.leaves[id(root)] = self._add(model.TENSOR, {
            "label": self._name(root), "requires_grad": root.requires_grad,
            "is_leaf": root.is_leaf, "has_grad": root.is_leaf and root.grad is not None,
            "is_root": True, "grad_enabled": root.requires_grad, **tensor_fields(root)})

    def _node_of(self, fn) -> str:
        """The id of the node for ``fn`` (a backward node, or a leaf's ``AccumulateGrad``),
        adding it when new."""
        node_id = self.known.get(id(fn))
        if node_id is None:
            self.keep.append(fn)
            if type(fn) is ACCUMULATE_GRAD:
                node_id = self._leaf(fn.variable)
                self.walked.accumulators.append((int(node_id[1:]), fn))
            else:
                node_id = self._function(fn)
            self.known[id(fn)] = node_id
        return node_id

    def _function(self, fn) -> str:
        """Add ``fn``'s node (and the named tensors it produced); queue it for expanding."""
        op, custom, attrs, note = plan(fn)
        values = {"label": op}
        if custom:
            values["custom"] = True
        metadata = fn.metadata
        if metadata:
            location = metadata.get(LOCATION_KEY)
            if location is not None:
                values["location"] = location
            note = metadata.get(NOTE_KEY) or note
        if note:
            values["note"] = note
        index = len(self.nodes)
        fid = self._add(model.FUNCTION, values)
        self.queue.append((fn, fid, attrs if self.with_saved else (), index))
        outputs = self.outputs.get(id(fn))
        if outputs:
            for nr, tensors in sorted(outputs.items()):
                tid = self.tensor_ids[(id(fn), nr)] = self._named_tensor(tensors)
                self.walked.outputs.append((len(self.edges), index, nr))
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
        return self._add(model.TENSOR, {
            "label": ", ".join(label for label in labels if label), "requires_grad": True,
            "is_leaf": False, "retains_grad": tensor.retains_grad,
            "has_grad": tensor.retains_grad and tensor.grad is not None,
            "is_root": any(id(t) in self.roots for t in tensors), "note": note,
            **tensor_fields(tensor)})

    def _leaf(self, tensor: torch.Tensor) -> str:
        key = id(tensor)
        leaf = self.leaves.get(key)
        if leaf is None:
            self.keep.append(tensor)
            self.walked.leaves.append((len(self.nodes), tensor))
            leaf = self.leaves[key] = self._add(model.TENSOR, {
                "label": self._name(tensor), "requires_grad": True, "is_leaf": True,
                "has_grad": tensor.grad is not None, "is_root": key in self.roots,
                **tensor_fields(tensor)})
        return leaf

    def _constant(self, constant: Constant) -> str:
        tensor = constant.ref()
        if tensor is not None and id(tensor) in self.constants:
            return self.constants[id(tensor)]
        node_id = self._add(model.TENSOR, {
            "label": self._name(tensor) if tensor is not None else "",
            "shape": constant.shape, "dtype": constant.dtype, "device": constant.device,
            "requires_grad": False, "is_leaf": True, "grad_enabled": False,
            "note": constant.note, "version": tensor._version if tensor is not None else None})
        if tensor is not None:
            self.keep.append(tensor)
            self.constants[id(tensor)] = node_id
            self.walked.constants.append((int(node_id[1:]), tensor))
        return node_id

    def _expand(self, fn, fid: str, attrs: tuple[str, ...], index: int) -> None:
        if attrs:
            self._saved(fn, fid, attrs)
        known, outputs = self.known, self.outputs
        inputs = []  # added after the loop, which may add the children's output edges
        for child, nr in fn.next_functions:
            if child is None:
                continue
            key = id(child)
            source = known.get(key) or self._node_of(child)
            if key in outputs:  # it made a named tensor: the edge leaves from that tensor
                source = self.tensor_ids.get((key, nr), source)
            inputs.append(Edge(source, fid, model.INPUT))
        edges = self.edges
        self.walked.functions.append((index, fn, len(edges)))  # consecutive, in slot order
        edges += inputs
        metadata = fn.metadata
        if metadata:
            for constant in metadata.get(INPUTS_KEY, ()):
                edges.append(Edge(self._constant(constant), fid, model.INPUT))

    def _saved(self, fn, fid: str, attrs: tuple[str, ...]) -> None:
        metadata = fn.metadata
        seen_before = metadata.get(SAVED_KEY)
        if seen_before and is_freed(fn, seen_before[0][1], seen_before[0][2]):
            freed_by = metadata.get(FREED_BY_KEY)
            for label, attr, i, shape, dtype, device, note in seen_before:  # as first seen
                values = {"label": label, "shape": shape, "dtype": dtype, "device": device,
                          "freed": True}
                if freed_by:
                    values["freed_by"] = freed_by
                if note:
                    values["note"] = note
                self._saved_node(fn, fid, attr, i, values)
            return
        seen = []
        for attr in attrs:
            value, state = saved_value(fn, attr)
            if isinstance(value, torch.Tensor):
                self._saved_tensor(fn, fid, attr, None, attr, value, seen)
            elif state == "freed":  # first seen freed: how many there were, not their shapes
                values = {"label": attr, "freed": True}
                if metadata.get(FREED_BY_KEY):
                    values["freed_by"] = metadata[FREED_BY_KEY]
                self._saved_node(fn, fid, attr, None, values)
            elif state != "ok":  # changed in place after it was saved: backward will fail
                versions = VERSIONS.search(state)
                note = (f"changed in place after it was saved (version {versions[1]}, saved at "
                        f"{versions[2]}): backward will fail" if versions
                        else "cannot be read: " + state.splitlines()[0])
                self.edges.append(Edge(self._add(model.SAVED, {"label": attr, "note": note}),
                                       fid, model.SAVED_BY))
            elif isinstance(value, (list, tuple)):
                for i, tensor in enumerate(value):
                    if isinstance(tensor, torch.Tensor):
                        self._saved_tensor(fn, fid, attr, i, f"{attr}[{i}]", tensor, seen)
        if seen and not seen_before:  # so that a capture after freeing knows them
            metadata[SAVED_KEY] = tuple(seen)

    def _saved_tensor(self, fn, fid: str, attr: str, i: int | None, label: str,
                      tensor: torch.Tensor, seen: list) -> None:
        values = tensor_fields(tensor)
        values["label"] = label
        note = self._saved_note(tensor, fn)
        if note:
            values["note"] = note
        seen.append((label, attr, i, values["shape"], values["dtype"], values["device"], note))
        self._saved_node(fn, fid, attr, i, values)

    def _saved_node(self, fn, fid: str, attr: str, i: int | None, values: dict) -> None:
        self.walked.saved.append((len(self.nodes), fn, attr, i))
        self.edges.append(Edge(self._add(model.SAVED, values), fid, model.SAVED_BY))

    def _saved_note(self, tensor: torch.Tensor, fn) -> str:
        """``= x`` when the saved tensor is (a copy of the handle of) a named tensor."""
        if self.aliases is None:
            self.aliases = {}
            for key, named in getattr(self.names, "tensors", {}).items():
                alias = alias_key(named)
                if alias is not None:
                    self.aliases.setdefault(alias, self.names[key])
            self.pointers = {alias[0] for alias in self.aliases}
        name = self.names.get(id(tensor))
        if not name and self.pointers and data_pointer(tensor) in self.pointers:  # cheap first
            alias = alias_key(tensor)
            name = self.aliases.get(alias) if alias else None
        if name:
            return f"= {name}"
        return "this function's output" if tensor.grad_fn is fn else ""
