"""A progress bar with an ETA, on stderr (one line redrawn on a terminal, a line per item else)."""

from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """How many items are done out of ``total``, and when the rest should be."""

    def __init__(self, total: int, *, cached: int = 0, jobs: int = 1, stream=None):
        self.total = total
        self.cached = cached
        self.jobs = jobs
        self.done = 0
        self.started = time.monotonic()
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = ""

    def line(self) -> str:
        """The bar, the counts, the time spent and the time left."""
        width = 24
        filled = width * self.done // self.total if self.total else width
        elapsed = time.monotonic() - self.started
        if self.done:
            eta = f"ETA {_clock(elapsed / self.done * (self.total - self.done))}"
        else:
            eta = "ETA --:--:--"
        cached = f", {self.cached} unchanged (cached)" if self.cached else ""
        return (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} graded"
                f"{cached} · {_clock(elapsed)} elapsed · {eta}")

    def advance(self, what: str = "") -> None:
        """One more item is done."""
        self.done += 1
        if self.tty:
            self.draw()
        else:
            self.stream.write(f"{self.line()}  {what}".rstrip() + "\n")
            self.stream.flush()

    def draw(self) -> None:
        """Redraw the bar on a terminal (the elapsed time moves even when nothing ends)."""
        if not self.tty:
            return
        text = self.line()
        if text != self._last:
            self.stream.write("\r" + text.ljust(len(self._last)))
            self.stream.flush()
            self._last = text

    def close(self) -> None:
        """End the bar's line."""
        if self.tty and self._last:
            self.stream.write("\n")
            self.stream.flush()
