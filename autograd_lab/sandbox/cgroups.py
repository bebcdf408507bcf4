"""Control groups (cgroup v1) for a worker: a memory and a process limit for all of it.

An rlimit bounds one process; a cgroup bounds the worker and everything it starts, together,
and lists them all (a process that hops to a fresh pid stays in its cgroup). Used where the
grading process runs as root and the machine mounts the v1 ``memory`` and ``pids``
controllers under ``/sys/fs/cgroup`` (Docker on cgroup v1, Gradescope, many CI runners).

The grading process creates the group (:func:`create`), the forked child joins it
(:func:`join`) before it starts the worker, and the grading process removes it when the
worker has ended (:func:`remove`), killing whatever is still in it.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass

from autograd_lab.sandbox import hygiene

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("memory", "pids")
PREFIX = "autograd-lab-worker-"

_counter = itertools.count()
_stale: list["Group"] = []
"""Groups that could not be removed yet (a process in them had not finished exiting)."""


@dataclass(frozen=True)
class Group:
    """One worker's cgroup: a folder of the same name under each controller."""

    name: str

    def folders(self) -> list[str]:
        return [os.path.join(ROOT, controller, self.name) for controller in CONTROLLERS]


def available() -> bool:
    """Whether this process can create v1 memory and pids groups (root, controllers mounted)."""
    return os.geteuid() == 0 and all(
        os.access(os.path.join(ROOT, controller), os.W_OK)
        and os.path.exists(os.path.join(ROOT, controller, "cgroup.procs"))
        for controller in CONTROLLERS)


def _write(path: str, value: str) -> None:
    with open(path, "w") as out:
        out.write(value)


_swept = False


def _sweep() -> None:
    """Remove the groups of grading processes that died without removing them (once)."""
    global _swept
    if _swept:
        return
    _swept = True
    for controller in CONTROLLERS:
        for path in hygiene.left_by_dead_graders(os.path.join(ROOT, controller), PREFIX):
            try:
                os.rmdir(path)
            except OSError:
                pass


def create(memory_bytes: int, max_processes: int) -> Group | None:
    """Create a group limited to ``memory_bytes`` and ``max_processes``; None where it cannot."""
    _sweep()
    _retry_stale()
    group = Group(f"{PREFIX}{os.getpid()}-{next(_counter)}")
    memory, pids = group.folders()
    try:
        for folder in (memory, pids):
            os.mkdir(folder, 0o755)
        _write(os.path.join(memory, "memory.limit_in_bytes"), str(memory_bytes))
        _write(os.path.join(pids, "pids.max"), str(max_processes))
    except OSError:
        remove(group, wait_s=0)
        return None
    return group


def join(group: Group) -> None:
    """Move the calling process (a freshly forked child) into ``group``; its children follow."""
    for folder in group.folders():
        _write(os.path.join(folder, "cgroup.procs"), str(os.getpid()))


def members(group: Group) -> set[int]:
    """The pids (in this PID namespace) of every process in ``group``."""
    found: set[int] = set()
    for folder in group.folders():
        try:
            with open(os.path.join(folder, "cgroup.procs")) as procs:
                found.update(int(line) for line in procs if line.strip())
        except OSError:
            continue
    return found


def remove(group: Group, wait_s: float = 1.0) -> bool:
    """Kill every process left in ``group`` and delete it; True once it is gone.

    A group whose processes have not finished exiting within ``wait_s`` is kept for a
    later try (the next :func:`create`, or :func:`remove_stale`).
    """
    end = time.monotonic() + wait_s
    while True:
        for pid in members(group):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        left = []
        for folder in group.folders():
            try:
                os.rmdir(folder)
            except FileNotFoundError:
                continue
            except OSError:
                left.append(folder)
        if not left:
            return True
        if time.monotonic() >= end:
            if group not in _stale:
                _stale.append(group)
            return False
        time.sleep(0.005)


def _retry_stale() -> None:
    for group in list(_stale):
        if remove(group, wait_s=0):
            _stale.remove(group)


def remove_stale(wait_s: float = 2.0) -> None:
    """Remove the groups left for later, waiting up to ``wait_s`` (at the end of a run)."""
    end = time.monotonic() + wait_s
    for group in list(_stale):
        if remove(group, wait_s=max(0.0, end - time.monotonic())):
            _stale.remove(group)
