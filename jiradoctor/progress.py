"""A progress line on stderr for checks still waiting after about a second.

A slow server (a 10 s timeout, a proxy that holds the connection) leaves the terminal silent;
this says which checks are still waiting and for how long. It writes to stderr only, and only
when stderr is a terminal, so it never mixes into ``--format`` output or a CI log. The line is
rewritten in place (``\\r`` + erase) and cleared when the run ends. It is cut to the terminal's
width: a line longer than the terminal wraps, and ``\\r`` then rewrites only its last row, leaving
stale rows behind on every redraw.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Iterable, TextIO

from jiradoctor.model import CheckResult
from jiradoctor.visible import visible

DELAY_S = 1.0
EVERY_S = 0.5


class ProgressLine:
    """Call with each finished check (the runner's ``progress``); use as a context manager."""

    def __init__(self, check_ids: Iterable[str], stream: TextIO | None = None, delay: float = DELAY_S,
                 every: float = EVERY_S) -> None:
        self.waiting = list(dict.fromkeys(check_ids))
        self.stream = stream or sys.stderr
        self.delay, self.every = delay, every
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._shown = False
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="jiradoctor-progress", daemon=True)

    def __call__(self, result: CheckResult) -> None:
        with self._lock:
            if result.id in self.waiting:
                self.waiting.remove(result.id)

    def line(self, width: int | None = None) -> str:
        """The line, at most ``width - 1`` characters (the last column would wrap on some terminals)."""
        with self._lock:
            waiting = [visible(name, keep='') for name in self.waiting]  # plugin ids: shown, never acted on
        clock = f" ({time.monotonic() - self._t0:.0f} s)"
        text = f"… waiting for {', '.join(waiting)}{clock}"
        limit = (width or terminal_width(self.stream)) - 1
        if len(text) <= limit:
            return text
        for shown in range(len(waiting) - 1, 0, -1):  # as many names as fit, then how many more
            text = f"… waiting for {', '.join(waiting[:shown])} +{len(waiting) - shown} more{clock}"
            if len(text) <= limit:
                return text
        return text[: max(limit - 1, 0)] + "…"

    def _loop(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                pending = bool(self.waiting)
            if pending:
                self.stream.write("\r\x1b[K" + self.line())
                self.stream.flush()
                self._shown = True
            if self._stop.wait(self.every):
                break

    def __enter__(self) -> "ProgressLine":
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def terminal_width(stream: TextIO) -> int:
    """Columns of the terminal behind ``stream`` (80 when it cannot be asked: not a terminal)."""
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        import shutil

        return shutil.get_terminal_size((80, 24)).columns


def wanted(stream: TextIO | None = None) -> bool:
    """Only on a terminal: a file or a CI log gets no progress line."""
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
