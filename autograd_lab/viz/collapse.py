"""Make big graphs drawable: collapse the middle of a long graph, split leaves used many times.

Graphviz's ``dot`` lays out a long chain in time that grows faster than its length
(``dot -Tsvg`` of a 20,000-node chain takes about 20 s with Graphviz 2.43, and it crashes near
50,000), and one leaf feeding many far-apart functions makes long edges that cost as much.
Both are fixed on the plain model, before any renderer sees it:

- :func:`collapse` keeps the ``max_nodes`` nodes nearest the root and nearest the bottom of
  the graph (the first and the last steps of a recurrence) and replaces the middle by
  COLLAPSED nodes that say what they hide; edges are rerouted through them.
- :func:`split_shared_leaves` draws a leaf with many uses (a weight shared by the steps of a
  recurrence) once per use, each copy pointing at the first (``use``, ``same_as``).

Both are loops over lists, never recursion.
"""

from __future__ import annotations

import dataclasses

from collections import Counter, deque
from collections.abc import Iterator
from operator import attrgetter, itemgetter
from typing import NamedTuple

from autograd_lab.viz import model
from autograd_lab.viz.disjoint_sets import DisjointSets
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.model import Edge, Graph, Node, make_node

DEFAULT_MAX_NODES = 1000
"""Per graph. ``dot -Tsvg`` (Graphviz 2.43) of a 20,000-step recurrence or a 20,000-step chain
collapsed to 1,000 nodes lays out in 0.2-0.4 s; 2,000 nodes take about 1 s, 3,000 about 2 s,
5,000 about 5 s, and the uncollapsed 20,000-node chain about 20 s."""
DEFAULT_MIN_USES = 10
"""A leaf used this many times or more is drawn once per use. Drawn once, a weight shared by
the steps of a recurrence makes ``dot`` route long edges: 20 steps lay out in 0.05 s,
30 in 0.45 s, 100 in more than 5 minutes (0.16 s once split)."""
MIN_MAX_NODES = 3
_TOP_OPS = 3
_ID, _NUMBER = attrgetter("id"), itemgetter(slice(1, None))


