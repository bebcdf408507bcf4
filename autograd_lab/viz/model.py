"""The plain graph model: what capture produces and every renderer reads.

A :class:`Graph` is nodes and edges with stable ids (given in walk order, never ``id()``),
so the same script gives the same model, the same DOT text and the same JSON every run.
Edges point the way data flows in the forward pass: from an input to the function that
used it, from a function to the tensor it produced, from a saved tensor to the function that
saved it. ``to_dict`` is the JSON schema (see ``SCHEMA_VERSION`` and docs/graph-json.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple

SCHEMA_VERSION = 2

# Node kinds.
TENSOR = "tensor"
"""A tensor: a leaf (a weight, an input), or a non-leaf the script holds in a variable."""
FUNCTION = "function"
"""A backward node (``grad_fn``), named by its op (``MmBackward0``)."""
SAVED = "saved"
"""A tensor a function saved for its backward pass (freed by a backward without retain_graph)."""
COLLAPSED = "collapsed"
"""Stands for many nodes left out of the picture; says how many and of which ops."""

# Edge kinds.
INPUT = "input"
"""From an input (a tensor or the function that produced it) to the function that used it."""
OUTPUT = "output"
"""From a function to the tensor it produced (a named non-leaf, or the graph's root)."""
SAVED_BY = "saved"
"""From a saved tensor to the function that saved it."""


@dataclass(frozen=True)
class Node:
    """One node of a captured graph; fields that do not apply to a kind stay None / False."""

    id: str
    """Stable within the graph: ``t0``, ``f1``, ``s2``, ``c3`` (kind initial + walk order)."""
    kind: str
    """``tensor``, ``function``, ``saved`` or ``collapsed``."""
    label: str
    """Tensors: the variable name(s) that hold it, or "" if none; functions: the op
    (``MmBackward0``); saved: the attribute (``self``, ``mat2``); collapsed: a summary."""
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    device: str | None = None
    requires_grad: bool | None = None
    is_leaf: bool | None = None
    retains_grad: bool = False
    has_grad: bool = False
    """A tensor whose ``.grad`` is filled (after a backward pass)."""
    is_root: bool = False
    """A tensor backward was called on (or an output the graph was drawn from)."""
    grad_enabled: bool = True
    """False for tensors that do not take part in autograd (no_grad, detach, constants)."""
    custom: bool = False
    """A function node of a custom ``torch.autograd.Function``."""
    freed: bool = False
    """A saved tensor whose buffer a backward pass freed (no retain_graph)."""
    version: int | None = None
    """A tensor's version counter (in-place ops bump it)."""
    location: str | None = None
    """``file:line`` of the script line that created a function node, when known."""
    use: tuple[int, int] | None = None
    """For a shared leaf drawn once per use: (this use, all uses)."""
    same_as: str | None = None
    """For the 2nd.. copy of a shared leaf: the id of its first copy."""
    hidden: int = 0
    """For a collapsed node: how many nodes it stands for."""
    note: str = ""
    """Anything else worth saying, one short line (``create_graph``, ``view of x``)."""
    values: object = None
    """Tensors and saved tensors of at most the values limit of elements (``--values``): their
    values as nested tuples (a plain number for a 0-d tensor), exact; None when larger, off,
    or unreadable. Saved tensors keep the values they had when first seen (before a freeing)."""
    grad_values: object = None
    """``.grad`` after the recorded backward pass, as ``values`` (None: no grad, or too large)."""
    grad_norm: float | None = None
    """The 2-norm of ``.grad`` after the recorded backward pass (None: no grad)."""
    grad_before: Grad | None = None
    """``.grad`` just before the recorded backward pass (None: it was None): accumulation."""
    grad_step: int | None = None
    """A tensor whose ``.grad`` the recorded pass wrote: how many function steps had run when it
    was written (the page shows ``grad_before`` until that step, ``grad_values`` from it on)."""
    order: int | None = None
    """A function node: its step in the recorded backward pass (1 = the first function autograd
    ran); None when that pass did not run it (or the graph was not captured at a backward)."""
    received: tuple | None = None
    """A function node that ran: the gradient it received for each of its outputs, as a tuple
    of :class:`Grad` (None for an output that got none)."""
    freed_by: str | None = None
    """A freed saved tensor: the title of the capture whose backward pass freed it."""
    cause: bool = False
    """A freed saved tensor that the failed backward pass of this graph needed: why it failed."""
    number: bool = False
    """A saved Python number that torch wrapped in a 0-d tensor (the 3 of ``y * 3``); ``values``
    holds it."""


class Grad(NamedTuple):
    """A gradient as the picture shows it: shape, 2-norm, and values when small."""

    shape: tuple[int, ...]
    norm: float
    values: object = None
    """Nested tuples (a number for a 0-d tensor) when at most the values limit, else None."""

    def to_dict(self) -> dict:
        return {"shape": list(self.shape), "norm": self.norm, "values": self.values}


class Edge(NamedTuple):
    """A directed edge, in the forward direction (a named tuple: a graph has 100,000s)."""

    source: str
    target: str
    kind: str = INPUT
    """``input``, ``output`` or ``saved``."""
    grad: Grad | None = None
    """What flowed back along the edge in the recorded backward pass: on an ``input`` edge the
    gradient the target function sent to the source; on an ``output`` edge the gradient that
    reached the named tensor. None when none flowed (and always on ``saved`` edges)."""

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "kind": self.kind,
                "grad": None if self.grad is None else self.grad.to_dict()}


