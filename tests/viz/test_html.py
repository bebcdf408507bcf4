"""The stepper page without a browser: self-contained, its data equal to the model, escaped.

Most models here are built by hand (the backward of ``loss = (w * x).sum()`` and a failed
double backward), so that these tests read only the renderer; the pages of real scripts are
opened in Chromium in test_browser.py.

Goldens (``tests/golden/html/<script>.json``) hold, for the seed scripts, what the page says
and marks at each step (:func:`page_steps`, the ``#agl-steps`` block), not the whole page:
the page's SVG is Graphviz's layout, whose coordinates and text change from one Graphviz
version to the next, and the rest of the page is the model (its own goldens, under
golden/capture) and our static files. Regenerate after an intended change and read the diff:

    AUTOGRAD_LAB_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/viz/test_html.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from autograd_lab.viz import output
from autograd_lab.viz.model import (
    FUNCTION, INPUT, OUTPUT, SAVED, SAVED_BY, TENSOR, Capture, Edge, Graph, Grad, Node,
)
from autograd_lab.viz.render_html import page_steps, script_json, to_html
from autograd_lab.viz.render_json import to_json
from autograd_lab.viz.script import run_script
from autograd_lab.viz.value_text import format_values

SCRIPTS = Path(__file__).resolve().parent / "scripts"
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "html"
REGEN = os.environ.get("AUTOGRAD_LAB_REGEN_GOLDEN") == "1"
GOLDEN_SCRIPTS = ["two_losses", "weight_twice", "mlp_step", "custom_function",
                  "fails_second_backward"]

EVIL = '</script><script>alert("x")</script><!-- &amp;'


def mul_sum(name: str = "w", error: str = "") -> Capture:
    """``loss = (w * x).sum(); loss.backward()`` with w = [1, 2], x = [3, 4] (no grad).

    torch runs SumBackward0 first (it received the initial ones), then MulBackward0, which
    sends x * 1 = [3, 4] to w; AccumulateGrad writes w.grad after those 2 steps.
    """
    nodes = [
        Node("t0", TENSOR, name, shape=(2,), dtype="float32", device="cpu", requires_grad=True,
             is_leaf=True, values=(1.0, 2.0), grad_values=(3.0, 4.0), grad_norm=5.0,
             grad_step=2, has_grad=True),
        Node("s1", SAVED, "other", shape=(2,), dtype="float32", values=(3.0, 4.0)),
        Node("f2", FUNCTION, "MulBackward0", location="x.py:3", order=2,
             received=(Grad((2,), 2 ** 0.5, (1.0, 1.0)),)),
        Node("f3", FUNCTION, "SumBackward0", location="x.py:3", order=1,
             received=(Grad((), 1.0, 1.0),)),
        Node("t4", TENSOR, "loss", shape=(), dtype="float32", requires_grad=True,
             is_leaf=False, is_root=True, values=11.0),
    ]
    edges = [Edge("t0", "f2", INPUT, Grad((2,), 5.0, (3.0, 4.0))),
             Edge("s1", "f2", SAVED_BY),
             Edge("f2", "f3", INPUT, Grad((2,), 2 ** 0.5, (1.0, 1.0))),
             Edge("f3", "t4", OUTPUT, Grad((), 1.0, 1.0))]
    return Capture([Graph(nodes, edges, "loss.backward() at x.py:4", steps=2)], script="x.py",
                   error=error)


def failed_twice() -> Capture:
    """``z = (y * y).sum()`` backward twice: the second raises, its saved tensors were freed."""
    nodes = [
        Node("t0", TENSOR, "y", shape=(), requires_grad=True, is_leaf=True,
             grad_before=Grad((), 4.0, 4.0)),
        Node("s1", SAVED, "self", shape=(), freed=True, cause=True,
             freed_by="z.backward() at twice.py:5"),
        Node("f2", FUNCTION, "MulBackward0", location="twice.py:4"),
        Node("t3", TENSOR, "z", shape=(), requires_grad=True, is_leaf=False, is_root=True),
    ]
    edges = [Edge("t0", "f2"), Edge("s1", "f2", SAVED_BY), Edge("f2", "t3", OUTPUT)]
    graph = Graph(nodes, edges, "z.backward() at twice.py:6", failed=True,
                  error="RuntimeError: Trying to backward through the graph a second time",
                  advice="pass retain_graph=True to z.backward() at twice.py:5")
    return Capture([graph], script="twice.py")


def inline(page: str, block: str) -> object:
    found = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', page,
                      re.S)
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def page() -> str:
    return output.render(mul_sum(), "html").decode("utf-8")


def test_the_page_fetches_nothing(page):
    # The SVG's two namespace names are identifiers, never fetched.
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"\b(src|href)=\"(?!#)", page)
    assert "@import" not in page and "url(" not in page


def test_the_inline_json_is_the_model(page):
    assert inline(page, "agl-capture") == json.loads(to_json(mul_sum()))
    # The model's own dict (tuples read back as lists), not only what render_json wrote.
    assert inline(page, "agl-capture") == json.loads(json.dumps(mul_sum().to_dict()))


def test_the_svg_is_inline_once_and_the_script_runs_inline(page):
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert "window.autogradLab" in page and ".agl-figure g.agl-current" in page


def test_names_and_errors_are_escaped_everywhere():
    capture = mul_sum(name=EVIL, error=EVIL)
    capture.script = EVIL
    capture.graphs[0].error = EVIL
    text = output.render(capture, "html").decode("utf-8")
    # One block each: the model, the steps, the stepper; nothing from the model closes one.
    assert text.count("<script") == 3 and text.count("</script>") == 3
    assert EVIL not in text and "<script>alert" not in text and "<!-- &amp;" not in text
    assert inline(text, "agl-capture") == json.loads(json.dumps(capture.to_dict()))
    steps = inline(text, "agl-steps")
    assert steps["graphs"][0]["error"] == EVIL
    assert f"<title>backward pass of {EVIL}" not in text
    assert "<title>backward pass of &lt;/script&gt;" in text


def test_script_json_keeps_the_data():
    data = {"a": EVIL, "b": ["<", ">", "&", "\u2028"]}
    text = script_json(json.dumps(data, ensure_ascii=True))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_each_step_says_what_ran_received_and_sent():
    graph = page_steps(mul_sum())["graphs"][0]
    assert graph["order"] == [None, "f3", "f2"]  # SumBackward0 first, as torch runs it
    first, second = graph["at"]["f3"], graph["at"]["f2"]
    assert first["text"] == ("step 1 of 2: SumBackward0 (x.py:3) received 1 and sent [1, 1] "
                             "to MulBackward0.")
    assert second["text"] == ("step 2 of 2: MulBackward0 (x.py:3) received [1, 1] and sent "
                              "[3, 4] to w (into w.grad).")
    # Edges by index in graph.edges: 3 is f3 -> loss, 2 is f2 -> f3, 0 is w -> f2.
    assert (first["received"], first["sent"], first["targets"]) == ([3], [2], ["f2"])
    assert (second["received"], second["sent"], second["targets"]) == ([2], [0], ["t0"])
    assert graph["grads"] == [{"id": "t0", "name": "w", "before": "None", "after": "[3, 4]",
                               "step": 2}]
    assert graph["start"].startswith("step 0 of 2: before backward")
    assert graph["end"] == "Backward is done: 2 functions ran."


def test_a_failed_backward_says_why_and_marks_the_cause():
    graph = page_steps(failed_twice())["graphs"][0]
    assert graph["failed"] and graph["causes"] == ["s1"]
    assert graph["advice"] == "pass retain_graph=True to z.backward() at twice.py:5"
    assert "saved self of MulBackward0 (freed by z.backward() at twice.py:5)" in \
        graph["causes_text"]
    assert graph["steps"] == 0 and "raised before running any function" in graph["start"]
    # y.grad was 4 before the failed pass, and the pass wrote nothing.
    assert graph["grads"][0]["before"] == graph["grads"][0]["after"] == "4"
    assert "(failed)" in graph["label"]


def test_a_training_loop_steps_through_one_iteration():
    capture = mul_sum()
    capture.graphs[0].count = 50
    graph = page_steps(capture)["graphs"][0]
    assert "steps through one of its 50 iterations" in graph["about"]
    assert graph["label"].endswith("x50")


def test_a_graph_not_captured_at_a_backward_has_no_step():
    capture = mul_sum()
    graph = capture.graphs[0]  # "loss at the end": no pass recorded, .grad as it is
    graph.steps, graph.nodes[0] = 0, dataclasses.replace(graph.nodes[0], grad_step=None)
    graph = page_steps(capture)["graphs"][0]
    assert graph["order"] == [None] and graph["at"] == {}
    assert "not captured at a backward" in graph["about"]
    assert graph["grads"][0]["before"] == graph["grads"][0]["after"] == "[3, 4]"


def test_html_comes_from_the_suffix_and_needs_dot(tmp_path, monkeypatch):
    assert output.format_from_suffix("page.html") == "html"
    assert output.write(mul_sum(), tmp_path / "p.html").read_text().startswith("<!DOCTYPE html>")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(Exception, match="apt-get install -y graphviz"):
        output.render(mul_sum(), "html")
    assert not (tmp_path / "q.html").exists()


def test_to_html_wants_graphviz_svg():
    with pytest.raises(ValueError, match="no <svg>"):
        to_html(mul_sum(), "not an svg")


def test_the_page_files_ship_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("template.html", "stepper.js", "stepper.css"):
        assert f"autograd_lab/viz/page/{name}" in names


def steps_of(script: str) -> dict:
    return page_steps(run_script(SCRIPTS / f"{script}.py"))


@pytest.mark.parametrize("script", GOLDEN_SCRIPTS)
def test_golden_steps(script):
    text = json.dumps(steps_of(script), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = GOLDEN / f"{script}.json"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden {path}; run with AUTOGRAD_LAB_REGEN_GOLDEN=1 to write it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs: if the change is intended, regenerate "
        "(AUTOGRAD_LAB_REGEN_GOLDEN=1) and read the diff")


def test_weight_twice_sends_two_gradients_that_sum_in_w_grad():
    """What the golden must say: w * a and w * b each send a gradient to w; w.grad is a + b
    (torch's own, computed here), written after both."""
    import torch

    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    a, b = torch.tensor([2.0, 3.0, 4.0]), torch.tensor([0.5, 0.25, -1.0])
    (w * a + w * b).sum().backward()
    graph = steps_of("weight_twice")["graphs"][0]
    to_w = [at["text"] for at in graph["at"].values() if "(into w.grad)" in at["text"]]
    assert sorted(t.split(" and sent ")[1] for t in to_w) == sorted(
        f"{format_values(g.tolist())} to w (into w.grad)." for g in (a, b))
    (entry,) = graph["grads"]
    assert entry["after"] == format_values(w.grad.tolist()) and entry["before"] == "None"
    assert entry["step"] == graph["steps"]  # after both sends: w is the last thing written


def test_two_losses_shows_x_grad_before_and_after_the_second_backward():
    import torch

    x = torch.ones(2, 2, requires_grad=True)
    y = x ** 2 * 4
    y.sum().backward(retain_graph=True)
    first = x.grad.clone()
    y.mean().backward()
    graphs = steps_of("two_losses")["graphs"]
    assert [g["grads"][0]["before"] for g in graphs[:2]] == ["None", format_values(first.tolist())]
    assert graphs[1]["grads"][0]["after"] == format_values(x.grad.tolist())


def test_nan_and_inf_keep_the_inline_json_valid():
    capture = mul_sum()
    graph = capture.graphs[0]
    graph.nodes[0] = dataclasses.replace(graph.nodes[0], values=(float("nan"), float("inf")),
                                         grad_values=(float("-inf"), 1.0))
    page = output.render(capture, "html").decode("utf-8")
    assert re.search(r"\bNaN\b|\bInfinity\b", page.split("<script")[1]) is None
    assert inline(page, "agl-capture")["graphs"][0]["nodes"][0]["values"] == ["nan", "inf"]
    assert inline(page, "agl-steps")["graphs"][0]["grads"][0]["after"] == "[-inf, 1]"
