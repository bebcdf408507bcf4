"""Draw a captured autograd graph as Graphviz DOT text (``output`` turns it into SVG/PNG/PDF).

Rendering only reads the plain model (``viz.model``): the walk over ``grad_fn`` happened
before, so the same model always gives the same DOT text, byte for byte. DOT node names are
``g<graph index>_<model id>`` (model ids restart in every graph); nothing depends on ``id()``,
set order or the clock.

The picture reads top to bottom in the forward direction: leaves at the top, the functions
that used them below, down to the root ``backward()`` starts from. Each graph of a capture is
one ``cluster_N``; the drawing's own label holds the capture's notes (its error, graphs not
drawn) and a legend of the styles the picture uses. Layout stays cheap on big graphs: plain
splines, no ``concentrate``, no ``ortho``. A saved tensor sits beside the function that saved
it (same rank), alternately left and right; a right-hand one is written ``function -> saved
[dir=back]``, so its arrow still points at the function, as in the model.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from autograd_lab.viz import model
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.model import NODE_FIELDS, Capture, Graph, Node

FONT = "Helvetica,Arial,sans-serif"
DETAIL, GREY = "#495057", "#868e96"
MAX_NOTE_LINES, MAX_NOTE_WIDTH = 12, 110
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Style:
    """How one kind of node is drawn, and how the legend shows it."""

    shape: str
    style: str
    fill: str
    border: str
    legend: str
    sample: str
    """HTML text of the legend's sample cell."""
    cell_style: str = "solid"
    penwidth: str = "1"
    fontcolor: str = ""


STYLES = {
    "leaf": Style("box", "filled", "#cfe2ff", "#1c7ed6", "leaf tensor (a weight, an input)", "w"),
    "nonleaf": Style("box", "rounded,filled", "#d3f9d8", "#2f9e44",
                     "named non-leaf tensor (computed)", "h"),
    "root": Style("box", "rounded,filled,bold", "#ffd8a8", "#d9480f",
                  "root: the output backward() starts from", "<B>loss</B>", penwidth="2"),
    "shared": Style("box", "filled", "#a5d8ff", "#1c7ed6",
                    "shared leaf, a box per use (same color: same tensor)", "w (use 1/3)"),
    "nograd": Style("box", "filled,dashed", "#f1f3f5", "#adb5bd",
                    "no autograd (no_grad, detach, constant)", "c", "dashed", fontcolor=GREY),
    "function": Style("ellipse", "filled", "#e9ecef", GREY,
                      "backward function (grad_fn); in SVG hover for its line", "MulBackward0"),
    "custom": Style("ellipse", "filled,bold", "#e5dbff", "#7048e8",
                    "custom autograd.Function", "MyFnBackward", penwidth="2"),
    "saved": Style("box", "filled", "#fff3bf", "#f08c00", "saved for backward", "saved self"),
    "freed": Style("box", "filled,dashed", "#f8f9fa", "#adb5bd",
                   "saved, freed by backward()", "<S>self</S>", "dashed", fontcolor=GREY),
    "collapsed": Style("box3d", "filled", "#f8f9fa", DETAIL, "many nodes collapsed into one",
                       "98 nodes"),
}
EDGE_LEGEND = {
    "edge_flow": ("──▶", "forward data flow (backward() walks it in reverse)"),
    "edge_saved": ("╌╌▷", "saved tensor, read by that function's backward"),
}
SHARED_PALETTE = ["#a5d8ff", "#ffc9c9", "#b2f2bb", "#ffec99", "#d0bfff", "#99e9f2",
                  "#fcc2d7", "#c0eb75"]


class Html(str):
    """An HTML-like label: written ``<...>`` in DOT, never quoted."""


