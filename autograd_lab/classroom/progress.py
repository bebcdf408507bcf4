"""The run's progress on stderr: one line redrawn on a terminal, a few plain lines else.

The line gives the items done out of the total and the time spent; while items are still
queued, an ETA from the pace so far; and, once the count stalls (nothing has ended for a
while, or every item left is already running), the items still running and for how long, so
that "13/14" is never a mystery: ``13/14 graded · 0:02:10 elapsed · running: alice exercise7
(12 s)``.
"""

from __future__ import annotations

import sys
import time

WIDTH = 24
"""Characters of the bar."""

STALL_S = 5.0
"""Seconds without an item ending after which the running items are named."""

NAMED = 2
"""Running items named at most (the longest-running first); the rest are counted."""

LINE_EVERY_S = 10.0
"""Off a terminal: at most one line per this many seconds (besides the last one)."""


MAX_SHOWN = 60
"""Characters of an item's name shown (a student folder's name may be 250 long)."""


def shown(what: str) -> str:
    """``what`` as one short line: what cannot be printed (a newline, bytes that are no
    Unicode) escaped, cut in the middle to :data:`MAX_SHOWN` characters (the exercise, at
    the end, stays)."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in what)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 15] + "..." + text[-12:]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _duration(seconds: float) -> str:
    """``12 s``, ``3 min 05 s``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


class Progress:
    """How many items are done out of ``total``, which are running, and when the rest should be.

    The pool calls :meth:`start` when it hands an item to a grader, :meth:`advance` when its
    result is in, and :meth:`draw` every half second or so; :meth:`close` at the end.
    """

    def __init__(self, total: int, *, cached: int = 0, jobs: int = 1, stream=None,
                 clock=time.monotonic, tick=None):
        """Args:
            total: items to grade in this run.
            cached: items taken from the cache (shown, not counted in ``total``).
            jobs: graders at work at once.
            stream: where to write (stderr by default).
            clock: seconds, monotonic (a fake one in tests).
            tick: called at each :meth:`draw` (every half second or so while items run):
                `grade` rewrites its files from there now and then, also while nothing ends.
        """
        self.tick = tick
        self.total = total
        self.cached = cached
        self.jobs = jobs
        self.done = 0
        self.clock = clock
        self.started = self.last_end = clock()
        self.running: dict[str, float] = {}
        """What each running item is (``alice exercise7``) -> when it started."""
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = ""
        self._printed_at: float | None = None

    # -- what the pool tells ------------------------------------------------------------------
    def start(self, what: str) -> None:
        """An item was handed to a grader."""
        self.running[shown(what)] = self.clock()

    def advance(self, what: str = "") -> None:
        """One more item is done."""
        what = shown(what)
        self.running.pop(what, None)
        self.done += 1
        self.last_end = self.clock()
        if self.tty:
            self.draw()
        elif self.done >= self.total or self._due():
            self._print(f"{self.line()}  {what}".rstrip())

    def draw(self) -> None:
        """Redraw the line on a terminal (the elapsed time moves even when nothing ends); off
        one, write a line now and then once nothing has ended for :data:`STALL_S`."""
        if self.tick is not None:
            self.tick()
        text = self.line()
        if not self.tty:
            quiet = self.clock() - self.last_end >= STALL_S
            if self._stalled() and quiet and self._due():
                self._print(text)
            return
        if text != self._last:
            self.stream.write("\r" + text.ljust(len(self._last)))
            self.stream.flush()
            self._last = text

    def close(self) -> None:
        """End the line."""
        if self.tty and self._last:
            self.stream.write("\n")
            self.stream.flush()

    # -- the line -----------------------------------------------------------------------------
    def line(self) -> str:
        """The bar, the counts and the time spent; then the ETA or what is still running."""
        now = self.clock()
        filled = WIDTH * self.done // self.total if self.total else WIDTH
        cached = f", {self.cached} unchanged (cached)" if self.cached else ""
        parts = [f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} graded"
                 f"{cached}", f"{_clock(now - self.started)} elapsed"]
        waiting = self.total - self.done - len(self.running)
        if self._stalled():
            parts.append(f"running: {self._running(now)}")
        elif self.done and waiting > 0:
            pace = (self.last_end - self.started) / self.done
            parts.append(f"ETA {_clock(pace * (self.total - self.done))}")
        return " · ".join(parts)

    def _stalled(self) -> bool:
        """Whether the count is stuck on running items: nothing is left to hand out, or nothing
        has ended for :data:`STALL_S`."""
        if not self.running:
            return False
        waiting = self.total - self.done - len(self.running)
        return waiting <= 0 or self.clock() - self.last_end >= STALL_S

    def _running(self, now: float) -> str:
        oldest = sorted(self.running.items(), key=lambda kv: (kv[1], kv[0]))
        named = [f"{what} ({_duration(now - since)})" for what, since in oldest[:NAMED]]
        more = len(oldest) - NAMED
        return ", ".join(named) + (f" and {more} more" if more > 0 else "")

    # -- plain lines --------------------------------------------------------------------------
    def _due(self) -> bool:
        return self._printed_at is None or self.clock() - self._printed_at >= LINE_EVERY_S

    def _print(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
        self._printed_at = self.clock()
