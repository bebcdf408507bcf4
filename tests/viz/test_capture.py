"""Capture: example scripts run as ``__main__``, their graphs compared with golden JSON.

Each script in ``tests/viz/scripts/`` shows one thing the picture must get right; its whole
capture (``Capture.to_dict()``, pretty-printed, sorted keys) is the golden
``tests/golden/capture/<script>.json``. After an intended change to capture, regenerate the
goldens and read the diff before committing:

    AUTOGRAD_LAB_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/viz/test_capture.py

With the variable set, the golden tests write the files and pass; without it a missing or
different golden fails. The ``test_<script>_*`` tests below state what each golden must say
(names, leaf or not, freed, no grad, locations...), so a regeneration cannot quietly make a
golden say something false.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import pytest
import torch

from autograd_lab.errors import ScriptMissing
from autograd_lab.viz import model
from autograd_lab.viz.capture import Names, capture_graph
from autograd_lab.viz.model import Graph, Node
from autograd_lab.viz.script import run_script

SCRIPTS = Path(__file__).resolve().parent / "scripts"
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "capture"
REGEN = os.environ.get("AUTOGRAD_LAB_REGEN_GOLDEN") == "1"
GOLDEN_SCRIPTS = ["two_layer", "retain_then_free", "fails_second_backward", "no_grad_detach",
                  "custom_function", "two_roots", "inplace_view", "create_graph",
                  "two_losses", "weight_twice", "mlp_step"]


def capture_json(name: str, *args: str, **options) -> tuple[model.Capture, str]:
    capture = run_script(SCRIPTS / f"{name}.py", list(args), **options)
    data = capture.to_dict()
    data["script"] = f"{name}.py"  # the path as given differs from checkout to checkout
    return capture, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def by_label(graph: Graph, label: str, kind: str = model.TENSOR) -> Node:
    found = [n for n in graph.nodes if n.label == label and n.kind == kind]
    assert len(found) == 1, f"{len(found)} {kind} nodes labelled {label!r} in {graph.title}"
    return found[0]


def inputs_of(graph: Graph, node: Node, kind: str = model.INPUT) -> list[Node]:
    return [graph.node(e.source) for e in graph.edges if e.target == node.id and e.kind == kind]


def producer(graph: Graph, tensor: Node) -> Node:
    (fn,) = [graph.node(e.source) for e in graph.edges
             if e.target == tensor.id and e.kind == model.OUTPUT]
    return fn


@pytest.mark.parametrize("name", GOLDEN_SCRIPTS)
def test_capture_matches_golden(name):
    _, text = capture_json(name)
    path = GOLDEN / f"{name}.json"
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden {path}; run with AUTOGRAD_LAB_REGEN_GOLDEN=1 to write it"
    golden = path.read_text(encoding="utf-8")
    if text != golden:  # values may differ in the last bits on another CPU: only they may
        difference = first_difference(json.loads(text), json.loads(golden))
        assert difference is None, (
            f"{name}: capture differs from its golden at {difference}; if the change is "
            "intended, regenerate (AUTOGRAD_LAB_REGEN_GOLDEN=1) and read the diff")


def first_difference(got, want, where: str = "$") -> str | None:
    """Where ``got`` and ``want`` (JSON data) differ, or None. Floats may differ by a relative
    1e-5: two_layer.py and retain_then_free.py draw seeded ``randn`` and multiply matrices, whose
    float32 results can change in the last bits with the CPU's vector unit (the BLAS kernel
    chosen); anything else must be equal."""
    if isinstance(got, float) and isinstance(want, float):
        return None if math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-7) else where
    if type(got) is not type(want):
        return where
    if isinstance(got, dict):
        if got.keys() != want.keys():
            return f"{where} (keys)"
        for key in got:
            found = first_difference(got[key], want[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(got, list):
        if len(got) != len(want):
            return f"{where} (length)"
        for i, (a, b) in enumerate(zip(got, want)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if got == want else where


def test_golden_comparison_allows_only_float_noise():
    """The tolerance above lets last-bit noise through and nothing else."""
    assert first_difference({"a": [1.0, "x"]}, {"a": [1.0 + 1e-9, "x"]}) is None
    assert first_difference({"a": [1.0, "x"]}, {"a": [1.01, "x"]}) == "$.a[0]"
    assert first_difference({"a": [1.0, "x"]}, {"a": [1.0, "y"]}) == "$.a[1]"
    assert first_difference({"a": 1}, {"a": 1.0}) == "$.a"
    assert first_difference({"a": 1}, {"b": 1}) == "$ (keys)"


def test_same_script_twice_gives_identical_json():
    for name in ("two_layer", "inplace_view", "create_graph"):
        assert capture_json(name)[1] == capture_json(name)[1], name


def test_two_layer_names_leaves_and_locations():
    capture = run_script(SCRIPTS / "two_layer.py")
    (graph,) = capture.graphs  # the end-of-script graph is the one backward ran on: not again
    assert graph.title == "loss.backward() at two_layer.py:14" and graph.count == 1
    for name, shape in (("w1", (3, 5)), ("w2", (5, 2))):
        leaf = by_label(graph, name)
        assert (leaf.shape, leaf.is_leaf, leaf.requires_grad, leaf.has_grad) == (
            shape, True, True, True), leaf
    for name in ("x", "y"):  # inputs that do not require grad: linked only because seen
        constant = by_label(graph, name)
        assert not constant.grad_enabled and constant.requires_grad is False, constant
    for name, op, line in (("h", "MmBackward0", 10), ("h_relu", "ClampBackward1", 11),
                           ("y_pred", "MmBackward0", 12), ("loss", "SumBackward0", 13)):
        tensor = by_label(graph, name)
        assert tensor.is_leaf is False and not tensor.has_grad, tensor
        fn = producer(graph, tensor)
        assert (fn.label, fn.location) == (op, f"two_layer.py:{line}"), fn
    assert by_label(graph, "loss").is_root
    assert [n.label for n in inputs_of(graph, producer(graph, by_label(graph, "h")))] == [
        "w1", "x"]
    saved = [n for n in graph.nodes if n.kind == model.SAVED]
    assert saved and all(n.freed and n.shape is not None for n in saved)  # shapes as saved
    assert {n.note for n in saved} >= {"= x", "= h", "= h_relu", "= w2"}


def test_retain_graph_keeps_saved_tensors_until_the_backward_that_frees_them():
    capture = run_script(SCRIPTS / "retain_then_free.py")
    kept, freed = capture.graphs
    assert kept.title.endswith("retain_then_free.py:10") and freed.title.endswith(":11")
    assert [n.freed for n in kept.nodes if n.kind == model.SAVED] == [False, False]
    assert [n.freed for n in freed.nodes if n.kind == model.SAVED] == [True, True]
    h = by_label(kept, "h")
    assert h.retains_grad and h.has_grad and not h.is_leaf
    assert by_label(kept, "result", model.SAVED).note == "this function's output"


def test_saved_tensors_drawn_after_backward_freed_them_keep_what_was_seen():
    w, x = torch.randn(3, requires_grad=True), torch.randn(3)
    names = Names()
    names.add(w, "w")
    names.add(x, "x")
    loss = (w * x).sum()

    def saved(graph):
        return [(n.label, n.shape, n.note, n.freed) for n in graph.nodes
                if n.kind == model.SAVED]

    before = saved(capture_graph([loss], names=names))
    loss.backward()
    after = saved(capture_graph([loss], names=names))
    assert ("other", (3,), "= x", False) in before  # x is saved to give w its gradient
    assert after == [(label, shape, note, True) for label, shape, note, _ in before]


def test_failing_second_backward_keeps_the_capture_and_the_error():
    capture = run_script(SCRIPTS / "fails_second_backward.py")
    assert capture.error.startswith("Traceback (most recent call last):\n"
                                    '  File "fails_second_backward.py", line 7, in <module>\n'
                                    "    loss.backward()\nRuntimeError: Trying to backward "
                                    "through the graph a second time")
    ran, failed = capture.graphs  # the failed pass is never merged with the one that ran
    assert (ran.count, ran.failed) == (1, False)
    assert ran.title == "loss.backward() at fails_second_backward.py:6"
    assert (failed.count, failed.failed) == (1, True)
    assert failed.title == "loss.backward() at fails_second_backward.py:7"
    for graph in (ran, failed):
        saved = [n for n in graph.nodes if n.kind == model.SAVED]
        assert [(n.label, n.freed, n.shape) for n in saved] == [("other", True, (3,)),
                                                                 ("self", True, (3,))]
        w = by_label(graph, "w")
        assert w.has_grad and [e.target for e in graph.edges if e.source == w.id] == ["f2", "f2"]


def test_no_grad_and_detach_results_are_drawn_without_grad():
    (graph,) = run_script(SCRIPTS / "no_grad_detach.py").graphs
    assert graph.title == "y at the end"
    notes = {name: by_label(graph, name).note for name in ("c", "d", "k")}
    assert notes == {"c": "made under torch.no_grad()", "d": "made by detach()", "k": ""}
    for name in ("c", "d", "k"):
        node = by_label(graph, name)
        assert not node.grad_enabled and node.requires_grad is False and node.is_leaf, node
    w = by_label(graph, "w")
    assert w.grad_enabled and w.requires_grad and not w.has_grad  # backward never ran


def test_custom_function_node():
    (graph,) = run_script(SCRIPTS / "custom_function.py").graphs
    fn = by_label(graph, "MyReLUBackward", model.FUNCTION)
    assert fn.custom and fn.location == "custom_function.py:19"
    (saved,) = inputs_of(graph, fn, model.SAVED_BY)
    assert (saved.label, saved.shape, saved.freed) == ("saved_tensors[0]", (3, 2), True)
    assert [n.label for n in inputs_of(graph, fn)] == ["MmBackward0"]
    assert not any(n.custom for n in graph.nodes if n is not fn)


def test_two_roots_share_one_graph():
    (graph,) = run_script(SCRIPTS / "two_roots.py").graphs
    assert graph.title == "y1, y2 at the end"
    assert [n.label for n in graph.nodes if n.is_root] == ["y1", "y2"]
    w = by_label(graph, "w")  # one leaf, used by both
    assert sorted(graph.node(e.target).label for e in graph.edges if e.source == w.id) == [
        "MulBackward0", "PowBackward0"]


def test_in_place_op_on_a_view_is_copyslices():
    backward, end = run_script(SCRIPTS / "inplace_view.py").graphs
    copy = by_label(backward, "CopySlices", model.FUNCTION)
    assert copy.location == "inplace_view.py:7" and "view" in copy.note
    a = by_label(backward, "a")
    assert producer(backward, a) is copy and a.version == 1  # b.mul_(2) wrote into a
    assert by_label(backward, "w").version == 0
    b = by_label(end, "b")
    assert b.note == "view of a" and b.is_root and b.version == 1


def test_create_graph_marks_the_nodes_the_backward_pass_made():
    first, second, end = run_script(SCRIPTS / "create_graph.py").graphs
    assert first.title == "torch.autograd.grad(y) at create_graph.py:6"
    assert not any(n.freed for n in first.nodes)  # create_graph=True retains the graph
    assert second.title == "dy_dx.backward() at create_graph.py:7"
    made = [n for n in second.nodes if n.kind == model.FUNCTION]
    assert [n.label for n in made] == ["MulBackward0", "MulBackward1", "PowBackward0"]
    assert all(n.location == "create_graph.py:6" and "create_graph=True" in n.note
               for n in made)
    assert by_label(second, "x").has_grad
    assert {n.label for n in end.nodes if n.is_root} == {"y", "dy_dx"}


def test_training_loop_is_one_graph_counted_500_times():
    capture = run_script(SCRIPTS / "training_loop.py", ["500"])
    assert (len(capture.graphs), capture.omitted, capture.error) == (1, 0, "")
    (graph,) = capture.graphs
    assert graph.count == 500 and graph.title == "loss.backward() at training_loop.py:15"
    assert {n.label for n in graph.nodes if n.kind == model.TENSOR} == {
        "loss", "model.weight", "model.bias", "x", "target"}


def test_dynamic_graphs_are_kept_up_to_the_bound_and_the_rest_counted():
    capture = run_script(SCRIPTS / "dynamic.py", ["30"], max_graphs=20)
    # step % 25 multiplications: 25 distinct graphs at backward(), 1 more (y) at the end
    assert len(capture.graphs) == 20 and capture.omitted == 6
    assert [g.count for g in capture.graphs[:6]] == [2, 2, 2, 2, 2, 1]
    assert len({json.dumps(g.to_dict()) for g in capture.graphs}) == 20


def test_script_without_a_graph_gives_an_empty_capture():
    capture = run_script(SCRIPTS / "no_graph.py")
    assert (capture.graphs, capture.omitted, capture.error) == ([], 0, "")


def test_script_runs_as_main_with_its_arguments_and_folder(tmp_path):
    (tmp_path / "helper.py").write_text("FACTOR = 3.0\n")
    script = tmp_path / "args.py"
    script.write_text("import sys, torch\nfrom helper import FACTOR\n"
                      "assert __name__ == '__main__', __name__\n"
                      "w = torch.ones(int(sys.argv[1]), requires_grad=True)\n"
                      "out = (w * FACTOR).sum()\nsys.exit(0)\n")
    argv, path = sys.argv[:], sys.path[:]
    capture = run_script(script, ["4"])
    assert (sys.argv, sys.path) == (argv, path)
    sys.modules.pop("helper", None)
    assert capture.error == ""  # SystemExit(0) is not an error
    (graph,) = capture.graphs
    assert by_label(graph, "w").shape == (4,) and graph.title == "out at the end"


def test_script_exit_code_and_errors_are_reported(tmp_path):
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(3)\n")
    assert run_script(script).error.endswith("SystemExit: 3")
    broken = tmp_path / "broken.py"
    broken.write_text("x = (\n")
    error = run_script(broken).error
    assert "SyntaxError" in error and str(tmp_path) not in error


def test_missing_script_is_a_named_error(tmp_path):
    with pytest.raises(ScriptMissing, match="nothere.py"):
        run_script(tmp_path / "nothere.py")
    with pytest.raises(ScriptMissing, match="folder"):
        run_script(tmp_path)


def test_capture_graph_api_names_and_saved():
    x = torch.ones(2, 3)
    w = torch.ones(3, 4, requires_grad=True)
    h = x @ w
    loss = h.sum()
    plain = capture_graph([loss], names={id(w): "w", id(loss): "loss", id(h): "h"}, title="t")
    assert plain.title == "t" and [n.label for n in plain.nodes if n.kind == model.TENSOR] == [
        "loss", "w"]  # a plain dict of ids names leaves and roots, not non-leaves
    names = Names()
    for value, name in ((w, "w"), (loss, "loss"), (h, "h"), (h, "hidden")):
        names.add(value, name)
    graph = capture_graph([loss], names=names)
    assert by_label(graph, "h, hidden").shape == (2, 4)
    assert any(n.kind == model.SAVED for n in graph.nodes)
    bare = capture_graph(loss, saved=False)
    assert not any(n.kind == model.SAVED for n in bare.nodes)
    assert [n.kind for n in bare.nodes] == ["function", "tensor", "function", "tensor"]
    with pytest.raises(TypeError, match=r"roots\[1\] is int"):
        capture_graph([loss, 3])


def test_capture_of_a_leaf_root_and_of_a_tensor_without_grad():
    w = torch.ones(2, requires_grad=True)
    (node,) = capture_graph([w], names={id(w): "w"}).nodes
    assert node.is_root and node.is_leaf and node.grad_enabled
    (const,) = capture_graph([torch.zeros(3)]).nodes
    assert not const.grad_enabled and const.requires_grad is False


def test_docs_example_is_what_demo_py_writes():
    """docs/graph-json.md's example is the JSON that tests/viz/scripts/demo.py gives, and what
    its prose says of it holds: torch's own gradient of sum((3w)^2) is 18w."""
    docs = (GOLDEN.parent.parent.parent / "docs" / "graph-json.md").read_text(encoding="utf-8")
    example = docs.split("```json\n")[1].split("```")[0]
    capture = run_script(SCRIPTS / "demo.py")
    capture.script = "demo.py"
    from autograd_lab.viz.render_json import to_json
    assert example == to_json(capture)
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    ((w * 3) ** 2).sum().backward()
    (graph,) = capture.graphs
    assert list(by_label(graph, "w").grad_values) == w.grad.tolist() == [18.0, 36.0]
    orders = {n.label: n.order for n in graph.nodes if n.kind == model.FUNCTION}
    assert orders == {"SumBackward0": 1, "PowBackward0": 2, "MulBackward0": 3}
    (number,) = [n for n in graph.nodes if n.kind == model.SAVED and n.number]
    assert number.values == 3
