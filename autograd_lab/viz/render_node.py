"""One node's picture: its style, its label (name, facts, values, gradient, step, line) and
its SVG tooltip, and the legend marks the label uses.

Labels are Graphviz HTML-like labels, visible in every format (SVG, PNG, PDF); the tooltip
is a bonus of SVG, so nothing a student needs lives only there.
"""

from __future__ import annotations

import textwrap

from autograd_lab.viz import model
from autograd_lab.viz.model import Node
from autograd_lab.viz.render_escape import Html, html, small
from autograd_lab.viz.render_styles import DETAIL, FAILED, GRADIENT, GREY, STEP, STYLES, VALUE
from autograd_lab.viz.value_text import (
    format_number, format_shape, format_values, value_lines,
)

LINE_WIDTH = 44
"""Characters per line of a node's values, gradient and freed-by lines."""
NUMBER_NOTE = "a Python number, kept by the op"
CAUSE_NOTE = "needed by this backward, but freed: the cause"
_FLAG_MARKS = {"requires_grad": "flag_requires_grad", "retains_grad": "flag_retains_grad",
               "grad": "flag_grad", "version": "flag_version"}


def style_key(node: Node, shared: dict[str, int]) -> str:
    """Which ``STYLES`` entry draws ``node``."""
    if node.kind == model.FUNCTION:
        return "custom" if node.custom else "function"
    if node.kind == model.SAVED:
        if node.number and node.values is not None:
            return "number"
        return "cause" if node.cause else "freed" if node.freed else "saved"
    if node.kind == model.COLLAPSED:
        return "collapsed"
    if not node.grad_enabled:
        return "nograd"
    if node.is_root:
        return "root"
    if (node.same_as or node.id) in shared:
        return "shared"
    return "leaf" if node.is_leaf else "nonleaf"


describe_shape = format_shape


def _dtype(node: Node) -> str:
    return (node.dtype or "").removeprefix("torch.")


def tensor_facts(node: Node) -> list[str]:
    """Shape, then dtype when not float32, then device when not cpu."""
    facts = [describe_shape(node.shape)] if node.shape is not None else []
    facts += [_dtype(node)] if _dtype(node) not in ("", "float32") else []
    return facts + ([node.device] if node.device and node.device != "cpu" else [])


def freed_by(node: Node) -> str:
    """``freed by loss.backward() at train.py:6`` (``backward()`` when the title is unknown)."""
    return f"freed by {node.freed_by or 'backward()'}"


def _has_grad_line(node: Node) -> bool:
    return node.grad_values is not None or node.grad_norm is not None


def tensor_flags(node: Node) -> list[str]:
    """The autograd facts worth a line: requires_grad, retains_grad, ``.grad`` filled..."""
    if node.kind == model.SAVED:
        return [freed_by(node)] if node.freed and not node.number else []
    flags = ["requires_grad"] if node.requires_grad and node.is_leaf else []
    flags += ["requires_grad=False"] if node.requires_grad is False and node.grad_enabled else []
    flags += [] if node.grad_enabled else ["no grad"]
    flags += ["retains_grad"] if node.retains_grad else []
    flags += ["grad ✓"] if node.has_grad and not _has_grad_line(node) else []
    return flags + ([f"version {node.version}"] if node.version else [])


def _use(node: Node) -> str:
    return f" (use {node.use[0]}/{node.use[1]})" if node.use else ""


def tensor_grad_lines(node: Node) -> tuple[list[str], str | None]:
    """The ``.grad`` lines of a tensor and their legend mark (``grad`` or ``grad_before``):
    ``grad = [3, 3]`` (``grad ‖g‖ = 100`` when too large for values); with a ``.grad`` from
    before the pass, ``grad [2, 4] → [4, 8]`` (accumulation), or ``(unchanged)``."""
    if not _has_grad_line(node):
        return [], None
    before, values = node.grad_before, node.grad_values
    unchanged = before is not None and values is not None and before.values == values
    if before is None or unchanged:  # unchanged: the pass failed before writing .grad
        if values is None:
            return [f"grad ‖g‖ = {format_number(node.grad_norm)}"], "grad"
        lines = value_lines(values, LINE_WIDTH)
        lines[0] = f"grad = {lines[0]}"
        lines[-1] += " (unchanged)" if unchanged else ""
        return lines, "grad"
    if values is not None and before.values is not None:
        was, now = format_values(before.values), format_values(values)
    else:
        was, now = format_number(before.norm), format_number(node.grad_norm)
        was = f"‖g‖ {was}"
    one = f"grad {was} → {now}"
    if len(one) <= LINE_WIDTH:
        return [one], "grad_before"
    return [f"grad before: {was}", f"grad after: {now}"], "grad_before"


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, LINE_WIDTH, break_on_hyphens=False) or [text]


def _lines(texts: list[str], color: str, **kw) -> list[str]:
    return [small(t, color, **kw) for t in texts]


_UNSAFE = frozenset('&<>"' + "".join(map(chr, range(32))) + "\x7f")
"""Characters a value's text must not hold bare in a label (numbers never do)."""


def values_html(values: object, faded: bool = False) -> str:
    """The label lines of a tensor's values: blue, grey for a freed saved tensor ("" if
    None). A recurrence has 10,000s of distinct ones: numbers skip :func:`html`."""
    if values is None:
        return ""
    font = f'<FONT POINT-SIZE="10" COLOR="{GREY if faded else VALUE}">'
    return "<BR/>".join(font + (line if _UNSAFE.isdisjoint(line) else html(line)) + "</FONT>"
                        for line in value_lines(values, LINE_WIDTH))


