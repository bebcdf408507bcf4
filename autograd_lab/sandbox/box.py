"""What the grading process prepares for one worker before forking it, and removes after:
its folders (the scratch tmpfs's mount point; as root, an inbox its user id can read), its
user id and its cgroup.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass

from autograd_lab.sandbox import cgroups, hygiene

SCRATCH_MB = 64
"""Size (MB) of a worker's scratch tmpfs, the one place it may write."""
WORKER_UID_BASE = 100_000
"""Root graders give each worker a user id of its own from here up (unused by any account)."""
MAX_PROCESSES = 128
"""Processes and threads one worker may have at once (where a cgroup limits them)."""
CGROUP_MEMORY_MARGIN = 512 * 1024 * 1024
"""Memory a cgroup grants on top of the worker's memory limit: the pages torch and the catalog
copy on write as the forked worker touches them."""

_uids = itertools.count()
PREFIX = "autograd-lab-worker-"
_swept = False


def _sweep() -> None:
    """Remove (once) the folders of grading processes that died before removing them."""
    global _swept
    if _swept:
        return
    _swept = True
    for path in hygiene.left_by_dead_graders(tempfile.gettempdir(), PREFIX):
        shutil.rmtree(path, ignore_errors=True)


def root() -> bool:
    """Whether the grading process runs as root (workers then get a uid and a cgroup)."""
    return os.geteuid() == 0


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
    life: tuple[int, int] = (-1, -1)
    """A pipe whose write end only the grading process holds: the init of the worker's PID
    namespace reads it, and ends (and with it the namespace) at its end of file."""

    @classmethod
    def create(cls, memory_bytes: int | None) -> "Box":
        _sweep()
        workdir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        box = cls(workdir, os.path.join(workdir, "scratch"))
        os.mkdir(box.scratch, 0o700)
        box.life = os.pipe()
        if root():
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

    def keep_life(self) -> None:
        """In the grading process, once the child is forked: keep only the life pipe's write
        end (closing it, or dying, ends the worker's namespace)."""
        os.close(self.life[0])
        self.life = (-1, self.life[1])

    def remove(self) -> None:
        """Delete the worker's cgroup (killing what is left in it) and its folders."""
        for fd in self.life:
            if fd >= 0:
                os.close(fd)
        self.life = (-1, -1)
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