def clean(text: str) -> str:
    """Make ``text`` safe for Graphviz: no control characters (tabs become spaces), valid UTF-8."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", text).encode("utf-8", "replace").decode("utf-8")


def quote(text: str) -> str:
    r"""Quote ``text`` as a DOT string: ``\`` and ``"`` escaped, a newline written ``\n``."""
    text = clean(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def html(text: str) -> str:
    """Escape ``text`` for an HTML-like label (``& < > "``); a newline becomes a left break."""
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\n", '<BR ALIGN="LEFT"/>')


def _small(text: str, color: str = DETAIL, italic: bool = False) -> str:
    body = f"<I>{html(text)}</I>" if italic else html(text)
    return f'<FONT POINT-SIZE="9" COLOR="{color}">{body}</FONT>'


def _attr_list(attrs: dict[str, str]) -> str:
    """``[k=v, ...]`` in insertion order: ``Html`` values bare in ``<>``, others quoted."""
    parts = [f"{k}=<{v}>" if isinstance(v, Html) else f"{k}={quote(v)}" for k, v in attrs.items()]
    return "[" + ", ".join(parts) + "]"


def style_key(node: Node, shared: dict[str, int]) -> str:
    """Which ``STYLES`` entry draws ``node``."""
    if node.kind == model.FUNCTION:
        return "custom" if node.custom else "function"
    if node.kind == model.SAVED:
        return "freed" if node.freed else "saved"
    if node.kind == model.COLLAPSED:
        return "collapsed"
    if not node.grad_enabled:
        return "nograd"
    if node.is_root:
        return "root"
    if (node.same_as or node.id) in shared:
        return "shared"
    return "leaf" if node.is_leaf else "nonleaf"


def describe_shape(shape: tuple[int, ...] | None) -> str:
    """``(3, 4)``, ``(5,)``; ``scalar`` for a 0-d tensor; ``""`` when unknown."""
    return "" if shape is None else "scalar" if len(shape) == 0 else str(tuple(shape))


def _dtype(node: Node) -> str:
    return (node.dtype or "").removeprefix("torch.")


def tensor_facts(node: Node) -> list[str]:
    """Shape, then dtype when not float32, then device when not cpu."""
    facts = [describe_shape(node.shape)] if node.shape is not None else []
    facts += [_dtype(node)] if _dtype(node) not in ("", "float32") else []
    return facts + ([node.device] if node.device and node.device != "cpu" else [])


def tensor_flags(node: Node) -> list[str]:
    """The autograd facts worth a line: requires_grad, retains_grad, ``.grad`` filled..."""
    if node.kind == model.SAVED:
        return ["freed by backward()"] if node.freed else []
    flags = ["requires_grad"] if node.requires_grad and node.is_leaf else []
    flags += ["requires_grad=False"] if node.requires_grad is False and node.grad_enabled else []
    flags += [] if node.grad_enabled else ["no grad"]
    flags += ["retains_grad"] if node.retains_grad else []
    flags += ["grad ✓"] if node.has_grad else []
    return flags + ([f"version {node.version}"] if node.version else [])


def _use(node: Node) -> str:
    return f" (use {node.use[0]}/{node.use[1]})" if node.use else ""


def node_label(node: Node, key: str) -> Html:
    """One node's label: a first line (name, op or summary), then small detail lines."""
    detail = GREY if key in ("nograd", "freed") else DETAIL
    if node.kind == model.FUNCTION:
        lines = [html(node.label)]
        lines += [_small("custom Function", "#5f3dc4", italic=True)] if node.custom else []
    elif node.kind == model.COLLAPSED:
        hides = f"hides {node.hidden} node{'s' if node.hidden != 1 else ''}"
        lines = [f"<B>{html(node.label)}</B>", _small(hides, detail)]
    else:
        facts = " · ".join(tensor_facts(node))
        if node.kind == model.SAVED:
            name = f"<S>{html(node.label)}</S>" if node.freed else html(node.label)
            lines = [f"{_small('saved', detail)} <B>{name}</B>"]
        else:  # an unnamed tensor shows its shape as its name
            lines = [f"<B>{html(node.label or facts or 'tensor')}</B>{html(_use(node))}"]
            facts = facts if node.label else ""
        lines += [_small(facts, detail)] if facts else []
        flags = tensor_flags(node)
        lines += [_small(" · ".join(flags), detail)] if flags else []
    lines += [_small(node.note, detail, italic=True)] if node.note else []
    return Html("<BR/>".join(lines))


def node_tooltip(node: Node, key: str) -> str:
    """Hover text in SVG: where a function was created; everything known about a tensor."""
    if node.kind == model.FUNCTION:
        where = f"created at {node.location}" if node.location else "location unknown"
        return f"{node.label}: {where}"
    if node.kind == model.COLLAPSED:
        return f"{node.hidden} nodes collapsed: {node.label}"
    flags = tensor_flags(node) if node.kind == model.TENSOR else []  # saved: said in the head
    parts = [describe_shape(node.shape), _dtype(node), node.device or "", *flags]
    parts += [f"same tensor as node {node.same_as}"] if node.same_as else []
    head = f"{STYLES[key].legend}: {node.label or 'unnamed tensor'}{_use(node)}"
    return head + "\n" + ", ".join(p for p in parts if p)


def node_attrs(node: Node, key: str, fill: str | None = None) -> dict[str, str]:
    """Graphviz attributes of one node: style, label, tooltip (``fill`` for shared leaves)."""
    style = STYLES[key]
    attrs = {"label": node_label(node, key), "shape": style.shape, "style": style.style,
             "fillcolor": fill or style.fill, "color": style.border}
    attrs |= {"penwidth": style.penwidth} if style.penwidth != "1" else {}
    attrs |= {"fontcolor": style.fontcolor} if style.fontcolor else {}
    return attrs | {"tooltip": node_tooltip(node, key)}


def _shared_groups(graph: Graph) -> dict[str, int]:
    """First-copy id of each shared leaf -> its palette index, in walk order."""
    groups: dict[str, int] = {}
    for node in graph.nodes:
        if node.use is not None or node.same_as is not None:
            groups.setdefault(node.same_as or node.id, len(groups))
    return groups


def graph_title(graph: Graph, index: int, total: int) -> Html:
    """A cluster's title: number and model title, ``x500`` when repeated, collapsed count."""
    number = f"{index + 1}. " if total > 1 else ""
    lines = [f"<B>{number}{html(graph.title or 'autograd graph')}</B>"]
    if graph.count > 1:
        lines[0] += f'  <FONT COLOR="#c92a2a"><B>x{graph.count}</B></FONT>'
        lines.append(_small(f"the same graph structure was captured {graph.count} times"))
    lines += [_small(f"{graph.hidden} nodes collapsed")] if graph.hidden else []
    return Html("<BR/>".join(lines))


_ALL_FIELDS = attrgetter(*(f for f in NODE_FIELDS if f != "id"))
_USE_AT = [f for f in NODE_FIELDS if f != "id"].index("use")
_CONTENT = {  # what a node's attributes depend on (all but its id), by kind
    model.FUNCTION: attrgetter("label", "custom", "location", "note"),
    model.SAVED: attrgetter("label", "shape", "dtype", "device", "freed", "note", "use",
                            "same_as"),
}
_USE_MARK = (-1, -1)
"""A shared leaf's copies differ only in their use: their attributes are rendered once with
this use, written `` (use -1/-1)``, which each copy replaces by its own."""


def _use_text(use: tuple[int, int]) -> str:
    return f" (use {use[0]}/{use[1]})"


class _NodeText:
    """The attribute text of each node (``[label=<...>, shape=...]``), each distinct one
    rendered once: a long graph repeats the same few nodes (the steps of a recurrence)."""

    def __init__(self, shared: dict[str, int]) -> None:
        self.shared = shared
        self.rendered: dict[tuple, str] = {}

    def __call__(self, node: Node, key: str) -> str:
        fill = None
        if key == "shared":
            group = self.shared[node.same_as or node.id]
            fill = SHARED_PALETTE[group % len(SHARED_PALETTE)]
        getter = _CONTENT.get(node.kind)
        use = node.use
        if getter is not None:
            content = (key, fill, getter(node))
        elif use is None:
            content = (key, fill, _ALL_FIELDS(node))
        else:
            values = _ALL_FIELDS(node)
            content = (key, fill, values[:_USE_AT] + (_USE_MARK,) + values[_USE_AT + 1:])
        text = self.rendered.get(content)
        if text is None:
            drawn = node if use is None else dataclasses.replace(node, use=_USE_MARK)
            text = self.rendered[content] = _attr_list(node_attrs(drawn, key, fill))
        if use is not None and use != _USE_MARK:
            text = text.replace(_use_text(_USE_MARK), _use_text(use))
        return text


def graph_lines(graph: Graph, index: int, total: int, used: set[str]) -> list[str]:
    """One ``subgraph cluster_N`` for ``graph``; adds the styles it uses to ``used``."""
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
    lines = [f"  subgraph cluster_{index} {{", f"    label=<{graph_title(graph, index, total)}>;",
             '    style="rounded"; color="#adb5bd"; labeljust="l"; fontsize=12;']
    append = lines.append
    for node in graph.nodes:
        keys[node.id] = key = style_key(node, shared)
        append(f"    {name[node.id]} {node_text(node, key)};")
    used.update(keys.values())
    beside = _beside(graph)
    lines += _rank_lines(graph, beside, name)
    kinds = {edge.kind for edge in graph.edges}
    used.update("edge_saved" if kind == model.SAVED_BY else "edge_flow" for kind in kinds)
    right = {s for saved in beside.values() if len(saved) > 1 for s in saved[1::2]}
    edge_text: dict[tuple, str] = {}  # (source style, target style, kind) -> the line's tail
    for source, target, kind, _ in graph.edges:
        flipped = kind == model.SAVED_BY and source in right
        shape = (keys[source], keys[target], kind, flipped)
        tail = edge_text.get(shape)
        if tail is None:
            tail = edge_text[shape] = _edge_style(*shape) + ";"
        if flipped:
            append(f"    {name[target]} -> {name[source]}{tail}")
        else:
            append(f"    {name[source]} -> {name[target]}{tail}")
    return lines + ["  }"]


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
    """The attribute text of an edge of this shape (`` [style=...]``, or "" for none);
    ``flipped``: a saved tensor right of its function, written function -> saved tensor."""
    faded = "nograd" in (source_key, target_key) or source_key == "freed"
    attrs = {"color": "#ced4da"} if faded else {}
    if kind == model.SAVED_BY:
        attrs = {"style": "dashed", "color": "#adb5bd" if faded else "#b08900",
                 "arrowhead": "empty", "tooltip": "saved for backward"}
    if flipped:  # drawn with dir=back: the arrow still points at the function
        attrs = {("arrowtail" if k == "arrowhead" else k): v
                 for k, v in {**attrs, "dir": "back"}.items()}
    return " " + _attr_list(attrs) if attrs else ""


def legend_table(used: set[str]) -> str:
    """The key: a sample and its meaning for each style the picture uses, two per row."""
    cells = []
    for key in [*STYLES, *EDGE_LEGEND]:
        if key in EDGE_LEGEND and key in used:
            sample, text = EDGE_LEGEND[key]
            cells.append(f"<TD>{html(sample)}</TD>")
        elif key in used:
            style, text = STYLES[key], STYLES[key].legend
            cells.append(f'<TD BGCOLOR="{style.fill}" BORDER="1" COLOR="{style.border}" '
                         f'STYLE="{style.cell_style}">{style.sample}</TD>')
        else:
            continue
        cells[-1] += f'<TD ALIGN="LEFT">{html(text)}</TD>'
    per_row = 2 if len(cells) > 6 else 1
    rows = [f'<TR><TD COLSPAN="{2 * per_row}" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    rows += ["<TR>" + "".join(cells[i:i + per_row]) + "</TR>"
             for i in range(0, len(cells), per_row)]
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
            + "".join(rows) + "</TABLE>")


