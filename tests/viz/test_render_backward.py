"""The picture of a backward pass (hand-built models from ``conftest.py``): the ids the HTML
page finds, values and ``.grad``, step badges, source lines in every format, gradients on
edges, saved tensors freed by which backward and the cause, a failed backward's error and
advice, the script's error banner, and a legend of exactly the marks used.

The golden DOT files of these cases are checked with the others in ``test_render.py``.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd_lab.viz import output
from autograd_lab.viz.model import FUNCTION, TENSOR, Capture, Edge, Grad, Graph, Node
from autograd_lab.viz.render_dot import MAX_EDGE_LABELS, html, to_dot
from autograd_lab.viz.render_node import tensor_grad_lines
from autograd_lab.viz.render_notes import MAX_NOTE_LINES, MAX_NOTE_WIDTH, error_lines
from autograd_lab.viz.render_styles import MARKS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")

def _node_line(text: str, node_name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f'    "{node_name}" ['))


def _edge_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if " -> " in line]


def test_ids_of_nodes_edges_and_clusters(golden_case):
    """The contract with the HTML page: node id g{i}_{node id}, edge id g{i}_e{k} (k: index
    in graph.edges), cluster id g{i}; each once."""
    name, capture = golden_case
    text = to_dot(capture)
    for i, graph in enumerate(capture.graphs):
        assert text.count(f'    id="g{i}";') == 1
        for node in graph.nodes:
            assert f'"g{i}_{node.id}" [id="g{i}_{node.id}", ' in text
        lines = [line for line in _edge_lines(text) if f'id="g{i}_e' in line]
        assert len(lines) == len(graph.edges)
        for k, edge in enumerate(graph.edges):
            line = next(line for line in lines if f'[id="g{i}_e{k}"' in line)
            ends = {f'"g{i}_{edge.source}"', f'"g{i}_{edge.target}"'}  # flipped: either way
            assert {end.strip() for end in line.split(" [")[0].split(" -> ")} == ends


@needs_dot
def test_ids_reach_the_svg(cases):
    capture = cases["failed_double_backward"]()
    root = ET.fromstring(output.render(capture, "svg"))
    ids = {element.get("id") for element in root.iter() if element.tag.endswith("}g")}
    for i, graph in enumerate(capture.graphs):
        want = {f"g{i}"} | {f"g{i}_{n.id}" for n in graph.nodes}
        want |= {f"g{i}_e{k}" for k in range(len(graph.edges))}
        assert want <= ids, f"not in the SVG: {sorted(want - ids)}"


@needs_dot
def test_locations_and_values_are_text_in_every_format(tmp_path, cases):
    """Source lines and values are in the labels themselves (drawn in PNG and PDF), not only
    in SVG tooltips: they are <text> of the SVG, and the PNG renders."""
    capture = cases["values_and_grads"]()
    labels = re.findall(r"label=<(.*?)>, shape", to_dot(capture))
    assert any("values.py:3" in label for label in labels)
    svg = ET.fromstring(output.render(capture, "svg"))
    texts = {(t.text or "").strip() for t in svg.iter() if t.tag.endswith("}text")}
    assert {"values.py:3", "[1, 2]", "grad = [3, 3]", "9.5", "3"} <= texts
    png = output.write(capture, tmp_path / "values.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_function_nodes_carry_their_step(cases):
    capture = cases["weight_used_twice"]()
    text = to_dot(capture)
    for node in capture.graphs[0].nodes:
        if node.kind == FUNCTION:
            line = _node_line(text, f"g0_{node.id}")
            assert f"<B>{node.order}</B></FONT></TD><TD>{node.label}</TD>" in line
            assert f"step {node.order} of the backward pass" in line  # and in the tooltip


def test_function_not_run_has_no_step(cases):
    """The failed pass never ran MulBackward0: no badge on it, one on SumBackward0."""
    text = to_dot(cases["failed_double_backward"]())
    assert "<TABLE" not in _node_line(text, "g1_f3") and "step" not in _node_line(text, "g1_f3")
    assert "<B>1</B>" in _node_line(text, "g1_f5")


def _edge_label_values(line: str) -> list[float]:
    body = re.search(r'label=<<FONT POINT-SIZE="9" COLOR="#\w+">\[(.*?)\]</FONT>>', line)
    return [float(v) for v in body.group(1).split(", ")]


def test_weight_used_twice_shows_both_gradients_and_their_sum(cases):
    capture = cases["weight_used_twice"]()
    graph, text = capture.graphs[0], to_dot(capture)
    w = graph.node("t0")
    sent = [_edge_label_values(line) for line in _edge_lines(text)
            if line.startswith('    "g0_t0" -> ')]
    assert len(sent) == 2  # one gradient per use
    total = [a + b for a, b in zip(*sent)]
    assert total == list(w.grad_values)  # .grad is their sum: autograd adds them
    assert f"grad = [{', '.join(f'{v:g}' for v in total)}]" in _node_line(text, "g0_t0")


def test_edges_without_gradient_have_no_label(cases):
    text = to_dot(cases["failed_double_backward"]())
    # the failed pass sent nothing to x (it raised in MulBackward0), nothing along saved edges
    x_edge = next(line for line in _edge_lines(text) if line.startswith('    "g1_t0" -> '))
    assert "label=" not in x_edge
    assert all("label=" not in line for line in _edge_lines(text) if "dashed" in line)


def test_failed_backward_says_so_with_its_whole_error_and_advice(cases):
    capture = cases["failed_double_backward"]()
    text = to_dot(capture)
    clusters = text.split("  subgraph cluster_")[1:]
    assert "FAILED" not in clusters[0] and "FAILED" in clusters[1]
    title = clusters[1].split("\n")[2]
    shown = " ".join(re.findall(r'<FONT POINT-SIZE="10" COLOR="#c92a2a">([^<]*)</FONT>', title))
    assert shown == capture.graphs[1].error  # wrapped (each line <= 90), never cut
    assert all(len(part) <= 90 for part in re.findall(r">([^<>]+)</FONT>", title))
    assert capture.graphs[1].advice in " ".join(re.findall(r"<B>([^<]*)</B>", title))


def test_cause_is_red_and_says_why(cases):
    text = to_dot(cases["failed_double_backward"]())
    for saved_id in ("s1", "s2"):
        first, second = _node_line(text, f"g0_{saved_id}"), _node_line(text, f"g1_{saved_id}")
        assert "the cause" not in first and "freed" not in first  # alive after pass 1
        assert 'fillcolor="#ffe3e3", color="#c92a2a"' in second and "the cause" in second
        assert "freed by z.backward() at twice.py:4" in second


def test_freed_by_unknown_backward(cases):
    """Without a freed_by title the saved tensor reads 'freed by backward()', as before."""
    text = to_dot(cases["freed_saved"]())
    assert "freed by backward()" in _node_line(text, "g1_s1")


def test_number_reads_as_the_constant_even_if_freed(cases):
    capture = cases["wrapped_number"]()
    graph = capture.graphs[0]
    graph.nodes[1] = dataclasses.replace(graph.nodes[1], freed=True)
    line = _node_line(to_dot(capture), "g0_s1")
    assert line.split("label=<")[1].startswith("<B>3</B>")
    assert "freed" not in line and "int64" not in line.split("tooltip")[0]
    assert "the Python number 3" in line


def test_values_rounded_in_labels():
    node = Node("t0", TENSOR, "p", shape=(3,), is_leaf=True, requires_grad=True,
                values=(1 / 3, -0.0, float("nan")))
    text = to_dot(Capture([Graph([node], [], "p")]))
    assert "[0.3333, 0, nan]" in text


def test_many_edge_gradients_go_to_tooltips(chain_capture):
    """Past MAX_EDGE_LABELS, gradients are edge tooltips (dot lays labels out as nodes)."""
    capture = chain_capture(MAX_EDGE_LABELS + 10)
    graph = capture.graphs[0]
    graph.edges = [e._replace(grad=Grad((8,), 2.0)) for e in graph.edges]
    text = to_dot(capture)
    edges = _edge_lines(text)
    assert not any("label=" in line for line in edges)
    assert all('tooltip="gradient sent back: (8,) · ‖g‖ = 2"' in line for line in edges)
    assert "hover over the edge" in text and "summed in its .grad" not in text
    graph.edges = graph.edges[:MAX_EDGE_LABELS]
    assert sum("label=" in line for line in _edge_lines(to_dot(capture))) == MAX_EDGE_LABELS


def test_steps_do_not_defeat_the_cache(chain_capture):
    """A recurrence's functions differ only in their step: rendered once, step put in."""
    from autograd_lab.viz import render_dot
    capture = chain_capture(500)
    graph = capture.graphs[0]
    graph.nodes = [dataclasses.replace(n, order=len(graph.nodes) - i, location="loop.py:3")
                   if n.kind == FUNCTION else n for i, n in enumerate(graph.nodes)]
    rendered = []
    original = render_dot.node_attrs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_dot, "node_attrs", lambda *a: rendered.append(a) or original(*a))
        text = to_dot(capture)
    assert len(rendered) == 3  # x, y, and one MulBackward0 for all 498
    for i in (1, 250, 498):
        assert f"<B>{500 - i}</B>" in _node_line(text, f"g0_f{i}")


