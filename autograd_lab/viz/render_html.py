"""Write a capture as one self-contained HTML page that steps through its backward passes.

The page is a single file with nothing to fetch (no CDN, no font, no image): the SVG that
``dot`` laid out once from :func:`~autograd_lab.viz.render_dot.to_dot`, the model as the JSON
``--format json`` writes, the stepper's script and styles (``viz/page/``), all inline. Why one
file: a student mails it, opens it offline, a notebook shows it in an iframe.

What each step says and marks is worked out here, in Python (:func:`page_steps`), not in the
script: the numbers read as on the picture (``value_text``), and the words are tested without
a browser. The script only puts classes on the SVG's ``<g id="g{graph}_{node}">`` and
``<g id="g{graph}_e{edge}">`` elements (ids that render_dot gives and Graphviz keeps) and
fills the panel.

Escaping: model text (names, titles, error messages) reaches the page three ways, each
escaped for where it lands: in the SVG by Graphviz (XML), in the ``<title>`` by
:func:`html.escape`, and in the inline JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``
``\\u003e`` ``\\u0026`` (the same string to a JSON reader; a ``</script>`` in a name cannot end
the block). The script writes panel text with ``textContent`` only, never as HTML.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections import defaultdict
from importlib import resources

from autograd_lab import __version__
from autograd_lab.viz import model
from autograd_lab.viz.model import Capture, Grad, Graph, Node
from autograd_lab.viz.render_json import to_json
from autograd_lab.viz.value_text import format_grad, format_shape

ASSETS = ("template.html", "stepper.css", "stepper.js")
_SLOT = re.compile(r"@@([A-Z]+)@@")


@functools.lru_cache(maxsize=None)
def asset(name: str) -> str:
    """One file of the page's package data (``viz/page/``), as text."""
    return (resources.files("autograd_lab.viz") / "page" / name).read_text(encoding="utf-8")


def script_json(text: str) -> str:
    """JSON text made safe inside ``<script type="application/json">``.

    In JSON written with ``ensure_ascii``, ``<``, ``>`` and ``&`` occur only inside strings,
    where ``\\u003c`` means the same character: the data is unchanged, and no ``</script>``
    or ``<!--`` can appear in the block.
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def svg_element(svg: str) -> str:
    """The ``<svg>...</svg>`` element of Graphviz's SVG document (no XML prolog or doctype,
    which are not allowed inside HTML)."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("Graphviz's output has no <svg> element")
    return svg[start:].strip()


def page_title(capture: Capture) -> str:
    return f"backward pass of {capture.script}" if capture.script else "autograd backward pass"


def to_html(capture: Capture, svg: str) -> str:
    """The page for ``capture``; ``svg`` is what ``dot -Tsvg`` made of ``to_dot(capture)``."""
    slots = {
        "TITLE": html.escape(page_title(capture)),
        "VERSION": __version__,
        "CSS": asset("stepper.css"),
        "JS": asset("stepper.js"),
        "SVG": svg_element(svg),
        "CAPTURE": script_json(to_json(capture, compact=True)),
        "STEPS": script_json(json.dumps(page_steps(capture), sort_keys=True, ensure_ascii=True,
                                        allow_nan=False)),
    }
    return _SLOT.sub(lambda match: slots[match.group(1)], asset("template.html"))


# -- what each step says and marks ----------------------------------------------------------


def node_name(node: Node) -> str:
    """How the words call a node: its variable name, op, ``saved self``, or its shape."""
    if node.kind == model.TENSOR:
        return node.label or f"an unnamed tensor {format_shape(node.shape)}".rstrip()
    if node.kind == model.SAVED:
        return f"saved {node.label}"
    return node.label


def grad_text(grad: Grad | None) -> str:
    return "None" if grad is None else format_grad(grad)


def _received_text(received: tuple | None) -> str:
    if not received:
        return "no gradient"
    if len(received) == 1:
        return grad_text(received[0]) if received[0] is not None else "no gradient"
    parts = [f"{grad_text(g) if g is not None else 'nothing'} for output {i}"
             for i, g in enumerate(received)]
    return ", ".join(parts)


def _is_listed(node: Node) -> bool:
    """A tensor whose ``.grad`` the panel follows: a leaf that requires grad, a tensor that
    retains grad, or one whose ``.grad`` the pass wrote or found (first copy of a shared leaf)."""
    if node.kind != model.TENSOR or node.same_as is not None:
        return False
    return bool((node.is_leaf and node.requires_grad and node.grad_enabled) or node.retains_grad
                or node.grad_step is not None or node.grad_before is not None)


def _grad_entry(node: Node) -> dict:
    """``before``: ``.grad`` until the pass wrote it; ``after``: from step ``grad_step`` on.
    A tensor the pass did not write keeps one text throughout."""
    before = grad_text(node.grad_before)
    written = "None"
    if node.grad_values is not None or node.grad_norm is not None:
        written = format_grad(Grad(tuple(node.shape or ()), node.grad_norm or 0.0,
                                   node.grad_values))
    if node.grad_step is not None:
        after = written
    else:
        after = before if node.grad_before is not None else written
        before = after
    return {"id": node.id, "name": node_name(node), "before": before, "after": after,
            "step": node.grad_step}