NODE_FIELDS = tuple(f.name for f in fields(Node))
_DEFAULTS = {f.name: f.default for f in fields(Node) if f.name not in ("id", "kind", "label")}


def make_node(values: dict) -> Node:
    """A :class:`Node` whose ``__dict__`` is ``values`` itself: ``id``, ``kind``, ``label`` and
    the fields that differ from their defaults (which the class attributes supply).

    Capture makes a node for each of 100,000s of tensors and functions; a frozen dataclass's
    ``__init__`` sets its 19 fields one by one through ``object.__setattr__``, ten times
    slower. The result reads, compares and hashes like any ``Node(...)``. ``values`` must not
    be changed afterwards.
    """
    node = object.__new__(Node)
    object.__setattr__(node, "__dict__", values)
    return node


def node_dict(node: Node) -> dict:
    """All the fields of ``node``, in schema order, as JSON-ready values."""
    data = {"id": node.id, "kind": node.kind, "label": node.label, **_DEFAULTS}
    data.update((k, v) for k, v in vars(node).items() if k in data)
    for key in ("shape", "use"):
        if data[key] is not None:
            data[key] = list(data[key])
    if data["grad_before"] is not None:
        data["grad_before"] = data["grad_before"].to_dict()
    if data["received"] is not None:
        data["received"] = [None if g is None else g.to_dict() for g in data["received"]]
    return data


@dataclass
class Graph:
    """One captured autograd graph."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    title: str = ""
    """Where it was captured, e.g. ``loss.backward() at train.py:14`` or ``y at the end``."""
    count: int = 1
    """How many captures had this very structure (a training loop: one graph, ``x500``)."""
    hidden: int = 0
    """Nodes left out by collapsing (also said by the collapsed nodes themselves)."""
    steps: int = 0
    """How many functions the recorded backward pass ran (0: not captured at a backward)."""
    failed: bool = False
    """The backward pass this graph was captured at raised (such a graph is never merged)."""
    error: str = ""
    """That backward pass's error, the whole message."""
    advice: str = ""
    """What would fix it, when known (``pass retain_graph=True to loss.backward() at ...``)."""

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def to_dict(self) -> dict:
        return {"nodes": [node_dict(node) for node in self.nodes],
                "edges": [edge.to_dict() for edge in self.edges],
                "title": self.title, "count": self.count, "hidden": self.hidden,
                "steps": self.steps, "failed": self.failed, "error": self.error,
                "advice": self.advice}


@dataclass
class Capture:
    """Everything one run recorded: graphs in order, and how many were left out."""

    graphs: list[Graph] = field(default_factory=list)
    omitted: int = 0
    """Distinct graphs not kept because of the bound on how many are drawn."""
    script: str = ""
    error: str = ""
    """The script's error, when it failed midway (what was captured until then is kept)."""

    def to_dict(self) -> dict:
        return {"schema": SCHEMA_VERSION, "script": self.script, "error": self.error,
                "omitted": self.omitted, "graphs": [g.to_dict() for g in self.graphs]}
