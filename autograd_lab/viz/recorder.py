"""Record autograd graphs while code runs: at every backward pass, and from a namespace at the end.

    with Recorder(script_file="/abs/train.py") as recorder:
        ...                               # the script runs; every loss.backward() is recorded
    recorder.add_namespace(script_globals)  # graphs still held by the script's variables
    recorder.capture                      # a model.Capture: the graphs, in order

Inside the ``with`` block:

- ``torch.autograd.backward`` and ``torch.autograd.grad`` are wrapped (``Tensor.backward``
  goes through the first): each call captures the graph *before* autograd runs it, while
  the saved tensors are still there (their values too), then lets it run with hooks on its
  nodes (:class:`~autograd_lab.viz.backward_trace.BackwardTrace`: the order autograd ran
  them, the gradients that flowed) and marks what the pass changed (``.grad`` before and
  after, saved tensors freed, and by which call). A pass that raises is recorded too, as a
  graph of its own (``failed``, the error, the freed tensors it needed, the advice), and its
  exception raised on unchanged. Restored on exit.
- A :class:`LocationMode` (a ``TorchFunctionMode``, cheap: it walks the stack only for a new
  ``grad_fn``) writes the script line that made each node into ``grad_fn.metadata``;
  ``torch.autograd.Function.apply`` is wrapped the same way, since custom Functions do not go
  through torch functions.

A training loop that builds the same graph 500 times gives one graph with ``count=500``
(:func:`~autograd_lab.viz.signature.structure_key`), the first iteration's values kept; at
most ``max_graphs`` distinct graphs are kept, the others are counted in ``Capture.omitted``.
Never merged: a failed pass, and a pass re-run on the very graph objects an earlier recorded
pass ran on (``retain_graph=True``; told by ``PASSES_KEY`` in the root's ``grad_fn.metadata``),
which is how accumulation into ``.grad`` shows as two panels, before and after.
"""

from __future__ import annotations

import functools
import inspect
import linecache
import os
import sys

import torch

from autograd_lab.viz.backward_trace import BackwardTrace
from autograd_lab.viz.capture import Walked, prepare_drawing, walk
from autograd_lab.viz.collapse import (
    DEFAULT_MAX_NODES, check_max_nodes, collapse, split_shared_leaves,
)
from autograd_lab.viz.gc_pause import gc_paused
from autograd_lab.viz.location import LocationMode
from autograd_lab.viz.model import Capture, Graph
from autograd_lab.viz.names import capture_names
from autograd_lab.viz.signature import structure_key
from autograd_lab.viz.torch_graph import PASSES_KEY, root_groups
from autograd_lab.viz.values import DEFAULT_VALUES, check_values

__all__ = ["Recorder", "capture_names", "LocationMode"]

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_VIZ_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_TENSOR_BACKWARD = getattr(torch.Tensor.backward, "__code__", None)
_NO_TORCH_FUNCTION = torch._C.DisableTorchFunction
MAX_TITLE_LINE = 80
"""A backward of an unnamed tensor is titled by its script line, up to this long."""


def _output(tensor: torch.Tensor) -> tuple[int, int]:
    """Which output of which node ``tensor`` is (alive as long as the node is held)."""
    return id(tensor.grad_fn), tensor.output_nr


def _location(frame) -> str:
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def _title(call: str, names: list[str | None], frames: list) -> str:
    """``loss.backward() at train.py:14``; the script's own line when a root has no name."""
    text = call.format(", ".join(name or "tensor" for name in names))
    if frames:
        line = linecache.getline(frames[0].f_code.co_filename, frames[0].f_lineno).strip()
        if not all(names) and line and len(line) <= MAX_TITLE_LINE:
            text = line
        text += f" at {_location(frames[0])}"
    return text


