"""Render a report as the text `autograd-lab check` prints (and feedback files hold)."""

from __future__ import annotations

import textwrap

from autograd_lab.grading.report import Report


def _points(value: float) -> str:
    return f"{value:g}"


VERDICTS = {"passed": "PASS", "failed": "FAIL", "partial": "PART", "not scored": "SKIP",
            "void": "VOID", "not run": "FAIL"}


def render_text(report: Report, *, timing: bool = True) -> str:
    """The human report: each check passed or failed with its points, then the score."""
    lines = [f"{report.exercise} · {report.slug} · {report.title}",
             f"file: {report.file} · device: {report.device}", ""]
    width = max((len(c.name) for c in report.checks), default=0)
    for check in report.checks:
        verdict = VERDICTS.get(check.status, "PASS" if check.passed else "FAIL")
        points = f"{_points(check.score)}/{_points(check.max_score)}"
        lines.append(f"{verdict}  {check.name:<{width}}  {points:>5}  {check.title}")
        if check.message:
            lines.append(textwrap.indent(check.message, " " * 6))
            lines.append("")
    if report.output.strip():
        lines += ["", "your code printed:", textwrap.indent(report.output.rstrip(), "  | ", lambda _: True)]
    passed = sum(c.passed for c in report.checks)
    summary = (f"score: {_points(report.score)}/{_points(report.max_score)} "
               f"({passed} of {len(report.checks)} checks passed)")
    if timing:
        summary += f" in {report.duration_s:.1f} s"
    lines += ["", summary]
    return "\n".join(lines)
