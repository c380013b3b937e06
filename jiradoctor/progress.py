"""A progress line on stderr for checks still waiting after about a second.

A slow server (a 10 s timeout, a proxy that holds the connection) leaves the terminal silent;
this says which checks are still waiting and for how long. It writes to stderr only, and only
when stderr is a terminal, so it never mixes into ``--format`` output or a CI log. The line is
rewritten in place (``\\r`` + erase) and cleared when the run ends.
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

    def line(self) -> str:
        with self._lock:
            names = ", ".join(self.waiting)
        return f"… waiting for {visible(names, keep='')} ({time.monotonic() - self._t0:.0f} s)"

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


def wanted(stream: TextIO | None = None) -> bool:
    """Only on a terminal: a file or a CI log gets no progress line."""
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