def _message(error: BaseException) -> str:
    """An exception as its type and whole message: ``RuntimeError: Trying to backward ...``."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Recorder:
    """Records the graphs of the code run inside ``with Recorder(...)`` into ``self.capture``.

    Args:
        max_graphs: how many distinct graphs to keep (later ones are counted as omitted).
        max_nodes: graphs larger than this are collapsed (``None``: never).
        saved: include saved tensors (SAVED nodes).
        script_file: the script's file exactly as its code objects name it; its frames give
            locations and variable names. ``None``: the first frame outside torch and
            autograd_lab does.
        values: tensors of at most this many elements show their values (0: none; norms
            and shapes of gradients are recorded anyway).
    """

    def __init__(self, max_graphs: int = 20, max_nodes: int | None = DEFAULT_MAX_NODES,
                 saved: bool = True, script_file: str | None = None,
                 values: int = DEFAULT_VALUES) -> None:
        if isinstance(max_graphs, bool) or not isinstance(max_graphs, int) or max_graphs < 0:
            raise ValueError(f"Expected an int >= 0 for max_graphs but got {max_graphs!r}")
        check_max_nodes(max_nodes)
        check_values(values)
        self.max_graphs, self.max_nodes, self.saved = max_graphs, max_nodes, saved
        self.values = values
        self.script_file = None if script_file is None else os.fspath(script_file)
        self.capture = Capture(script=self.script_file or "")
        self._index: dict[str, list[int]] = {}
        self._omitted: set[str] = set()
        self._originals: tuple | None = None
        self._mode: LocationMode | None = None
        self._running = False
        self._last_roots: dict[tuple[int, int], object] = {}

    # -- where the script is -------------------------------------------------------------

    def is_script(self, filename: str) -> bool:
        """Whether a frame of ``filename`` is the script's (or, with no script, the user's)."""
        if self.script_file is not None:
            return filename == self.script_file
        return not filename.startswith((_TORCH_DIR, _VIZ_DIR, "<frozen "))

    def script_frames(self) -> list:
        """The script's frames on the stack, innermost first (with no script: the first one)."""
        frames, frame = [], sys._getframe(1)
        while frame is not None:
            if self.is_script(frame.f_code.co_filename):
                frames.append(frame)
                if self.script_file is None:
                    break
            frame = frame.f_back
        return frames

    def where(self) -> str | None:
        """``file:line`` of the innermost script frame on the stack, if any."""
        frame = sys._getframe(1)
        while frame is not None:
            if self.is_script(frame.f_code.co_filename):
                return _location(frame)
            frame = frame.f_back
        return None

    # -- patching ------------------------------------------------------------------------

    def __enter__(self) -> Recorder:
        if self._originals is not None:
            raise RuntimeError("This Recorder is already recording (it cannot be nested)")
        function = torch.autograd.Function
        self._originals = (torch.autograd.backward, torch.autograd.grad,
                           function.__dict__["apply"])
        backward, grad, apply = self._originals
        self._signatures = (inspect.signature(backward), inspect.signature(grad))
        self._mode = LocationMode(self.where)
        mode = self._mode

        @functools.wraps(backward)
        def wrapped_backward(*args, **kwargs):
            return self._backward(*args, **kwargs)

        @functools.wraps(grad)
        def wrapped_grad(*args, **kwargs):
            return self._grad(*args, **kwargs)

        def wrapped_apply(cls, *args, **kwargs):
            out = apply.__func__(cls, *args, **kwargs)
            with _NO_TORCH_FUNCTION():
                mode.mark(out, None, args, kwargs)
            return out

        torch.autograd.backward, torch.autograd.grad = wrapped_backward, wrapped_grad
        function.apply = classmethod(functools.wraps(apply.__func__)(wrapped_apply))
        self._mode.__enter__()
        return self

    def __exit__(self, *exc) -> bool:
        try:
            self._mode.__exit__(*exc)
        finally:
            backward, grad, apply = self._originals
            torch.autograd.backward, torch.autograd.grad = backward, grad
            torch.autograd.Function.apply = apply
            self._originals = None
        return False

    def _backward(self, *args, **kwargs):
        arguments = self._signatures[0].bind(*args, **kwargs).arguments
        via_method = sys._getframe(2).f_code is _TENSOR_BACKWARD
        return self._record(self._originals[0], args, kwargs, arguments["tensors"],
                            arguments.get("create_graph", False),
                            "{}.backward()" if via_method else "torch.autograd.backward({})")

    def _grad(self, *args, **kwargs):
        arguments = self._signatures[1].bind(*args, **kwargs).arguments
        return self._record(self._originals[1], args, kwargs, arguments["outputs"],
                            arguments.get("create_graph", False), "torch.autograd.grad({})")

    def _record(self, run, args, kwargs, tensors, create_graph: bool, call: str):
        """Capture the graph behind ``tensors``, run the backward pass with hooks on its
        nodes, mark what it changed; a pass that raises is recorded, then raised on.

        The pass runs with Python's cycle collector paused (resumed right after). The hooks
        allocate (the engine wraps each gradient it hands a hook in a Python tensor, the
        summaries make tuples), and with a large walked graph alive, each full collection
        those allocations set off scans it all: on a 20,000-step recurrence that doubled the
        pass (0.35 s to 0.65 s). Nothing the pass makes is cyclic garbage worth collecting
        before it ends; a collection due is simply made after it."""
        if self._running:  # a backward pass inside one being recorded (torch.autograd.grad
            return run(*args, **kwargs)  # hands itself to the torch-function mode): run it
        roots = [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)
        roots = [root for root in roots if isinstance(root, torch.Tensor)]
        with _NO_TORCH_FUNCTION():
            frames = self.script_frames()
            location = _location(frames[0]) if frames else None
            names = capture_names(frames)
            title = _title(call, [names.get(id(root)) for root in roots], frames)
            walked = walk(roots, names=names, saved=self.saved, title=title)
            del names, frames
            plan = prepare_drawing(walked, self.values, self.max_nodes)
            trace = BackwardTrace(walked, self.values)
            trace.mark_grad_before()
            earlier = self._passes(roots)
        self._running, since = True, self._mode.newest
        finish = functools.partial(self._finish, walked, trace, roots, earlier, plan,
                                   run is self._originals[1], title)
        try:  # the cycle collector paused: see _record's note on speed
            with gc_paused(), trace:
                result = run(*args, **kwargs)
        except BaseException as error:
            self._running = False
            try:
                finish(failure=error)
            except Exception:  # a fault of the recorder's must not hide the script's error
                pass
            raise
        self._running = False
        finish(grads=result if create_graph else None, since=since, location=location,
               create_graph=create_graph)
        return result

    def _finish(self, walked: Walked, trace: BackwardTrace, roots, earlier: set[int], plan,
                is_grad: bool, title: str, *, failure: BaseException | None = None,
                grads=None, since: int = 0, location: str | None = None,
                create_graph: bool = False) -> None:
        """After the pass: mark what it changed and did, and keep the graph."""
        with _NO_TORCH_FUNCTION():
            walked.refresh(title)
            trace.apply(writes_grad=not is_grad)
            if create_graph and failure is None:
                self._mark_higher_order(walked, grads if is_grad else None, since, location)
            advice = trace.mark_failure(failure) if failure is not None else ""
            graph = walked.graph()
            graph.steps = trace.steps
            if failure is not None:
                graph.failed, graph.error, graph.advice = True, _message(failure), advice
            index = self._add(graph, repeat=True, roots=roots, exclude=earlier, plan=plan)
            self._remember_pass(roots, index)

    @staticmethod
    def _passes(roots) -> set[int]:
        """The kept graphs earlier recorded passes from these very roots went into."""
        earlier: set[int] = set()
        for root in roots:
            if root.grad_fn is not None:
                earlier.update(root.grad_fn.metadata.get(PASSES_KEY, ()))
        return earlier

    @staticmethod
    def _remember_pass(roots, index: int | None) -> None:
        if index is None:
            return
        for root in roots:
            if root.grad_fn is not None:
                metadata = root.grad_fn.metadata
                metadata[PASSES_KEY] = metadata.get(PASSES_KEY, frozenset()) | {index}

    def _mark_higher_order(self, walked: Walked, grads, since: int, location: str | None) -> None:
        """Say which nodes the backward pass itself made (``create_graph=True``)."""
        if grads is None:  # backward(): the grads went into .grad
            grads = [t.grad for _, t in walked.leaves if t.is_leaf or t.retains_grad]
        elif isinstance(grads, dict):
            grads = list(grads.values())
        note = f"made by the backward pass at {location or '?'} (create_graph=True)"
        for grad in grads:
            if isinstance(grad, torch.Tensor) and grad.grad_fn is not None:
                self._mode.note_made_since(grad.grad_fn, since, location, note)

    # -- keeping graphs ------------------------------------------------------------------

    def _add(self, graph: Graph, *, repeat: bool, roots=(), exclude=frozenset(),
             plan=None) -> int | None:
        """Keep ``graph`` unless one of the same structure is kept (``repeat``: count it);
        return the index of the kept graph it is or was counted into (None: omitted).

        A failed graph is never merged, and never merged into; nor is a graph merged into the
        graphs in ``exclude`` (those earlier passes on the very same graph objects went to).
        ``plan``: how to collapse it, made before the pass (see
        :func:`~autograd_lab.viz.capture.plan_drawing`)."""
        key = None if graph.failed else structure_key(graph)
        if roots:  # the last graph a backward pass ran on: not captured again at the end
            self._last_roots = {_output(root): root.grad_fn for root in roots}
        if key is not None:
            for index in self._index.get(key, ()):
                if index not in exclude:
                    if repeat:
                        self.capture.graphs[index].count += 1
                    return index
            if key in self._omitted:
                return None
        if len(self.capture.graphs) >= self.max_graphs:
            self._omitted.add(key if key is not None else f"failed {len(self._omitted)}")
            self.capture.omitted = len(self._omitted)
            return None
        index = len(self.capture.graphs)
        if key is not None:
            self._index.setdefault(key, []).append(index)
        self.capture.graphs.append(collapse(split_shared_leaves(graph), self.max_nodes, plan))
        return index

    def add_namespace(self, namespace, where: str = "the end") -> None:
        """Add the graphs still reachable from ``namespace``'s tensors, one per separate graph.

        Only the tensors nothing else was computed from are roots; graphs identical to one
        already recorded (the last step of a training loop) are not added again.
        """
        with _NO_TORCH_FUNCTION():
            names = capture_names(namespace)
            candidates = [t for t in names.tensors.values() if t.grad_fn is not None]
            for roots in root_groups(candidates):
                if {_output(root) for root in roots} == set(self._last_roots):
                    continue  # what the last backward pass ran on: recorded then
                label = ", ".join(names[id(root)] for root in roots)
                walked = walk(roots, names=names, saved=self.saved, title=f"{label} at {where}")
                plan = prepare_drawing(walked, self.values, self.max_nodes)
                self._add(walked.graph(), repeat=False, plan=plan)
            del names, candidates
        self.release()

    def release(self) -> None:
        """Drop the references to the script's graphs (so they are freed on this thread)."""
        self._last_roots = {}
