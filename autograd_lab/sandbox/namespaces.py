"""Linux namespaces for a worker, through libc: unshare, id maps, a read-only view of the disk.

These are the kernel mechanisms that bubblewrap, nsjail and IOI's isolate are built on, used
here from a forked child so that a worker still starts from a torch-preloaded process. Every
function runs in the child, never in a grading process, and raises :class:`OSError` (with the
kernel's errno) where the kernel refuses.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RELATIME = 0x200000

# The per-mount flags a remount must keep: a mount inherited from a more privileged
# namespace is locked, and a remount that dropped one of these would be refused (EPERM).
_KEPT_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME

PR_SET_DUMPABLE = 4
SIMULATE_REFUSAL = "AUTOGRAD_LAB_SIMULATE_NO_NAMESPACES"
"""Set in the environment (to anything), every unshare is refused with EPERM, as on a kernel
without unprivileged user namespaces: how tests see the fallback on a machine that has them."""

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def unshare(flags: int) -> None:
    """Move the calling process into new namespaces (``CLONE_NEWPID``: its next child)."""
    if os.environ.get(SIMULATE_REFUSAL):
        raise OSError(errno.EPERM, "unshare: refused (simulated)")
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    """Join the namespace that ``fd`` (an open /proc/<pid>/ns/* file) names."""
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def set_dumpable(dumpable: bool) -> None:
    """Say whether processes of the same user may ptrace this one or open its /proc files."""
    _check(_libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0), "prctl(PR_SET_DUMPABLE)")


def map_ids_to_root(uid: int, gid: int) -> None:
    """In a new user namespace: be its root, mapped to ``uid``/``gid`` outside (unprivileged)."""
    with open("/proc/self/setgroups", "w") as out:
        out.write("deny")
    with open("/proc/self/uid_map", "w") as out:
        out.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as out:
        out.write(f"0 {gid} 1")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    encode = lambda text: None if text is None else text.encode()  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags),
                       encode(data)), f"mount {target}")


def _mount_points() -> list[str]:
    """Every mount point of this namespace, parents before children (from mountinfo)."""
    points = []
    with open("/proc/self/mountinfo") as info:
        for line in info:
            fields = line.split()
            # Octal escapes (\040 for a space) are how mountinfo writes odd characters.
            points.append(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4]))
    return points


def read_only_filesystem(scratch: str, scratch_mb: int) -> None:
    """Make every mount read-only in this (new) mount namespace, then mount a tmpfs of
    ``scratch_mb`` MB at ``scratch``, the one place the worker may write.

    Nothing propagates back: the whole tree is made private first.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for point in _mount_points():
        try:
            kept = os.statvfs(point).f_flag & _KEPT_FLAGS
        except OSError:  # a mount point under another that hides it
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.EACCES):
                raise
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={scratch_mb}m,mode=1777,nr_inodes=4096")


def own_proc() -> bool:
    """Mount a /proc of this PID namespace over the old one; where the kernel refuses (a new
    /proc in an unprivileged container), hide the old one under an empty tmpfs.

    Returns whether a /proc of its own was mounted (False: /proc is empty).
    """
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        return True
    except OSError:
        _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
               "size=4k,mode=555")
        return False


def sethostname(name: str) -> None:
    """Name the (new) UTS namespace, so that the worker does not learn the grader's host name."""
    data = name.encode()
    _check(_libc.sethostname(data, ctypes.c_size_t(len(data))), "sethostname")


PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
_SECBIT_NOROOT_AND_LOCKED = 0x3 | 0xC | 0x30  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED
_CAPABILITY_VERSION_3 = 0x20080522
_LAST_CAP = 63


def drop_capabilities() -> None:
    """Give up every capability for good: none now, none from running a set-uid program, and
    none for root (so a process that stays uid 0 cannot remount, trace or load anything)."""
    _check(_libc.prctl(PR_SET_SECUREBITS, _SECBIT_NOROOT_AND_LOCKED, 0, 0, 0),
           "prctl(PR_SET_SECUREBITS)")
    for cap in range(_LAST_CAP + 1):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
            _check(-1, "prctl(PR_CAPBSET_DROP)")
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: twice, all empty
    _check(_libc.capset(header, data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