def _legend(text: str) -> str:
    # from the legend's title to the end of the drawing's label (the legend ends it)
    return text.split("<B>Legend</B>")[1].split(">];")[0] if "<B>Legend</B>" in text else ""


def _marks_used(capture: Capture) -> set[str]:
    """Which legend marks the picture of ``capture`` needs, worked out from the model."""
    marks = set()
    for graph in capture.graphs:
        for n in graph.nodes:
            has_line = n.grad_values is not None or n.grad_norm is not None
            if n.values is not None and not n.number:
                marks.add("values")
            if has_line:
                before = n.grad_before
                moved = before is not None and not (before.values is not None
                                                    and before.values == n.grad_values)
                marks.add("grad_before" if moved else "grad")
            if n.kind == FUNCTION:
                marks |= {"step"} if n.order is not None else set()
                marks |= {"location"} if n.location else set()
            if n.kind == TENSOR:
                marks |= {"flag_requires_grad"} if n.requires_grad and n.is_leaf else set()
                marks |= {"flag_retains_grad"} if n.retains_grad else set()
                marks |= {"flag_grad"} if n.has_grad and not has_line else set()
                marks |= {"flag_version"} if n.version else set()
        if any(e.grad is not None for e in graph.edges):
            marks.add("edge_grad")
    return marks


