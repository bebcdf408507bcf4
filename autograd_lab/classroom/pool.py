"""Grade many (student, exercise) items in parallel, in grader processes forked from this one.

The process that runs `autograd-lab grade` has torch, hypothesis and the catalog imported; it
forks N grader processes (so none pays for ``import torch``), hands each one item at a time
over a pipe, and reads the results back as JSON lines, waiting on all of them with ``select``
(one thread, no locks). A grader is our own code: it calls :func:`engine.grade`, which forks a
worker per exercise in which the student's code runs, limited and killed with its whole process
group when done. A grader that dies is replaced and its item graded again, once (then
recorded as an error); one that stalls costs only its current item. When the run ends, or is
interrupted, every grader is ended and reaped, and any process a grader left behind is killed.

Each item gets an id `grade` chooses at random. A grader learns it from a pipe of its own
only once the item is graded (its workers, and what they started, are gone by then: no copy
of it is in their memory) and sends it with the result (see :mod:`lines`). A line that does
not answer the item its grader holds is never taken for it: a line for an item already
answered voids that item's result (recorded as an error); garbage, or a line over the bound,
ends the grader, and its item is graded again (once).
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import select
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from autograd_lab.classroom import lines
from autograd_lab.classroom.progress import Progress
from autograd_lab.sandbox import isolation, process

GRACE_S = 60.0
"""How much longer than the timeout a grader may hold one item before it is killed."""


@dataclass
class Item:
    """One file to grade."""

    student: str
    exercise: str
    path: str
    """The file on disk (perhaps in a temporary unpack folder)."""
    shown: str
    """The path reports show instead (``alice/exercises/exercise3_my_relu.py``)."""


@dataclass
class _Grader:
    pid: int
    task_fd: int
    key_fd: int
    result_fd: int
    reader: lines.LineReader
    item: Item | None = None
    key: str | None = None
    """The id of the item it holds."""
    digest: str = ""
    """The sha256 of the task line it was sent for that item."""
    since: float = 0.0


def _grade_item(task: dict, settings: dict) -> dict:
    """Grade one item (in a grader process); return the JSON-ready result."""
    from autograd_lab.catalog import lookup
    from autograd_lab.grading.engine import grade
    from autograd_lab.grading.render import render_text
    from autograd_lab.sandbox.limits import Limits

    timeout = settings["timeout"]
    limits = Limits(memory_mb=settings["memory_mb"], cpu_seconds=int(timeout) + 10)
    try:
        report = grade(lookup(task["exercise"]), task["path"], device=settings["device"],
                       timeout=timeout, limits=limits)
    except Exception as exc:  # noqa: BLE001 -- one item's failure must not end the grader
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    real, shown = os.path.abspath(task["path"]), task["shown"]

    def clean(text):
        return text.replace(real, shown).replace(task["path"], shown) if text else text

    report.file = shown
    report.output = clean(report.output)
    for check in report.checks:
        check.message, check.example = clean(check.message), clean(check.example)
    return {"ok": True, "report": report.to_dict(), "text": render_text(report, timing=False),
            "duration_s": round(report.duration_s, 3)}


def _read_key(fd: int) -> str:
    """The id of the item just graded: one line from the key pipe (at most a few bytes)."""
    data = b""
    while not data.endswith(b"\n") and len(data) <= lines.MAX_KEY_CHARS:
        byte = os.read(fd, 1)
        if not byte:
            raise EOFError("the key pipe closed")
        data += byte
    return data.decode("ascii", errors="replace").strip()


def _result_line(key: str, task_line: str, result: dict) -> bytes:
    """The line a grader writes for the item ``key`` (a seam for tests)."""
    return lines.encode(key, lines.digest(task_line), result)


def _grader_main(task_fd: int, key_fd: int, result_fd: int, settings: dict,
                 parent: int) -> None:
    """A grader's life: read tasks (JSON lines) until EOF, write a result line for each."""
    code = 0
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        process.close_fds_except(task_fd, key_fd, result_fd)
        process.make_undumpable()  # no same-user process may open its pipes via /proc

        def stop(signum, frame):
            # Kill the worker (and its group) here and now: unwinding engine.grade with an
            # exception is not enough, hypothesis may catch it and call the hung worker again.
            process.kill_all_workers()
            os._exit(1)

        signal.signal(signal.SIGTERM, stop)
        # SIGTERM, not SIGKILL: the handler above ends this grader's worker first.
        process.die_with_parent(parent, signal.SIGTERM)
        with os.fdopen(task_fd, "r", encoding="utf-8") as tasks:
            for line in tasks:
                result = _grade_item(json.loads(line), settings)
                # Only now, with the item's workers gone, is its id read.
                data = _result_line(_read_key(key_fd), line, result)
                while data:
                    data = data[os.write(result_fd, data):]
    except BaseException:  # noqa: BLE001 -- a grader never returns into the CLI's code
        code = 1
    finally:
        os._exit(code)


def _prepare(exercises) -> None:
    """Do, once and before forking, what every grader would otherwise do for itself."""
    import torch

    from autograd_lab.grading.engine import freeze_imports

    torch.set_num_threads(1)
    for exercise in exercises:
        for module in exercise.preload:
            importlib.import_module(module)
    freeze_imports()


def _spawn(settings: dict) -> _Grader:
    task_r, task_w = os.pipe()
    key_r, key_w = os.pipe()
    result_r, result_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        for fd in (task_w, key_w, result_r):
            os.close(fd)
        _grader_main(task_r, key_r, result_w, settings, parent)
    for fd in (task_r, key_r, result_w):
        os.close(fd)
    return _Grader(pid, task_w, key_w, result_r, lines.LineReader())


