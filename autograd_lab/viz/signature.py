"""A graph's structure as one string: equal for graphs built the same way, whatever the values.

A training loop builds a new graph every step; :func:`structure_key` is how the recorder sees
that step 500 built the same graph as step 1 (and draws it once, ``count=500``). The key
covers ops, edges, names, shapes, dtypes, devices, flags, locations and whether the backward
pass failed; it leaves out what changes from step to step without changing the graph:
version counters, titles and counts, and what the recorded pass computed (values, gradients,
the order it ran, the number of steps, which call freed a saved tensor).
A freed saved tensor is keyed by its name and the fact that it is freed: its shape is known
when the graph was captured before the backward pass and unknown when captured after, and
both are the same graph.
"""

from __future__ import annotations

import hashlib
from operator import attrgetter

from autograd_lab.viz import model
from autograd_lab.viz.model import Graph

_NODE_FIELDS = ("id", "kind", "label", "shape", "dtype", "device", "requires_grad", "is_leaf",
                "retains_grad", "has_grad", "is_root", "grad_enabled", "custom", "freed",
                "location", "use", "same_as", "hidden", "note", "number")
_FREED_FIELDS = ("id", "kind", "label", "freed")
_node_fields, _freed_fields = attrgetter(*_NODE_FIELDS), attrgetter(*_FREED_FIELDS)


def structure_key(graph: Graph) -> str:
    """A hex digest of ``graph``'s structure (ops, edges, shapes, flags), not its values."""
    digest = hashlib.sha256()
    digest.update(repr((graph.hidden, graph.failed)).encode())
    for node in graph.nodes:  # a loop, not recursion: any size of graph
        fields = _freed_fields if node.kind == model.SAVED and node.freed else _node_fields
        digest.update(repr(fields(node)).encode())
    digest.update(b"|edges|")
    digest.update(";".join(f"{e.source}>{e.target}:{e.kind}" for e in graph.edges).encode())
    return digest.hexdigest()
