"""Grading side: start a worker process, talk to it, and make sure it ends.

A worker is a fork of the grading process, which has torch and the catalog imported
already, so a worker starts in milliseconds and never pays for ``import torch``. The fork
happens before the grading process computes anything with torch. The worker is isolated by
the kernel (:mod:`isolation`: process 1 of a PID namespace of its own, no network, a
read-only disk but for a scratch tmpfs, its own /proc; as root, a user id and a cgroup of its
own), runs in a session of its own with resource limits, keeps only its two pipe ends open,
and writes whatever the student prints to a capture file. :meth:`Worker.close` kills it
(and with it its whole PID namespace, or where the kernel gave none, its process group and
cgroup), and never waits without a deadline (:mod:`waiting`).
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import tempfile
import time

from autograd_lab.sandbox import confine, isolation, protocol, waiting
from autograd_lab.sandbox.box import Box
from autograd_lab.sandbox.hygiene import (  # noqa: F401 -- graders use them from here
    _become_subreaper, _live_workers, close_fds_except, die_with_parent, kill_all_workers,
    kill_orphans, make_undumpable)
from autograd_lab.sandbox.limits import Limits, apply as apply_limits, mapped_bytes

REAP_S = 1.0
"""How long :meth:`Worker.close` waits for a killed worker to be reaped before moving on."""


class WorkerError(Exception):
    """The worker could not answer: see the subclasses."""


class WorkerDied(WorkerError):
    """The worker exited or was killed by a signal before it answered."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(status)


class WorkerTimedOut(WorkerError):
    """The worker did not answer before the deadline; it has been killed."""


class WorkerGarbled(WorkerError):
    """The worker sent something that is not a well-formed message."""


