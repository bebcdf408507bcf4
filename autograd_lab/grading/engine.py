"""Grade one student file against one catalog exercise."""

from __future__ import annotations

import gc
import importlib
import time

import torch

from autograd_lab.grading import replay
from autograd_lab.grading.failure import Abort, Failure
from autograd_lab.grading.report import CheckResult, Report
from autograd_lab.grading.session import Session
from autograd_lab.sandbox.limits import Limits


def _result(check, failure: Failure | None) -> CheckResult:
    if failure is None:
        return CheckResult(check.name, check.title, True, check.points, check.points)
    lines = [failure.summary]
    example = failure.example if failure.show_input else None
    if example:
        lines.append("failing input:" if example.startswith("(edge") else "smallest failing input:")
        lines.extend("  " + line for line in example.splitlines())
    lines.extend(failure.details)
    diagnosis = failure.diagnosis
    if diagnosis is not None:
        lines.append(f"diagnosis: {diagnosis.name}: {diagnosis.explanation}")
        if diagnosis.hint:
            lines.append(f"hint: {diagnosis.hint}")
    return CheckResult(
        check.name, check.title, False, 0.0, check.points, "\n".join(lines),
        diagnosis=diagnosis.name if diagnosis else None,
        hint=diagnosis.hint if diagnosis else None,
        example=example,
    )


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
        for index, check in enumerate(exercise.checks):
            if session.load_failure is not None:
                # The whole story once, under the first check; the others just say why.
                failure = session.load_failure if index == 0 else Failure(
                    f"not run: {session.load_failure.summary}", show_input=False)
                report.checks.append(_result(check, failure))
                continue
            try:
                # Named, so that a process grading many files draws each search's inputs once.
                with replay.scope(exercise.id, check.name, device):
                    failure = check.run(session)
            except Abort as exc:
                failure = exc.failure
            report.checks.append(_result(check, failure))
    finally:
        report.output = session.output()
        session.close()
    report.duration_s = time.monotonic() - started
    return report
