"""Item analysis of a class: OUT/analysis.json and OUT/report.html (issue 13, point 3).

A tiny class is graded for real on exercise3 only: alice hands in the solution, bob the
untouched stub, carol and a student named ``<script>`` the planted mistake
``backward_unmasked`` (tests/mutants/exercise3.py: it fails ``backward`` with the diagnosis
"ReLU mask missing"). What each file is, is known, so the counts are too.
"""

from __future__ import annotations

import builtins
import re
import json
import shutil
from pathlib import Path

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.classroom import analysis as item_analysis
from autograd_lab.classroom import report_page
from autograd_lab.classroom.run import grade_class
from mutants import mutant
from support import SOLUTIONS, STUBS

EX3 = lookup("3")
PLANTED = mutant("exercise3", "backward_unmasked")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once (analysis registered with derived, as `grade` will have it):
    (out folder, grades.json's object)."""
    root = tmp_path_factory.mktemp("analysis")
    subs = root / "submissions"
    for student in ("alice", "bob", "carol", "<script>"):
        (subs / student).mkdir(parents=True)
    shutil.copy(SOLUTIONS / EX3.filename, subs / "alice" / EX3.filename)
    shutil.copy(STUBS / EX3.filename, subs / "bob" / EX3.filename)
    for student in ("carol", "<script>"):
        (subs / student / EX3.filename).write_text(PLANTED.source(SOLUTIONS / EX3.filename))
    out = root / "out"
    grade_class(subs, out, exercises=[EX3], jobs=2, timeout=60)
    return out, json.loads((out / "grades.json").read_text())


def test_grade_run_writes_analysis_and_report(graded):
    out, grades = graded
    assert (out / "report.html").is_file()
    on_disk = json.loads((out / "analysis.json").read_text())
    assert on_disk == json.loads(item_analysis.analysis_json_text(item_analysis.analysis(grades)))


def test_counts_follow_what_each_file_is(graded):
    _, grades = graded
    entry = item_analysis.analysis(grades)["exercises"]["exercise3"]
    # bob's stub is not graded: it is counted apart and in no check.
    assert entry["scores"]["not_graded"] == {"stub": 1}
    assert len(entry["scores"]["values"]) == 3
    assert entry["scores"]["values"][-1] == EX3.points  # alice's solution: full marks
    backward = entry["checks"]["backward"]
    assert (backward["graded"], backward["passed"]) == (3, 1)
    assert backward["diagnoses"] == {PLANTED.diagnosis: 2}
    assert backward["students"] == {PLANTED.diagnosis: ["<script>", "carol"]}
    assert backward["undiagnosed"] == []
    for name, row in entry["checks"].items():
        assert row["graded"] + len(row["not_scored"]) == 3, name


def test_counts_equal_what_grades_json_says(graded):
    """Counted again here straight from grades.json, check by check: graded = in a graded
    file's report and scored (a ``not scored`` / ``not run`` check was not, see analysis)."""
    _, grades = graded
    entry = item_analysis.analysis(grades)["exercises"]["exercise3"]
    records = [s["exercises"]["exercise3"] for s in grades["students"].values()]
    names = {c["name"] for r in records for c in r["checks"]}
    assert set(entry["checks"]) == names and names
    for name in names:
        checks = [c for r in records if r["status"] == "graded"
                  for c in r["checks"] if c["name"] == name]
        unscored = [c for c in checks if c["status"] in ("not scored", "not run")]
        assert all(not c["passed"] for c in unscored)
        assert entry["checks"][name]["graded"] == len(checks) - len(unscored)
        assert len(entry["checks"][name]["not_scored"]) == len(unscored)
        failed = [c for c in checks if not c["passed"] and c not in unscored]
        assert (sum(entry["checks"][name]["diagnoses"].values())
                + len(entry["checks"][name]["undiagnosed"])) == len(failed)
        assert entry["checks"][name]["passed"] == sum(bool(c["passed"]) for c in checks)


def test_hardest_checks_come_first_ties_in_catalog_order(graded):
    _, grades = graded
    entry = item_analysis.analysis(grades)["exercises"]["exercise3"]
    catalog = [c["name"] for c in grades["students"]["alice"]["exercises"]["exercise3"]["checks"]]
    assert sorted(entry["hardest"]) == sorted(catalog)
    assert entry["hardest"][0] == "backward"
    assert list(entry["checks"]) == entry["hardest"]
    ranks = [(entry["checks"][n]["pass_rate"], catalog.index(n)) for n in entry["hardest"]]
    assert ranks == sorted(ranks)


def test_missing_and_error_are_not_graded():
    grades = {"exercises": [{"id": "exercise1", "title": "t", "max_score": 2}], "students": {
        "a": {"exercises": {"exercise1": {"status": "missing", "score": 0.0, "checks": []}}},
        "b": {"exercises": {"exercise1": {"status": "error", "score": 0.0, "checks": []}}},
        "c": {"exercises": {"exercise1": {"status": "graded", "score": 1.0, "checks": [
            {"name": "x", "passed": True}, {"name": "y", "passed": False, "diagnosis": "d"},
            {"name": "z", "passed": False, "status": "void"},
            {"name": "w", "passed": False, "status": "not scored"}]}}},
    }}
    entry = item_analysis.analysis(grades)["exercises"]["exercise1"]
    assert entry["scores"] == {"values": [1.0], "counts": {"1": 1},
                               "not_graded": {"error": 1, "missing": 1}}
    # y and z tie at 0: catalog order; w, scored for no one, last.
    assert entry["hardest"] == ["y", "z", "x", "w"]
    assert entry["checks"]["w"]["graded"] == 0 and entry["checks"]["w"]["pass_rate"] is None
    assert entry["checks"]["w"]["not_scored"] == ["c"]
    assert entry["checks"]["y"]["students"] == {"d": ["c"]}
    assert entry["checks"]["y"]["undiagnosed"] == []
    assert entry["checks"]["z"] == {"title": "z", "graded": 1, "passed": 0, "pass_rate": 0.0,
                                    "diagnoses": {}, "students": {}, "undiagnosed": ["c"],
                                    "not_scored": []}
    page = report_page.page_html(item_analysis.analysis(grades))
    assert "failed, no diagnosis</i></td><td class=\"num\">1</td><td>c</td>" in page
    assert "needs a check that failed</i></td><td class=\"num\">1</td><td>c</td>" in page


def test_page_is_self_contained_with_plots_and_escaped(graded):
    out, _ = graded
    page = (out / "report.html").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", page)  # the plots' bytes aside
    assert "http" not in text and "//" not in text and "<script" not in page
    assert page.count('<img src="data:image/png;base64,') == 2  # histogram + pass rates
    assert "&lt;script&gt;, carol" in page
    assert "matplotlib is not installed" not in page


def test_page_without_matplotlib(graded, monkeypatch):
    _, grades = graded
    real = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    page = report_page.page_html(item_analysis.analysis(grades))
    assert "matplotlib is not installed" in page
    assert "data:image" not in page
    assert "&lt;script&gt;" in page and PLANTED.diagnosis in page


def test_same_grades_same_bytes(graded, tmp_path):
    _, grades = graded
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = item_analysis.write_analysis(tmp_path / "a", grades)
    second = item_analysis.write_analysis(tmp_path / "b", grades)
    for one, two in zip(first, second):
        assert Path(one).read_bytes() == Path(two).read_bytes()


def test_report_in_a_real_browser(graded):
    """Debian's chromium, headless, as tests/viz/test_browser.py drives it: the page makes no
    request but its own file, raises no script error, its plots decode to real images, and
    the student named ``<script>`` reads as text."""
    import os

    from playwright.sync_api import sync_playwright

    out, _ = graded
    chromium = os.environ.get("AUTOGRAD_LAB_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        pytest.fail("needs Debian's chromium: run `make setup` or set AUTOGRAD_LAB_CHROMIUM",
                    pytrace=False)
    page_uri = (out / "report.html").as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        try:
            tab = browser.new_page()
            requests, errors = [], []
            tab.on("request", lambda request: requests.append(request.url))
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.goto(page_uri)
            sizes = tab.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
            cells = tab.eval_on_selector_all("td", "els => els.map(e => e.textContent)")
            scripts = tab.eval_on_selector_all("script", "els => els.length")
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith("data:")] == [page_uri]
    assert len(sizes) == 2 and all(done and w > 100 and h > 100 for done, w, h in sizes)
    assert "<script>, carol" in cells
    assert scripts == 0