def _tensor_lines(node: Node, key: str, marks: set[str]) -> list[str]:
    detail = GREY if key == "nograd" else DETAIL
    facts = " · ".join(tensor_facts(node))
    lines = [f"<B>{html(node.label or facts or 'tensor')}</B>{html(_use(node))}"]
    lines += _lines([facts], detail) if facts and node.label else []
    if node.values is not None:
        lines.append(values_html(node.values))
        marks.add("values")
    grads, mark = tensor_grad_lines(node)
    if mark:
        lines += _lines(grads, GRADIENT)
        marks.add(mark)
    flags = tensor_flags(node)
    marks.update(m for m in (_FLAG_MARKS.get(f.split(" ")[0]) for f in flags) if m)
    return lines + (_lines([" · ".join(flags)], detail) if flags else [])


def _saved_lines(node: Node, key: str, marks: set[str]) -> list[str]:
    if key == "number":
        return [f"<B>{html(format_values(node.values))}</B>", small(NUMBER_NOTE, DETAIL)]
    detail = GREY if key == "freed" else DETAIL
    name = f"<S>{html(node.label)}</S>" if node.freed else html(node.label)
    lines = [f"{small('saved', detail)} <B>{name}</B>"]
    facts = " · ".join(tensor_facts(node))
    lines += _lines([facts], detail) if facts else []
    if node.values is not None:
        lines.append(values_html(node.values, node.freed))
        marks.add("values")
    if key == "cause":
        lines += _lines([CAUSE_NOTE], FAILED, bold=True)
    if node.freed:
        lines += _lines(_wrapped(freed_by(node)), FAILED if key == "cause" else detail)
    return lines


def badge_width(order: int) -> str:
    """The step badge's ``WIDTH`` attribute: room for the digits of ``order``."""
    return f'WIDTH="{6 * len(str(order)) + 6}"'


def _function_label(node: Node, marks: set[str]) -> Html:
    """The op, its source line under it; a step badge before the op when backward ran it."""
    details = [small("custom Function", "#5f3dc4", italic=True)] if node.custom else []
    if node.location:
        details.append(small(node.location, DETAIL))
        marks.add("location")
    details += [small(node.note, DETAIL, italic=True)] if node.note else []
    if node.order is None:
        return Html("<BR/>".join([html(node.label), *details]))
    marks.add("step")
    # a fixed size, so that a wide line under the op does not stretch the badge with it
    badge = (f'<TD BGCOLOR="{STEP}" STYLE="rounded" FIXEDSIZE="TRUE" '
             f'{badge_width(node.order)} '
             f'HEIGHT="14"><FONT COLOR="white" POINT-SIZE="10"><B>{node.order}</B></FONT></TD>')
    rows = f"<TR>{badge}<TD>{html(node.label)}</TD></TR>"
    rows += f'<TR><TD COLSPAN="2">{"<BR/>".join(details)}</TD></TR>' if details else ""
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="0">{rows}'
                "</TABLE>")


def node_label(node: Node, key: str, marks: set[str] | None = None) -> Html:
    """One node's label: a first line (name, op or summary), then small detail lines; adds
    the legend marks it uses to ``marks``."""
    marks = set() if marks is None else marks
    if node.kind == model.FUNCTION:
        return _function_label(node, marks)
    if node.kind == model.COLLAPSED:
        hides = f"hides {node.hidden} node{'s' if node.hidden != 1 else ''}"
        lines = [f"<B>{html(node.label)}</B>", small(hides, DETAIL)]
    elif node.kind == model.SAVED:
        lines = _saved_lines(node, key, marks)
    else:
        lines = _tensor_lines(node, key, marks)
    lines += [small(node.note, GREY if key in ("nograd", "freed") else DETAIL, italic=True)] \
        if node.note else []
    return Html("<BR/>".join(lines))


def node_tooltip(node: Node, key: str) -> str:
    """Hover text in SVG: where a function was created; everything known about a tensor."""
    if node.kind == model.FUNCTION:
        where = f"created at {node.location}" if node.location else "location unknown"
        step = f"; step {node.order} of the backward pass" if node.order is not None else ""
        return f"{node.label}: {where}{step}"
    if node.kind == model.COLLAPSED:
        return f"{node.hidden} nodes collapsed: {node.label}"
    if key == "number":
        return (f"saved {node.label}: the Python number {format_values(node.values)}, which "
                "the op keeps for its backward (not a tensor of the script)")
    flags = tensor_flags(node) if node.kind == model.TENSOR else []  # saved: said in the head
    parts = [describe_shape(node.shape), _dtype(node), node.device or "", *flags]
    parts += [f"same tensor as node {node.same_as}"] if node.same_as else []
    head = f"{_tooltip_kind(node, key)}: {node.label or 'unnamed tensor'}{_use(node)}"
    return head + "\n" + ", ".join(p for p in parts if p)


def _tooltip_kind(node: Node, key: str) -> str:
    if node.kind != model.SAVED:
        return STYLES[key].legend
    if not node.freed:
        return "saved for backward, alive"
    return f"saved, {freed_by(node)}" + (f"; {CAUSE_NOTE}" if node.cause else "")


def node_attrs(node: Node, key: str, fill: str | None = None,
               marks: set[str] | None = None) -> dict[str, str]:
    """Graphviz attributes of one node: style, label, tooltip (``fill`` for shared leaves)."""
    style = STYLES[key]
    attrs = {"label": node_label(node, key, marks), "shape": style.shape, "style": style.style,
             "fillcolor": fill or style.fill, "color": style.border}
    attrs |= {"penwidth": style.penwidth} if style.penwidth != "1" else {}
    attrs |= {"fontcolor": style.fontcolor} if style.fontcolor else {}
    return attrs | {"tooltip": node_tooltip(node, key)}
