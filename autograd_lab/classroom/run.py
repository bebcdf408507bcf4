"""Grade a class (or one Gradescope submission): the library function behind `autograd-lab grade`."""

from __future__ import annotations

import json
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from autograd_lab.atomic_write import write_atomic
from autograd_lab.classroom import derived, journal, manifest, pool
from autograd_lab.classroom.gradescope import results_json
from autograd_lab.classroom.progress import Progress
from autograd_lab.classroom.results import Gradebook
from autograd_lab.classroom.submissions import discover, load, nested_submissions
from autograd_lab.errors import AutogradLabError
from autograd_lab.sandbox import isolation


class SubmissionsMissing(AutogradLabError):
    """SUBMISSIONS is not a folder (or, for one Gradescope submission, a folder or a .zip)."""


class OutputInsideSubmissions(AutogradLabError):
    """OUT lies inside SUBMISSIONS, where a rerun would take it for a student."""


class SeveralSubmissions(AutogradLabError):
    """``--gradescope`` was given a folder (or .zip) that holds several students' submissions
    and no exercise file of its own: grading it would grade one "student" with nothing."""


def _several(entry: Path, names: list[str]) -> SeveralSubmissions:
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return SeveralSubmissions(
        f"{entry} holds {len(names)} submissions ({shown}) and no exercise file of its own. "
        "--gradescope grades one submission: a folder or .zip with the exercise files at its "
        "top or under exercises/ (as Gradescope's /autograder/submission). To grade a class, "
        "leave out --gradescope; to grade one student, pass that student's folder.")


