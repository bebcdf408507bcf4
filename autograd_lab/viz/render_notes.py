"""The words around the graphs: each cluster's title (and a failed backward's error and
advice), the capture's banner (the script's error, graphs not drawn), and the legend.

Errors are wrapped, never cut: the line a student needs ("Specify retain_graph=True ...") is
usually the last of a long message. When a traceback is too long for the banner, frames are
left out from its middle; the exception's message is always kept whole.
"""

from __future__ import annotations

import textwrap

from autograd_lab.viz.model import Capture, Graph
from autograd_lab.viz.render_escape import Html, clean, html, small
from autograd_lab.viz.render_styles import (
    DETAIL, EDGE_LEGEND, FAILED, MARKS, STYLES,
)

MAX_NOTE_LINES, MAX_NOTE_WIDTH = 12, 110
"""The script's error banner: at most this many lines (the message itself may take more),
each at most this wide (longer ones are wrapped)."""
ERROR_WIDTH = 90
"""A failed backward's error message, under its graph's title: wrapped at this width."""
ADVICE = "#2b8a3e"
LEFT = '<BR ALIGN="LEFT"/>'
_TRACEBACK = "Traceback (most recent call last):"


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` as lines of at most ``width`` characters, its indentation kept and the
    continuation lines indented 4 more; a word longer than ``width`` is broken."""
    if len(line) <= width:
        return [line]
    lead = line[:len(line) - len(line.lstrip())]
    return textwrap.wrap(line.strip(), width, initial_indent=lead,
                         subsequent_indent=lead + "    ", break_on_hyphens=False) or [line]


def _message_start(lines: list[str]) -> int:
    """Where the exception's message starts: the first unindented line after the last
    ``Traceback`` header (0 when there is no traceback: all of it is the message)."""
    headers = [i for i, line in enumerate(lines) if line.startswith(_TRACEBACK)]
    if not headers:
        return 0
    after = range(headers[-1] + 1, len(lines))
    return next((i for i in after if lines[i][:1] not in (" ", "")), len(lines))


def error_lines(error: str, max_lines: int = MAX_NOTE_LINES,
                width: int = MAX_NOTE_WIDTH) -> list[str]:
    """The script's error for the banner: every line wrapped at ``width``; when more than
    ``max_lines``, traceback lines left out from the middle (the first frame and as many of
    the last as fit are kept), never the exception's message."""
    lines = clean(error).strip().split("\n")
    start = _message_start(lines)
    message = [part for line in lines[start:] for part in wrap_line(line, width)]
    groups = [wrap_line(line, width) for line in lines[:start]]
    if not groups or sum(map(len, groups)) + len(message) <= max_lines:
        return [part for group in groups for part in group] + message
    # the header and the first frame (the script's own line, and its code) stay
    keep = 3 if len(groups) > 3 and groups[1][0].lstrip().startswith("File") else 1
    head = [part for group in groups[:keep] for part in group]
    room = max_lines - len(message) - len(head) - 1
    tail: list[list[str]] = []
    for group in reversed(groups[keep:]):
        if len(group) > room:
            break
        tail.insert(0, group)
        room -= len(group)
    while keep == 3 and tail and not tail[0][0].lstrip().startswith("File"):
        tail.pop(0)  # a code line without its frame's File line: leave both out
    left_out = len(groups) - keep - len(tail)
    if not left_out:  # only the message is long: nothing of the traceback to leave out
        return [part for group in groups for part in group] + message
    note = f"    ... ({left_out} traceback line{'s' if left_out != 1 else ''} left out)"
    return head + [note] + [part for group in tail for part in group] + message


def _paragraph(text: str) -> list[str]:
    """A line of prose wrapped at ``ERROR_WIDTH``, no word broken unless longer than that."""
    return textwrap.wrap(text, ERROR_WIDTH, break_on_hyphens=False) or [text]


def graph_title(graph: Graph, index: int, total: int) -> Html:
    """A cluster's title: number and model title, ``x500`` when repeated, collapsed count; for
    a backward that raised, that it failed, its whole error (wrapped) and the advice."""
    number = f"{index + 1}. " if total > 1 else ""
    lines = [f"<B>{number}{html(graph.title or 'autograd graph')}</B>"]
    if graph.count > 1:
        lines[0] += f'  <FONT COLOR="{FAILED}"><B>x{graph.count}</B></FONT>'
        lines.append(small(f"the same graph structure was captured {graph.count} times", DETAIL))
    if graph.failed:
        lines[0] += f'  <FONT COLOR="{FAILED}"><B>FAILED</B></FONT>'
        lines.append(small("this backward() raised an error:", FAILED, bold=True, size=10))
        for line in clean(graph.error or "(no message)").strip().split("\n"):
            lines += [small(part, FAILED, size=10) for part in _paragraph(line)]
        if graph.advice:
            lines += [small(part, ADVICE, bold=True, size=10)
                      for part in _paragraph(f"to fix it: {clean(graph.advice)}")]
    elif graph.steps:
        plural = "s" if graph.steps != 1 else ""
        lines.append(small(f"backward ran {graph.steps} function{plural}, in the order of "
                           "their step numbers", DETAIL))
    lines += [small(f"{graph.hidden} nodes collapsed", DETAIL)] if graph.hidden else []
    return Html(LEFT.join(lines) + (LEFT if len(lines) > 1 else ""))


def cluster_style(graph: Graph) -> str:
    """The attributes of a cluster's frame: red and thick for a backward that failed."""
    if graph.failed:
        return f'style="rounded"; color="{FAILED}"; penwidth=2; labeljust="l"; fontsize=12;'
    return 'style="rounded"; color="#adb5bd"; labeljust="l"; fontsize=12;'


def legend_table(used: set[str]) -> str:
    """The key: a sample and its meaning for each style and mark the picture uses, two per
    row when there are many."""
    cells = []
    for key in [*STYLES, *EDGE_LEGEND, *MARKS]:
        if key not in used:
            continue
        if key in STYLES:
            style, text = STYLES[key], STYLES[key].legend
            cells.append(f'<TD BGCOLOR="{style.fill}" BORDER="1" COLOR="{style.border}" '
                         f'STYLE="{style.cell_style}">{style.sample}</TD>')
        else:
            sample, text = EDGE_LEGEND[key] if key in EDGE_LEGEND else MARKS[key]
            sample = html(sample) if key in EDGE_LEGEND else sample
            cells.append(f"<TD>{sample}</TD>")
        cells[-1] += f'<TD ALIGN="LEFT">{html(text)}</TD>'
    per_row = 2 if len(cells) > 6 else 1
    rows = [f'<TR><TD COLSPAN="{2 * per_row}" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    rows += ["<TR>" + "".join(cells[i:i + per_row]) + "</TR>"
             for i in range(0, len(cells), per_row)]
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
            + "".join(rows) + "</TABLE>")


def capture_label(capture: Capture, used: set[str]) -> Html:
    """The drawing's own label: the script, its error, graphs not drawn, the legend."""
    head = f"autograd graph of {capture.script}" if capture.script else "autograd graph"
    box = '<TD ALIGN="LEFT" BGCOLOR="{}" BORDER="1" COLOR="{}">{}</TD>'
    cells = [f'<TD ALIGN="LEFT"><B>{html(head)}</B></TD>']
    if capture.error:
        text = "<B>The script failed; the graphs captured before its error are drawn.</B>"
        text += LEFT + html("\n".join(error_lines(capture.error)))
        cells.append(box.format("#ffe3e3", FAILED, text + LEFT))
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