def _end(grader: _Grader, *, kill: bool) -> None:
    for fd in (grader.task_fd, grader.key_fd, grader.result_fd):
        try:
            os.close(fd)
        except OSError:
            pass
    if kill:
        try:
            os.kill(grader.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 5.0
    while True:
        try:
            pid, _ = os.waitpid(grader.pid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            return
        if time.monotonic() > end:
            os.kill(grader.pid, signal.SIGKILL)
            os.waitpid(grader.pid, 0)
            return
        time.sleep(0.01)


def run(items: list[Item], *, exercises, settings: dict, jobs: int,
        on_result: Callable[[Item, dict], None], progress: Progress | None = None) -> None:
    """Grade ``items`` with ``jobs`` grader processes; call ``on_result`` as each one ends.

    Args:
        items: what to grade.
        exercises: the catalog entries involved (their preloads are imported before forking).
        settings: ``device``, ``timeout`` (seconds per exercise) and ``memory_mb``.
        jobs: how many graders run at once.
        on_result: called in this process with the item and its result (see
            :func:`_grade_item`), in the order results arrive; called again, with an error,
            for an item whose result is voided later (a second line came for it).
        progress: told as items start and end, and redrawn while they run.
    """
    if not items:
        return
    _prepare(exercises)
    isolation.level()  # probed (and a missing protection told) once, not once per grader
    process.make_undumpable()
    process._become_subreaper()  # a dead grader's workers come back to us, to be killed
    queue = deque(items)
    graders: list[_Grader] = []
    respawns = 2 * jobs + 2
    hold_limit = settings["timeout"] + GRACE_S
    given: dict[str, Item] = {}
    """Every id handed out -> its item."""
    voided: set[str] = set()
    """Ids whose result was voided (recorded as an error) before their grader answered."""
    retried: set[int] = set()

    def feed(grader: _Grader) -> None:
        if not queue:
            grader.item = grader.key = None
            os.close(grader.task_fd)
            grader.task_fd = -1
            return
        grader.item, grader.since = queue.popleft(), time.monotonic()
        grader.key = secrets.token_hex(16)
        given[grader.key] = grader.item
        task = {"student": grader.item.student, "exercise": grader.item.exercise,
                "path": grader.item.path, "shown": grader.item.shown}
        line = json.dumps(task) + "\n"
        grader.digest = lines.digest(line)
        os.write(grader.task_fd, line.encode())
        os.write(grader.key_fd, grader.key.encode() + b"\n")
        if progress is not None:
            progress.start(f"{grader.item.student} {grader.item.exercise}")

    def finish(grader: _Grader, result: dict | None) -> None:
        item, grader.item, grader.key = grader.item, None, None
        if result is not None:
            on_result(item, result)
        if progress is not None:
            progress.advance(f"{item.student} {item.exercise}")

    def answer(grader: _Grader, line: bytes) -> bool:
        """Take one line from ``grader``; False where the grader had to be ended."""
        try:
            key, task_digest, result = lines.decode(line)
        except lines.BadLine as exc:
            lost(grader, f"the grader process sent {exc}", retry=True)
            return False
        if key == grader.key and task_digest != grader.digest:
            lost(grader, "the grader process graded a task it was not given", retry=True)
            return False
        if key == grader.key:
            finish(grader, None if key in voided else result)
            feed(grader)
        elif key in given:  # a second line for an item: neither line can be trusted
            if key not in voided:
                voided.add(key)
                on_result(given[key], {"ok": False, "error": (
                    "two results came back for it (something wrote into the grader's "
                    "channel); it is graded again on the next run")})
        else:
            lost(grader, "the grader process sent a result for no item it was given",
                 retry=True)
            return False
        return True

    def lost(grader: _Grader, why: str, retry: bool = True) -> None:
        nonlocal respawns
        if grader.item is not None:
            if retry and id(grader.item) not in retried and grader.key not in voided:
                retried.add(id(grader.item))
                queue.appendleft(grader.item)
                grader.item = grader.key = None
            else:
                finish(grader, {"ok": False, "error": why})
        graders.remove(grader)
        _end(grader, kill=True)
        if queue and (respawns > 0 or all(g.task_fd < 0 for g in graders)):
            respawns -= 1
            graders.append(_spawn(settings))
            feed(graders[-1])

    try:
        for _ in range(min(jobs, len(items))):
            graders.append(_spawn(settings))
            feed(graders[-1])
        while any(g.item is not None for g in graders):
            by_fd = {g.result_fd: g for g in graders if g.item is not None}
            ready, _, _ = select.select(list(by_fd), [], [], 0.5)
            for fd in ready:
                grader = by_fd[fd]
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    lost(grader, "the grader process ended unexpectedly")
                    continue
                try:
                    complete = grader.reader.feed(chunk)
                except lines.LineTooLong as exc:
                    lost(grader, f"the grader process sent {exc}")
                    continue
                for line in complete:
                    if not answer(grader, line):
                        break
            now = time.monotonic()
            for grader in [g for g in graders if g.item is not None]:
                if now - grader.since > hold_limit:
                    lost(grader, f"grading took longer than {hold_limit:g} s", retry=False)
            if progress is not None:
                progress.draw()
    finally:
        for grader in graders:
            _end(grader, kill=grader.item is not None)
        process.kill_orphans()
        if progress is not None:
            progress.close()
