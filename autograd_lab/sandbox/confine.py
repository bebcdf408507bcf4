"""How a forked child confines itself into a worker (see :mod:`isolation` for the policy).

Runs in the child only: joins the worker's cgroup, unshares new namespaces, forks so that a
small init is process 1 of the new PID namespace and the worker its child, makes the disk
read-only but for a scratch tmpfs, mounts its own /proc, and gives up its user id and
capabilities. Each step that the kernel refuses is left out of the level it reports.
"""

from __future__ import annotations

import ctypes
import os
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
    user = not root()
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
