"""OUT/report.html: the item analysis (see :mod:`analysis`) as one page an instructor opens
offline: per exercise a histogram of the scores, a bar of each check's pass rate, and the
diagnoses with their counts and the students they came from, the hardest checks first.

The page is self-contained: no script, no stylesheet or font fetched, the plots drawn by
matplotlib (the ``report`` extra) and inlined as base64 PNG. Without matplotlib the page is
written without plots and says so. Every text from grades.json (students' names, diagnoses,
titles) is escaped. The same analysis gives the same bytes (no dates, PNG metadata dropped),
so that a merge of shards writes what one run would.
"""

from __future__ import annotations

import base64
import io
from html import escape

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 60em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
.note { color: #a33; }
"""


_SPECIAL = {"undiagnosed": "<i>failed, no diagnosis</i>",
            "not_scored": "<i>not scored: needs a check that failed</i>"}
"""The rows after a check's diagnoses: who failed it with none, who was not scored on it."""


def _points(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _matplotlib():
    """matplotlib's Figure and Agg canvas, or None when it is not installed (the page then
    has no plots). The object API, not pyplot: no global backend is switched."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure, FigureCanvasAgg


def _png(figure, canvas_class) -> str:
    canvas_class(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _histogram(mpl, exercise: str, entry: dict) -> str:
    Figure, Canvas = mpl
    figure = Figure(figsize=(6, 2.6))
    axes = figure.add_subplot()
    values = entry["scores"]["values"]
    top = entry.get("max_score") or max(values or [1.0])
    bins = min(20, max(1, int(top))) if float(top).is_integer() else 10
    axes.hist(values, bins=bins, range=(0, top), color="#4878a8", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_title(f"{exercise}: scores of the graded files")
    figure.tight_layout()
    return _img(_png(figure, Canvas), f"histogram of {exercise}'s scores")


def _pass_rates(mpl, exercise: str, entry: dict) -> str:
    Figure, Canvas = mpl
    names = entry["hardest"]
    figure = Figure(figsize=(6, 0.8 + 0.3 * len(names)))
    axes = figure.add_subplot()
    rates = [100 * (entry["checks"][n]["pass_rate"] or 0.0) for n in names]
    axes.barh(range(len(names)), rates, color="#6a9f58")
    axes.set_yticks(range(len(names)), names)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% passed")
    axes.set_title(f"{exercise}: pass rate per check, hardest first")
    figure.tight_layout()
    return _img(_png(figure, Canvas), f"pass rate of each check of {exercise}")


def _exercise_html(mpl, exercise: str, entry: dict) -> list[str]:
    scores = entry["scores"]
    parts = [f"<h2>{escape(exercise)} &middot; {escape(str(entry.get('title', '')))}</h2>"]
    graded = len(scores["values"])
    left = ", ".join(f"{n} {escape(status)}" for status, n in scores["not_graded"].items())
    parts.append(f"<p>{graded} graded file{'s' * (graded != 1)}"
                 f"{'; not graded: ' + left if left else ''} "
                 f"(out of {escape(_points(entry.get('max_score')))} points).</p>")
    if mpl is not None and graded:
        parts.append(_histogram(mpl, exercise, entry))
    if mpl is not None and entry["hardest"]:
        parts.append(_pass_rates(mpl, exercise, entry))
    if not entry["hardest"]:
        parts.append("<p>No check was graded.</p>")
        return parts
    parts.append("<table><tr><th>check</th><th>graded</th><th>passed</th><th>pass rate</th>"
                 "<th>diagnosis</th><th>count</th><th>students</th></tr>")
    for name in entry["hardest"]:
        row = entry["checks"][name]
        rate = "" if row["pass_rate"] is None else f"{100 * row['pass_rate']:.0f}%"
        diagnoses = list(row["diagnoses"].items())
        for key in ("undiagnosed", "not_scored"):
            if row.get(key):
                diagnoses.append((key, len(row[key])))
        diagnoses = diagnoses or [("", None)]
        span = len(diagnoses)
        for index, (text, count) in enumerate(diagnoses):
            cells = ""
            if index == 0:
                cells = (f'<td rowspan="{span}"><b>{escape(name)}</b><br>'
                         f'{escape(str(row.get("title", "")))}</td>'
                         f'<td class="num" rowspan="{span}">{row["graded"]}</td>'
                         f'<td class="num" rowspan="{span}">{row["passed"]}</td>'
                         f'<td class="num" rowspan="{span}">{rate}</td>')
            special = index >= len(row["diagnoses"]) and count is not None
            students = row[text] if special else row["students"].get(text, [])
            who = ", ".join(escape(s) for s in students)
            shown = (_SPECIAL[text] if special
                     else escape(text) if count is not None else "&mdash;")
            cells += (f"<td>{shown}</td><td class=\"num\">{'' if count is None else count}</td>"
                      f"<td>{who}</td>")
            parts.append(f"<tr>{cells}</tr>")
    parts.append("</table>")
    return parts


def page_html(data: dict) -> str:
    """report.html's text for :func:`analysis.analysis`'s object ``data``."""
    mpl = _matplotlib()
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>autograd-lab: item analysis of the class</title>",
             f"<style>{_STYLE}</style></head><body>",
             "<h1>Item analysis of the class</h1>",
             "<p>Per exercise: the scores of the files graded, then every check, the hardest "
             "first, with how many students were graded on it and passed it, and the diagnoses "
             "of those who did not (a check that needs another one that failed is not "
             "scored, and not counted as graded). "
             "A missing file, the untouched stub or a file that could not be graded counts in "
             "no check.</p>"]
    if mpl is None:
        parts.append('<p class="note">matplotlib is not installed, so this page has no plots: '
                     "install the <code>report</code> extra "
                     "(<code>pip install 'autograd-lab[report]'</code>) and grade again.</p>")
    for exercise, entry in data.get("exercises", {}).items():
        parts.extend(_exercise_html(mpl, exercise, entry))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
