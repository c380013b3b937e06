"""One request that waits out a short rate-limit burst and asks again, a bounded number of times.

Why: Cloud answers a burst with ``429`` and ``Retry-After: 1`` (``RateLimit-Reason:
jira-burst-based``, JIRA-FACTS §10); every client is expected to wait and retry, and a login that
met a burst is not a failed login. A longer wait (the hourly quota's ``Retry-After: 1847``) is not
slept: the answer is returned at once and the check names the limit. A 429 never counts towards
Jira's CAPTCHA (credentials were not refused), so repeating it is safe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from jiradoctor.jira.rate_limit import is_throttled, read_signal

if TYPE_CHECKING:
    from jiradoctor.probes.http import HttpAnswer

RETRIES = 2  # a throttled request is sent at most 1 + RETRIES times
MAX_WAIT_S = 5.0  # a burst; anything longer is reported, not waited for


async def fetch_waiting(send: Callable[[], Awaitable["HttpAnswer"]]) -> "HttpAnswer":
    """``send()``'s answer, a short throttle waited out and sent again (bounded); the last answer
    otherwise. ``send`` makes the request (the login's ``fetch_as``): this module knows no login."""
    import asyncio

    answer = await send()
    for attempt in range(RETRIES):
        if not is_throttled(answer):
            break
        wait = read_signal(answer).wait_s(attempt)
        if wait > MAX_WAIT_S:
            break
        await asyncio.sleep(wait)
        answer = await send()
    return answer
