"""Draw a captured autograd graph as Graphviz DOT text (``output`` turns it into SVG/PNG/PDF).

Rendering only reads the plain model (``viz.model``): the walk over ``grad_fn`` happened
before, so the same model always gives the same DOT text, byte for byte. DOT node names are
``g<graph index>_<model id>`` (model ids restart in every graph); nothing depends on ``id()``,
set order or the clock.

Graphviz copies ``id`` attributes onto the SVG's ``<g>`` elements, so a page can find what it
highlights: every node has ``id="g{graph}_{node id}"``, every edge ``id="g{graph}_e{k}"`` (k:
its index in ``graph.edges``), every cluster ``id="g{graph}"``.

The picture reads top to bottom in the forward direction: leaves at the top, the functions
that used them below, down to the root ``backward()`` starts from. After a backward pass,
nodes show values and ``.grad``, functions their step, edges the gradient that flowed back
along them (``render_node`` draws one node). Each graph of a capture is one ``cluster_N``;
the drawing's own label holds the capture's notes and a legend of the styles and marks the
picture uses (``render_notes``). Layout stays cheap on big graphs: plain splines, no
``concentrate``, no ``ortho``, and past ``MAX_EDGE_LABELS`` gradients an edge's gradient is
its SVG tooltip rather than a label (labels are laid out as nodes). A saved tensor sits beside
the function that saved it (same rank), alternately left and right; a right-hand one is
written ``function -> saved [dir=back]``, so its arrow still points at the function.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from operator import attrgetter

from autograd_lab.viz import model
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.model import NODE_FIELDS, Capture, Graph, Grad, Node
from autograd_lab.viz.render_escape import Html, attr_list, clean, html, quote  # noqa: F401
from autograd_lab.viz.render_node import badge_width, node_attrs, style_key, values_html
from autograd_lab.viz.render_notes import capture_label, cluster_style, graph_title
from autograd_lab.viz.render_styles import FONT, GRADIENT, SHARED_PALETTE, STYLES  # noqa: F401
from autograd_lab.viz.value_text import format_grad, grad_lines

MAX_EDGE_LABELS = 300
"""A graph with more edges carrying a gradient than this puts each in the edge's SVG tooltip
instead of a label: dot lays out a label as a node, and 10,000s of them cost minutes."""
EDGE_LABEL_WIDTH = 32

_CONTENT = {  # what a node's attributes depend on (but its id, use, order, values), by kind
    model.FUNCTION: attrgetter("label", "custom", "location", "note"),
    model.SAVED: attrgetter("label", "shape", "dtype", "device", "freed", "note", "same_as",
                            "freed_by", "cause", "number"),
    model.TENSOR: attrgetter("label", "shape", "dtype", "device", "requires_grad", "is_leaf",
                             "retains_grad", "has_grad", "is_root", "grad_enabled", "version",
                             "same_as", "note", "grad_values", "grad_norm", "grad_before"),
    model.COLLAPSED: attrgetter("label", "hidden", "note"),
}
_OTHER = attrgetter(*(f for f in NODE_FIELDS if f not in ("id", "use", "order", "values")))
_USE_MARK = (-1, -1)
"""A shared leaf's copies differ only in their use: their attributes are rendered once with
this use, written `` (use -1/-1)``, which each copy replaces by its own."""
_ORDER_MARK = 987654321012
"""Functions differ in their step: rendered once with this one, replaced by each's own."""
_ORDER_WIDTH = badge_width(_ORDER_MARK)
_VALUES_MARK = "\ue000values\ue000"
"""Saved tensors of a recurrence differ in their values: rendered once with this text (private
use characters, never in a label) in their place, replaced by each one's values."""
_MARK_TEXT = {faded: values_html(_VALUES_MARK, faded) for faded in (False, True)}


def _use_text(use: tuple[int, int]) -> str:
    return f" (use {use[0]}/{use[1]})"