def _check(name: str, value, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Expected an int for {name} but got {name}={value!r}")
    if value < least:
        raise ValueError(f"Expected {name} >= {least} but got {name}={value!r}")


def check_max_nodes(max_nodes: int | None) -> None:
    """Reject a ``max_nodes`` that is neither None nor an int >= :data:`MIN_MAX_NODES`."""
    if max_nodes is not None:
        _check("max_nodes", max_nodes, MIN_MAX_NODES)


def _next_number(graph: Graph) -> int:
    """The first number after every id's number (ids are a kind letter and a number).

    A loop in C (``map``, ``filter``): split and collapse ask this of graphs of 100,000s."""
    numbers = filter(str.isdigit, map(_NUMBER, map(_ID, graph.nodes)))
    return max(map(int, numbers), default=-1) + 1


def split_shared_leaves(graph: Graph, min_uses: int = DEFAULT_MIN_USES) -> Graph:
    """Draw each leaf tensor used ``min_uses`` times or more once per use.

    The first copy keeps the leaf's id; the others get new ids and ``same_as`` the first;
    every copy says which use it is (``use=(k, n)``) and feeds exactly one function. The walk
    from the root meets the last use first, so uses are numbered from the far end: in a
    recurrence, use 1 is the first step.
    """
    _check("min_uses", min_uses, 2)
    with gc_paused():
        return _split_shared_leaves(graph, min_uses)


def _split_shared_leaves(graph: Graph, min_uses: int) -> Graph:
    uses = Counter(edge.source for edge in graph.edges)
    shared = {node.id: uses[node.id] for node in graph.nodes
              if node.kind == model.TENSOR and node.is_leaf and not node.is_root
              and uses[node.id] >= min_uses}
    if not shared:
        return graph
    number = _next_number(graph)
    nodes: list[Node] = []
    copies: dict[str, Iterator[str]] = {}
    for node in graph.nodes:
        if node.id not in shared:
            nodes.append(node)
            continue
        total = shared[node.id]
        ids = [node.id] + [f"{node.id[0]}{number + k}" for k in range(total - 1)]
        number += total - 1
        for k, copy_id in enumerate(ids, 1):
            nodes.append(make_node({**vars(node), "id": copy_id, "use": (total + 1 - k, total),
                                   "same_as": None if k == 1 else node.id}))
        copies[node.id] = iter(ids)  # the k-th edge out of the leaf leaves from copy k
    edges = [edge._replace(source=next(copies[edge.source]))
             if edge.source in copies else edge for edge in graph.edges]
    return dataclasses.replace(graph, nodes=nodes, edges=edges)


class CollapsePlan(NamedTuple):
    """Which nodes :func:`collapse` hides and into which collapsed node, by node index.

    It depends on the graph's structure only (kinds, roots, edges), so a plan made for a
    graph before a backward pass applies to the same graph after it: the recorder plans
    once, reads values only for the nodes the plan keeps, and collapses with it after."""

    hidden: list[bool]
    component: list[int]
    """The collapsed node (0..parts-1) each hidden node goes into; -1 for kept nodes."""
    parts: int
    pairs: list[tuple[int, int]]
    """Each edge as (source index, target index)."""

    def kept(self) -> list[int]:
        """The indices of the nodes kept."""
        return [i for i, hidden in enumerate(self.hidden) if not hidden]


def plan_collapse(graph: Graph, max_nodes: int | None) -> CollapsePlan | None:
    """How :func:`collapse` would collapse ``graph`` (None: it is small enough as it is)."""
    check_max_nodes(max_nodes)
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        return None
    with gc_paused():
        return _plan(graph, max_nodes)


def collapse(graph: Graph, max_nodes: int | None, plan: CollapsePlan | None = None) -> Graph:
    """Keep at most ``max_nodes`` nodes: those nearest the root and the bottom, and COLLAPSED
    nodes for the middle, with the edges into and out of the middle rerouted through them.

    ``max_nodes=None`` or a graph already small enough: ``graph`` unchanged. ``plan``: one
    :func:`plan_collapse` made for a graph of this very structure (it is not made again).
    """
    check_max_nodes(max_nodes)
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        return graph
    with gc_paused():
        if plan is None or len(plan.hidden) != len(graph.nodes):
            plan = _plan(graph, max_nodes)
        return _apply(graph, plan)


def _plan(graph: Graph, max_nodes: int) -> CollapsePlan:
    nodes, n = graph.nodes, len(graph.nodes)
    index = {node.id: i for i, node in enumerate(nodes)}
    pairs = [(index[edge.source], index[edge.target]) for edge in graph.edges]
    depth = _depths(nodes, pairs)
    deepest = max(depth)
    units = _units(n, pairs)
    units.sort(key=lambda unit: min(depth[unit[0]], deepest - depth[unit[0]]))  # stable
    budget, fits = max_nodes - 1, False
    for _ in range(4):  # fewer kept nodes until the kept and the collapsed ones fit
        hidden, kept = _hide(units, budget, n)
        component = _components(hidden, pairs)
        parts = max(component) + 1
        fits = kept + parts <= max_nodes
        budget = max_nodes - parts
        if fits or budget < 1:
            break
    if not fits:  # too many separate pieces: one collapsed node for all of them
        hidden, _ = _hide(units, max_nodes - 1, n)
        component, parts = [0 if h else -1 for h in hidden], 1
    return CollapsePlan(hidden, component, parts, pairs)


def _apply(graph: Graph, plan: CollapsePlan) -> Graph:
    nodes, n = graph.nodes, len(graph.nodes)
    hidden, component, parts, pairs = plan
    number = _next_number(graph)
    ids = [f"c{number + c}" for c in range(parts)]
    members: list[list[Node]] = [[] for _ in range(parts)]
    for i, c in enumerate(component):
        if c >= 0:
            members[c].append(nodes[i])
    kept, placed = [], set()
    for i, node in enumerate(nodes):
        c = component[i]
        if c < 0:
            kept.append(node)
        elif c not in placed:  # a collapsed node sits where its first member was
            placed.add(c)
            kept.append(_summary(members[c], ids[c]))
    edges, rerouted = [], set()
    for edge, (s, t) in zip(graph.edges, pairs):
        if not hidden[s] and not hidden[t]:
            edges.append(edge)
            continue
        source = ids[component[s]] if hidden[s] else edge.source
        target = ids[component[t]] if hidden[t] else edge.target
        if source != target and (source, target, edge.kind) not in rerouted:
            rerouted.add((source, target, edge.kind))
            edges.append(edge._replace(source=source, target=target))
    newly = sum(1 for i in range(n) if hidden[i] and nodes[i].kind != model.COLLAPSED)
    return dataclasses.replace(graph, nodes=kept, edges=edges, hidden=graph.hidden + newly)


def _units(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Nodes grouped with their satellites (a node with a single edge: a saved tensor, one
    use of a shared leaf), which are kept or hidden together with the node they hang on."""
    degree, neighbour = [0] * n, [0] * n
    for s, t in pairs:
        degree[s] += 1
        degree[t] += 1
        neighbour[s], neighbour[t] = t, s
    owner = [neighbour[i] if degree[i] == 1 and degree[neighbour[i]] > 1 else i
             for i in range(n)]
    members: list[list[int]] = [[i] for i in range(n)]
    for i in range(n):
        if owner[i] != i:
            members[owner[i]].append(i)
    return [members[i] for i in range(n) if owner[i] == i]


def _hide(units: list[list[int]], budget: int, n: int) -> tuple[list[bool], int]:
    """Hidden flags: all but the first units that fit in ``budget``; and how many are kept."""
    hidden, kept = [True] * n, 0
    for unit in units:
        if kept + len(unit) > budget:
            break
        kept += len(unit)
        for i in unit:
            hidden[i] = False
    return hidden, kept


def _depths(nodes: list[Node], pairs: list[tuple[int, int]]) -> list[int]:
    """Each node's distance from the roots, following edges backwards (breadth-first).

    Nodes that do not lead to a root (a named output nobody used) get their neighbour's
    depth plus one; parts not connected at all count as near the root.
    """
    n = len(nodes)
    inputs: list[list[int]] = [[] for _ in range(n)]
    neighbours: list[list[int]] = [[] for _ in range(n)]
    has_output = [False] * n
    for s, t in pairs:
        inputs[t].append(s)
        neighbours[s].append(t)
        neighbours[t].append(s)
        has_output[s] = True
    roots = [i for i, node in enumerate(nodes) if node.is_root] or [
        i for i in range(n) if not has_output[i] and nodes[i].kind != model.SAVED] or [0]
    depth = [-1] * n
    for root in roots:
        depth[root] = 0
    _breadth_first(inputs, depth, deque(roots))  # the ancestors of the roots
    _breadth_first(neighbours, depth, deque(i for i in range(n) if depth[i] >= 0))  # the rest
    return [d if d >= 0 else 0 for d in depth]


def _breadth_first(adjacency: list[list[int]], depth: list[int], queue: deque) -> None:
    """Give every node reached from ``queue`` its depth (one more than the node it came from)."""
    while queue:
        i = queue.popleft()
        for j in adjacency[i]:
            if depth[j] < 0:
                depth[j] = depth[i] + 1
                queue.append(j)


def _components(hidden: list[bool], pairs: list[tuple[int, int]]) -> list[int]:
    """The connected pieces of the hidden nodes (union-find), numbered in walk order; -1 for
    kept nodes."""
    sets = DisjointSets(len(hidden))
    for s, t in pairs:
        if hidden[s] and hidden[t]:
            sets.union(s, t)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(sets.find(i), len(numbers)) if h else -1
            for i, h in enumerate(hidden)]


def _summary(members: list[Node], node_id: str) -> Node:
    """The COLLAPSED node standing for ``members``: how many, and the most common ops."""
    hidden = sum(m.hidden if m.kind == model.COLLAPSED else 1 for m in members)
    ops = Counter(m.label for m in members if m.kind == model.FUNCTION)
    top = [f"{count:,} × {op}" for op, count in ops.most_common(_TOP_OPS)]
    label = ", ".join(top) + (", …" if len(ops) > _TOP_OPS else "") if top else (
        f"{hidden:,} tensors")
    kinds = Counter(m.kind for m in members)
    names = {model.FUNCTION: "functions", model.TENSOR: "tensors", model.SAVED: "saved tensors",
             model.COLLAPSED: "nodes collapsed before"}
    note = ", ".join(f"{kinds[k]:,} {names[k]}" for k in names if kinds[k])
    return Node(node_id, model.COLLAPSED, label, hidden=hidden, note=note)


DEFAULT_TOTAL_NODES = 3000
"""For a whole capture: several distinct graphs of ``max_nodes`` each would still make one
DOT file too big to lay out quickly (20 graphs of 1,000 nodes take ``dot`` about 20 s)."""


def share_budget(capture: model.Capture, total: int | None = DEFAULT_TOTAL_NODES) -> model.Capture:
    """Collapse the graphs of ``capture`` further so that together they hold about ``total``
    nodes (each keeps at least 100); ``total=None`` leaves them as they are."""
    if total is None or sum(len(g.nodes) for g in capture.graphs) <= total:
        return capture
    share = max(100, total // max(1, len(capture.graphs)))
    capture.graphs = [collapse(g, share) if len(g.nodes) > share else g for g in capture.graphs]
    return capture
