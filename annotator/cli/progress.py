"""Progress on a terminal (stderr), quiet when stderr is not a terminal."""

from __future__ import annotations

import sys
import time


class TerminalProgress:
    """Call with ``(done, total, what)``; redraws at most ten times a second."""

    def __init__(self, label: str, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._start = time.monotonic()
        self._drawn = False

    def __call__(self, done: int, total: int, what: str = "") -> None:
        if not self.enabled:
            return
        t = time.monotonic()
        if done < total and t - self._last < 0.1:
            return
        self._last = t
        pct = 100.0 * done / total if total else 100.0
        rate = done / (t - self._start) if t > self._start else 0.0
        bar = "#" * int(pct / 5)
        self.stream.write(f"\r{self.label}: [{bar:<20}] {done}/{total} {pct:5.1f}% {rate:,.0f}/s {what[-30:]:<30}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the progress line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
