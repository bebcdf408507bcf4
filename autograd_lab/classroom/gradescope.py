"""Gradescope's ``results.json`` for one submission, from the same checks.

The format is Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a top-level ``score``,
``execution_time`` (whole seconds), ``output`` (shown above the tests; here what was not
graded, in Markdown), and ``tests``, each with ``name``, ``number``, ``score``, ``max_score``,
``status`` ("passed" or "failed"), ``output`` (Markdown: ``output_format`` "md") and
``visibility``. There is one test per check of each exercise; an exercise that was not
submitted, or could not be graded, is one failed test worth its points.

What a student sees, and when, is chosen by :func:`with_visibility`; ``stdout`` (the
grader's log, for the instructor) is never shown to students.
"""

from __future__ import annotations

import re

from autograd_lab.classroom.results import GRADED, MISSING

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
"""``--visibility`` choices. ``visible``: everything at once. ``after_due_date`` and
``after_published``: the whole result (score and tests) once the due date has passed, or once
the instructor publishes the grades. ``hidden``: the score and the summary at once, each
check's result and diagnosis only once the grades are published."""


def fenced(text: str) -> str:
    """``text`` as a Markdown code block that nothing in it can close: the fence is one
    backtick longer than the longest run of backticks inside (a student's exception message
    may hold some), so the text is shown as it is, never rendered."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _points(value: float) -> str:
    return f"{value:g}"


def _test(name: str, number: str, score: float, max_score: float, passed: bool,
          output: str) -> dict:
    return {"name": name, "number": number, "score": score, "max_score": max_score,
            "status": "passed" if passed else "failed", "output": output,
            "output_format": "md", "visibility": "visible"}


def _check_output(check: dict) -> str:
    """A check's result in Markdown: the verdict and points, then the grader's message (the
    smallest failing input, the diagnosis and the hint are part of it) as text."""
    verdict = "passed" if check["passed"] else check.get("status") or "failed"
    head = (f"**{verdict}** · {_points(check['score'])}/{_points(check['max_score'])} points"
            f" · {check.get('kind') or 'check'} check")
    message = check.get("message") or ""
    return f"{head}\n\n{fenced(message)}" if message else head


def _summary(gradebook, student: str, score: float, max_score: float) -> str:
    """The top-level output: a line per exercise, then what was found and not graded."""
    lines = [f"**autograd-lab**: {_points(score)}/{_points(max_score)} points", "",
             "| exercise | score | |", "|---|---|---|"]
    records = [(e, gradebook.records[(student, e.id)]) for e in gradebook.exercises]
    for exercise, record in records:
        status = record["status"]
        got = _points(record["score"]) if status == GRADED else "0"
        lines.append(f"| {exercise.id} · {exercise.slug} | {got}/{_points(record['max_score'])}"
                     f" | {'graded' if status == GRADED else status} |")
    if all(record["status"] == MISSING for _, record in records):
        expected = ", ".join(f"`{e.filename}`" for e in gradebook.exercises)
        lines += ["", "**No exercise file was found in your submission.** Submit the files "
                  f"named as the stubs are ({expected}), at the top of the submission or under "
                  "`exercises/`."]
    skipped = gradebook.submissions[student].skipped
    if skipped:
        lines += ["", "Not graded:", "", fenced("\n".join(skipped))]
    return "\n".join(lines)


def results_json(gradebook, student: str, *, execution_time: float,
                 visibility: str = "visible") -> dict:
    """The results.json object for ``student``'s submission in ``gradebook``.

    Args:
        gradebook: the run's :class:`~autograd_lab.classroom.results.Gradebook`.
        student: the one submission's name in it.
        execution_time: seconds the grading took.
        visibility: one of :data:`VISIBILITIES` (see :func:`with_visibility`).
    """
    tests = []
    for exercise in gradebook.exercises:
        record = gradebook.records[(student, exercise.id)]
        prefix = f"{exercise.id} · {exercise.slug}"
        if record["status"] != GRADED:
            why = record.get("message", "not graded")
            tests.append(_test(f"{prefix}: {exercise.title}", str(exercise.number), 0.0,
                               record["max_score"], False,
                               f"**{record['status']}** · 0/{_points(record['max_score'])} "
                               f"points\n\n{fenced(why)}"))
            continue
        for index, check in enumerate(record["checks"], start=1):
            tests.append(_test(f"{prefix} · {check['name']}: {check['title']}",
                               f"{exercise.number}.{index}", check["score"],
                               check["max_score"], check["passed"], _check_output(check)))
    score, max_score = gradebook.total(student)
    data = {"score": score, "execution_time": int(round(execution_time)),
            "output": _summary(gradebook, student, score, max_score), "output_format": "md",
            "test_output_format": "md", "tests": tests}
    return with_visibility(data, visibility)


def failure_results(output: str, *, execution_time: float = 0.0,
                    visibility: str = "visible") -> dict:
    """A results.json for a submission that could not be graded: score 0, ``output`` (Markdown)
    saying why, no tests."""
    data = {"score": 0.0, "execution_time": int(round(execution_time)), "output": output,
            "output_format": "md", "test_output_format": "md", "tests": []}
    return with_visibility(data, visibility)


def with_visibility(data: dict, visibility: str) -> dict:
    """``data`` (a results.json object) with what students see set by ``visibility``.

    ``visible``, ``after_due_date`` and ``after_published`` set the top-level ``visibility``
    (the whole result, the score included) and every test's to that value; ``hidden`` keeps
    the top level visible (the score and the summary show at once) and makes every test
    ``after_published``: each check's result and diagnosis show once the grades are
    published. ``stdout_visibility`` is always ``hidden``: stdout is the grader's log.

    Raises:
        ValueError: ``visibility`` is not one of :data:`VISIBILITIES`.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    top = "visible" if visibility == "hidden" else visibility
    tests = "after_published" if visibility == "hidden" else visibility
    data = dict(data, visibility=top, stdout_visibility="hidden")
    data["tests"] = [dict(test, visibility=tests) for test in data.get("tests", [])]
    return data
