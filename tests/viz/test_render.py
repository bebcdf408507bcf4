"""Renderers: DOT and JSON text compared with goldens, real SVG/PNG/PDF through ``dot``.

The models are hand-built in ``conftest.py`` (capture is tested on its own). Goldens live in
``tests/golden/render/<case>.dot`` and ``<case>.json``. After an intended change to the
picture or the schema, regenerate them and read the diff before committing:

    AUTOGRAD_LAB_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/viz/test_render.py

With the variable set, the golden tests write the files and pass; without it a missing or
different golden fails. ``test_case_shows`` pins what each picture must say independently of
the goldens, so a regeneration cannot quietly lose it (what a backward pass adds to the
picture is tested in ``test_render_backward.py``). Tests that run ``dot`` are skipped
where Graphviz is not installed; the missing-``dot`` error is tested by emptying PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lab.errors import AutogradLabError, GraphvizMissing
from autograd_lab.viz import output
from autograd_lab.viz.model import TENSOR, Capture, Edge, Graph, Node
from autograd_lab.viz.render_dot import html, quote, to_dot
from autograd_lab.viz.render_json import to_json

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "render"
REGEN = os.environ.get("AUTOGRAD_LAB_REGEN_GOLDEN") == "1"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"no golden {path}; run with AUTOGRAD_LAB_REGEN_GOLDEN=1 to write it"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} differs from its golden; if the change is intended, regenerate "
        "(AUTOGRAD_LAB_REGEN_GOLDEN=1) and read the diff")


def test_dot_matches_golden(golden_case):
    name, capture = golden_case
    check_golden(f"{name}.dot", to_dot(capture))


def test_json_matches_golden(golden_case):
    name, capture = golden_case
    text = to_json(capture)
    check_golden(f"{name}.json", text)
    assert json.loads(text) == json.loads(json.dumps(capture.to_dict()))


def test_same_model_same_text(cases):
    for build in cases.values():
        assert to_dot(build()) == to_dot(build())
        assert to_json(build()) == to_json(build())


SHOWS = {
    "leaf_and_nonleaf": ["<B>w</B>", "(3, 2) · float64", "(2,) · cuda:0",
                         "retains_grad · grad ✓",
                         "<B>(2,)</B>", 'style="rounded,filled", fillcolor="#d3f9d8"'],
    "freed_saved": ["subgraph cluster_0", "subgraph cluster_1", "<B>1. loss.backward()",
                    "<S>self</S>", "freed by backward()", 'style="dashed"', 'dir="back"'],
    "no_grad": ['fillcolor="#f1f3f5"', "no grad", "made under torch.no_grad()",
                '"g0_t1" -> "g0_f3" [id="g0_e1", color="#ced4da"]'],
    "custom_function": ["custom Function", 'color="#7048e8"',
                        'tooltip="MyReLUBackward: created at custom.py:12"'],
    "multiple_roots": ['"g0_t0" -> "g0_f1"', '"g0_t0" -> "g0_f4"', "<B>y1</B>", "<B>y2</B>"],
    "collapsed": ["98 × MulBackward0", "hides 98 nodes", "98 nodes collapsed", 'shape="box3d"'],
    "shared_leaf": ["w</B> (use 1/3)", "w</B> (use 3/3)", "same tensor as node t0",
                    "u</B> (use 2/2)"],
    "count_x500": ["<B>x500</B>", "captured 500 times"],
    "error_note": ["The script failed", "RuntimeError: mat1 and mat2 shapes",
                   "12 more distinct graphs not drawn", "File &quot;train.py&quot;, line 9"],
    "escaping": ["a&quot;b\\c", "ω&lt;1&gt; &amp; ∂", "float16", "Mul&lt;Backward&gt;",
                 'script ✓.py', "y    z"],
    "empty": ["no autograd graph was captured"],
    "docs_example": ["<S>result</S>", "grad ✓"],
    "mlp": ["LogSoftmaxBackward0", "(64,) · int64"],
    # w = [1, 2] read as written; d loss/d w = 3 each (the 3 of w * 3); the loss 3 * 3 + 0.5
    "values_and_grads": ["[1, 2]", "grad = [3, 3]", ">9.5<", ">0.5<", "grad = 1<",
                         "values.py:3</FONT>", "<B>3</B>", "a Python number, kept by the op"],
    # .grad after pass 1 is 2 w = [2, 4]; pass 2 adds 2 w again: [4, 8]
    "accumulation": ["grad = [2, 4]", "grad [2, 4] → [4, 8]",
                     "freed by y.backward() at acc.py:4"],
    # the two uses of w send 2 and 3 (the constants), summed in .grad as 5
    "weight_used_twice": ["grad = [5, 5]", ">[2, 2]<", ">[3, 3]<", "<B>2</B>", "<B>3</B>"],
    "failed_double_backward": ["FAILED", "this backward() raised an error:",
                               "Specify retain_graph=True",
                               "to fix it: pass retain_graph=True to z.backward() at",
                               "needed by this backward, but freed: the cause",
                               "freed by z.backward() at twice.py:4", "grad = [2, 4] (unchanged)",
                               'color="#c92a2a"; penwidth=2'],
    "wrapped_number": ["<B>3</B>", "<B>2</B>", "a Python number, kept by the op", "version 1",
                       "[4, 7]", "[2, 3.5]"],
    # ones(100, 100): too large for values, its norm is sqrt(10000) = 100
    "large_grads": ["grad ‖g‖ = 100", "(100, 100) · ‖g‖ = 100", ">10000<"],
    "long_error": ["Specify retain_graph=True", "traceback lines left out",
                   "File &quot;deep.py&quot;, line 1,", "File &quot;deep.py&quot;, line 20,"],
}
SHOWS_NOT = {  # what a picture must not say
    "wrapped_number": ["saved</FONT> <B>other", "scalar · int64", "freed by"],
    "values_and_grads": ["grad ✓"],  # the grad line says more
    "failed_double_backward": ["[2, 4] → [2, 4]"],  # the failed pass changed nothing
    "long_error": ["…", "line 10,"],  # nothing cut; a middle frame left out
}


def test_case_shows(golden_case):
    """What each picture must say, whatever the goldens hold."""
    name, capture = golden_case
    text = to_dot(capture)
    missing = [s for s in SHOWS[name] if s not in text]
    assert not missing, f"{name}: DOT text lacks {missing}"
    wrong = [s for s in SHOWS_NOT.get(name, []) if s in text]
    assert not wrong, f"{name}: DOT text says {wrong}"
    assert "\x07" not in text and "\t" not in text


def test_multiple_roots_both_drawn_as_roots(cases):
    text = to_dot(cases["multiple_roots"]())
    roots = [line for line in text.splitlines() if 'fillcolor="#ffd8a8"' in line]
    assert [r.split()[0] for r in roots] == ['"g0_t3"', '"g0_t6"']


def test_shared_leaf_copies_share_a_color(cases):
    text = to_dot(cases["shared_leaf"]())
    fills = dict(re.findall(r'^\s+"g0_(t\d+)" \[.*?fillcolor="(#\w+)"', text, re.M))
    assert fills["t0"] == fills["t1"] == fills["t2"] != fills["t3"] == fills["t4"]


def test_float32_and_cpu_not_shown(mlp_capture):
    text = to_dot(mlp_capture)
    labels = re.findall(r"label=<(.*?)>, shape", text)
    assert labels and not any("float32" in l or "cpu" in l for l in labels)


def test_quote_and_html_escape():
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert quote("end\\") == '"end\\\\"'
    assert html('<a & "b">') == "&lt;a &amp; &quot;b&quot;&gt;"
    assert quote("bell\x07tab\t") == '"belltab    "'


def test_broken_model_is_an_error():
    graph = Graph([Node("t0", TENSOR, "x")], [Edge("t0", "f9")], "broken")
    with pytest.raises(ValueError, match="f9"):
        to_dot(Capture([graph]))
    twice = Graph([Node("t0", TENSOR, "x"), Node("t0", TENSOR, "y")], [], "twice")
    with pytest.raises(ValueError, match="not unique"):
        to_dot(Capture([twice]))


@needs_dot
def test_every_case_lays_out_as_valid_svg(golden_case):
    svg = output.render(golden_case[1], "svg")
    root = ET.fromstring(svg)  # escaping mistakes show up here as dot or XML errors
    assert root.tag.endswith("svg")


@needs_dot
def test_svg_has_labels_and_tooltips(tmp_path, mlp_capture):
    path = output.write(mlp_capture, tmp_path / "mlp.svg")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text
    assert ">LogSoftmaxBackward0<" in text and ">W1<" in text
    assert 'xlink:title="MmBackward0: created at mlp.py:12"' in text


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")])
def test_png_and_pdf(tmp_path, mlp_capture, fmt, magic):
    path = output.write(mlp_capture, tmp_path / f"graph.{fmt}")
    assert path.read_bytes().startswith(magic)


def test_dot_and_json_files(tmp_path, mlp_capture):
    dot = output.write(mlp_capture, tmp_path / "out" / "g.gv")
    assert dot.read_bytes() == to_dot(mlp_capture).encode("utf-8")
    data = json.loads(output.write(mlp_capture, tmp_path / "g.txt", "JSON").read_text())
    assert data["schema"] == 2 and data["graphs"][0]["nodes"][0]["label"] == "W1"


@pytest.mark.parametrize("fmt", output.NEEDS_DOT)
def test_missing_dot(tmp_path, monkeypatch, mlp_capture, fmt):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(GraphvizMissing) as info:
        output.write(mlp_capture, tmp_path / f"g.{fmt}")
    message = str(info.value)
    for part in ("sudo apt-get install -y graphviz", "brew install graphviz",
                 "--format dot", "--format json", fmt):
        assert part in message
    assert not (tmp_path / f"g.{fmt}").exists()
    assert output.write(mlp_capture, tmp_path / "g.dot").exists()  # these need no dot
    assert output.write(mlp_capture, tmp_path / "g.json").exists()


def test_dot_vanishing_after_the_check(tmp_path, monkeypatch, mlp_capture):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(output.shutil, "which", lambda name: "/usr/bin/dot")
    with pytest.raises(GraphvizMissing, match="apt-get"):
        output.render(mlp_capture, "svg")


@pytest.mark.parametrize("path, fmt", [("a/g.svg", "svg"), ("G.PNG", "png"), ("g.pdf", "pdf"),
                                       ("g.dot", "dot"), ("g.gv", "dot"), ("g.json", "json")])
def test_format_from_suffix(path, fmt):
    assert output.format_from_suffix(path) == fmt


def test_unknown_format_and_suffix():
    with pytest.raises(AutogradLabError, match=r"'pgn'.*Closest matches: png"):
        output.write(Capture(), "g.png", "pgn")
    with pytest.raises(AutogradLabError, match=r"'\.sv'.*Closest matches: \.svg"):
        output.format_from_suffix("graph.sv")
    with pytest.raises(AutogradLabError, match=r"'\(none\)'.*--format"):
        output.format_from_suffix("graph")


@needs_dot
def test_layout_of_400_nodes_is_fast(chain_capture):
    start = time.perf_counter()
    svg = output.render(chain_capture(400), "svg")
    elapsed = time.perf_counter() - start
    assert svg.count(b'class="node"') == 400
    assert elapsed < 5, f"dot -Tsvg on a 400-node chain took {elapsed:.2f}s"
