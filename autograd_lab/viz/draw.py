"""The notebook API: ``autograd_lab.draw(loss)`` and ``with autograd_lab.capture() as c: ...``.

    >>> import torch, autograd_lab
    >>> w = torch.randn(3, 2, requires_grad=True)
    >>> loss = (torch.ones(1, 3) @ w).relu().sum()
    >>> picture = autograd_lab.draw(loss)       # shows inline in Jupyter
    >>> print(picture.source[:7])               # the DOT text
    digraph
    >>> picture.render("loss.svg")              # or .png, .pdf, .dot, .json  # doctest: +SKIP

Names come from the caller's variables (``loss``, ``w`` above) unless ``names`` is given.
"""

from __future__ import annotations

import contextlib
import inspect
from pathlib import Path

from autograd_lab.viz import output
from autograd_lab.viz.capture import prepare_drawing, walk
from autograd_lab.viz.collapse import DEFAULT_MAX_NODES, collapse, split_shared_leaves
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.model import Capture
from autograd_lab.viz.names import capture_names, names_in
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.render_dot import to_dot
from autograd_lab.viz.render_json import to_json
from autograd_lab.viz.values import DEFAULT_VALUES, check_values


class Drawing:
    """A picture of one or more captured graphs: DOT text, files, and inline display."""

    def __init__(self, capture: Capture):
        self.capture = capture

    @property
    def source(self) -> str:
        """The DOT text (the same model gives the same text, byte for byte)."""
        return to_dot(self.capture)

    def json(self) -> str:
        """The graph model as JSON (see docs/graph-json.md)."""
        return to_json(self.capture)

    def render(self, path: str | Path = "graph.svg", format: str | None = None) -> Path:
        """Write the picture to ``path``; the format comes from its suffix unless given."""
        return output.write(self.capture, Path(path), format)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        try:
            svg = output.render(self.capture, "svg").decode("utf-8")
        except Exception as exc:  # no dot: show the DOT text instead of failing the cell
            return {"text/plain": f"{exc}\n\n{self.source}"}
        return {"image/svg+xml": svg}

    def __repr__(self) -> str:
        nodes = sum(len(g.nodes) for g in self.capture.graphs)
        return f"<Drawing: {len(self.capture.graphs)} graph(s), {nodes} nodes>"


def _names_from(frame, tensors, names):
    # A Names (not a plain dict) keeps the tensors, so that non-leaf tensors get names too.
    if names is None:
        return capture_names([frame]) if frame is not None else {}
    if isinstance(names, dict):
        return names_in([names])
    return names_in([dict(zip(names, tensors))])


def draw(*tensors, names=None, max_nodes: int | None = DEFAULT_MAX_NODES,
         saved: bool = True, values: int = DEFAULT_VALUES) -> Drawing:
    """Draw the autograd graph behind ``tensors``.

    Args:
        tensors: the outputs to draw from (a loss, several outputs).
        names: ``{"name": tensor}`` or a list of names, one per tensor; by default the names
            of the caller's variables that hold each tensor.
        max_nodes: collapse the middle of larger graphs; None draws every node.
        saved: draw the tensors each function saved for backward.
        values: show the values (and ``.grad``) of tensors of at most this many elements
            (0: none; gradients still show their norm).
    """
    check_values(values)
    if not tensors:
        raise TypeError("draw() needs at least one tensor, e.g. draw(loss)")
    caller = inspect.currentframe().f_back
    names = _names_from(caller, tensors, names)
    del caller
    with gc_paused():  # one pause for the three steps (see gc_pause)
        walked = walk(list(tensors), names=names, saved=saved)
        plan = prepare_drawing(walked, values, max_nodes)
        graph = collapse(split_shared_leaves(walked.graph()), max_nodes, plan)
    return Drawing(Capture(graphs=[graph]))


@contextlib.contextmanager
def capture(*, max_graphs: int = 20, max_nodes: int | None = DEFAULT_MAX_NODES,
            saved: bool = True, values: int = DEFAULT_VALUES):
    """Record the graph of every backward pass run in the block (for notebooks).

        with autograd_lab.capture() as recorded:
            loss.backward()
        recorded.drawing      # a Drawing of what was recorded
    """
    with Recorder(max_graphs=max_graphs, max_nodes=max_nodes, saved=saved,
                  values=values) as recorder:
        result = _Recorded(recorder)
        yield result


class _Recorded:
    """What ``capture()`` yields: the recording so far, as a capture or a drawing."""

    def __init__(self, recorder: Recorder):
        self._recorder = recorder

    @property
    def capture(self) -> Capture:
        return self._recorder.capture

    @property
    def drawing(self) -> Drawing:
        return Drawing(self._recorder.capture)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self.drawing._repr_mimebundle_(include, exclude)
