"""The stepper page in a real browser: Debian's chromium, headless, driven by Playwright.

Pages are written by the CLI (``graph SCRIPT -o page.html``) for real scripts. What a test
reads off the page (the ``<g>`` marked current, the panel's words, the ``.grad`` column) is
compared with the order the model records (helper tests compare that order with torch's own
hooks) and with gradients torch computes here. One browser for the module; chromium is
never downloaded: ``make setup`` installs Debian's (/usr/bin/chromium), and a machine without
it fails these tests, naming the fix, instead of skipping them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from autograd_lab.cli import cli
from autograd_lab.viz.value_text import format_values

SCRIPTS = Path(__file__).resolve().parent / "scripts"
CHROMIUM_ENV = "AUTOGRAD_LAB_CHROMIUM"


def chromium_path() -> str:
    """The Chromium to drive: $AUTOGRAD_LAB_CHROMIUM, else Debian's ``chromium`` on PATH."""
    path = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")
    if not path:
        pytest.fail("The browser tests need Debian's chromium, which is not installed: run "
                    "`make setup` (it installs it with apt-get), or `sudo apt-get install -y "
                    f"chromium`, or set {CHROMIUM_ENV} to a Chrome or Chromium binary.",
                    pytrace=False)
    return path


def launch(playwright):
    """Headless Chromium from ``chromium_path()`` (Playwright's own browsers are never used)."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: run `make setup` (pip install -e '.[test]').",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """``pages("two_layer.py")``: the page the CLI writes for a script, written once."""
    folder, written = tmp_path_factory.mktemp("pages"), {}

    def page_for(script: str, *args: str) -> Path:
        if (script, args) not in written:
            out = folder / f"{Path(script).stem}{'_'.join(('', *args))}.html"
            result = CliRunner().invoke(cli, ["graph", str(SCRIPTS / script), *args, "-o",
                                              str(out)])
            assert out.exists(), result.output
            written[script, args] = out
        return written[script, args]

    return page_for


@pytest.fixture
def open_page(browser):
    """Open a file in a fresh tab; every request it makes and every script error is kept
    (``tab.requests``, ``tab.errors``), and the test fails on a script error."""
    tabs = []

    def open_(path: Path):
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.requests, tab.errors = [], []
        tab.on("request", lambda request: tab.requests.append(request.url))
        tab.on("pageerror", lambda error: tab.errors.append(str(error)))
        tab.goto(path.as_uri())
        tabs.append(tab)
        return tab

    yield open_
    errors = [error for tab in tabs for error in tab.errors]
    for tab in tabs:
        tab.close()
    assert not errors, errors


def model_of(tab) -> dict:
    return json.loads(tab.text_content("#agl-capture"))


def order_of(graph: dict) -> dict[int, str]:
    """Step -> function node id, as the model records the backward pass."""
    return {n["order"]: n["id"] for n in graph["nodes"]
            if n["kind"] == "function" and n["order"] is not None}


def marked(tab, mark: str) -> list[str]:
    return tab.eval_on_selector_all(f"#agl-figure g.{mark}", "els => els.map(e => e.id)")


def status(tab) -> str:
    return tab.text_content("#agl-status")


def grad_column(tab) -> dict[str, str]:
    rows = tab.eval_on_selector_all(
        "#agl-grads tr", "rows => rows.map(r => [r.cells[0].textContent, "
                         "r.cells.length > 1 ? r.cells[1].textContent : ''])")
    return dict(rows)


def torch_grads(script: str, *names: str) -> dict[str, torch.Tensor]:
    """Run ``script`` as plain Python (no recording) and return the ``.grad`` of ``names``."""
    import runpy

    space = runpy.run_path(str(SCRIPTS / script), run_name="__main__")
    return {name: space[name].grad for name in names}


def test_next_steps_through_the_order_the_model_records(pages, open_page):
    tab = open_page(pages("two_layer.py"))
    graph = model_of(tab)["graphs"][0]
    order, steps = order_of(graph), graph["steps"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert steps >= 6 and sorted(order) == list(range(1, steps + 1))
    assert status(tab).startswith(f"step 0 of {steps}: before backward")
    assert marked(tab, "agl-current") == [] and grad_column(tab)["w1.grad"] == "None"
    for k in range(1, steps + 1):
        tab.click("#agl-next")
        assert marked(tab, "agl-current") == [f"g0_{order[k]}"]
        assert sorted(marked(tab, "agl-done")) == sorted(f"g0_{order[j]}" for j in range(1, k))
        label, location = nodes[order[k]]["label"], nodes[order[k]]["location"]
        assert status(tab).startswith(f"step {k} of {steps}: {label} ({location}) received ")
        assert marked(tab, "agl-received"), f"step {k}: no edge marked as received"
    assert tab.is_disabled("#agl-next") and "Backward is done" in status(tab)
    # The .grad column at the end is torch's own gradient, rounded as the picture rounds.
    expected = torch_grads("two_layer.py", "w1", "w2")
    column = grad_column(tab)
    for name, grad in expected.items():
        assert column[f"{name}.grad"] == format_values(grad.tolist()), name


def test_keys_and_the_slider_move_the_same_steps(pages, open_page):
    tab = open_page(pages("two_layer.py"))
    graph = model_of(tab)["graphs"][0]
    order, steps = order_of(graph), graph["steps"]
    tab.focus("#agl-next")
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    assert marked(tab, "agl-current") == [f"g0_{order[2]}"]
    tab.keyboard.press("ArrowLeft")
    assert marked(tab, "agl-current") == [f"g0_{order[1]}"]
    tab.keyboard.press("End")
    assert marked(tab, "agl-current") == [f"g0_{order[steps]}"]
    tab.keyboard.press("Home")
    assert marked(tab, "agl-current") == [] and status(tab).startswith("step 0 of")
    tab.fill("#agl-slider", "3")
    assert marked(tab, "agl-current") == [f"g0_{order[3]}"]
    assert tab.text_content("#agl-counter") == f"step 3 of {steps}"
    tab.click("#agl-prev")
    assert tab.input_value("#agl-slider") == "2"


def test_grad_before_and_after_a_second_backward(pages, open_page):
    """two_losses.py: the second backward adds to the x.grad the first one left."""
    tab = open_page(pages("two_losses.py"))
    x = torch.ones(2, 2, requires_grad=True)
    y = x ** 2 * 4
    y.sum().backward(retain_graph=True)
    before = x.grad.clone()
    y.mean().backward()
    titles = [g["title"] for g in model_of(tab)["graphs"]]
    second = next(i for i, t in enumerate(titles) if t.startswith("y.mean().backward()"))
    tab.select_option("#agl-graph", str(second))
    faded = marked(tab, "agl-other")
    assert "g0" in faded and f"g{second}" not in faded
    assert not [f for f in faded if f.startswith(f"g{second}_")]
    assert grad_column(tab)["x.grad"] == format_values(before.tolist())
    tab.click("#agl-last")
    assert grad_column(tab)["x.grad"] == format_values(x.grad.tolist())
    assert all(mark.startswith(f"g{second}_") for mark in marked(tab, "agl-done"))


def test_the_failed_double_backward_says_why_and_marks_the_freed_tensors(pages, open_page):
    tab = open_page(pages("fails_second_backward.py"))
    graphs = model_of(tab)["graphs"]
    failed = next(i for i, g in enumerate(graphs) if g["failed"])
    assert tab.is_hidden("#agl-failed")  # the first backward succeeded
    tab.select_option("#agl-graph", str(failed))
    assert tab.is_visible("#agl-failed")
    assert "backward through the graph a second time" in tab.text_content("#agl-error")
    advice = tab.text_content("#agl-advice")
    assert "retain_graph=True" in advice and "fails_second_backward.py:6" in advice
    causes = {f"g{failed}_{n['id']}" for n in graphs[failed]["nodes"] if n["cause"]}
    assert causes and set(marked(tab, "agl-cause")) == causes
    tab.click("#agl-last")
    assert "raised" in status(tab)


def test_a_training_loop_steps_through_one_iteration(pages, open_page):
    tab = open_page(pages("training_loop.py", "5"))
    graph = model_of(tab)["graphs"][0]
    assert graph["count"] == 5
    assert "steps through one of its 5 iterations" in tab.text_content("#agl-about")
    tab.click("#agl-last")
    assert marked(tab, "agl-current") == [f"g0_{order_of(graph)[graph['steps']]}"]
    assert "Backward is done" in status(tab)


def test_the_page_requests_nothing_but_itself(pages, open_page):
    path = pages("two_layer.py")
    tab = open_page(path)
    tab.click("#agl-next")
    assert tab.requests == [path.as_uri()]
    assert re.search(r"step 1 of \d+", status(tab))


def test_a_page_without_graphs_says_so_and_keys_do_nothing(open_page, tmp_path):
    from autograd_lab.viz import output
    from autograd_lab.viz.model import Capture

    tab = open_page(output.write(Capture(script="e.py", error="boom"), tmp_path / "e.html"))
    tab.keyboard.press("ArrowRight")  # a script error here fails the test (open_page)
    assert status(tab) == "no autograd graph was captured"
    assert tab.is_disabled("#agl-next") and tab.is_disabled("#agl-slider")


def test_model_text_reads_as_text_not_markup(open_page, tmp_path):
    from test_html import EVIL, mul_sum  # the hand-built w * x page, a leaf named EVIL

    from autograd_lab.viz import output

    capture = mul_sum(name=EVIL)
    capture.graphs[0].error = EVIL
    tab = open_page(output.write(capture, tmp_path / "evil.html"))
    tab.keyboard.press("End")
    assert grad_column(tab)[f"{EVIL}.grad"] == "[3, 4]"
    assert f"[3, 4] to {EVIL} (into {EVIL}.grad)" in status(tab)
    assert tab.evaluate("document.scripts.length") == 3  # nothing from the model became one
