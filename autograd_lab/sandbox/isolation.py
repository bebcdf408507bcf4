"""Kernel isolation of a worker: what it gets, how it gets it, and what to do where it cannot.

A worker is forked from the grading process (torch already imported). The forked child
(:func:`enter`) joins the worker's cgroup (root only), unshares new user (unprivileged only),
PID, network, IPC, UTS and mount namespaces, and forks again: that second child is process 1
of its PID namespace (when it ends, the kernel kills every process in it), and becomes the
worker, re-parented to the grading process (a child subreaper) when the first child exits.
It makes the whole filesystem read-only but for a scratch tmpfs, mounts a /proc of its own,
and, where the grading process is root, takes a user id of its own.

The protections achieved make up the isolation *level*, a string such as
``"pid,net,ipc,mount,proc,user"``, recorded with every verdict. Where the kernel refuses some,
grading still runs and says once, on stderr, what is missing and how to get it; under
``configure("strict")`` it refuses to run instead (:class:`IsolationUnavailable`).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

from autograd_lab.errors import AutogradLabError
from autograd_lab.sandbox import cgroups, namespaces, waiting

PROTECTIONS = {
    "pid": "a PID namespace of its own (it sees and signals only its own processes, and they "
           "all end with it)",
    "net": "no network (a network namespace of its own)",
    "ipc": "no shared memory or message queues with other processes",
    "mount": "a read-only filesystem but for a scratch folder",
    "proc": "no view of the grader's processes and file descriptors (a /proc of its own)",
    "user": "an unprivileged user namespace (how a non-root grader gets the protections above)",
    "uid": "a user id of its own (the grader runs as root)",
    "caps": "no capabilities (as root: it cannot remount, trace or change its user id)",
    "cgroup": "memory and process limits over all of its processes (cgroup v1)",
}
"""Every protection a level can name, in the order levels list them."""

MODES = ("best", "strict")
SCRATCH_MB = 64
WORKER_UID_BASE = 100_000
"""Root graders give each worker a user id of its own from here up (unused by any account)."""
MAX_PROCESSES = 128
"""Processes and threads one worker may have at once (where a cgroup limits them)."""
CGROUP_MEMORY_MARGIN = 512 * 1024 * 1024
"""Memory a cgroup grants on top of the worker's memory limit: the pages torch and the catalog
copy on write as the forked worker touches them."""

_mode = "best"
_level: str | None = None
_told = False
_uids = itertools.count()


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


def _root() -> bool:
    return os.geteuid() == 0


def wanted() -> list[str]:
    """The protections a worker should get on this machine, as this user."""
    names = ["pid", "net", "ipc", "mount", "proc"]
    if _root():
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


@dataclass
class Box:
    """What the grading process prepares for one worker before forking it."""

    workdir: str
    scratch: str
    """Where the worker's scratch tmpfs is mounted (its TMPDIR)."""
    inbox: str | None = None
    """Root only: where the student's file is copied, readable by the worker's user id."""
    uid: int | None = None
    cgroup: cgroups.Group | None = None

    @classmethod
    def create(cls, memory_bytes: int | None) -> "Box":
        workdir = tempfile.mkdtemp(prefix="autograd-lab-worker-")
        box = cls(workdir, os.path.join(workdir, "scratch"))
        os.mkdir(box.scratch, 0o700)
        if _root():
            box.inbox = os.path.join(workdir, "files")
            os.mkdir(box.inbox, 0o500)
            if software_readable():
                box.uid = WORKER_UID_BASE + (os.getpid() % 1_000_000) * 1000 + next(_uids) % 1000
                for folder in (box.scratch, box.inbox):
                    os.chown(folder, box.uid, box.uid)
            os.chmod(workdir, 0o711)
            if cgroups.available():
                limit = (memory_bytes or 64 * 1024 ** 3) + CGROUP_MEMORY_MARGIN
                box.cgroup = cgroups.create(limit, MAX_PROCESSES)
        return box

    def admit(self, path: str) -> str:
        """The path at which the worker can read the file at ``path`` (root: a copy of it)."""
        if self.inbox is None:
            return path
        copy = os.path.join(self.inbox, os.path.basename(path))
        shutil.copyfile(path, copy)
        if self.uid is not None:
            os.chown(copy, self.uid, self.uid)
        os.chmod(copy, 0o400)
        return copy

    def remove(self) -> None:
        """Delete the worker's cgroup (killing what is left in it) and its folders."""
        if self.cgroup is not None:
            cgroups.remove(self.cgroup)
        shutil.rmtree(self.workdir, ignore_errors=True)


_readable: bool | None = None


def _world_readable(path: str) -> bool:
    """Whether any user may read ``path`` (every folder above it searchable by others)."""
    path = os.path.realpath(path)
    try:
        if not os.stat(path).st_mode & 0o004:
            return False
        while path != os.path.dirname(path):
            path = os.path.dirname(path)
            if not os.stat(path).st_mode & 0o001:
                return False
    except OSError:
        return False
    return True


