"""How a forked child confines itself into a worker (see :mod:`isolation` for the policy).

Runs in the child only: joins the worker's cgroup, unshares new namespaces, starts a small
init as process 1 of the new PID namespace and forks the worker into it, makes the disk
read-only but for a scratch tmpfs, mounts its own /proc, and gives up its user id and
capabilities. Each step that the kernel refuses is left out of the level it reports.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import tempfile
import time

from autograd_lab.sandbox import cgroups, namespaces
from autograd_lab.sandbox.box import SCRATCH_MB, Box, root

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


def _drop_to(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


_own_pid_namespace: tuple[int, int] | None = None
"""(pid, fd): this process's own PID namespace, open, to come back to after each worker."""


def fork_into_new_pid_namespace(life_r: int) -> tuple[int, int] | None:
    """Grading process, as root: start an init in a new PID namespace and fork into it.

    Returns ``(pid, init)`` (``pid`` 0 in the child, which is process 2 there), or None
    where it cannot (not root, refused: nothing was forked; the caller forks as usual and
    :func:`enter` tries the unprivileged way). The grading process itself stays where it
    is: only its children go to the new namespace, and only for this fork.
    """
    global _own_pid_namespace
    if not root() or INIT is None or os.environ.get(namespaces.SIMULATE_REFUSAL):
        return None
    try:
        if _own_pid_namespace is None or _own_pid_namespace[0] != os.getpid():
            _own_pid_namespace = (os.getpid(), os.open("/proc/self/ns/pid", os.O_RDONLY))
        namespaces.unshare(namespaces.CLONE_NEWPID)
    except OSError:
        return None
    pid = -1
    try:
        init = _start_init(life_r)
        pid = os.fork()
        return pid, init
    except OSError:
        return None
    finally:
        if pid != 0:  # back to our own namespace for whatever we fork next
            namespaces.setns(_own_pid_namespace[1], namespaces.CLONE_NEWPID)


def enter(box: Box, info_fd: int, in_pid_namespace: bool = False) -> list[str]:
    """In the forked child: isolate, and return (in the worker) the protections achieved.

    Writes ``pid N`` (the worker's pid in the grading process's namespace), with namespaces
    ``init N`` (the pid of their process 1), then ``level ...`` to ``info_fd``, and closes it.
    With namespaces, the calling process starts the namespace's init (see :func:`_start_init`)
    and forks the worker, then exits: both are re-parented to the grading process. With
    ``in_pid_namespace``, the grading process did that already (as root,
    :func:`fork_into_new_pid_namespace`): the calling process is the worker.
    """
    os.close(box.life[1])  # only the grading process may hold it
    achieved: list[str] = []
    if box.cgroup is not None:
        try:
            cgroups.join(box.cgroup)
            achieved.append("cgroup")
        except OSError:
            pass
    flags = (namespaces.CLONE_NEWPID | namespaces.CLONE_NEWNET | namespaces.CLONE_NEWIPC
             | namespaces.CLONE_NEWUTS | namespaces.CLONE_NEWNS)
    user = not root()
    isolated = False
    if in_pid_namespace:
        try:
            namespaces.unshare(flags & ~namespaces.CLONE_NEWPID)
            isolated = True
        except OSError:
            pass
        achieved += ["pid"] + (["net", "ipc"] + _finish_namespaces(box.scratch) if isolated else [])
        os.setsid()
    elif INIT is not None:
        try:
            if user:
                outer_uid, outer_gid = os.geteuid(), os.getegid()
                namespaces.set_dumpable(True)  # a non-dumpable process cannot write its uid_map
                namespaces.unshare(flags | namespaces.CLONE_NEWUSER)
                namespaces.map_ids_to_root(outer_uid, outer_gid)
                namespaces.set_dumpable(False)  # nor may the worker open its init's fds
            else:
                namespaces.unshare(flags)
            isolated = True
        except OSError:
            pass
    if in_pid_namespace:
        pass
    elif isolated:
        achieved = _become_worker(info_fd, box.life[0], achieved, user, box.scratch)
    else:
        os.write(info_fd, f"pid {os.getpid()}\n".encode())
        os.setsid()
    os.close(box.life[0])
    if box.uid is not None:
        try:
            _drop_to(box.uid)
            achieved.append("uid")
        except OSError:
            pass
    if isolated or root():  # root without namespaces too: uid 0 must not keep its powers
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
    os.close(info_fd)
    return achieved


INIT = shutil.which("cat")
"""The program that is process 1 of a worker's PID namespace: any that reads its standard
input to the end and does nothing else. Without one, a worker gets no namespaces."""


def _start_init(life_r: int) -> int:
    """Start process 1 of the new PID namespace (the caller's first child): ``cat`` reading
    the grading process's life pipe, all else closed. Spawned, not forked: no copy of this
    process's memory is made.

    The worker must not be process 1 itself: the kernel spares a namespace's init every
    signal it has no handler for, so the worker's own SIGSEGV, SIGXCPU or SIGXFSZ would not
    end it. When process 1 ends (the grading process closed the pipe or killed it), the
    kernel ends every process in the namespace.
    """
    actions = [(os.POSIX_SPAWN_DUP2, life_r, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _open_fds() if fd > 2]
    return os.posix_spawn(INIT, [INIT], {}, file_actions=actions, setsid=True)


def _open_fds() -> list[int]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            os.fstat(int(name))  # the folder's own fd, listed, is closed by now
        except OSError:
            continue
        found.append(int(name))
    return found


def _become_worker(info_fd: int, life_r: int, achieved: list[str], user: bool,
                   scratch: str) -> list[str]:
    """Start the namespace's init, fork the worker into it, and finish the namespaces there."""
    first, grader = os.getpid(), os.getppid()
    init = _start_init(life_r)
    child = os.fork()
    if child:
        os.write(info_fd, f"pid {child}\ninit {init}\n".encode())
        os._exit(0)
    # Wait to be re-parented to the grader (a child subreaper) before asking to die with our
    # parent: asked earlier, the first child's exit would deliver the signal. /proc is still
    # the grader's, where our parent's pid is not 0.
    while _parent() == first:
        time.sleep(0.0002)
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with it
    if _parent() != grader:  # it died before we could ask
        os._exit(1)
    os.setsid()
    return achieved + ["pid", "net", "ipc"] + (["user"] if user else []) + \
        _finish_namespaces(scratch)


def _finish_namespaces(scratch: str) -> list[str]:
    try:
        namespaces.sethostname("autograd-lab-worker")
    except OSError:
        pass
    return _private_filesystem(scratch)


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