class _NodeText:
    """The attribute text of each node (``label=<...>, shape=...``), each distinct one
    rendered once: a long graph repeats the same few nodes (the steps of a recurrence), which
    differ only in their step number and use, put in afterwards. ``marks``: the legend marks
    of all the nodes rendered."""

    def __init__(self, shared: dict[str, int]) -> None:
        self.shared = shared
        self.rendered: dict[tuple, str] = {}
        self.marks: set[str] = set()
        self.values: dict[tuple, str] = {}

    def _values(self, values: object, faded: bool) -> tuple[str, str]:
        """(the values mark's label text, these values' label text): many nodes share values
        (the copies of a shared weight), so each distinct one is formatted once."""
        mark = _MARK_TEXT[faded]
        try:
            text = self.values.get((values, faded))
        except TypeError:
            return mark, values_html(values, faded)
        if text is None:
            text = self.values[values, faded] = values_html(values, faded)
        return mark, text

    def __call__(self, node: Node, key: str) -> str:
        fill = None
        if key == "shared":
            group = self.shared[node.same_as or node.id]
            fill = SHARED_PALETTE[group % len(SHARED_PALETTE)]
        use, order, values = node.use, node.order, node.values
        # a tensor's values are put in afterwards (as its step and use); a number's are its name
        late = values is not None and key != "number"
        content = (key, fill, _CONTENT.get(node.kind, _OTHER)(node), use is None,
                   order is None, values is None if late or values is None else values)
        try:
            text = self.rendered.get(content)
        except TypeError:  # a list in a model built by hand: not hashable
            content, text = None, None
        if text is None:
            changes = {"use": _USE_MARK} if use is not None else {}
            changes |= {"order": _ORDER_MARK} if order is not None else {}
            changes |= {"values": _VALUES_MARK} if late else {}
            drawn = dataclasses.replace(node, **changes) if changes else node
            text = attr_list(node_attrs(drawn, key, fill, self.marks))
            if content is not None:
                self.rendered[content] = text
        if late:
            text = text.replace(*self._values(values, node.kind == model.SAVED and node.freed))
        if use is not None:
            text = text.replace(_use_text(_USE_MARK), _use_text(use))
        if order is not None:
            text = text.replace(_ORDER_WIDTH, badge_width(order), 1)
            text = text.replace(str(_ORDER_MARK), str(order))
        return text


class _EdgeGrad:
    """The attribute text of an edge's gradient: a label, or past ``MAX_EDGE_LABELS`` a
    tooltip; each distinct gradient rendered once."""

    def __init__(self, labelled: bool) -> None:
        self.labelled = labelled
        self.rendered: dict[Grad, str] = {}

    def __call__(self, grad: Grad) -> str:
        try:
            text = self.rendered.get(grad)
        except TypeError:
            return self._render(grad)
        if text is None:
            text = self.rendered[grad] = self._render(grad)
        return text

    def _render(self, grad: Grad) -> str:
        if not self.labelled:
            return ", " + attr_list({"tooltip": f"gradient sent back: {format_grad(grad)}"})
        lines = [html(line) for line in grad_lines(grad, EDGE_LABEL_WIDTH)]
        body = "<BR/>".join(lines)
        return ", " + attr_list({"label": Html(
            f'<FONT POINT-SIZE="9" COLOR="{GRADIENT}">{body}</FONT>')})


def graph_lines(graph: Graph, index: int, total: int, used: set[str]) -> list[str]:
    """One ``subgraph cluster_N`` for ``graph``; adds the styles and marks it uses to ``used``."""
    ids, prefix = {node.id for node in graph.nodes}, f"g{index}_"
    if len(ids) != len(graph.nodes):
        raise ValueError(f"graph {index} ({graph.title!r}): node ids are not unique")
    for edge in graph.edges:
        if edge.source not in ids or edge.target not in ids:
            raise ValueError(f"graph {index} ({graph.title!r}): {edge} names a node not in it")
    # Model ids are letters and digits (kind initial + walk order): no escaping needed.
    name = {node_id: f'"{prefix}{node_id}"' if node_id.isalnum() else quote(prefix + node_id)
            for node_id in ids}
    shared = _shared_groups(graph)
    node_text = _NodeText(shared)
    keys: dict[str, str] = {}
    lines = [f"  subgraph cluster_{index} {{", f'    id="g{index}";',
             f"    label=<{graph_title(graph, index, total)}>;", f"    {cluster_style(graph)}"]
    append = lines.append
    for node in graph.nodes:
        keys[node.id] = key = style_key(node, shared)
        node_name = name[node.id]
        append(f"    {node_name} [id={node_name}, {node_text(node, key)}];")
    used.update(keys.values())
    used.update(node_text.marks)
    beside = _beside(graph)
    lines += _rank_lines(graph, beside, name)
    kinds = {edge.kind for edge in graph.edges}
    used.update("edge_saved" if kind == model.SAVED_BY else "edge_flow" for kind in kinds)
    with_grad = sum(edge.grad is not None for edge in graph.edges)
    edge_grad = _EdgeGrad(labelled=with_grad <= MAX_EDGE_LABELS)
    if with_grad:
        used.add("edge_grad" if edge_grad.labelled else "edge_grad_tooltip")
    right = {s for saved in beside.values() if len(saved) > 1 for s in saved[1::2]}
    edge_text: dict[tuple, str] = {}  # (source style, target style, kind) -> the attributes
    for k, (source, target, kind, grad) in enumerate(graph.edges):
        flipped = kind == model.SAVED_BY and source in right
        shape = (keys[source], keys[target], kind, flipped)
        tail = edge_text.get(shape)
        if tail is None:
            tail = edge_text[shape] = _edge_style(*shape)
        if grad is not None:
            tail += edge_grad(grad)
        if flipped:
            append(f'    {name[target]} -> {name[source]} [id="{prefix}e{k}"{tail}];')
        else:
            append(f'    {name[source]} -> {name[target]} [id="{prefix}e{k}"{tail}];')
    return lines + ["  }"]


