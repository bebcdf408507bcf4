"""The recorded backward pass: values and gradients against torch's own, the order against
hooks of this test's own, what flowed along edges, the life of saved tensors, the failed
pass, and that recording leaves the script's results and graph as they were.

Expected numbers come from torch itself (the same computation run here, without the
recorder) or from the derivative worked out by hand in a comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from autograd_lab.viz import backward_trace, model
from autograd_lab.viz.capture import drawn_indices, walk
from autograd_lab.viz.model import Graph, Node
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.script import run_script
from autograd_lab.viz.values import read_values

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def by_label(graph: Graph, label: str, kind: str = model.TENSOR) -> Node:
    found = [n for n in graph.nodes if n.label == label and n.kind == kind]
    assert len(found) == 1, f"{len(found)} {kind} nodes labelled {label!r} in {graph.title}"
    return found[0]


def functions_in_order(graph: Graph) -> list[str]:
    ran = sorted((n for n in graph.nodes if n.kind == model.FUNCTION and n.order is not None),
                 key=lambda n: n.order)
    assert [n.order for n in ran] == list(range(1, len(ran) + 1))  # 1, 2, 3... no gaps
    return [n.label for n in ran]


def torch_order(root: torch.Tensor, run) -> list[str]:
    """The op names autograd runs, in order, seen by pre-hooks of this test's own."""
    seen, handles, stack, order = set(), [], [root.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        if type(fn).__name__ != "AccumulateGrad":
            handles.append(fn.register_prehook(
                lambda grads, name=type(fn).__name__: order.append(name)))
        stack.extend(child for child, _ in fn.next_functions)
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return order


def mlp(seed: int = 0):
    torch.manual_seed(seed)
    x, target = torch.randn(4, 3), torch.randn(4, 2)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    loss = torch.nn.functional.mse_loss(net(x), target)
    return net, loss


def test_values_and_grads_are_torchs_own():
    net, loss = mlp()
    loss.backward()
    expected = {name: (read_values(p.detach()), read_values(p.grad))
                for name, p in net.named_parameters()}
    with Recorder() as recorder:
        net, loss = mlp()  # the same computation, recorded
        loss.backward()
    (graph,) = recorder.capture.graphs
    for name, (values, grad) in expected.items():
        node = by_label(graph, f"net.{name}")
        assert node.values == values and node.grad_values == grad, name
        parameter = dict(net.named_parameters())[name]
        assert node.grad_norm == pytest.approx(parameter.grad.double().norm().item(), rel=1e-12)
    assert by_label(graph, "loss").values == loss.item()


def test_order_is_the_order_autograd_runs_the_nodes():
    _, loss = mlp()
    expected = torch_order(loss, loss.backward)
    assert len(expected) >= 6
    with Recorder() as recorder:
        _, loss = mlp()
        loss.backward()
    (graph,) = recorder.capture.graphs
    assert functions_in_order(graph) == expected
    assert graph.steps == len(expected)


def test_order_of_a_graph_with_two_branches_against_own_hooks():
    def build():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        a = (w * 2).exp()
        b = (w ** 2).sin()
        return w, (a + b * a).sum()

    _, root = build()
    expected = torch_order(root, root.backward)
    with Recorder() as recorder:
        _, root = build()
        root.backward()
    assert functions_in_order(recorder.capture.graphs[0]) == expected


def test_a_weight_used_twice_gets_two_gradients_that_add_up_to_its_grad():
    capture = run_script(SCRIPTS / "weight_twice.py")
    (graph,) = capture.graphs
    w = by_label(graph, "w")
    edges = [e for e in graph.edges if e.source == w.id]
    assert len(edges) == 2 and all(e.grad is not None for e in edges)
    # d/dw sum(w*a + w*b): a along one use, b along the other, a + b in .grad
    a, b = torch.tensor([2.0, 3.0, 4.0]), torch.tensor([0.5, 0.25, -1.0])
    assert sorted(e.grad.values for e in edges) == sorted([tuple(a.tolist()), tuple(b.tolist())])
    total = tuple(x + y for x, y in zip(*(e.grad.values for e in edges)))
    assert total == w.grad_values == tuple((a + b).tolist())
    assert w.grad_step == graph.steps  # written once both uses' gradients were summed
    assert by_label(graph, "loss").values == ((a + b) * torch.tensor([1.0, -2.0, 0.5])).sum().item()


def test_accumulation_over_two_backward_passes_shows_grad_before_and_after():
    first, second, end = run_script(SCRIPTS / "two_losses.py").graphs
    assert first.title == "y.sum().backward(retain_graph=True) at two_losses.py:7"
    assert second.title == "y.mean().backward() at two_losses.py:8"
    x = torch.ones(2, 2, requires_grad=True)
    y = x ** 2 * 4
    y.sum().backward(retain_graph=True)
    after_first = read_values(x.grad)  # d/dx sum(4x^2) = 8x = 8
    y.mean().backward()
    after_second = read_values(x.grad)  # + 8x/4 = 10
    x1, x2 = by_label(first, "x"), by_label(second, "x")
    assert x1.grad_before is None and x1.grad_values == after_first == ((8.0, 8.0), (8.0, 8.0))
    assert x2.grad_before.values == after_first and x2.grad_values == after_second
    assert x2.grad_before.shape == (2, 2) and x2.grad_before.norm == 16.0
    # the second pass sent 2 = 8 * (1/4) along x's edge: its part of the sum
    (edge,) = [e for e in second.edges if e.source == x2.id]
    assert edge.grad.values == ((2.0, 2.0), (2.0, 2.0))
    assert [n.freed for n in first.nodes if n.kind == model.SAVED] == [False, False]
    assert {n.freed_by for n in second.nodes if n.kind == model.SAVED} == {second.title}
    assert {n.freed_by for n in end.nodes if n.kind == model.SAVED} == {second.title}
    assert by_label(first, "other", model.SAVED).values == 4  # y * 4: the number 4
    assert by_label(first, "other", model.SAVED).number


def test_a_backward_rerun_on_the_same_graph_is_its_own_graph():
    with Recorder() as recorder:
        w = torch.tensor([1.0, 3.0], requires_grad=True)
        loss = (w * w).sum()
        loss.backward(retain_graph=True)
        loss.backward(retain_graph=True)
        for _ in range(3):  # new graphs of the same structure: one graph, counted
            fresh = (w * w).sum()
            fresh.backward()
    graphs = recorder.capture.graphs
    assert [g.count for g in graphs] == [1, 1, 3]
    first, again, loop = graphs
    assert by_label(first, "w").grad_values == (2.0, 6.0)
    assert by_label(again, "w").grad_before.values == (2.0, 6.0)
    assert by_label(again, "w").grad_values == (4.0, 12.0)
    assert by_label(loop, "w").grad_before.values == (4.0, 12.0)  # the first iteration's


def test_the_failed_second_backward_is_its_own_explained_graph():
    capture = run_script(SCRIPTS / "fails_second_backward.py")
    ran, failed = capture.graphs
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError) as torch_error:
        loss.backward()
    assert not ran.failed and ran.error == "" and ran.advice == ""
    assert failed.failed and failed.count == 1
    assert failed.error == f"RuntimeError: {torch_error.value}"  # whole, not cut
    assert "Specify retain_graph=True" in failed.error
    assert failed.advice == ("pass retain_graph=True to loss.backward() at "
                             "fails_second_backward.py:6, the backward that freed them")
    for graph in (ran, failed):
        saved = [n for n in graph.nodes if n.kind == model.SAVED]
        assert {n.freed_by for n in saved} == {ran.title}
        assert all(n.values == (1.0, -2.0, 0.5) for n in saved)  # as seen before freeing
    assert not any(n.cause for n in ran.nodes)
    mul = by_label(failed, "MulBackward0", model.FUNCTION)
    causes = [n for n in failed.nodes if n.cause]
    needed = {e.source for e in failed.edges if e.target == mul.id and e.kind == model.SAVED_BY}
    assert causes and {n.id for n in causes} == needed and all(n.freed for n in causes)
    # the pass ran SumBackward0, then stopped in MulBackward0: nothing reached w
    assert functions_in_order(failed) == ["SumBackward0", "MulBackward0"]
    assert failed.steps == 2
    assert all(e.grad is None for e in failed.edges if e.target == mul.id)
    assert by_label(failed, "w").grad_before.values == (2.0, -4.0, 1.0)
    assert by_label(failed, "w").grad_step is None


