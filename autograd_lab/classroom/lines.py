"""Result lines from a grader process to `autograd-lab grade`: framed, bounded, attributed.

A grader answers each item with one JSON line, ``{"item": KEY, "task": DIGEST, "result":
{...}}``: KEY is the id `grade` chose for that item and gave the grader (see :mod:`pool`),
DIGEST the sha256 of the task line the grader read and graded (a task line someone else
wrote into the grader's task pipe is so never taken for the item's). Whatever else
arrives on that channel (a line for another item, a second line for one, garbage, a line
longer than :data:`MAX_LINE_BYTES`) is told apart from a result and never taken for the
next one. Lines are read in time linear in their length, and never held past the bound.
"""

from __future__ import annotations

import hashlib
import json

MAX_LINE_BYTES = 16 << 20
"""The longest result line accepted (a report is some kilobytes; its messages are bounded)."""
MAX_KEY_CHARS = 64
"""The longest item id."""


class BadLine(Exception):
    """A line that is no result line; the message says why."""


class LineTooLong(BadLine):
    """A line over :data:`MAX_LINE_BYTES` (what came of it so far is dropped)."""


def digest(task_line: str) -> str:
    """The sha256 of a task line, as a result line carries it."""
    return hashlib.sha256(task_line.encode("utf-8", "surrogatepass")).hexdigest()


def encode(key: str, task_digest: str, result: dict) -> bytes:
    """The result line answering item ``key``, whose task line had ``task_digest``."""
    return (json.dumps({"item": key, "task": task_digest, "result": result}) + "\n").encode()


def decode(line: bytes) -> tuple[str, str, dict]:
    """The item id, task digest and result of a line made by :func:`encode`; raise
    :class:`BadLine` for anything else."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        raise BadLine("a line that is not JSON") from None
    if not isinstance(data, dict) or set(data) != {"item", "task", "result"}:
        raise BadLine("a line that is not a result line")
    key, task_digest, result = data["item"], data["task"], data["result"]
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS:
        raise BadLine("a result line without an item id")
    if not isinstance(task_digest, str) or not isinstance(result, dict):
        raise BadLine("a result line without its task or result")
    return key, task_digest, result


class LineReader:
    """Cuts a byte stream into lines, each read once (linear time) and bounded in length."""

    def __init__(self, max_bytes: int = MAX_LINE_BYTES):
        self.max_bytes = max_bytes
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines ``chunk`` completes (without their newline), in order.

        Raises :class:`LineTooLong` as soon as the line being read is over the bound.
        """
        lines = []
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                break
            piece = chunk[start:end]
            if self._size + len(piece) > self.max_bytes:
                raise LineTooLong(f"a line over {self.max_bytes} bytes")
            lines.append(b"".join(self._parts) + piece if self._parts else piece)
            self._parts, self._size = [], 0
            start = end + 1
        rest = chunk[start:]
        if rest:
            self._size += len(rest)
            if self._size > self.max_bytes:
                self._parts, self._size = [], 0
                raise LineTooLong(f"a line over {self.max_bytes} bytes")
            self._parts.append(rest)
        return lines
