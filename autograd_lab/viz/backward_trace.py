"""Record a backward pass as autograd really runs it: hooks on the nodes of a walked graph.

    trace = BackwardTrace(walked, values=16)
    with trace:                    # hooks on every backward node of the walked graph
        loss.backward()            # autograd runs; the hooks write down what it does
    trace.apply(writes_grad=True)  # order, received, edge gradients, grad_step -> walked

What each hook writes down (summaries only: a :class:`~autograd_lab.viz.model.Grad` of shape,
2-norm and small values, never a reference to a gradient tensor):

- a *pre-hook* on every backward node (``Node.register_prehook``), called by the engine just
  before it runs the node: it counts the step (the order of these calls is the order autograd
  ran the nodes) and, on a node that will be drawn, writes down its step and the gradients it
  received (one per output);
- a *post-hook* (``Node.register_hook``) on the nodes that will be drawn, called once the node
  has run: the gradients it sent to each of its inputs (``grad_inputs``, aligned with
  ``next_functions``, so each slot is the gradient along one input edge);
- a pre-hook on each leaf's ``AccumulateGrad``: how many steps had run when the leaf's
  ``.grad`` was written.

A node whose pre-hook ran and whose post-hook did not is where a failed pass stopped.

The hooks are as light as they can be, since a recurrence has 100,000s of nodes: a node that a
collapsed picture hides gets only the pre-hook, one function shared by all of them that adds
one to the step count (a 20,000-step recurrence's pass takes 5% longer with it, against 50%
for a hook per node that writes down which node ran). The
summaries run under ``torch.no_grad()`` and with torch functions disabled (so the recorder's
:class:`~autograd_lab.viz.location.LocationMode` never sees them, and with
``create_graph=True`` they add nothing to the higher-order graph); any error inside a hook is
swallowed (the summary is then missing), never raised into the script's backward pass. Every
hook returns None, so autograd's gradients are the ones it computes without them. All
handles are removed on leaving the ``with`` block, whatever happened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial

import torch

from autograd_lab.viz.capture import Walked
from autograd_lab.viz.model import Grad
from autograd_lab.viz.values import DEFAULT_VALUES, summarize_all

_NO_TORCH_FUNCTION = torch._C.DisableTorchFunction
_FREED_TEXT = "backward through the graph a second time"
"""What torch says when a backward pass needs saved tensors an earlier one freed."""
_HOOK_MIXIN = getattr(torch.autograd.function, "_HookMixin", None)
"""Where ``Node.register_prehook``/``register_hook`` call back into Python for each hook (see
:meth:`BackwardTrace._registering`)."""


class BackwardTrace:
    """Hooks on the backward nodes of ``walked``; what they saw, written back by :meth:`apply`."""

    def __init__(self, walked: Walked, values: int = DEFAULT_VALUES) -> None:
        self.walked, self.limit = walked, values
        self.drawn = walked.drawn
        self.count = [0]
        """How many functions autograd has started so far (a list: the hooks add to it)."""
        self.order: dict[int, int] = {}
        """Node index -> step, for the drawn functions that ran."""
        self.started: list[int] = []
        """The drawn functions that ran, in the order autograd started them."""
        self.received: dict[int, tuple] = {}
        self.sent: dict[int, tuple] = {}
        self.accumulated: dict[int, int] = {}
        """Leaf node index -> how many functions had run when its ``.grad`` was written."""
        self._handles: list = []
        self._dicts: list = []
        self._key = ("autograd_lab.trace", id(self))

    # -- the hooks -------------------------------------------------------------------------

    def _summaries(self, grads) -> tuple | None:
        try:
            with torch.no_grad(), _NO_TORCH_FUNCTION():
                return summarize_all(grads, self.limit)
        except Exception:  # a summary must never break the script's backward pass
            return None

    def _pre(self, index: int, grad_outputs) -> None:
        count = self.count
        count[0] += 1
        self.order.setdefault(index, count[0])
        self.started.append(index)
        received = self._summaries(grad_outputs)
        if received is not None:
            self.received[index] = received

    def _post(self, index: int, grad_inputs, grad_outputs) -> None:
        sent = self._summaries(grad_inputs)
        self.sent[index] = sent if sent is not None else (None,) * len(grad_inputs)

    def _accumulate(self, index: int, grad_outputs) -> None:
        self.accumulated[index] = self.count[0]

    # -- registering and removing ----------------------------------------------------------

    def __enter__(self) -> BackwardTrace:
        try:
            with self._registering():
                self._register()
        except BaseException:
            self._remove()
            raise
        return self

    def _register(self) -> None:
        drawn, handles = self.drawn, self._handles

        def lean(grad_outputs, count=self.count):  # one for all hidden nodes: a step, no more
            count[0] += 1

        for index, fn, _ in self.walked.functions:
            if drawn is None or index in drawn:
                handles.append(fn.register_prehook(partial(self._pre, index)))
                handles.append(fn.register_hook(partial(self._post, index)))
            else:
                handles.append(fn.register_prehook(lean))
        for index, accumulator in self.walked.accumulators:
            handles.append(accumulator.register_prehook(partial(self._accumulate, index)))

    def _registering(self):
        """Register without a ``RemovableHandle`` per hook, when this torch allows it.

        ``Node.register_prehook`` (C++) asks ``_HookMixin._register_hook(hooks, hook)`` for
        the node's dict of Python hooks and a handle; torch's own makes a ``RemovableHandle``
        (weak references, a global counter), about two thirds of the ~10 us a registration
        costs, 60,000 times for a 20,000-step recurrence. While this trace registers, on this
        thread only, a lean one puts the hook in the same kind of dict (an ``OrderedDict``,
        as torch's, so later handles of the script's own still work) under a key of this
        trace, and :meth:`_remove` deletes those keys: what ``RemovableHandle.remove`` does.
        Another torch (no ``_HookMixin``) or another thread: torch's own way, with handles.
        """
        original = _HOOK_MIXIN.__dict__.get("_register_hook") if _HOOK_MIXIN else None
        if not isinstance(original, staticmethod):
            return _Restore(None, None)
        thread, key, dicts = threading.get_ident(), self._key, self._dicts
        register = original.__func__

        def lean(hooks, hook):
            if threading.get_ident() != thread:
                return register(hooks, hook)
            if hooks is None:
                hooks = OrderedDict()
            hooks[key] = hook
            dicts.append(hooks)
            return hooks, None

        _HOOK_MIXIN._register_hook = staticmethod(lean)
        return _Restore(_HOOK_MIXIN, original)

    def __exit__(self, *exc) -> bool:
        self._remove()
        return False

    def _remove(self) -> None:
        handles, self._handles = self._handles, []
        for handle in handles:
            if handle is not None:
                handle.remove()
        dicts, self._dicts = self._dicts, []
        key = self._key
        for hooks in dicts:
            hooks.pop(key, None)

    # -- what it saw -----------------------------------------------------------------------

    @property
    def steps(self) -> int:
        """How many functions the pass ran (started: a failed one included)."""
        return self.count[0]

    def failing(self) -> int | None:
        """The node index of the function a failed pass stopped at: the last one whose
        pre-hook ran and whose post-hook did not (None when unknown: it was not drawn)."""
        drawn = self.drawn
        for index in reversed(self.started):
            if (drawn is None or index in drawn) and index not in self.sent:
                return index
        return None

    def apply(self, writes_grad: bool = True) -> None:
        """Write ``order``, ``received``, the edges' ``grad`` and ``grad_step`` into the walked
        graph. ``writes_grad``: the pass was a ``backward()`` (it writes ``.grad``), not a
        ``torch.autograd.grad()`` (which returns the gradients instead)."""
        walked = self.walked
        fields, edges = walked.fields, walked.edges
        order = self.order
        for index, step in order.items():
            fields[index]["order"] = step
        for index, received in self.received.items():
            fields[index]["received"] = received
        sent = self.sent
        if sent:
            for index, fn, first in walked.functions:
                grads = sent.get(index)
                if grads is None:
                    continue
                k = first
                for slot, (child, _) in enumerate(fn.next_functions):
                    if child is None:  # the walk made no edge for it either
                        continue
                    grad = grads[slot] if slot < len(grads) else None
                    if grad is not None:
                        edges[k] = edges[k]._replace(grad=grad)
                    k += 1
        for edge_index, index, nr in walked.outputs:
            received = self.received.get(index)
            edge = edges[edge_index]
            if received is not None and nr < len(received) and received[nr] is not None:
                edges[edge_index] = edge._replace(grad=received[nr])
            if writes_grad and index in order:  # a retained grad is written just before its
                target = fields[int(edge.target[1:])]  # function runs (a tensor pre-hook)
                if target.get("retains_grad") and target.get("has_grad"):
                    target["grad_step"] = order[index] - 1
        for index, steps in self.accumulated.items():
            fields[index]["grad_step"] = steps

    def mark_grad_before(self) -> None:
        """``grad_before`` of each drawn tensor whose ``.grad`` is filled (call before the pass,
        after :meth:`Walked.read_values`, whose values and norm it reuses)."""
        drawn, fields = self.drawn, self.walked.fields
        for index, tensor in self.walked.leaves:
            if (drawn is None or index in drawn) and (tensor.is_leaf or tensor.retains_grad):
                grad = tensor.grad
                if grad is not None:
                    values = fields[index]
                    values["grad_before"] = Grad(tuple(grad.shape), values.get("grad_norm"),
                                                 values.get("grad_values"))

    def mark_failure(self, error: BaseException | None = None) -> str:
        """After a pass that raised: mark ``cause`` on the freed saved tensors of the function
        it stopped at (what it needed and no longer had), and return the advice ("pass
        retain_graph=True to loss.backward() at train.py:6, the backward that freed them"),
        or "" when the failure was not about freed tensors. When that function is hidden
        by collapsing, nothing is marked, and the advice names what freed the drawn ones
        (if ``error`` says saved tensors were freed)."""
        failing = self.failing()
        fields, freed_by, causes = self.walked.fields, [], 0
        if failing is not None:
            fn = next((f for index, f, _ in self.walked.functions if index == failing), None)
            for index, saver, _, _ in self.walked.saved:
                if saver is fn and fields[index].get("freed"):
                    fields[index]["cause"] = True
                    causes += 1
                    by = fields[index].get("freed_by")
                    if by and by not in freed_by:
                        freed_by.append(by)
        elif error is not None and _FREED_TEXT in str(error):
            for index, *_ in self.walked.saved:
                by = fields[index].get("freed_by")
                if by and by not in freed_by:
                    freed_by.append(by)
            causes = len(freed_by)
        if not causes:
            return ""
        if not freed_by:
            return "pass retain_graph=True to the earlier backward that freed them"
        return f"pass retain_graph=True to {' and '.join(freed_by)}, the backward that freed them"


class _Restore:
    """Puts torch's own ``_register_hook`` back on leaving the block (whatever happened)."""

    def __init__(self, owner, original) -> None:
        self.owner, self.original = owner, original

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        if self.owner is not None:
            self.owner._register_hook = self.original
        return False
