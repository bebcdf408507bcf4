"""Process hygiene for forked children: what a child keeps open, what it dies with, and
how the grading process ends whatever a dead worker left (Linux ``prctl``; best effort
elsewhere). Where the kernel gives a worker its own PID namespace, the kernel ends its
processes; these are the second line, and the only one where it does not.
"""

from __future__ import annotations

import os
import signal

from autograd_lab.sandbox import namespaces, waiting

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_live_workers: set[int] = set()
"""The pids of this process's workers that are running now."""


def _become_subreaper() -> None:
    """Make orphaned descendants of our workers our children (Linux), so none escapes.

    A student's process that leaves the worker's process group (``setsid``) and outlives
    the worker is re-parented to us instead of to init; :func:`kill_orphans` ends it. A worker
    in a PID namespace of its own is itself re-parented to us, from the child that forked it.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """In a forked child: have the kernel send ``sig`` when ``parent`` dies (Linux), even if
    it dies of SIGKILL, so that no worker (or grader) outlives the process that started it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def close_fds_except(*keep: int) -> None:
    """In a forked child: close every file descriptor from 3 up except ``keep``.

    A child must not hold the ends of other children's pipes: it could write into them.
    """
    low = 3
    for fd in sorted(set(keep)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def kill_all_workers() -> None:
    """Kill every live worker of this process (and its group) and their orphans, now."""
    for pid in list(_live_workers):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass
    kill_orphans()


def kill_orphans() -> None:
    """Kill and reap our children that are not live workers: a dead worker's descendants."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in _live_workers:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and int(entry) != me:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                continue
            waiting.reap(int(entry), 0.2)
    waiting.reap_pending()


_undumpable = False


def make_undumpable() -> None:
    """Keep processes of the same user (a worker that escaped its namespaces, or got none)
    from ptracing this one or opening its /proc/<pid>/fd (Linux; once per process)."""
    global _undumpable
    if not _undumpable:
        try:
            namespaces.set_dumpable(False)
        except (OSError, AttributeError):
            pass
        _undumpable = True


def left_by_dead_graders(folder: str, prefix: str) -> list[str]:
    """The entries of ``folder`` named ``<prefix><pid>-...`` whose grading process is gone.

    A grader names what it creates for its workers (scratch folders, cgroups) after its own
    pid; one killed with SIGKILL cannot remove them, so the next grader sweeps them.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        owner = name.removeprefix(prefix).split("-")[0]
        if name.startswith(prefix) and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            found.append(os.path.join(folder, name))
    return found
