"""Gradescope's ``results.json`` for one submission, from the same checks.

The format (Gradescope autograder specification): a top-level ``score`` and
``execution_time`` (seconds), an ``output`` shown above the tests, and ``tests``, each with
``name``, ``score``, ``max_score``, ``status`` ("passed" or "failed"), ``output`` and
``visibility``. Here there is one test per check of each exercise; an exercise that was not
submitted, or could not be graded, is one failed test worth its points.
"""

from __future__ import annotations

from autograd_lab.classroom.results import GRADED


def _test(name: str, score: float, max_score: float, passed: bool, output: str) -> dict:
    return {"name": name, "score": score, "max_score": max_score,
            "status": "passed" if passed else "failed", "output": output,
            "visibility": "visible"}


def results_json(gradebook, student: str, *, execution_time: float) -> dict:
    """The results.json object for ``student``'s submission in ``gradebook``."""
    tests = []
    for exercise in gradebook.exercises:
        record = gradebook.records[(student, exercise.id)]
        prefix = f"{exercise.id} · {exercise.slug}"
        if record["status"] != GRADED:
            tests.append(_test(f"{prefix}: {exercise.title}", 0.0, record["max_score"], False,
                               record.get("message", "not graded")))
            continue
        for check in record["checks"]:
            tests.append(_test(f"{prefix} · {check['name']}: {check['title']}", check["score"],
                               check["max_score"], check["passed"],
                               check["message"] or "passed"))
    score, _ = gradebook.total(student)
    skipped = gradebook.submissions[student].skipped
    output = ("Not graded:\n" + "\n".join(f"  {line}" for line in skipped)) if skipped else ""
    return {"score": score, "execution_time": int(round(execution_time)), "output": output,
            "tests": tests}