def _error_lines(error: str) -> list[str]:
    lines = clean(error).strip().split("\n")
    if len(lines) > MAX_NOTE_LINES:
        lines = lines[:MAX_NOTE_LINES - 1] + [f"... ({len(lines) - MAX_NOTE_LINES + 1} more lines)"]
    return [t if len(t) <= MAX_NOTE_WIDTH else t[:MAX_NOTE_WIDTH - 1] + "…" for t in lines]


def capture_label(capture: Capture, used: set[str]) -> Html:
    """The drawing's own label: the script, its error, graphs not drawn, the legend."""
    head = f"autograd graph of {capture.script}" if capture.script else "autograd graph"
    box = '<TD ALIGN="LEFT" BGCOLOR="{}" BORDER="1" COLOR="{}">{}</TD>'
    cells = [f'<TD ALIGN="LEFT"><B>{html(head)}</B></TD>']
    if capture.error:
        text = "<B>The script failed; the graphs captured before its error are drawn.</B>"
        text += '<BR ALIGN="LEFT"/>' + html("\n".join(_error_lines(capture.error)))
        cells.append(box.format("#ffe3e3", "#c92a2a", text + '<BR ALIGN="LEFT"/>'))
    if not capture.graphs:
        cells.append(box.format("#fff3bf", "#e67700", "no autograd graph was captured"))
    if capture.omitted:
        plural = "graphs" if capture.omitted != 1 else "graph"
        cells.append(box.format("#fff3bf", "#e67700",
                                f"{capture.omitted} more distinct {plural} not drawn"))
    if used:
        cells.append(box.format("white", "#dee2e6", legend_table(used)))
    rows = "".join(f"<TR>{cell}</TR>" for cell in cells)
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">{rows}</TABLE>')


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
        '  edge [color="#495057", arrowsize=0.7];',
    ]
    return "\n".join(head + body + ["}"]) + "\n"
