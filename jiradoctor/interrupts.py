"""Ctrl-C ends a run within a bounded time, whatever the network is doing.

Why: asyncio's own Ctrl-C handling cancels the run and then waits for every task and executor
thread to finish. A task that misses its cancellation (Python 3.11's ``wait_for`` can swallow one
when its inner future completes at the same moment) then keeps waiting on a silent server, up to
``--timeout``, and Ctrl-C seemed to do nothing. Here Ctrl-C raises KeyboardInterrupt as Python's
default handler does (the CLI turns it into exit 130), and arms a watchdog: if the clean-up has not
finished within :data:`GRACE_S`, the process ends with 130 anyway, saying so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from types import FrameType
from typing import Iterator

GRACE_S = 5.0
MESSAGE = "\ninterrupted: the run was stopped before it finished; no report was written\n"


def _hard_exit() -> None:
    try:
        sys.stderr.write(MESSAGE)
        sys.stderr.flush()
    finally:
        os._exit(130)


@contextlib.contextmanager
def bounded_interrupt(grace_s: float = GRACE_S) -> Iterator[None]:
    """Within the block, Ctrl-C (SIGINT) raises KeyboardInterrupt and starts the watchdog."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals go to the main thread only: nothing to arm here
        return
    armed: list[threading.Timer] = []

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if not armed:
            timer = threading.Timer(grace_s, _hard_exit)
            timer.daemon = True
            timer.start()
            armed.append(timer)
        signal.default_int_handler(signum, frame)  # raises KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        # the clean-up finished in time: the CLI reports the interruption itself
        for timer in armed:
            timer.cancel()
