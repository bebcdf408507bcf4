"""`autograd-lab graph` end to end, and the notebook API (`draw`, `capture`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import autograd_lab
from autograd_lab.cli import cli

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def graph(runner, tmp_path, *args):
    out = tmp_path / "out.json"
    result = runner.invoke(cli, ["graph", *args, "-o", str(out)])
    data = json.loads(out.read_text()) if out.exists() else None
    return result, data


def test_draws_a_training_loop_once_marked_with_its_count(runner, tmp_path):
    result, data = graph(runner, tmp_path, str(SCRIPTS / "training_loop.py"), "50")
    assert result.exit_code == 0, result.output
    assert [g["count"] for g in data["graphs"]] == [50]
    assert "x50" in result.output


def test_names_come_from_the_script_and_lines_from_its_source(runner, tmp_path):
    result, data = graph(runner, tmp_path, str(SCRIPTS / "two_layer.py"))
    assert result.exit_code == 0, result.output
    nodes = data["graphs"][0]["nodes"]
    labels = {n["label"] for n in nodes if n["kind"] == "tensor"}
    assert {"w1", "w2", "loss"} <= labels
    assert any(n["kind"] == "function" and n["location"] and "two_layer.py:" in n["location"]
               for n in nodes)


def test_a_script_failing_midway_keeps_what_was_captured(runner, tmp_path):
    result, data = graph(runner, tmp_path, str(SCRIPTS / "fails_second_backward.py"))
    assert result.exit_code == 1
    assert "backward through the graph a second time" in result.output
    assert "fails_second_backward.py" in data["error"]
    saved = [n for g in data["graphs"] for n in g["nodes"] if n["kind"] == "saved"]
    assert saved and all(n["freed"] for n in saved)


def test_a_script_without_any_graph_exits_1(runner, tmp_path):
    result, _ = graph(runner, tmp_path, str(SCRIPTS / "no_graph.py"))
    assert result.exit_code == 1
    assert "No autograd graph to draw" in result.output


def test_a_missing_script_exits_2(runner, tmp_path):
    result, _ = graph(runner, tmp_path, str(tmp_path / "nope.py"))
    assert result.exit_code == 2
    assert "No such script" in result.output


def test_a_syntax_error_is_reported_with_its_line(runner, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import torch\nx = (\n")
    result, _ = graph(runner, tmp_path, str(script))
    assert result.exit_code == 1
    assert "SyntaxError" in result.output and "broken.py" in result.output
    assert "the script failed before it built one" in result.output
    assert "no tensor that requires grad" not in result.output  # it never ran


def test_without_dot_svg_says_how_to_install_it_and_dot_format_still_works(
        runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    script = str(SCRIPTS / "two_layer.py")
    result = runner.invoke(cli, ["graph", script, "-o", str(tmp_path / "g.svg")])
    assert result.exit_code == 2
    assert "apt-get install -y graphviz" in result.output
    result = runner.invoke(cli, ["graph", script, "-o", str(tmp_path / "g.dot")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_the_same_script_gives_the_same_dot_text(runner, tmp_path):
    texts = []
    for name in ("a.dot", "b.dot"):
        result = runner.invoke(cli, ["graph", str(SCRIPTS / "recurrence.py"), "-o",
                                     str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        texts.append((tmp_path / name).read_text())
    assert texts[0] == texts[1]


def test_a_real_svg_through_dot(runner, tmp_path):
    out = tmp_path / "g.svg"
    result = runner.invoke(cli, ["graph", str(SCRIPTS / "two_layer.py"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "MmBackward0" in svg


def test_script_arguments_reach_the_script(runner, tmp_path):
    result, data = graph(runner, tmp_path, str(SCRIPTS / "training_loop.py"), "7")
    assert result.exit_code == 0, result.output
    assert data["graphs"][0]["count"] == 7


def test_draw_names_the_callers_variables_and_renders():
    w = torch.randn(3, 2, requires_grad=True)
    hidden = torch.ones(1, 3) @ w
    loss = hidden.relu().sum()
    picture = autograd_lab.draw(loss)
    labels = {n.label for n in picture.capture.graphs[0].nodes if n.kind == "tensor"}
    assert {"w", "hidden", "loss"} <= labels
    assert picture.source.startswith("digraph")
    assert "image/svg+xml" in picture._repr_mimebundle_()


def test_draw_takes_explicit_names():
    w = torch.randn(2, requires_grad=True)
    out = (w * 3).sum()
    labels = {n.label for n in autograd_lab.draw(out, names={"total": out, "weight": w})
              .capture.graphs[0].nodes if n.kind == "tensor"}
    assert {"total", "weight"} <= labels


def test_capture_records_backward_calls_in_a_block():
    w = torch.randn(2, requires_grad=True)
    with autograd_lab.capture() as recorded:
        for _ in range(3):
            (w * w).sum().backward()
    assert [g.count for g in recorded.capture.graphs] == [3]


def test_draw_without_tensors_is_a_clear_error():
    with pytest.raises(TypeError, match="at least one tensor"):
        autograd_lab.draw()
