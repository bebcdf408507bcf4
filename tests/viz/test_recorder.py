"""The recorder: patching backward/grad, locations, names, counting, the graph bound.

These tests record code in the test functions themselves (``script_file=None``: the first
frame outside torch and autograd_lab is "the script"), so locations are lines of this file.
"""

from __future__ import annotations

import sys

import pytest
import torch

from autograd_lab.viz import model
from autograd_lab.viz.torch_graph import LOCATION_KEY
from autograd_lab.viz.recorder import Recorder, capture_names

HERE = "test_recorder.py"


def line_of(marker: str) -> int:
    """The line of this file that contains ``marker`` (in a trailing comment)."""
    with open(__file__, encoding="utf-8") as source:
        for number, text in enumerate(source, 1):
            if text.rstrip().endswith(f"# {marker}"):
                return number
    raise AssertionError(f"no line marked {marker!r}")


def test_backward_grad_and_apply_are_patched_and_restored():
    originals = (torch.autograd.backward, torch.autograd.grad,
                 torch.autograd.Function.__dict__["apply"])
    with pytest.raises(ZeroDivisionError):
        with Recorder() as recorder:
            assert torch.autograd.backward is not originals[0]
            assert torch.autograd.grad is not originals[1]
            w = torch.ones(2, requires_grad=True)
            (w * 3).sum().backward()
            1 / 0
    assert (torch.autograd.backward, torch.autograd.grad,
            torch.autograd.Function.__dict__["apply"]) == originals
    assert len(recorder.capture.graphs) == 1
    assert torch.overrides._get_current_function_mode() is None


def test_recording_does_not_change_gradients():
    def run():
        torch.manual_seed(0)
        w = torch.randn(3, 3, requires_grad=True)
        loss = torch.tanh(w @ w).pow(2).sum()
        (g,) = torch.autograd.grad(loss, w, create_graph=True)
        g.sum().backward()
        return w.grad

    expected = run()
    with Recorder():
        got = run()
    assert torch.equal(expected, got)


def test_locations_titles_and_names_come_from_the_calling_code():
    with Recorder() as recorder:
        weight = torch.ones(3, requires_grad=True)
        scaled = weight * 2  # scaled
        total = scaled.sum()  # total
        total.backward()  # backward
    (graph,) = recorder.capture.graphs
    assert graph.title == f"total.backward() at {HERE}:{line_of('backward')}"
    locations = {n.label: n.location for n in graph.nodes if n.kind == model.FUNCTION}
    assert locations == {"MulBackward0": f"{HERE}:{line_of('scaled')}",
                         "SumBackward0": f"{HERE}:{line_of('total')}"}
    assert {n.label for n in graph.nodes if n.kind == model.TENSOR} == {
        "weight", "scaled", "total"}


def test_a_python_op_made_of_several_nodes_gets_one_line():
    with Recorder() as recorder:
        x = torch.ones(2, 3, requires_grad=True)
        y = torch.nn.functional.normalize(x, dim=1)  # normalize
        y.sum().backward()
    (graph,) = recorder.capture.graphs
    inner = [n for n in graph.nodes if n.kind == model.FUNCTION and n.label != "SumBackward0"]
    assert len(inner) >= 2  # normalize is several ops in one call
    assert {n.location for n in inner} == {f"{HERE}:{line_of('normalize')}"}


def test_nodes_made_before_recording_get_no_location():
    w = torch.ones(2, requires_grad=True)
    before = w * 2
    with Recorder() as recorder:
        after = before + 1  # after
        after.sum().backward()
    assert LOCATION_KEY not in before.grad_fn.metadata
    (graph,) = recorder.capture.graphs
    locations = {n.label: n.location for n in graph.nodes if n.kind == model.FUNCTION}
    assert locations["MulBackward0"] is None
    assert locations["AddBackward0"] == f"{HERE}:{line_of('after')}"


def test_custom_function_gets_its_line():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    with Recorder() as recorder:
        x = torch.ones(2, requires_grad=True)
        y = Square.apply(x)  # apply
        y.sum().backward()
    (graph,) = recorder.capture.graphs
    (node,) = [n for n in graph.nodes if n.custom]
    assert (node.label, node.location) == ("SquareBackward", f"{HERE}:{line_of('apply')}")


def test_same_structure_is_counted_distinct_ones_bounded():
    with Recorder(max_graphs=2) as recorder:
        w = torch.ones(2, requires_grad=True)
        for step in range(12):
            y = w
            for _ in range(step % 4):  # 4 distinct graphs, 3 times each
                y = y * 2
            y.sum().backward()
    capture = recorder.capture
    assert [g.count for g in capture.graphs] == [3, 3]
    assert capture.omitted == 2


def test_namespace_graphs_are_added_once():
    recorder = Recorder()
    with recorder:
        w = torch.ones(2, requires_grad=True)
        loss = (w * 2).sum()
        loss.backward()
        v = torch.ones(2, requires_grad=True)
        other = (v + 1).mean()
    recorder.add_namespace({"w": w, "loss": loss, "v": v, "other": other})
    titles = [g.title for g in recorder.capture.graphs]
    assert titles[1:] == ["other at the end"]  # loss's graph was recorded at backward()
    assert recorder.capture.graphs[1].count == 1


def test_recorder_cannot_be_nested_and_checks_arguments():
    recorder = Recorder()
    with recorder:
        with pytest.raises(RuntimeError, match="already recording"):
            recorder.__enter__()
    with pytest.raises(ValueError, match="max_graphs"):
        Recorder(max_graphs=-1)
    with pytest.raises(ValueError, match="max_nodes=1"):
        Recorder(max_nodes=1)
    with pytest.raises(ValueError, match="values=-1"):
        Recorder(values=-1)


def test_capture_names_from_frames_files_and_namespaces():
    model_ = torch.nn.Linear(2, 1)
    params = [torch.zeros(1), torch.ones(1)]
    table = {"h": torch.ones(3)}
    alias = params[0]
    names = capture_names([sys._getframe()])
    assert names[id(model_.weight)] == "model_.weight"
    assert names[id(params[1])] == "params[1]"
    assert names[id(alias)] == "alias"  # a direct name wins over a path into a container
    assert names[id(table["h"])] == "table['h']"
    assert names.tensors[id(alias)] is alias
    assert capture_names(__file__)[id(alias)] == "alias"
    both = torch.ones(1)
    assert capture_names({"a": both, "b": both})[id(both)] == "a, b"
    with pytest.raises(TypeError, match="got an item of type int"):
        capture_names([1])
