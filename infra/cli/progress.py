"""A progress bar with an ETA on a terminal; plain lines, now and then, in a log or a pipe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 30
PLAIN_EVERY = 5.0  # seconds between two plain lines (a CI log needs no more)


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """`update(done)` as work advances, `finish()` at the end; ETA from the rate seen since the first update."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.started = clock()
        self._first: tuple[float, int] | None = None
        self._last_plain: float | None = None
        self._last_done = -1
        self._width = 0
        self._open = False  # a bar drawn on the terminal's line, not ended by a newline yet

    def eta(self, done: int, now: float) -> float | None:
        if self._first is None:
            return None
        since, base = self._first
        if done <= base or now <= since:
            return None
        return (self.total - done) * (now - since) / (done - base)

    def line(self, done: int, now: float) -> str:
        pct = min(100, done * 100 // self.total)
        eta = self.eta(done, now)
        left = f"ETA {duration(eta)}" if eta is not None and done < self.total else ""
        if done >= self.total:
            left = f"in {duration(now - self.started)}"
        if self.tty:
            filled = BAR_WIDTH * min(done, self.total) // self.total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self.label} [{bar}] {done:,}/{self.total:,} {pct:3d}% {left}".rstrip()
        return f"{self.label}: {done:,}/{self.total:,} ({pct}%){', ' + left if left else ''}"

    def update(self, done: int) -> None:
        now = self.clock()
        if self._first is None:
            self._first = (now, done)
        if self.tty:
            text = self.line(done, now)
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self._open = True
            self.stream.flush()
        elif done != self._last_done and (self._last_plain is None or now - self._last_plain >= PLAIN_EVERY):
            self.stream.write(self.line(done, now) + "\n")
            self.stream.flush()
            self._last_plain = now
        self._last_done = done

    def finish(self, done: int) -> None:
        """The last line, always written (a plain log shows the end even if the last update was skipped)."""
        now = self.clock()
        text = self.line(done, now)
        self.stream.write(("\r" + text.ljust(self._width) if self.tty else text) + "\n")
        self._open = False
        self.stream.flush()

    def abandon(self) -> None:
        """End a bar left half-drawn, so that an error line starts on a line of its own."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