def software_readable() -> bool:
    """Whether a worker with a user id of its own could read Python, torch and autograd-lab
    (a Python installed under /root, for one, is readable by root alone)."""
    global _readable
    if _readable is None:
        import numpy
        import torch

        import autograd_lab

        files = [os.__file__, torch.__file__, numpy.__file__, autograd_lab.__file__,
                 sys.executable]
        _readable = all(_world_readable(f) for f in files)
    return _readable


def _drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def enter(box: Box, info_fd: int) -> list[str]:
    """In the forked child: isolate, and return (in the worker) the protections achieved.

    Writes ``pid N`` (the pid, in the grading process's namespace, of the process the
    grading process waits for) and then ``level ...`` to ``info_fd``. With namespaces it
    forks twice: the calling process exits, its child becomes process 1 of the new PID
    namespace (re-parented to the grading process), and the worker is that one's child;
    process 1 later writes the worker's wait status (see :func:`_fork_worker`).
    """
    achieved: list[str] = []
    if box.cgroup is not None:
        try:
            cgroups.join(box.cgroup)
            achieved.append("cgroup")
        except OSError:
            pass
    flags = (namespaces.CLONE_NEWPID | namespaces.CLONE_NEWNET | namespaces.CLONE_NEWIPC
             | namespaces.CLONE_NEWUTS | namespaces.CLONE_NEWNS)
    user = not _root()
    try:
        if user:
            outer_uid, outer_gid = os.geteuid(), os.getegid()
            namespaces.set_dumpable(True)  # a non-dumpable process cannot write its uid_map
            namespaces.unshare(flags | namespaces.CLONE_NEWUSER)
            namespaces.map_ids_to_root(outer_uid, outer_gid)
            namespaces.set_dumpable(False)  # nor may the worker open its init's pipes
        else:
            namespaces.unshare(flags)
        isolated = True
    except OSError:
        isolated = False
    if isolated:
        achieved = _become_process_one(info_fd, achieved, user, box.scratch)
    else:
        os.write(info_fd, f"pid {os.getpid()}\n".encode())
        os.setsid()
    if box.uid is not None:
        try:
            _drop_to(box.uid)
            achieved.append("uid")
        except OSError:
            pass
    if isolated or box.uid is not None:
        try:
            namespaces.drop_capabilities()
            achieved.append("caps")
        except OSError:
            pass
    os.environ["TMPDIR"] = box.scratch
    tempfile.tempdir = None
    order = list(PROTECTIONS)
    achieved.sort(key=order.index)
    os.write(info_fd, f"level {','.join(achieved)}\n".encode())
    if isolated:
        _fork_worker(info_fd)
    os.close(info_fd)
    return achieved


def _fork_worker(info_fd: int) -> None:
    """As process 1 of the namespace, fork the worker and stay behind as its init.

    The worker must not be process 1 itself: the kernel spares a namespace's init every
    signal it has no handler for, so its own SIGSEGV, SIGXCPU or SIGXFSZ would not end it.
    The init reaps whatever the namespace leaves, and when the worker ends, writes its wait
    status (``status N``) to ``info_fd`` and exits, which ends everything left in it.
    """
    worker = os.fork()
    if worker == 0:
        return
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == worker:
            os.write(info_fd, f"status {status}\n".encode())
            os._exit(0)


def _become_process_one(info_fd: int, achieved: list[str], user: bool,
                        scratch: str) -> list[str]:
    """Fork into the new PID namespace; in the child (process 1), finish the namespaces."""
    first, grader = os.getpid(), os.getppid()
    child = os.fork()
    if child:
        os.write(info_fd, f"pid {child}\n".encode())
        os._exit(0)
    # Wait to be re-parented to the grader (a child subreaper) before asking to die with our
    # parent: asked earlier, the first child's exit would deliver the signal. /proc is still
    # the grader's, where our parent's pid is not 0.
    while _parent() == first:
        time.sleep(0.0002)
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with it
    if _parent() != grader:  # it died before we could ask
        os._exit(1)
    os.setsid()
    achieved = achieved + ["pid", "net", "ipc"] + (["user"] if user else [])
    try:
        namespaces.sethostname("autograd-lab-worker")
    except OSError:
        pass
    return achieved + _private_filesystem(scratch)


def _parent() -> int:
    with open("/proc/self/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _private_filesystem(scratch: str) -> list[str]:
    """Read-only disk but for ``scratch``, and a /proc of this PID namespace (or none)."""
    got = []
    try:
        namespaces.read_only_filesystem(scratch, SCRATCH_MB)
        got.append("mount")
    except OSError:
        pass
    try:
        namespaces.own_proc()
        got.append("proc")
    except OSError:
        pass
    return got


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
            enter(box, info_w)
        except BaseException:  # noqa: BLE001 -- a forked child never returns into the caller
            code = 70
        finally:
            os._exit(code)
    os.close(info_w)
    lines = waiting.read_lines(info_r, time.monotonic() + timeout)
    os.close(info_r)
    waiting.reap(pid, timeout)
    found = ""
    for line in lines:
        kind, _, value = line.partition(" ")
        if kind == "pid" and value.isdigit() and int(value) != pid:
            waiting.reap(int(value), timeout)
        elif kind == "level":
            found = value
    box.remove()
    return found


def _become_subreaper() -> None:
    import ctypes

    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
