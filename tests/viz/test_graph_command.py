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


def test_format_html_writes_the_stepper_page(runner, tmp_path):
    for args, out in ((["--format", "html", "-o", str(tmp_path / "a.page")], "a.page"),
                      (["-o", str(tmp_path / "b.html")], "b.html")):
        result = runner.invoke(cli, ["graph", str(SCRIPTS / "two_layer.py"), *args])
        assert result.exit_code == 0, result.output
        page = (tmp_path / out).read_text()
        assert page.startswith("<!DOCTYPE html>") and "<svg" in page
        assert 'id="agl-capture"' in page and "window.autogradLab" in page


def test_html_without_dot_says_how_to_install_it(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = runner.invoke(cli, ["graph", str(SCRIPTS / "two_layer.py"), "-o",
                                 str(tmp_path / "g.html")])
    assert result.exit_code == 2
    assert "apt-get install -y graphviz" in result.output
    assert not (tmp_path / "g.html").exists()


def test_values_sets_the_largest_tensor_whose_values_are_kept(runner, tmp_path):
    def values_of(*args):
        result, data = graph(runner, tmp_path, str(SCRIPTS / "two_layer.py"), *args)
        assert result.exit_code == 0, result.output
        return {n["label"]: n["values"] for n in data["graphs"][0]["nodes"]
                if n["kind"] == "tensor"}

    # w1 is 3 x 5 = 15 elements, the loss one: both under the default 16.
    default = values_of()
    assert default["loss"] is not None and default["w1"] is not None
    seeded = torch.Generator().manual_seed(0)  # the script's seed: x, y, then w1
    torch.randn(4, 3, generator=seeded), torch.randn(4, 2, generator=seeded)
    assert default["w1"] == torch.randn(3, 5, generator=seeded).tolist()
    small = values_of("--values", "4")
    assert small["loss"] is not None and small["w1"] is None
    assert all(v is None for v in values_of("--values", "0").values())


def test_help_tells_of_values_and_html(runner):
    result = runner.invoke(cli, ["graph", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--values N" in text and "0 shows none" in text and "[default: 16; x>=0]" in text
    assert "html: one self-contained page that steps through each backward pass" in text


def test_the_values_default_is_the_librarys():
    from autograd_lab.viz.values import DEFAULT_VALUES

    option = next(p for p in cli.commands["graph"].params if p.name == "values")
    assert option.default == DEFAULT_VALUES


def test_explain_runs_backward_and_keeps_what_it_recorded():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    shown = autograd_lab.explain(loss)
    assert torch.equal(w.grad, 2 * w.detach())  # backward really ran
    graph = shown.capture.graphs[0]
    assert graph.steps == 2 and not graph.failed and shown.error is None
    assert {n.label for n in graph.nodes if n.kind == "tensor"} >= {"w", "loss"}
    assert shown._repr_html_().startswith('<iframe class="autograd-lab-explain"')


def test_explain_a_second_time_explains_the_error_instead_of_raising(tmp_path):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    autograd_lab.explain(loss)
    again = autograd_lab.explain(loss)
    assert isinstance(again.error, RuntimeError)
    assert again.capture.graphs[0].failed
    assert "retain_graph=True" in again.capture.graphs[0].advice
    page = again.save(tmp_path / "again.html").read_text()
    assert "backward through the graph a second time" in page


def test_explain_rejects_what_backward_cannot_run():
    with pytest.raises(TypeError, match="needs a tensor"):
        autograd_lab.explain(3.0)
    with pytest.raises(ValueError, match="no grad_fn"):
        autograd_lab.explain(torch.ones(2, requires_grad=True).sum().detach())
    with pytest.raises(ValueError, match=r"explain\(loss.sum\(\)\)"):
        autograd_lab.explain(torch.ones(2, requires_grad=True) * 2)


def test_explain_with_retain_graph_lets_a_second_pass_accumulate():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    autograd_lab.explain(loss, retain_graph=True)
    again = autograd_lab.explain(loss)
    assert again.error is None and not again.capture.graphs[0].failed
    assert torch.equal(w.grad, 4 * w.detach())  # 2w, twice: .grad accumulates
    (entry,) = [n for n in again.capture.graphs[0].nodes if n.label == "w"]
    assert entry.grad_before is not None and entry.grad_before.values == (2.0, 4.0)