def test_the_recorder_reraises_the_very_exception():
    with Recorder() as recorder:
        w = torch.ones(2, requires_grad=True)
        loss = (w * w).sum()
        loss.backward()
        with pytest.raises(RuntimeError, match="second time") as info:
            loss.backward()
    assert info.value.__traceback__ is not None
    assert recorder.capture.graphs[-1].failed
    assert recorder.capture.graphs[-1].error.endswith(str(info.value))


def test_autograd_grad_runs_only_part_of_the_graph():
    with Recorder() as recorder:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        y = (x * w).sum() + (w ** 2).sum()
        (dx,) = torch.autograd.grad(y, [x])
    (graph,) = recorder.capture.graphs[:1]
    orders = {n.label: n.order for n in graph.nodes if n.kind == model.FUNCTION}
    assert orders["PowBackward0"] is None  # only leads to w, which was not asked for
    assert orders["AddBackward0"] == 1 and orders["MulBackward0"] is not None
    ran = [n for n in graph.nodes if n.kind == model.FUNCTION and n.order is not None]
    assert graph.steps == len(ran) == 3  # AddBackward0, x*w's SumBackward0, MulBackward0
    assert by_label(graph, "x").grad_step is None and not by_label(graph, "x").has_grad
    assert dx.tolist() == [3.0, 4.0]  # dy/dx = w