def test_legend_lists_each_mark_iff_used(golden_case):
    name, capture = golden_case
    legend = _legend(to_dot(capture))
    used = _marks_used(capture)
    for key, (_, meaning) in MARKS.items():
        assert (html(meaning) in legend) == (key in used), (name, key)


def test_legend_explains_cause_number_and_versions(cases):
    legend = _legend(to_dot(cases["failed_double_backward"]()))
    assert "the cause: freed, yet needed by this failed backward" in legend
    legend = _legend(to_dot(cases["wrapped_number"]()))
    assert "a Python number the op kept" in legend
    assert "version counter, bumped by each in-place change" in legend
    assert "the cause" not in legend


def test_error_banner_wraps_and_keeps_the_message(cases):
    lines = error_lines(cases["long_error"]().error)
    second_time = cases["failed_double_backward"]().graphs[1].error  # torch's message
    assert all(len(line) <= MAX_NOTE_WIDTH for line in lines)
    assert len(lines) <= MAX_NOTE_LINES
    message = " ".join(line.strip() for line in lines[lines.index(next(
        l for l in lines if l.startswith("RuntimeError"))):])
    assert message == f"RuntimeError: {second_time}"  # whole, words in order
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "deep.py", line 1, in level1'  # the first frame kept
    assert lines[-5] == "    level21()"  # the last frame's code, just before the message


def test_error_banner_short_error_unchanged():
    error = 'Traceback (most recent call last):\n  File "a.py", line 2\nValueError: no'
    assert error_lines(error) == error.split("\n")
    long_message = "x " * 200  # no traceback: all of it is the message, wrapped, kept
    assert " ".join(error_lines(long_message)).split() == long_message.split()


@pytest.mark.parametrize("fields, lines", [
    # too large for values: the norms; ||2 * ones(100, 100)|| = 200 after a second pass
    ({"grad_norm": 200.0, "grad_before": Grad((100, 100), 100.0)}, ["grad ‖g‖ 100 → 200"]),
    # too long for one line: before and after on two
    ({"grad_values": tuple(float(i) + 0.5 for i in range(8)), "grad_norm": 1.0,
      "grad_before": Grad((8,), 1.0, tuple(float(i) + 0.25 for i in range(8)))},
     ["grad before: [0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25]",
      "grad after: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]"]),
    ({"grad_norm": 3.5}, ["grad ‖g‖ = 3.5"]),
])
def test_tensor_grad_lines(fields, lines):
    node = Node("t0", TENSOR, "w", shape=(8,), is_leaf=True, has_grad=True, **fields)
    assert tensor_grad_lines(node)[0] == lines


def test_shared_copies_with_values_keep_their_own_use_and_values(cases):
    capture = cases["shared_leaf"]()
    graph = capture.graphs[0]
    graph.nodes = [dataclasses.replace(n, values=(float(i), 1.0)) if n.label in ("w", "u") else n
                   for i, n in enumerate(graph.nodes)]
    text = to_dot(capture)
    for i, node in enumerate(graph.nodes[:5]):
        line = _node_line(text, f"g0_{node.id}")
        assert f"(use {node.use[0]}/{node.use[1]})" in line and f">[{i}, 1]</FONT>" in line


def test_lists_instead_of_tuples_still_draw():
    """A model read back from JSON holds lists (not hashable): drawn all the same, uncached."""
    nodes = [Node("t0", TENSOR, "w", shape=(2,), is_leaf=True, requires_grad=True,
                  values=[1.0, 2.0], grad_values=[3.0, 3.0], grad_norm=4.243,
                  grad_before=Grad([2], 2.0, [1.0, 1.0])),
             Node("f1", FUNCTION, "SumBackward0", order=1, location="a.py:1")]
    graph = Graph(nodes, [Edge("t0", "f1", grad=Grad([2], 1.414, [1.0, 1.0]))], "lists")
    text = to_dot(Capture([graph]))
    assert ">[1, 2]</FONT>" in text and "grad [1, 1] → [3, 3]" in text and ">[1, 1]<" in text
