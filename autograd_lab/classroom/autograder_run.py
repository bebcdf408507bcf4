"""Grade one Gradescope submission as `run_autograder` does: `autograd-lab gradescope run`.

It runs ``autograd-lab grade ROOT/submission --gradescope`` (the very command an instructor
runs, in a process of its own) with what the zip's config chose, then writes
``ROOT/results/results.json`` with the visibility chosen and the whole run's time. Whatever
happens, a results.json is there: one saying "did not finish" is written first (Gradescope
may stop the run at its own time limit, or its memory limit may end it), and any failure of
the grading (no submission, a config that cannot be read, `grade` ending with an error, a
signal or no results, a run past its deadline) replaces it with one scored 0 whose
``output`` says what went wrong.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from autograd_lab.atomic_write import write_atomic
from autograd_lab.classroom.autograder_config import read_config
from autograd_lab.classroom.gradescope import failure_results, fenced, with_visibility
from autograd_lab.errors import AutogradLabError

DID_NOT_FINISH = ("**The autograder stopped before it finished grading** (the time or memory "
                  "limit of Gradescope's autograder was reached?). Your score is not final: "
                  "tell your instructor.")
_TAIL = 20
"""Lines of `grade`'s stderr shown in a failure's output."""


def _grade_command() -> list[str]:
    """The `autograd-lab` on PATH (setup.sh put it there), else this Python's."""
    found = shutil.which("autograd-lab")
    return [found] if found else [sys.executable, "-m", "autograd_lab"]


def _why_grade_failed(returncode: int, stderr: str) -> str:
    """Why `grade` gave no results, for the student: its error message where it printed one
    (click's ``Error: ...``), else the end of its stderr."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        head = f"grading was ended by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    else:
        head = f"`autograd-lab grade` exited with status {returncode}"
    lines = stderr.rstrip().splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("Error:")]
    shown = lines[errors[-1]:] if errors else lines[-_TAIL:]
    return head + (":\n\n" + fenced("\n".join(shown)) if shown else ".")


def _fail(message: str) -> str:
    return f"**This submission could not be graded**: {message}"


def grade_submission(root: Path, config_path: Path, *, stream=None) -> dict:
    """Grade ``root/submission``; write and return ``root/results/results.json``.

    Args:
        root: Gradescope's ``/autograder`` (or a copy of its layout).
        config_path: the zip's ``autograd-lab.json``.
        stream: where `grade`'s own output is copied (stdout: Gradescope keeps it for the
            instructor as ``results/stdout``).
    """
    stream = stream or sys.stdout
    started = time.monotonic()
    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(results, json.dumps(failure_results(DID_NOT_FINISH), indent=2) + "\n")
    visibility = "visible"
    try:
        config = read_config(config_path)
        visibility = config.visibility
        data = _graded(root / "submission", config, stream)
    except AutogradLabError as exc:
        data = failure_results(_fail(str(exc)))
    # The one place that must write results.json whatever went wrong, a bug of ours included:
    # the traceback goes to stdout (the instructor's log), the student reads that it failed.
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc(file=stream)
        data = failure_results(_fail(f"an internal error of autograd-lab "
                                     f"({type(exc).__name__}: {exc}); tell your instructor."))
    data["execution_time"] = int(round(time.monotonic() - started))
    data = with_visibility(data, visibility)  # the one place, for a grade and a failure alike
    write_atomic(results, json.dumps(data, indent=2) + "\n")
    return data


class _NotGraded(AutogradLabError):
    """`grade` gave no results.json (the message says why, in Markdown)."""


def _graded(submission: Path, config, stream) -> dict:
    """The results.json `grade --gradescope` writes for ``submission``.

    Raises:
        _NotGraded: there is no submission, or `grade` failed, timed out or wrote nothing.
    """
    if not submission.is_dir():
        raise _NotGraded(f"Gradescope's submission folder {submission} is missing.")
    with tempfile.TemporaryDirectory(prefix="autograd-lab-gradescope-") as work:
        command = [*_grade_command(), "grade", str(submission), "-o", work, "--gradescope",
                   "--exercises", ",".join(config.exercises), "--timeout", f"{config.timeout:g}",
                   "--memory", str(config.memory_mb)]
        print("$", " ".join(command), file=stream, flush=True)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=config.deadline(), env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            _copy(stream, exc.stdout, exc.stderr)
            raise _NotGraded(f"grading took longer than {config.deadline():.0f} s (the "
                             f"exercises' timeouts, {config.timeout:g} s each, and a margin) "
                             "and was stopped.") from None
        except OSError as exc:
            raise _NotGraded(f"`autograd-lab grade` could not be started: {exc}") from None
        _copy(stream, done.stdout, done.stderr)
        produced = Path(work) / "results.json"
        if done.returncode != 0 or not produced.is_file():
            raise _NotGraded(_why_grade_failed(done.returncode, done.stderr or ""))
        try:
            data = json.loads(produced.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise _NotGraded(f"`autograd-lab grade` wrote a results.json that is not JSON "
                             f"({exc}).") from None
    return data


def _copy(stream, *texts) -> None:
    for text in texts:
        if text:
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()
