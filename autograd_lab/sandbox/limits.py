"""Resource limits applied to a worker before it runs any student code."""

from __future__ import annotations

import resource
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one worker may use."""

    memory_mb: int | None = 4096
    """Address space allowed on top of what the worker maps at start (CPU workers only)."""
    cpu_seconds: int | None = 60
    """CPU time before the kernel stops the worker (a second guard behind the wall clock)."""
    output_bytes: int = 1 << 20
    """How much the student's code may print (and write to any file) before it is stopped."""


def mapped_bytes() -> int:
    """The address space the calling process maps now, in bytes (from /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


def apply(limits: Limits, *, address_space: bool, base: int | None = None) -> None:
    """Apply ``limits`` to the calling process (a freshly forked worker).

    ``address_space`` is False for CUDA workers: the CUDA driver maps far more virtual
    memory than it uses, and an address-space limit makes its initialisation fail. ``base``
    is what the limit is added to (default: what the process maps now; a worker reads it
    before its /proc is replaced).
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    if limits.cpu_seconds is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    if address_space and limits.memory_mb is not None:
        cap = (mapped_bytes() if base is None else base) + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
