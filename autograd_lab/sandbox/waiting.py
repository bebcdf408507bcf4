"""Waiting for a child process that cannot hold the waiter: every wait here has a deadline.

A blocking ``waitpid`` on a process a student controls waits as long as the student wants: a
killed worker that one of its own children has ptrace-attached stays unreaped while that
tracer lives. So nothing in the grading process waits without a deadline: it polls with
``WNOHANG`` (a few ms apart) and gives up, leaving the pid to a later :func:`reap_pending`.
"""

from __future__ import annotations

import os
import select
import time

_pending: set[int] = set()
"""Children that were killed but not reaped in time: tried again by :func:`reap_pending`."""


def reap(pid: int, timeout: float) -> int | None:
    """Reap ``pid`` within ``timeout`` seconds; return its wait status, or None.

    None means it was not reaped in time (it is remembered and tried again later) or it is
    not our child (any more).
    """
    end = time.monotonic() + max(0.0, timeout)
    delay = 0.0005
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            _pending.discard(pid)
            return None
        if done:
            _pending.discard(pid)
            return status
        if time.monotonic() >= end:
            _pending.add(pid)
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.01)


def reap_pending() -> None:
    """Reap, without waiting, the children that earlier waits gave up on."""
    for pid in list(_pending):
        reap(pid, 0)


def read_lines(fd: int, deadline: float, limit: int = 4096) -> list[str]:
    """Read ``fd`` until end of file or ``deadline`` (monotonic); return the complete lines.

    At most ``limit`` bytes are read: what the other end writes here is a few short lines.
    """
    data = b""
    while len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, limit - len(data))
        if not chunk:
            break
        data += chunk
    return [line.decode("ascii", "replace") for line in data.split(b"\n")[:-1]]
