"""Kernel isolation of a worker: the policy (what a worker should get here, what to do where
the kernel refuses some of it) and the level achieved.

How a worker gets it is :mod:`confine` (in the forked child: cgroup, namespaces, a small init
as process 1 of its PID namespace, a read-only disk but for a scratch tmpfs, its own /proc, no
capabilities, as root a user id of its own) and :mod:`box` (what the grading process prepares
for it). The protections achieved make up the isolation *level*, a string such as
``"pid,net,ipc,mount,proc,user,caps"``, recorded with every verdict. Where the kernel refuses
some, grading still runs and says once, on stderr, what is missing and how to get it; under
``configure("strict")`` it refuses to run instead (:class:`IsolationUnavailable`).
"""

from __future__ import annotations

import os
import sys
import time

from autograd_lab.errors import AutogradLabError
from autograd_lab.sandbox import cgroups, waiting
from autograd_lab.sandbox.box import Box, root
from autograd_lab.sandbox.confine import PROTECTIONS, enter

MODES = ("best", "strict")

_mode = "best"
_level: str | None = None
_told = False


class IsolationUnavailable(AutogradLabError):
    """``--isolation strict`` was asked for, and the kernel refused some protection."""


def configure(mode: str) -> None:
    """Choose what happens where a protection is missing: ``best`` (warn once) or ``strict``."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"isolation must be one of {', '.join(MODES)}, not {mode!r}")
    _mode = mode


def mode() -> str:
    return _mode


def wanted() -> list[str]:
    """The protections a worker should get on this machine, as this user."""
    names = ["pid", "net", "ipc", "mount", "proc"]
    if root():
        names.append("uid")
        if all(os.path.isdir(os.path.join(cgroups.ROOT, c)) for c in cgroups.CONTROLLERS):
            names.append("cgroup")
    else:
        names.append("user")
    return names


def missing(level: str) -> list[str]:
    have = set(level.split(","))
    return [name for name in wanted() if name not in have]


def _advice(lacking: list[str]) -> str:
    lines = [f"  - {PROTECTIONS[name]}" for name in lacking]
    how = []
    if set(lacking) & {"pid", "net", "ipc", "mount", "proc", "user"}:
        how.append("run as root in a container, or enable unprivileged user namespaces "
                   "(`sysctl -w kernel.unprivileged_userns_clone=1` on Debian/Ubuntu kernels, "
                   "`sysctl -w user.max_user_namespaces=15000`, or on Ubuntu 24.04 "
                   "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`)")
    if "cgroup" in lacking:
        how.append("mount the cgroup v1 memory and pids controllers writable under "
                   "/sys/fs/cgroup (or limit the whole container)")
    if "uid" in lacking:
        how.append("make Python, torch and autograd-lab readable by every user (a worker with "
                   "a user id of its own must read them: not under /root, for example), and "
                   "let root change user ids")
    return "\n".join(lines + [f"To get them: {'; '.join(how)}."])


def accept(level: str, stream=None) -> None:
    """Record the ``level`` a worker got; say once what is missing, or refuse under strict.

    Raises:
        IsolationUnavailable: under ``strict``, when a wanted protection is missing.
    """
    global _level, _told
    _level = level
    lacking = missing(level)
    if not lacking:
        return
    if _mode == "strict":
        raise IsolationUnavailable(
            "--isolation strict: the kernel refused the student's code these protections:\n"
            + _advice(lacking) + "\nOr run with --isolation best to grade without them.")
    if not _told:
        _told = True
        (stream or sys.stderr).write(
            "autograd-lab: warning: student code runs without\n" + _advice(lacking) + "\n")
        (stream or sys.stderr).flush()


def level() -> str:
    """The isolation workers get here (``"pid,net,..."``): the last one seen, else probed."""
    if _level is None:
        accept(probe())
    return _level


def probe(timeout: float = 10.0) -> str:
    """Fork a throwaway worker that isolates itself and exits; return the level it got."""
    box = Box.create(memory_bytes=None)
    info_r, info_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    _become_subreaper()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(info_r)
            enter(box, info_w)  # in the worker, when it returns
        except BaseException:  # noqa: BLE001 -- a forked child never returns into the caller
            code = 70
        finally:
            os._exit(code)
    os.close(info_w)
    box.keep_life()
    lines = waiting.read_lines(info_r, time.monotonic() + timeout)
    os.close(info_r)
    waiting.reap(pid, timeout)
    found, children = "", []
    for line in lines:
        kind, _, value = line.partition(" ")
        if kind in ("pid", "init") and value.isdigit() and int(value) != pid:
            children.append(int(value))
        elif kind == "level":
            found = value
    box.remove()  # closes the life pipe: the namespace's init ends
    for child in children:
        waiting.reap(child, timeout)
    return found


def _become_subreaper() -> None:
    import ctypes

    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
