"""A grading session: one student file, one device, one time budget, workers on demand.

Checks call probes through :meth:`Session.call`; the session turns everything that can go
wrong on the worker's side into a :class:`CheckFailure` (this input fails) or an
:class:`Abort` (stop the check), with a message a student understands.
"""

from __future__ import annotations

import os
import time
from typing import Callable

from autograd_lab.errors import DeviceUnavailable
from autograd_lab.grading.diagnose import explain_error
from autograd_lab.grading.failure import Abort, CheckFailure, Failure
from autograd_lab.sandbox import bounds
from autograd_lab.sandbox.limits import Limits
from autograd_lab.sandbox.process import Worker, WorkerDied, WorkerGarbled, WorkerTimedOut

MAX_OUTPUT_CHARS = 4000


class Session:
    """Runs probes on one student file, restarting the worker after a crash."""

    def __init__(self, path: str, *, device: str = "cpu", timeout: float = 30.0,
                 limits: Limits = Limits(), module_name: str = "student_solution"):
        self.path = os.path.abspath(path)
        self.shown_path = path
        self.device = device
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.limits = limits
        self.module_name = module_name
        self._worker: Worker | None = None
        self._outputs: list[str] = []
        self.load_failure: Failure | None = None
        self.watching: str | None = None
        """The one function a rule check is run for now (None: every function it watches)."""
        self.unsettled: str | None = None
        """Why a rerun may give another verdict (a timeout, a worker ended by a signal or
        sending malformed data): the first such failure; such a report is not cached."""

    def watches(self, function: str) -> bool:
        """Whether a rule check running now should look at ``function`` of the student's."""
        return self.watching is None or self.watching == function

    # -- workers ----------------------------------------------------------------------------
    def open(self) -> None:
        """Start a worker and import the student's file; raise if the device is missing.

        A file that cannot be imported sets :attr:`load_failure` instead of raising.
        """
        worker = self._start_worker()
        if not worker.hello.get("cuda", True):
            self.close()
            raise DeviceUnavailable(
                f"CUDA is not available on this machine (torch {worker.hello.get('torch')}); "
                "run the checks with --device cpu")
        self.load_failure = self._load(worker)

    def _start_worker(self) -> Worker:
        self._retire_worker()
        worker = Worker(self.device, self.limits)
        self._worker = worker
        try:
            worker.start(self.deadline)
        except (WorkerDied, WorkerTimedOut, WorkerGarbled) as exc:
            self.unsettled = self.unsettled or f"could not start a worker process: {exc}"
            raise Abort(Failure(f"the grader could not start a worker process: {exc}")) from None
        return worker

    def _load(self, worker: Worker) -> Failure | None:
        try:
            reply = worker.load(self.path, self.module_name, self.deadline)
        except (WorkerDied, WorkerTimedOut, WorkerGarbled) as exc:
            return self._worker_failure(exc, "importing your file").failure
        if reply.get("ok"):
            return None
        error = reply.get("error") or {}
        failure = self._error_failure(error, "importing your file")
        if error.get("type") in ("SyntaxError", "IndentationError", "TabError"):
            failure.summary = f"your file has a syntax error: {error.get('message', '')}"
        return failure

    def _retire_worker(self) -> None:
        if self._worker is not None:
            self._outputs.append(self._worker.output())
            self._worker.__exit__(None, None, None)
            self._worker = None

    def close(self) -> None:
        """Kill the worker (and everything it started)."""
        self._retire_worker()

    def output(self) -> str:
        """What the student's code printed, trimmed to what a report can show."""
        text = "".join(self._outputs) + (self._worker.output() if self._worker else "")
        if len(text) > MAX_OUTPUT_CHARS:
            half = MAX_OUTPUT_CHARS // 2
            text = (text[:half] + f"\n... ({len(text) - MAX_OUTPUT_CHARS} characters cut) ...\n"
                    + text[-half:])
        return text

    @property
    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    # -- probes -----------------------------------------------------------------------------
    def call(self, probe: Callable, **args):
        """Run ``probe(student_module, **args)`` in the worker and return what it returned."""
        what = f"running {getattr(probe, 'runs', 'your code')}"
        if self.time_left <= 0:
            self.unsettled = self.unsettled or "the time limit was used up"
            raise Abort(Failure(f"not run: the time limit of {self.timeout:g} s was used up",
                                show_input=False, by_student=True))
        if self._worker is None or not self._worker.alive:
            failure = self._load(self._start_worker())
            if failure is not None:
                raise Abort(failure)
        try:
            reply = self._worker.call(f"{probe.__module__}:{probe.__name__}", args, self.deadline)
        except (WorkerDied, WorkerTimedOut, WorkerGarbled) as exc:
            raise self._worker_failure(exc, what) from None
        if reply.get("ok"):
            # Bounded again here: the worker may not have applied the bound it was meant to.
            too_large = bounds.excess(reply.get("value"), bounds.for_call(args, probe))
            if too_large is None:
                return reply.get("value")
            reply = {"error": {"type": "ReplyTooLarge", "message": too_large, "frames": []}}
        error = reply.get("error") or {}
        failure = self._error_failure(error, what)
        if error.get("type") == "NotImplementedError":
            raise Abort(failure)
        raise CheckFailure.of(failure)

    def _worker_failure(self, exc: Exception, what: str) -> Abort:
        abort = self._worker_abort(exc, what)
        # What happened, without what was running: the same for every check it stops.
        happened = abort.failure.summary.split(" while ")[0]
        if not (isinstance(exc, WorkerDied) and "exited with code" in str(exc)):
            self.unsettled = self.unsettled or happened
        abort.failure.by_student = True
        abort.failure.cause = ("worker", happened)
        return abort

    def _worker_abort(self, exc: Exception, what: str) -> Abort:
        if isinstance(exc, WorkerTimedOut):
            return Abort(Failure(
                f"timed out: your code did not finish within the time limit of "
                f"{self.timeout:g} s while {what} (an infinite loop? a loop that waits for input?)"))
        if isinstance(exc, WorkerGarbled):
            return Abort(Failure(f"the process running your code sent malformed data while "
                                 f"{what} ({exc})"))
        status = str(exc)
        hint = ""
        if "exited with code" in status:
            hint = " (does your file call exit(), sys.exit() or os._exit()?)"
        elif "SIGXFSZ" in status:
            hint = f" (your code printed more than {self.limits.output_bytes} bytes)"
        elif "SIGXCPU" in status:
            hint = f" (more than {self.limits.cpu_seconds} s of CPU time)"
        return Abort(Failure(f"the process running your code {status} while {what}{hint}"))

    def _error_failure(self, error: dict, what: str) -> Failure:
        failure = self._describe_error(error, what)
        failure.by_student = True
        # One cause: one exception raised at one line of the student's (wherever it was called
        # from): the innermost of their frames.
        frames = [(f.get("file"), f.get("line")) for f in error.get("frames", [])
                  if f.get("student")]
        failure.cause = (str(error.get("type")), str(error.get("message", "")),
                         tuple(frames[-1:]))
        return failure

    def _describe_error(self, error: dict, what: str) -> Failure:
        kind = str(error.get("type", "Exception"))
        message = str(error.get("message", ""))
        details = []
        frames = error.get("frames", [])
        if any(frame.get("student") for frame in frames):
            # The student's own lines tell the story; torch's and ours only bury it.
            frames = [frame for frame in frames if frame.get("student")]
        for frame in frames:
            shown = self.shown_path if frame.get("student") else frame.get("file", "?")
            where = f"{shown}, line {frame.get('line')}"
            if frame.get("function"):
                where += f", in {frame['function']}"
            code = frame.get("code")
            details.append(f"{where}: {code}" if code else where)
        if kind == "NotImplementedError":
            return Failure(f"not implemented yet: {message}", details, show_input=False)
        if kind == "ReplyTooLarge":  # see sandbox/bounds.py
            return Failure(f"your code {message} while {what}", details)
        if kind == "SystemExit":
            return Failure(f"your code called exit({message}) while {what}", details)
        module_prefix = f"module '{self.module_name}' has no attribute "
        if kind == "AttributeError" and message.startswith(module_prefix):
            name = message.removeprefix(module_prefix)
            return Failure(f"your file defines no {name}: define it at the top level of the file, "
                           "with exactly that name", details)
        return Failure(f"your code raised {kind}: {message} (while {what})", details,
                       explain_error(kind, message))
