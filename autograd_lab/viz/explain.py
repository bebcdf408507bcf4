"""``autograd_lab.explain(loss)``: run backward and show, in a notebook, the page that steps
through it.

    >>> import torch, autograd_lab
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> shown = autograd_lab.explain(loss)     # runs loss.backward(); shows the page inline
    >>> w.grad
    tensor([2., 4.])
    >>> shown.save("backward.html")            # the same page as a file  # doctest: +SKIP

The page is the one ``autograd-lab graph --format html`` writes (render_html). In a notebook
it is shown in an ``<iframe srcdoc="...">``, not pasted into the notebook's own page: the
stepper's ids (``agl-status``, ``g0_f1``), its document-wide arrow-key handler and its styles
would clash with a second explain() output and restyle the notebook. The iframe keeps each
page whole and apart (``sandbox="allow-scripts"``: its script runs, and cannot reach the
notebook), with nothing to serve or fetch.

``draw()`` (viz/draw.py) is unchanged: it draws a graph without running backward.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import torch

from autograd_lab.errors import AutogradLabError
from autograd_lab.viz import output
from autograd_lab.viz.collapse import DEFAULT_MAX_NODES
from autograd_lab.viz.model import Capture
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.values import DEFAULT_VALUES

MIN_HEIGHT, MAX_HEIGHT = 420, 900
"""The inline frame's height in pixels: the picture's own height, within these bounds."""


class Explanation:
    """A recorded backward pass: the page that steps through it, inline and as a file.

    Attributes:
        capture: what was recorded (``capture.graphs[0]`` is the backward pass).
        error: the error backward raised, when it failed (the page explains it), else None.
    """

    def __init__(self, capture: Capture, error: BaseException | None = None) -> None:
        self.capture = capture
        self.error = error

    def html(self) -> str:
        """The whole page, one self-contained HTML document (needs Graphviz's ``dot``)."""
        return output.render(self.capture, "html").decode("utf-8")

    def save(self, path: str | Path = "backward.html", format: str | None = None) -> Path:
        """Write the page to ``path`` (or, by its suffix or ``format``, svg, png, json...)."""
        return output.write(self.capture, Path(path), format)

    def _repr_html_(self) -> str:
        try:
            page = self.html()
        except AutogradLabError as exc:  # no dot: say so in the cell instead of failing it
            return f"<pre>{html.escape(str(exc))}</pre>"
        height = _frame_height(page)
        return (f'<iframe class="autograd-lab-explain" sandbox="allow-scripts" '
                f'style="width: 100%; height: {height}px; border: 1px solid #dee2e6;" '
                f'srcdoc="{html.escape(page, quote=True)}"></iframe>')

    def __repr__(self) -> str:
        graph = self.capture.graphs[0] if self.capture.graphs else None
        if graph is None:
            return "<Explanation: nothing recorded>"
        state = "failed" if graph.failed else f"{graph.steps} steps"
        return f"<Explanation: {graph.title}: {state}, {len(graph.nodes)} nodes>"


def _frame_height(page: str) -> int:
    """Pixels for the inline frame: the SVG's height (``pt``, 4/3 px each) plus the header."""
    found = re.search(r'<svg[^>]*\sheight="([\d.]+)pt"', page)
    wanted = float(found.group(1)) * 4 / 3 + 90 if found else MAX_HEIGHT
    return int(min(MAX_HEIGHT, max(MIN_HEIGHT, wanted)))


def explain(loss: torch.Tensor, *, values: int = DEFAULT_VALUES,
            max_nodes: int | None = DEFAULT_MAX_NODES, retain_graph: bool = False) -> Explanation:
    """Run ``loss.backward()`` while recording it, and return the page that steps through it.

    Tensors are named after the caller's variables. When backward raises (the classic one: a
    second ``backward()`` on a graph whose saved tensors the first one freed), the error is
    not raised here: the page shows it, the freed tensors it needed and the fix, and
    ``.error`` holds it.

    Args:
        loss: a tensor with a ``grad_fn`` and one element (what ``backward()`` accepts).
        values: show the values (and gradients) of tensors of at most this many elements;
            0: none.
        max_nodes: collapse the middle of larger graphs; None draws every node.
        retain_graph: passed to ``backward()`` (keep the saved tensors for another pass).
    """
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"explain() needs a tensor, e.g. explain(loss), but got "
                        f"{type(loss).__name__}")
    if loss.grad_fn is None:
        raise ValueError("explain() runs loss.backward(), but this tensor has no grad_fn: no "
                         "autograd graph leads to it (is requires_grad=True set on a tensor "
                         "it is computed from?)")
    if loss.numel() != 1:
        raise ValueError(f"explain() runs loss.backward(), which needs a single number; got a "
                         f"tensor of shape {tuple(loss.shape)}: explain(loss.sum()) sums it "
                         "first")
    error = None
    with Recorder(max_graphs=1, max_nodes=max_nodes, values=values) as recorder:
        try:
            loss.backward(retain_graph=retain_graph)
        except RuntimeError as exc:
            graphs = recorder.capture.graphs
            if not (graphs and graphs[-1].failed):  # not a failure the page can explain
                raise
            error = exc
    return Explanation(recorder.capture, error)
