"""Grade one student file against one catalog exercise."""

from __future__ import annotations

import gc
import importlib
import time
import traceback

import torch

from autograd_lab.grading import policy, replay
from autograd_lab.grading.failure import Abort, Failure
from autograd_lab.grading.report import Report
from autograd_lab.grading.session import Session
from autograd_lab.sandbox.limits import Limits


_freeze_checked = False


def freeze_imports() -> None:
    """Move everything allocated so far out of the cyclic collector's sight, once per process.

    Everything imported so far (torch, hypothesis) lives as long as the process: frozen, a
    full collection (hypothesis runs one on first use) takes milliseconds, and forked workers
    do not copy pages the collector touches. Asked once per process, not once per file:
    ``gc.get_freeze_count()`` walks every frozen object (some 200,000: 17 ms a call).
    """
    global _freeze_checked
    if _freeze_checked:
        return
    _freeze_checked = True
    if not gc.get_freeze_count():
        gc.freeze()


def _run(exercise, check, session: Session, watching: str | None) -> Failure | None:
    """Run one check (for one watched function, or for all); its failure or None."""
    # Named, so that a process grading many files draws each search's inputs once.
    name = (exercise.id, check.name, session.device)
    if watching is not None:
        name = (exercise.id, check.name, watching, session.device)
    session.watching = watching
    try:
        with replay.scope(*name):
            return check.run(session)
    except Abort as exc:
        return exc.failure
    except Exception as exc:  # noqa: BLE001 - the last-resort guard of one check
        return _grader_error(exc)
    finally:
        session.watching = None


def _grader_error(exc: Exception) -> Failure:
    """A check that raised: what the worker sent provoked it, or it is a bug of ours.

    Either way it is this check's failure, never a traceback for the student; the traceback
    is kept (``CheckResult.internal_error``, in the JSON) for whoever maintains the grader,
    and a report that holds one is not cached.
    """
    message = str(exc)
    if len(message) > 300:
        message = message[:300] + "..."
    return Failure(
        f"the grader could not check what your code returned ({type(exc).__name__}: {message})",
        ["most likely a result it did not expect: a number too large to compare, a tensor "
         "whose shape changed, an object of another type; if what your code returns looks "
         "right, tell your instructor: the report keeps the details for them"],
        show_input=False,
        internal_error="".join(traceback.format_exception(exc))[-20_000:])


def grade(exercise, path: str, *, device: str = "cpu", timeout: float = 30.0,
          limits: Limits | None = None) -> Report:
    """Run every check of ``exercise`` on the file at ``path``; return the report.

    Raises :class:`autograd_lab.errors.DeviceUnavailable` when ``device`` is missing.
    Everything the student's file does (a syntax error, an exception, an exit, a crash,
    a hang) becomes failed checks, never an exception here.
    """
    started = time.monotonic()
    if limits is None:
        # The wall-clock timeout is the real bound; the CPU-time limit only backs it up.
        limits = Limits(cpu_seconds=int(timeout) + 10)
    # The oracle works on tiny tensors: a second intra-op thread only adds contention (and
    # forking a process whose thread pool is running is best avoided).
    torch.set_num_threads(1)
    for module in exercise.preload:
        importlib.import_module(module)
    freeze_imports()
    report = Report(exercise.id, exercise.slug, exercise.title, path, device)
    session = Session(path, device=device, timeout=timeout, limits=limits,
                      module_name=f"student_{exercise.slug}")
    try:
        try:
            session.open()
        except Abort as exc:
            session.load_failure = exc.failure
        if session.load_failure is not None:
            # The whole story once, under the first check; the others just say why.
            report.checks.append(policy.failed(exercise.checks[0], session.load_failure))
            report.checks.extend(
                policy.failed(check, Failure(f"not run: {session.load_failure.summary}",
                                             show_input=False), status="not run")
                for check in exercise.checks[1:])
        else:
            report.checks.extend(policy.grade_checks(
                exercise.checks, lambda check, watching: _run(exercise, check, session, watching)))
    finally:
        report.output = session.output()
        report.unsettled = session.unsettled
        session.close()
    report.duration_s = time.monotonic() - started
    return report