def _flows(graph: Graph, nodes: dict[str, Node]):
    """For each function: the edges its gradient came back along, the edges it sent
    gradients along (input edges into it), and the nodes those went to."""
    received, sent, targets = defaultdict(list), defaultdict(list), defaultdict(list)
    into: dict[str, list[int]] = defaultdict(list)  # a named tensor -> edges its gradient took
    for k, edge in enumerate(graph.edges):
        if edge.kind == model.INPUT and edge.grad is not None:
            into[edge.source].append(k)
    for k, edge in enumerate(graph.edges):
        if edge.kind == model.SAVED_BY or edge.grad is None:
            continue
        if nodes[edge.source].kind == model.FUNCTION:
            received[edge.source].append(k)
            if edge.kind == model.OUTPUT:  # function -> named tensor -> its users
                received[edge.source].extend(into[edge.target])
        if edge.kind == model.INPUT and nodes[edge.target].kind == model.FUNCTION:
            sent[edge.target].append(k)
            targets[edge.target].append(edge.source)
    return received, sent, targets


def _step_text(node: Node, k: int, steps: int, graph: Graph, nodes, sent_edges) -> str:
    where = f" ({node.location})" if node.location else ""
    parts, last_to_leaf = [], {}
    for k_edge in sent_edges:
        edge = graph.edges[k_edge]
        source = nodes[edge.source]
        parts.append(f"{grad_text(edge.grad)} to {node_name(source)}")
        if source.kind == model.TENSOR and source.is_leaf and source.label:
            last_to_leaf[source.label] = len(parts) - 1
    for leaf, at in last_to_leaf.items():  # once per leaf: w * w sends w two, summed
        parts[at] += f" (into {leaf}.grad)"
    if parts:
        sent = "sent " + ", ".join(parts)
    elif graph.failed and k == steps:  # the function whose backward raised
        sent = "raised the error instead of sending gradients on"
    else:
        sent = "sent nothing (no input of it needs a gradient)"
    return (f"step {k} of {steps}: {node.label}{where} received "
            f"{_received_text(node.received)} and {sent}.")


def _causes(graph: Graph, nodes: dict[str, Node]) -> tuple[list[str], str]:
    causes = [n for n in graph.nodes if n.kind == model.SAVED and n.cause]
    if not causes:
        return [], ""
    users = {e.source: nodes[e.target] for e in graph.edges if e.kind == model.SAVED_BY}
    parts = []
    for node in causes:
        text = node_name(node) + (f" of {users[node.id].label}" if node.id in users else "")
        parts.append(text + (f" (freed by {node.freed_by})" if node.freed_by else ""))
    return [n.id for n in causes], ("It needed these saved tensors, which an earlier backward "
                                    "had freed: " + "; ".join(parts) + ".")


def _about(graph: Graph) -> str:
    lines = []
    if graph.count > 1:
        lines.append(f"This graph was built {graph.count} times (a training loop): the page "
                     f"steps through one of its {graph.count} iterations (the first).")
    if graph.hidden:
        lines.append(f"{graph.hidden} nodes are collapsed: the steps inside them are counted, "
                     "not drawn.")
    if graph.steps == 0 and not graph.failed:
        lines.append("This graph was not captured at a backward pass: there is no step to go "
                     "through; .grad shows as it was.")
    return " ".join(lines)


def _start_text(graph: Graph, order: list[str | None], nodes: dict[str, Node]) -> str:
    if graph.steps == 0:
        if graph.failed:
            return "step 0 of 0: the backward pass raised before running any function."
        return "nothing to step through."
    first = f" The first to run is {nodes[order[1]].label}." if order[1] else ""
    return (f"step 0 of {graph.steps}: before backward; .grad as it was before this pass."
            f"{first}")


def graph_steps(graph: Graph, index: int) -> dict:
    """What the page shows of one graph at each step (see the module docstring)."""
    nodes = {node.id: node for node in graph.nodes}
    order: list[str | None] = [None] * (graph.steps + 1)
    for node in graph.nodes:
        if node.kind == model.FUNCTION and node.order is not None and \
                0 < node.order <= graph.steps:
            order[node.order] = node.id
    received, sent, targets = _flows(graph, nodes)
    at = {node_id: {"text": _step_text(nodes[node_id], k, graph.steps, graph, nodes,
                                       sent[node_id]),
                    "received": received[node_id], "sent": sent[node_id],
                    "targets": list(dict.fromkeys(targets[node_id]))}
          for k, node_id in enumerate(order) if node_id is not None}
    causes, causes_text = _causes(graph, nodes)
    if graph.failed:
        end = "Then backward raised the error above."
    else:
        end = f"Backward is done: {graph.steps} functions ran."
    label = f"{index + 1}. {graph.title or 'autograd graph'}"
    label += (f" x{graph.count}" if graph.count > 1 else "") + (" (failed)" if graph.failed else "")
    return {
        "label": label, "title": graph.title, "steps": graph.steps, "count": graph.count,
        "node_ids": [node.id for node in graph.nodes], "edge_count": len(graph.edges),
        "order": order, "at": at, "start": _start_text(graph, order, nodes), "end": end,
        "hidden_text": "autograd ran a function inside the collapsed part of the graph "
                       "(counted, not drawn).",
        "about": _about(graph), "failed": graph.failed, "error": graph.error,
        "advice": graph.advice, "causes": causes, "causes_text": causes_text,
        "grads": [_grad_entry(node) for node in graph.nodes if _is_listed(node)],
    }


def page_steps(capture: Capture) -> dict:
    """The ``#agl-steps`` block: per graph, what each step says and marks."""
    return {"graphs": [graph_steps(g, i) for i, g in enumerate(capture.graphs)]}