class GradingInterrupted(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM): what had finished is written (grades,
    feedback, cache) and a rerun grades only the rest."""

    def __init__(self, summary: "Summary", signum: int):
        self.summary, self.signum = summary, signum
        name = signal.Signals(signum).name
        super().__init__(f"interrupted ({name}): {summary.graded} graded in this run, "
                         f"{summary.cached} unchanged; written to {summary.gradebook.out}. "
                         "Run the same command again to grade the rest.")


class _Signalled(BaseException):
    """SIGTERM, raised where the run was (as Ctrl-C raises KeyboardInterrupt)."""


@contextmanager
def _sigterm_raises():
    """While grading, SIGTERM (what a scheduler sends at a time limit, or `kill`) unwinds
    the run as Ctrl-C does, so that the final write happens; Python's default would end the
    process on the spot, leaving only the journal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Signalled(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Summary:
    """What a run did."""

    gradebook: Gradebook
    graded: int = 0
    """Items graded in this run."""
    cached: int = 0
    """Items whose file and grader were unchanged: taken from the cache (or from the
    journal a killed run left)."""
    shard: object = None
    """The :class:`~autograd_lab.classroom.shard.Shard` graded, or None for the class."""
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    """The files written, the main ones first."""


def grade_class(submissions: Path, out: Path, *, exercises, jobs: int = 1, timeout: float = 30.0,
                memory_mb: int | None = 4096, device: str = "cpu", force: bool = False,
                gradescope: bool = False, stream=None, shard=None) -> Summary:
    """Grade every submission under ``submissions`` (or, with ``gradescope``, the one it is).

    Each result is appended to OUT/journal.jsonl as it comes; OUT/grades.csv,
    OUT/grades.json, OUT/feedback/ and OUT/run.json are written at the end (and with
    ``gradescope`` OUT/results.json), or when the run is interrupted, and meanwhile now and
    then, paced so that it costs a bounded share of the run (see
    :meth:`Gradebook.checkpoint`). A journal a killed run
    left is read back: what it finished is not graded again. With ``shard`` (a
    :class:`~autograd_lab.classroom.shard.Shard`), only that shard's students are graded
    (the others are not even unpacked). Progress goes to ``stream`` (stderr).

    Raises:
        GradingInterrupted: Ctrl-C or SIGTERM; what had finished is written.
        SubmissionsMissing: ``submissions`` does not exist (or is not a folder).
        OutputInsideSubmissions: ``out`` is inside ``submissions`` (class mode).
        SeveralSubmissions: with ``gradescope``, ``submissions`` holds several submissions.
    """
    started = time.monotonic()
    submissions, out = Path(submissions), Path(out)
    if not (submissions.is_dir() or (gradescope and submissions.suffix == ".zip"
                                     and submissions.is_file())):
        raise SubmissionsMissing(f"No such folder: {submissions}")
    if not gradescope and out.resolve().is_relative_to(submissions.resolve()):
        raise OutputInsideSubmissions(
            f"The output folder {out} is inside {submissions}: a rerun would grade it as a "
            "student. Choose an output folder outside it.")
    filenames = {e.filename: e.id for e in _all_exercises()}
    # The isolation is part of what a verdict was computed under: a verdict cached without a
    # protection is graded again once the protection is there. The timeout as a float: 30
    # and 30.0 (the CLI's) are the same limit, and must make the same key.
    settings = {"device": device, "timeout": float(timeout), "memory_mb": memory_mb,
                "isolation": isolation.level()}
    with tempfile.TemporaryDirectory(prefix="autograd-lab-unpacked-") as unpack:
        if gradescope:
            found = [load(submissions, student=submissions.stem or "submission",
                          unpack_root=Path(unpack), filenames=filenames)]
            nested = [] if found[0].files else nested_submissions(submissions, filenames)
            if len(nested) > 1:
                raise _several(submissions, nested)
            skipped: list[str] = []
        else:
            keep = shard.holds if shard is not None else None
            found, skipped = discover(submissions, unpack_root=Path(unpack), filenames=filenames,
                                      keep=keep)
        out.mkdir(parents=True, exist_ok=True)
        journal_path = journal.path_in(out)
        left, _damaged = journal.read(journal_path)
        book = Gradebook(out, exercises=exercises, submissions=found, skipped=skipped,
                         settings=settings, force=force, journal=journal.Journal(journal_path))
        book.resume(left)
        todo = book.to_grade()
        by_student = {s.student: s for s in found}
        items = [pool.Item(student, exercise, str(by_student[student].files[exercise]),
                           by_student[student].shown[exercise]) for student, exercise in todo]
        progress = Progress(len(items), cached=len(book.keys) - len(items), jobs=jobs,
                            stream=stream, tick=book.checkpoint)
        done = 0

        def on_result(item, result):
            nonlocal done
            book.record(item.student, item.exercise, result)
            done += 1

        interrupted = None
        try:
            with _sigterm_raises():
                pool.run(items, exercises=exercises, settings=settings, jobs=jobs,
                         progress=progress, on_result=on_result)
        except KeyboardInterrupt:
            interrupted = signal.SIGINT
        except _Signalled as exc:
            interrupted = exc.args[0]
        finally:
            # One write, of everything: at the end, or at an interruption (what finished is
            # kept); a failure here keeps the journal for the next run.
            extra = derived.write_all(out, book.finish())
            manifest.write(out, manifest.manifest(grader_version=book.version,
                                                  exercises=exercises, settings=settings,
                                                  shard=shard))
    # Interrupted: the results that came in (a result voided later is called for twice).
    graded = len(items) if interrupted is None else min(done, len(items))
    summary = Summary(book, graded=graded, cached=len(book.keys) - len(items),
                      seconds=time.monotonic() - started, shard=shard)
    summary.written = [out / "grades.csv", out / "grades.json", out / "feedback", *extra]
    if interrupted is not None:
        raise GradingInterrupted(summary, interrupted)
    if gradescope:
        data = results_json(book, found[0].student, execution_time=summary.seconds)
        write_atomic(out / "results.json", json.dumps(data, indent=2) + "\n")
        summary.written.insert(0, out / "results.json")
    return summary


def _all_exercises():
    from autograd_lab.catalog import EXERCISES

    return EXERCISES
