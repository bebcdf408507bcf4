"""Item analysis of a class: what the class got wrong, check by check (issue 13, point 3).

:func:`analysis` is a pure function of grades.json's object (:meth:`Gradebook.as_dict`, or
the file a run wrote, or the one a merge of shards wrote), so that one run and a merge give
the same bytes. :func:`write_analysis` writes OUT/analysis.json and OUT/report.html (see
:mod:`report_page`) and is one of :mod:`derived`'s writers, which `grade` and `merge` call
after their final write.

What counts as *graded*: a check is graded for a student when their file for the exercise
was graded (status ``graded``: the grader ran it, a score of 0 included) and the check is in
its report. A file that is ``missing``, the untouched ``stub``, an ``error`` (the grader
could not grade it, or the archive could not be read) or ``pending`` (a run stopped midway)
has no check graded: it says nothing about which check is hard, only that nothing was
handed in, so it is counted apart, in the exercise's ``scores["not_graded"]``, and its 0 is
not in the score distribution. Within a graded file, a check the grader did not score on
its own (status ``not scored`` or ``not run``: it needs another check that failed, whose
failure is already counted there) is not graded either: its students are listed in the
check's ``not_scored``, so that one mistake does not make every later check look hard. Any
other check not passed (``failed``, ``partial``, ``void``: computed the way the exercise
forbids) counts as graded and failed; its diagnosis, when it has one, is counted, and who
failed with none is in ``undiagnosed``.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograd_lab.atomic_write import write_atomic

GRADED = "graded"
NOT_SCORED = ("not scored", "not run")
"""Check statuses that are no verdict on the check itself (see the module's docstring)."""


def _points(value: float) -> str:
    return f"{value:g}"


def analysis(grades: dict) -> dict:
    """The item analysis of grades.json's object ``grades``.

    Returns ``{"exercises": {ID: {"max_score", "scores", "checks", "hardest"}}}``, exercises
    in course order, where:

    - ``scores``: ``{"values": [score of each graded file, ascending], "counts": {"SCORE":
      how many}, "not_graded": {"missing"|"stub"|"error"|"pending": how many}}``;
    - ``checks``: ``{NAME: {"title", "graded", "passed", "pass_rate", "diagnoses": {TEXT:
      count}, "students": {TEXT: [student, ...]}, "undiagnosed": [student, ...],
      "not_scored": [student, ...]}}`` (``pass_rate`` = passed/graded, None when no one
      was graded on it; ``undiagnosed``: who failed the check with no diagnosis;
      ``not_scored``: whose file was graded but not this check; diagnoses most frequent
      first; students in grades.json's order);
    - ``hardest``: the check names, lowest pass rate first, ties in catalog order (the order
      of the reports' checks), a check no one was graded on last. ``checks`` is built in
      that order too, but a JSON writer that sorts keys loses it: ``hardest`` keeps it.
    """
    exercises = {}
    for entry in grades.get("exercises", []):
        exercise = entry["id"]
        values: list[float] = []
        not_graded: dict[str, int] = {}
        checks: dict[str, dict] = {}
        for student, data in grades.get("students", {}).items():
            record = data.get("exercises", {}).get(exercise)
            if record is None:
                continue
            status = record.get("status")
            if status != GRADED:
                not_graded[status] = not_graded.get(status, 0) + 1
                continue
            values.append(float(record.get("score", 0.0)))
            for check in record.get("checks", []):
                name = check.get("name")
                if name is None:
                    continue
                row = checks.setdefault(name, {"title": check.get("title", name), "graded": 0,
                                               "passed": 0, "diagnoses": {}, "students": {},
                                               "undiagnosed": [], "not_scored": []})
                if not check.get("passed") and check.get("status") in NOT_SCORED:
                    row["not_scored"].append(student)
                    continue
                row["graded"] += 1
                if check.get("passed"):
                    row["passed"] += 1
                elif check.get("diagnosis"):
                    text = str(check["diagnosis"])
                    row["diagnoses"][text] = row["diagnoses"].get(text, 0) + 1
                    row["students"].setdefault(text, []).append(student)
                else:
                    row["undiagnosed"].append(student)
        for row in checks.values():
            row["pass_rate"] = (round(row["passed"] / row["graded"], 6) if row["graded"]
                                else None)
            order = sorted(row["diagnoses"], key=lambda d: (-row["diagnoses"][d], d))
            row["diagnoses"] = {d: row["diagnoses"][d] for d in order}
            row["students"] = {d: row["students"][d] for d in order}
        catalog = list(checks)
        # A check nobody was scored on says nothing of its difficulty: last.
        hardest = sorted(catalog, key=lambda n: (
            2.0 if checks[n]["pass_rate"] is None else checks[n]["pass_rate"], catalog.index(n)))
        values.sort()
        counts: dict[str, int] = {}
        for value in values:
            counts[_points(value)] = counts.get(_points(value), 0) + 1
        exercises[exercise] = {
            "title": entry.get("title", exercise),
            "max_score": entry.get("max_score"),
            "scores": {"values": values, "counts": counts,
                       "not_graded": dict(sorted(not_graded.items()))},
            "checks": {name: checks[name] for name in hardest},
            "hardest": hardest,
        }
    return {"exercises": exercises}


def analysis_json_text(data: dict) -> str:
    """analysis.json's text: sorted keys, so that it reads the same on every run."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_analysis(out: Path, grades: dict) -> list[Path]:
    """Write OUT/analysis.json and OUT/report.html (atomically) from grades.json's object;
    return their paths. A :mod:`derived` writer: depends on ``grades`` alone."""
    from autograd_lab.classroom.report_page import page_html

    out = Path(out)
    data = analysis(grades)
    write_atomic(out / "analysis.json", analysis_json_text(data))
    write_atomic(out / "report.html", page_html(data))
    return [out / "analysis.json", out / "report.html"]
