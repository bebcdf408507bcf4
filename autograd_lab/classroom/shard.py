"""One shard of a class: a stable 1/N of the students, to spread a class over N machines.

Student S belongs to shard ``int(sha256(S)) mod N + 1`` (K is 1-based: ``--shard 1/4`` to
``--shard 4/4``). The sha256 of the name, not Python's ``hash()`` (salted per process), so that
the same student lands in the same shard on every machine, every run, every Python; and
nothing but the name counts (not the order of the folder, nor who else is in the class), so a
student added late moves no one else.

When ``--shard`` is not given, K and N are read from the scheduler that started the task:

- SLURM job arrays: ``SLURM_ARRAY_TASK_ID``, ``SLURM_ARRAY_TASK_COUNT``, and
  ``SLURM_ARRAY_TASK_MIN`` (and ``SLURM_ARRAY_TASK_STEP``), so that ``--array=0-3`` and
  ``--array=1-4`` both make shards 1/4 to 4/4;
- Kubernetes Indexed Jobs: ``JOB_COMPLETION_INDEX`` (0-based, set by Kubernetes) and
  ``AUTOGRAD_LAB_SHARD_COUNT``, which the Job sets to its ``completions`` (Kubernetes
  gives a pod its index, not the count).

``--shard 1/1`` grades every student even inside an array task.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Mapping

from autograd_lab.errors import AutogradLabError

COUNT_VARIABLE = "AUTOGRAD_LAB_SHARD_COUNT"
"""The shard count a Kubernetes Indexed Job sets (to its ``completions``)."""


class BadShard(AutogradLabError):
    """A shard that cannot be: not K/N, K outside 1..N, or scheduler variables that do not
    make one."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based), and where that came from."""

    index: int
    count: int
    why: str = "--shard"
    """What chose it: ``--shard``, or the scheduler's variables (``SLURM_ARRAY_TASK_ID=3 ...``)."""

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, student: str) -> bool:
        """Whether ``student`` is graded in this shard."""
        return shard_of(student, self.count) == self.index

    def to_dict(self) -> dict:
        return {"index": self.index, "count": self.count}


def shard_of(student: str, count: int) -> int:
    """The shard (1-based) ``student`` belongs to among ``count``."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def make(index: int, count: int, why: str) -> Shard:
    """The shard ``index``/``count``, checked; raise :class:`BadShard` naming ``why``."""
    if count < 1:
        raise BadShard(f"{why}: the number of shards must be at least 1 (got {count})")
    if not 1 <= index <= count:
        raise BadShard(f"{why}: shard {index} of {count} does not exist; shards are numbered "
                       f"from 1 to {count} (1-based)")
    return Shard(index, count, why)


_SPEC = re.compile(r"\s*(-?\d+)\s*/\s*(-?\d+)\s*")


def parse(text: str) -> Shard:
    """``--shard K/N``: K of N, 1-based."""
    match = _SPEC.fullmatch(text)
    if not match:
        raise BadShard(f"--shard {text!r}: expected K/N, for instance 2/4 (the second of four "
                       "shards; K is 1-based)")
    return make(int(match.group(1)), int(match.group(2)), f"--shard {text}")


def _int(env: Mapping[str, str], name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise BadShard(f"{name}={env[name]!r} is not a number") from None


def from_environment(env: Mapping[str, str]) -> Shard | None:
    """The shard a SLURM array task or a Kubernetes Indexed Job pod is (see the module's
    docstring); None when neither set one."""
    if env.get("SLURM_ARRAY_TASK_ID"):
        task = _int(env, "SLURM_ARRAY_TASK_ID")
        if not env.get("SLURM_ARRAY_TASK_COUNT"):
            raise BadShard("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: "
                           "pass --shard K/N")
        count = _int(env, "SLURM_ARRAY_TASK_COUNT")
        low = _int(env, "SLURM_ARRAY_TASK_MIN") if env.get("SLURM_ARRAY_TASK_MIN") else 0
        step = _int(env, "SLURM_ARRAY_TASK_STEP") if env.get("SLURM_ARRAY_TASK_STEP") else 1
        why = (f"SLURM_ARRAY_TASK_ID={task} of SLURM_ARRAY_TASK_COUNT={count}, "
               f"SLURM_ARRAY_TASK_MIN={low}")
        if step < 1 or (task - low) % step:
            raise BadShard(f"{why}: the array is not a range (--array=1-{count} or "
                           f"0-{count - 1}); pass --shard K/N")
        index = (task - low) // step + 1
        if index > count:
            raise BadShard(f"{why}: the array has gaps (--array=1-{count} or "
                           f"0-{count - 1} has none); pass --shard K/N")
        return make(index, count, why)
    if env.get("JOB_COMPLETION_INDEX"):
        index = _int(env, "JOB_COMPLETION_INDEX")
        if not env.get(COUNT_VARIABLE):
            raise BadShard(f"JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but "
                           f"{COUNT_VARIABLE} is not: set it to the Job's completions, or pass "
                           "--shard K/N")
        count = _int(env, COUNT_VARIABLE)
        return make(index + 1, count, f"JOB_COMPLETION_INDEX={index} (0-based) of "
                                      f"{COUNT_VARIABLE}={count}")
    return None
