"""How Jira says "slow down": 429 (or 503 with Retry-After) and its rate-limit headers.

Pure reading of answers, so the fan-out that honours them and the check that reports them agree.
Jira Cloud sends ``Retry-After`` (seconds), ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` and
``RateLimit-Reason``; Data Center 9+ with rate limiting sends ``Retry-After`` and
``X-RateLimit-*`` (``-FillRate``, ``-Interval-Seconds``); the IETF draft names ``RateLimit-*``.
UNCONFIRMED: which of these each deployment sends on every answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Mapping

from jiradoctor.jira.answer import Answer

MAX_WAIT_S = 60.0  # a Retry-After beyond this is honoured by giving up, not by sleeping
MAX_HEADER_TEXT = 120


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()[:MAX_HEADER_TEXT]
    if text.isascii() and text.isdigit():  # '¹'.isdigit() is True, int('¹') is not
        return float(min(int(text), 10**6))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def rate_limit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Every ``Retry-After``, ``X-RateLimit-*`` and ``RateLimit-*`` header, bounded (for the report)."""
    out = {}
    for name, value in headers.items():
        low = name.lower()
        if low == "retry-after" or low.startswith(("x-ratelimit-", "ratelimit-", "ratelimit")):
            out[low] = str(value)[:MAX_HEADER_TEXT]
        if len(out) >= 12:
            break
    return out


def is_throttled(answer: Answer) -> bool:
    """429 always; 503 only with Retry-After (without it, 503 is an outage, not a limit)."""
    if answer.status == 429:
        return True
    return answer.status == 503 and answer.header("retry-after") is not None


@dataclass(frozen=True)
class Throttling:
    """What the fan-out met: how often Jira said slow down, what it said, and what was done."""

    answers: int  # throttled answers received
    retries: int  # requests sent again after waiting
    gave_up: int  # requests still throttled after the last retry
    waited_s: float  # longest single wait honoured
    status: int | None  # the status of the first throttled answer
    headers: Mapping[str, str]  # its rate-limit headers
    concurrency_start: int
    concurrency_end: int
