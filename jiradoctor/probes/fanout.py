"""A bounded, rate-aware way to send many requests: a worker pool and an adaptive gate.

Why: a Jira with 50,000 projects must not get 50,000 tasks at once (memory grows with the
instance) nor be hammered at full speed once it answers 429. Workers pull from one iterator,
so memory does not depend on the project count; the gate holds every worker while Jira's
``Retry-After`` runs and halves the concurrency each time Jira throttles, or spaces requests by a
token bucket's fill rate (Data Center); a deadline stops the pool and keeps what was asked (the
caller reports the rest as not asked).
"""

from __future__ import annotations

import time
from typing import Awaitable, Callable, Iterable, TypeVar


T = TypeVar("T")
R = TypeVar("R")


class Gate:
    """At most ``limit`` holders, none while a rate-limit pause runs, starts at least ``gap_s`` apart
    once paced; ``slow_down`` lowers the limit, ``pace`` sets the gap."""

    def __init__(self, limit: int) -> None:
        import asyncio
        self.start_limit = self.limit = max(1, limit)
        self.active = 0
        self.resume_at = 0.0
        self.gap_s = 0.0
        self._next_start = 0.0
        self._cond = asyncio.Condition()

    async def __aenter__(self) -> "Gate":
        import asyncio
        loop = asyncio.get_running_loop()
        async with self._cond:
            while True:
                pause = max(self.resume_at, self._next_start) - loop.time()
                if pause > 0:
                    try:
                        await asyncio.wait_for(self._cond.wait(), pause)
                    except asyncio.TimeoutError:
                        pass
                    continue
                if self.active < self.limit:
                    self.active += 1
                    self._next_start = loop.time() + self.gap_s
                    return self
                await self._cond.wait()

    async def __aexit__(self, *exc: object) -> None:
        async with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def slow_down(self, wait_s: float) -> None:
        """Jira said wait: nobody sends before ``wait_s`` has passed, and fewer at once after."""
        import asyncio
        now = asyncio.get_running_loop().time()
        if now >= self.resume_at:  # one halving per pause: a burst of 429s in flight is one signal
            self.limit = max(1, self.limit // 2)
        self.resume_at = max(self.resume_at, now + wait_s)

    def pace(self, gap_s: float) -> None:
        """A token bucket refills one request every ``gap_s``: from now on no two starts are closer."""
        self.gap_s = max(self.gap_s, gap_s)


async def run_pool(items: Iterable[T], work: Callable[[T], Awaitable[R]], workers: int,
                   deadline: float | None = None) -> tuple[list[R], list[T]]:
    """``work`` on every item by ``workers`` workers; past ``deadline`` (time.monotonic) no new
    item starts. Returns the results in item order and the items never started."""
    import asyncio
    iterator = iter(enumerate(items))
    results: dict[int, R] = {}
    skipped: list[tuple[int, T]] = []

    async def worker() -> None:
        for index, item in iterator:  # one shared iterator: each item is taken once
            if deadline is not None and time.monotonic() >= deadline:
                skipped.append((index, item))
                continue
            results[index] = await work(item)

    await asyncio.gather(*(worker() for _ in range(max(1, workers))))
    return [results[i] for i in sorted(results)], [item for _, item in sorted(skipped, key=lambda p: p[0])]