def test_create_graph_keeps_working_with_the_hooks():
    def run():
        x = torch.tensor([0.5, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), x)
        return g.detach(), h

    expected = run()
    with Recorder() as recorder:
        got = run()
    assert all(torch.equal(a, b) for a, b in zip(expected, got))
    assert torch.equal(got[1], 6 * torch.tensor([0.5, 2.0]))  # d2/dx2 x^3 = 6x
    first = recorder.capture.graphs[0]
    assert by_label(first, "x").values == (0.5, 2.0)
    (edge,) = [e for e in first.edges if e.source == by_label(first, "x").id]
    assert edge.grad.values == (0.75, 12.0)  # 3x^2


def test_a_literal_times_a_tensor_reads_as_the_number():
    with Recorder() as recorder:
        y = torch.ones(2, requires_grad=True)
        z = (y * 3).sum()
        z.backward()
    (graph,) = recorder.capture.graphs
    other = by_label(graph, "other", model.SAVED)
    assert other.number and other.values == 3 and other.dtype == "int64"
    with Recorder(values=0) as recorder:
        y = torch.ones(2, requires_grad=True)
        t = torch.tensor(3)
        z = (y * t).sum()
        z.backward()
    (graph,) = recorder.capture.graphs
    assert not by_label(graph, "other", model.SAVED).number  # a tensor the script made
    y_node = by_label(graph, "y")
    assert y_node.values is None and y_node.grad_values is None  # values off
    assert y_node.grad_norm == pytest.approx(18 ** 0.5) and y_node.grad_step == graph.steps


def test_recording_leaves_results_bitwise_identical():
    def train(steps: int = 3):
        torch.manual_seed(1)
        net = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        x, target = torch.randn(16, 5), torch.randn(16, 3)
        grads = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(net(x), target)
            loss.backward()
            grads.append([p.grad.clone() for p in net.parameters()])
            optimizer.step()
        return grads, [p.detach().clone() for p in net.parameters()]

    expected = train()
    with Recorder():
        got = train()
    for step_expected, step_got in zip(expected[0], got[0]):
        assert all(torch.equal(a, b) for a, b in zip(step_expected, step_got))
    assert all(torch.equal(a, b) for a, b in zip(expected[1], got[1]))


def test_hooks_are_removed_after_the_pass(monkeypatch):
    traces = []
    original = backward_trace.BackwardTrace.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        traces.append(self)

    monkeypatch.setattr(backward_trace.BackwardTrace, "__init__", keep)
    with Recorder() as recorder:
        w = torch.ones(3, requires_grad=True)
        loss = (w.exp() * 2).sum()
        loss.backward(retain_graph=True)
    (trace,) = traces
    seen = (trace.steps, list(trace.started), dict(trace.sent), dict(trace.accumulated))
    assert trace.steps == 3 and len(trace.started) == 3 and trace._handles == []
    own = torch_order(loss, loss.backward)  # a second pass, unrecorded, with hooks of ours
    assert own == ["SumBackward0", "MulBackward0", "ExpBackward0"]
    # the recorder's hooks are gone: nothing counted, written down or summarized again
    assert (trace.steps, trace.started, trace.sent, trace.accumulated) == seen
    traces.clear()
    with Recorder(max_nodes=50):  # collapsed: the hidden nodes' shared counting hook too
        h = w * 1
        for _ in range(100):
            h = h * 1.5
        long = h.sum()
        long.backward(retain_graph=True)
    (trace,) = traces
    assert trace.drawn is not None and trace.steps == 102
    long.backward()
    assert trace.steps == 102
    assert recorder.capture.graphs[0].steps == 3