def _shared_groups(graph: Graph) -> dict[str, int]:
    """First-copy id of each shared leaf -> its palette index, in walk order."""
    groups: dict[str, int] = {}
    for node in graph.nodes:
        if node.use is not None or node.same_as is not None:
            groups.setdefault(node.same_as or node.id, len(groups))
    return groups


def _beside(graph: Graph) -> dict[str, list[str]]:
    """A function -> the saved tensors drawn on its rank (those it alone saved)."""
    saved_edges = [e for e in graph.edges if e.kind == model.SAVED_BY]
    uses = Counter(e.source for e in saved_edges)
    beside: dict[str, list[str]] = {}
    for source, target, *_ in saved_edges:
        if uses[source] == 1:
            beside.setdefault(target, []).append(source)
    return beside


def _rank_lines(graph: Graph, beside: dict[str, list[str]], name: dict[str, str]) -> list[str]:
    """``{rank=same; ...}``: each function with its saved tensors (:func:`_beside`),
    alternately left and right of it (written left to right; every second one is right)."""
    lines = []
    for function in (n.id for n in graph.nodes if n.id in beside):
        saved = beside[function]
        if len(saved) == 1:
            lines.append(f"    {{rank=same; {name[saved[0]]}; {name[function]};}}")
            continue
        members = [*saved[::2][::-1], function, *saved[1::2]]
        lines.append("    {rank=same; " + " ".join(name[m] + ";" for m in members) + "}")
    return lines


def _edge_style(source_key: str, target_key: str, kind: str, flipped: bool) -> str:
    """The attribute text of an edge of this shape after its id (``, style=...``, or "");
    ``flipped``: a saved tensor right of its function, written function -> saved tensor."""
    faded = "nograd" in (source_key, target_key) or source_key in ("freed", "number")
    attrs = {"color": "#ced4da"} if faded else {}
    if kind == model.SAVED_BY:
        color = "#c92a2a" if source_key == "cause" else "#adb5bd" if faded else "#b08900"
        attrs = {"style": "dashed", "color": color, "arrowhead": "empty",
                 "tooltip": "saved for backward"}
    if flipped:  # drawn with dir=back: the arrow still points at the function
        attrs = {("arrowtail" if k == "arrowhead" else k): v
                 for k, v in {**attrs, "dir": "back"}.items()}
    return ", " + attr_list(attrs) if attrs else ""


def to_dot(capture: Capture) -> str:
    """Render ``capture`` (every graph, one cluster each) as DOT text ending in a newline."""
    with gc_paused():  # many short-lived containers: no reason to scan the heap for cycles
        return _to_dot(capture)


def _to_dot(capture: Capture) -> str:
    used: set[str] = set()
    body: list[str] = []
    for index, graph in enumerate(capture.graphs):
        body += graph_lines(graph, index, len(capture.graphs), used)
    font = quote(FONT)
    head = [
        "digraph autograd {",
        f'  graph [rankdir="TB", fontname={font}, fontsize=11, nodesep=0.3, ranksep=0.35,',
        '    labelloc="t", labeljust="l", tooltip="autograd graph",',
        f"    label=<{capture_label(capture, used)}>];",
        f'  node [fontname={font}, fontsize=11, margin="0.1,0.04", height=0.3];',
        f'  edge [color="#495057", arrowsize=0.7, fontname={font}, fontsize=9];',
    ]
    return "\n".join(head + body + ["}"]) + "\n"
