"""``autograd_lab.explain(loss)`` in a real Jupyter kernel (nbclient, ipykernel), and its
output stepped in Chromium.

The notebook runs once for the module: a cell that explains a backward pass, then the same
cell again (the classic mistake: a second backward on freed saved tensors). The gradients it
should show come from torch here, not from our output.
"""

from __future__ import annotations

import html
import re

import nbformat
import pytest
import torch
from nbclient import NotebookClient
from test_browser import launch  # one way to find and start Chromium, for both modules

from autograd_lab.viz.value_text import format_values

SETUP = """\
import torch, autograd_lab
x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
loss = (x * x * 3).sum()
"""
EXPLAIN = "autograd_lab.explain(loss)"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[dict]:
    """The text/html output of each explain() cell (the kernel is stopped afterwards)."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(EXPLAIN),
                      nbformat.v4.new_code_cell(EXPLAIN)]
    folder = tmp_path_factory.mktemp("notebook")
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    found = []
    for cell in notebook.cells[1:]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, errors
        (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        found.append(result["data"])
    return found


def page_in(output_html: str) -> str:
    """The page inside the output's ``<iframe srcdoc="...">``."""
    found = re.fullmatch(r'<iframe [^>]*srcdoc="([^"]*)"></iframe>', output_html, re.S)
    assert found, output_html[:300]
    return html.unescape(found.group(1))


def expected_grad() -> str:
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x * x * 3).sum().backward()
    return format_values(x.grad.tolist())  # 6x: [6, -12, 3]


def test_explain_shows_the_page_inline_with_values_and_grads(outputs):
    data = outputs[0]
    assert "text/html" in data and "<Explanation: loss.backward() at" in data["text/plain"]
    page = page_in(data["text/html"])
    assert page.startswith("<!DOCTYPE html>") and 'id="agl-capture"' in page
    # x's values, as the picture shows them (Graphviz writes "-" as "&#45;" in SVG text).
    assert "[1, -2, 0.5]" in html.unescape(page)
    assert expected_grad() in page


def test_a_second_explain_shows_the_failure_and_the_fix(outputs):
    page = page_in(outputs[1]["text/html"])
    assert "failed" in outputs[1]["text/plain"]
    assert "retain_graph=True" in page and "backward through the graph a second time" in page


def test_the_notebook_output_steps_in_chromium(outputs):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            tab = browser.new_page()
            errors = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.set_content(outputs[0]["text/html"])
            frame = tab.frame_locator("iframe.autograd-lab-explain")
            # sum, the multiply by 3, x * x: three functions, the root's first.
            assert frame.locator("#agl-status").text_content().startswith("step 0 of 3")
            frame.locator("#agl-next").click()
            assert frame.locator("#agl-status").text_content().startswith(
                "step 1 of 3: SumBackward0")
            frame.locator("#agl-last").click()
            assert expected_grad() in frame.locator("#agl-grads").text_content()
            assert not errors, errors
        finally:
            browser.close()