def test_a_collapsed_recurrence_is_traced_on_the_nodes_it_draws():
    with Recorder(max_nodes=200) as recorder:
        w = torch.full((2, 2), 0.5, requires_grad=True)
        h = torch.ones(1, 2)
        for _ in range(300):
            h = torch.tanh(h @ w)
        loss = h.sum()
        loss.backward()
    (graph,) = recorder.capture.graphs
    assert graph.hidden > 0 and len(graph.nodes) <= 200
    functions = [n for n in graph.nodes if n.kind == model.FUNCTION]
    assert all(n.order is not None and n.received for n in functions)
    assert graph.steps == 1 + 300 * 2  # SumBackward0, then MmBackward0 and TanhBackward0 each
    assert max(n.order for n in functions) == graph.steps  # the first step's Mm: the last
    assert by_label(graph, "loss").values == pytest.approx(h.sum().item())
    kept = [n for n in graph.nodes if n.label == "w"]
    assert kept and all(n.grad_values == read_values(w.grad) for n in kept)


def test_values_are_read_only_for_drawn_nodes_of_a_collapsed_graph():
    w = torch.full((2, 2), 0.5, requires_grad=True)
    h = torch.ones(1, 2)
    for _ in range(300):
        h = torch.tanh(h @ w)
    walked = walk([h.sum()])
    drawn = drawn_indices(walked, 100)
    assert drawn is not None and len(drawn) < 100 < len(walked.fields)
    walked.read_values(16, drawn)
    with_values = {i for i, f in enumerate(walked.fields) if "values" in f}
    assert with_values and with_values <= drawn
    assert drawn_indices(walked, None) is None


def test_the_scripts_own_hooks_still_run_and_can_be_removed():
    calls = []
    with Recorder() as recorder:
        w = torch.ones(2, requires_grad=True)
        y = w.exp()
        loss = y.sum()
        before = y.grad_fn.register_prehook(lambda grads: calls.append("before"))
        loss.backward(retain_graph=True)
        after = y.grad_fn.register_hook(lambda grads_in, grads_out: calls.append("after"))
        loss.backward(retain_graph=True)
    assert calls == ["before", "before", "after"]
    before.remove()
    after.remove()
    loss.backward()
    assert calls == ["before", "before", "after"]  # removed by their handles
    assert [g.steps for g in recorder.capture.graphs] == [2, 2]


def test_a_fault_of_the_recorder_never_hides_the_scripts_error(monkeypatch):
    def broken(self):
        raise ValueError("a bug of the recorder's")

    monkeypatch.setattr(backward_trace.BackwardTrace, "mark_failure", broken)
    with Recorder():
        w = torch.ones(2, requires_grad=True)
        loss = (w * w).sum()
        loss.backward()
        with pytest.raises(RuntimeError, match="second time"):
            loss.backward()


def test_a_failed_pass_in_a_collapsed_graph_still_gets_its_advice():
    with Recorder(max_nodes=60) as recorder:
        x = torch.ones(2, requires_grad=True)
        h = x
        for _ in range(100):
            h = (h * h).tanh()  # these save tensors
        for _ in range(100):
            h = h + 1  # these do not: a second pass gets through them, into the middle
        loss = h.sum()
        loss.backward()
        with pytest.raises(RuntimeError, match="second time"):
            loss.backward()
    ran, failed = recorder.capture.graphs
    assert failed.failed and failed.hidden > 0
    assert failed.steps == 1 + 100 + 1  # the sum, the additions, the tanh it failed in
    assert failed.advice == (f"pass retain_graph=True to {ran.title}, the backward that "
                             "freed them")
    assert not any(n.cause for n in failed.nodes)  # the one that failed is collapsed


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_pass_on_cuda_is_traced_on_the_device_thread():
    """CUDA nodes run on autograd's device thread: the hooks must count and summarize there."""
    def build():
        w = torch.tensor([1.0, -2.0, 0.5], device="cuda", requires_grad=True)
        return w, (w * 3 * w).sum()

    w_expected, loss = build()
    expected_order = torch_order(loss, loss.backward)
    with Recorder() as recorder:
        w, loss = build()
        loss.backward()
    (graph,) = recorder.capture.graphs
    node = by_label(graph, "w")
    assert node.device == "cuda:0" and node.values == (1.0, -2.0, 0.5)
    assert node.grad_values == tuple(w_expected.grad.tolist()) == (6.0, -12.0, 3.0)
    assert torch.equal(w.grad, w_expected.grad)
    assert functions_in_order(graph) == expected_order
    assert node.grad_step == graph.steps == len(expected_order)
