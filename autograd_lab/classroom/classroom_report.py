"""One exercise's grade in the result format GitHub Classroom's grading reporter reads.

``classroom-resources/autograding-grading-reporter`` reads, for each runner (a step id) in its
``runners`` input, the variable ``<ID>_RESULTS``: base64 of a JSON object
``{"version": 1, "status": "pass"|"fail"|"error", "max_score": P, "tests": [...]}``, each test
with ``name``, ``status``, ``score``, ``message`` (and ``test_code``, ``filename``,
``line_no``, ``duration``, as ``autograding-command-grader`` writes them). It adds up the
tests' ``score`` against the runners' ``max_score``: so one test per check, each with the
points it earned, gives partial credit per check. A grading step hands the text to the
reporter as its output ``result``, by appending ``result=<base64>`` to ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

RESULT_VERSION = 1


def _test(name: str, status: str, score: float, max_score: float, message: str, *,
          test_code: str, filename: str, duration: float = 0.0) -> dict:
    return {"name": name, "status": status, "score": float(score),
            "max_score": float(max_score), "message": message, "test_code": test_code,
            "filename": filename, "line_no": 0, "duration": round(float(duration), 3)}


def classroom_result(report, *, command: str) -> dict:
    """The reporter's result for a :class:`~autograd_lab.grading.report.Report`: one test per
    check, ``pass`` when it passed, else ``fail`` with the check's feedback as ``message``."""
    share = report.duration_s / max(len(report.checks), 1)
    tests = []
    for check in report.checks:
        message = check.message
        if not check.passed and check.hint:
            message = f"{message}\nHint: {check.hint}" if message else f"Hint: {check.hint}"
        tests.append(_test(f"{report.exercise}.{check.name}: {check.title}",
                           "pass" if check.passed else "fail", check.score, check.max_score,
                           message, test_code=command, filename=report.file,
                           duration=share))
    return {"version": RESULT_VERSION, "status": "pass" if report.passed else "fail",
            "max_score": report.max_score, "tests": tests}


def error_result(exercise, message: str, *, command: str, filename: str) -> dict:
    """The reporter's result when the exercise could not be graded (its file missing, the
    grader unable to run): status ``error``, one test worth nothing that says why, and the
    exercise's points as ``max_score`` so that the total still counts them."""
    return {"version": RESULT_VERSION, "status": "error", "max_score": float(exercise.points),
            "tests": [_test(f"{exercise.id}: {exercise.title}", "error", 0.0,
                            exercise.points, message, test_code=command,
                            filename=filename)]}


def encode(result: dict) -> str:
    """base64 of the result's JSON, as the reporter decodes it (UTF-8, one line)."""
    text = json.dumps(result, sort_keys=True, ensure_ascii=False)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def output_line(result: dict) -> str:
    """The ``result=<base64>`` line a step writes to ``$GITHUB_OUTPUT``."""
    return f"result={encode(result)}"


def write_github_output(result: dict, path: str | os.PathLike) -> None:
    """Append the ``result=`` line to the step's output file (GitHub Actions gives each step
    its own, named by ``$GITHUB_OUTPUT``; appending keeps other outputs already there).

    Raises:
        OSError: the file cannot be written.
    """
    with open(Path(path), "a", encoding="utf-8") as handle:
        handle.write(output_line(result) + "\n")