def describe_status(wait_status: int) -> str:
    """Say in words how a process ended, from its ``waitpid`` status."""
    if os.WIFSIGNALED(wait_status):
        sig = os.WTERMSIG(wait_status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        reasons = {
            "SIGSEGV": "a crash (segmentation fault)",
            "SIGKILL": "being killed",
            "SIGXCPU": "using up its CPU-time limit",
            "SIGXFSZ": "printing more output than allowed",
            "SIGABRT": "an abort",
            "SIGBUS": "a crash (bus error)",
        }
        return f"ended by {name} ({reasons.get(name, 'a signal')})"
    if os.WIFEXITED(wait_status):
        return f"exited with code {os.WEXITSTATUS(wait_status)}"
    return "ended"


class Worker:
    """One worker process for one device; use as a context manager."""

    def __init__(self, device: str = "cpu", limits: Limits = Limits()):
        self.device = device
        self.limits = limits
        self.pid: int | None = None
        self.hello: dict = {}
        self._request_fd = self._reply_fd = -1
        self._output = tempfile.TemporaryFile()
        self._status: int | None = None
        self._box: Box | None = None
        self._init: int | None = None
        """Process 1 of the worker's PID namespace (None: the kernel gave none)."""
        self._admitted: tuple[str, str] | None = None
        self.isolation = ""
        """The protections this worker got (:mod:`isolation`), e.g. ``pid,net,ipc,mount,proc``."""

    # -- life cycle -------------------------------------------------------------------------
    def start(self, deadline: float) -> dict:
        """Fork the worker and wait for its hello; return the hello."""
        # Imported here, once per grading process, not in every forked worker (some 5 ms each).
        from autograd_lab.sandbox import worker  # noqa: F401

        make_undumpable()
        memory = None if self.limits.memory_mb is None else self.limits.memory_mb << 20
        try:
            self._box = Box.create(memory)
        except OSError as exc:
            raise WorkerDied(f"could not prepare its folders ({exc.strerror})") from None
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        info_r, info_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        _become_subreaper()
        parent = os.getpid()
        forked = confine.fork_into_new_pid_namespace(self._box.life[0])
        if forked is None:
            pid = os.fork()
        else:
            pid, self._init = forked
        if pid == 0:  # becomes the worker, or forks it into its namespaces
            self._run_child(request_r, reply_w, info_w, parent, forked is not None)
        for fd in (request_r, reply_w, info_w):
            os.close(fd)
        self._box.keep_life()
        self._request_fd, self._reply_fd = request_w, reply_r
        worker, init, level = self._read_info(info_r, pid, deadline)
        self._init = self._init or init
        self.pid = worker
        _live_workers.add(worker)
        self.isolation = level
        if worker != pid:
            waiting.reap(pid, REAP_S)  # the first child, which exits once the worker is forked
        try:
            isolation.accept(level)
        except isolation.IsolationUnavailable:
            self.close()
            raise
        self.hello = self._receive(deadline)
        return self.hello

    @staticmethod
    def _read_info(info_r: int, child: int, deadline: float) -> tuple[int, int | None, str]:
        """The worker's pid, its namespace's init's and its isolation level, as the forked
        child reports them."""
        lines = waiting.read_lines(info_r, min(deadline, time.monotonic() + 30))
        os.close(info_r)
        worker, init, level = child, None, ""
        for line in lines:
            kind, _, value = line.partition(" ")
            if kind == "pid" and value.isdigit():
                worker = int(value)
            elif kind == "init" and value.isdigit():
                init = int(value)
            elif kind == "level":
                level = value
        return worker, init, level

    def _run_child(self, request_r: int, reply_w: int, info_w: int, parent: int,
                   in_pid_namespace: bool) -> None:
        code = 0
        try:
            die_with_parent(0 if in_pid_namespace else parent)  # our parent: outside, so 0
            # A fault handler inherited from the grading process writes to an fd number that,
            # in a grader, may now be this worker's reply pipe: a crash would garble it.
            faulthandler.disable()
            base = mapped_bytes()  # read while /proc is still the one it can read
            # Python ignores SIGPIPE and SIGXFSZ; the worker must die of an output flood.
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(self._output.fileno(), 1)
            os.dup2(self._output.fileno(), 2)
            close_fds_except(request_r, reply_w, info_w, *self._box.life)
            confine.enter(self._box, info_w, in_pid_namespace)  # may fork: then, in the worker
            # New text streams on fds 1 and 2: the parent's sys.stdout may be anything
            # (a StringIO under a test runner), and the student's prints must reach the file.
            sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False,
                                               encoding="utf-8", errors="replace")
            sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False,
                                               encoding="utf-8", errors="replace")
            apply_limits(self.limits, address_space=self.device == "cpu", base=base)
            from autograd_lab.sandbox.worker import serve

            serve(request_r, reply_w, self.device)
        except BaseException:
            code = 70
        finally:
            os._exit(code)

    def close(self) -> None:
        """Kill the worker and everything in its PID namespace (or process group and cgroup);
        reap it, waiting at most :data:`REAP_S`."""
        if self.pid is None:
            self._remove_box()
            return
        for fd in (self._request_fd, self._reply_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._request_fd = self._reply_fd = -1
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap(timeout=REAP_S)
        self._end_namespace()
        _live_workers.discard(self.pid)
        self.pid = None
        kill_orphans()
        self._remove_box()

    def _end_namespace(self) -> None:
        """Kill the init of the worker's PID namespace: the kernel ends all that is left in it."""
        if self._init is not None:
            try:
                os.kill(self._init, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiting.reap(self._init, REAP_S)
            self._init = None

    def _remove_box(self) -> None:
        if self._box is not None:
            self._box.remove()
            self._box = None

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
        self._output.close()

    @property
    def alive(self) -> bool:
        return self.pid is not None and self._status is None

    # -- requests ---------------------------------------------------------------------------
    def load(self, path: str, module_name: str, deadline: float) -> dict:
        """Import the student's file in the worker; return the reply."""
        try:
            readable = self._box.admit(path) if self._box is not None else path
        except OSError:
            readable = path  # it then reads the file itself, or says why it cannot
        self._admitted = (readable, path)
        reply = self.request({"op": "load", "path": readable, "module_name": module_name},
                             deadline)
        return self._restore_paths(reply)

    def call(self, probe: str, args: dict, deadline: float, seed: int = 0) -> dict:
        """Run ``probe`` ("module:function") on the student module; return the reply."""
        reply = self.request({"op": "call", "probe": probe, "args": args, "seed": seed}, deadline)
        return self._restore_paths(reply)

    def _restore_paths(self, reply: dict) -> dict:
        """Where the worker read a copy of the student's file, name the original in errors."""
        if self._admitted is None or self._admitted[0] == self._admitted[1]:
            return reply
        copy, original = self._admitted
        error = reply.get("error") if isinstance(reply, dict) else None
        if isinstance(error, dict):
            for key, value in list(error.items()):
                if isinstance(value, str):
                    error[key] = value.replace(copy, original)
            for frame in error.get("frames") or []:
                if isinstance(frame, dict) and frame.get("file") == copy:
                    frame["file"] = original
        return reply

    def request(self, message: dict, deadline: float) -> dict:
        """Send ``message`` and return the worker's reply, or raise a :class:`WorkerError`."""
        if not self.alive:
            raise WorkerDied(self.exit_description())
        try:
            protocol.send(self._request_fd, protocol.encode(message))
        except BrokenPipeError:
            raise WorkerDied(self._wait_description()) from None
        return self._receive(deadline)

    def _receive(self, deadline: float) -> dict:
        try:
            reply = protocol.receive(self._reply_fd, deadline)
        except protocol.ChannelTimeout:
            self.close()
            raise WorkerTimedOut("no answer before the time limit") from None
        except protocol.ChannelClosed:
            raise WorkerDied(self._wait_description()) from None
        except protocol.ProtocolError as exc:
            self.close()
            raise WorkerGarbled(str(exc)) from None
        return reply

    # -- status and output ------------------------------------------------------------------
    def _reap(self, timeout: float = 0.0) -> None:
        if self._status is not None or self.pid is None:
            return
        status = waiting.reap(self.pid, timeout)
        if status is not None:
            self._status = status

    def _wait_description(self) -> str:
        # The channel closed: the worker is exiting; give it a moment to finish.
        end = time.monotonic() + 2.0
        while self._status is None and time.monotonic() < end:
            self._reap()
            if self._status is None:
                time.sleep(0.005)
        if self._status is None:
            self.close()
        return self.exit_description()

    def exit_description(self) -> str:
        """How the worker ended, in words."""
        if self._status is None:
            return "closed its channel"
        return describe_status(self._status)

    def output(self, limit: int = 1 << 20) -> str:
        """What the student's code printed so far (at most ``limit`` bytes)."""
        text = os.pread(self._output.fileno(), limit, 0).decode("utf-8", errors="replace")
        if self._admitted is not None and self._admitted[0] != self._admitted[1]:
            text = text.replace(*self._admitted)  # the copy it read is, to the student, their file
        return text
