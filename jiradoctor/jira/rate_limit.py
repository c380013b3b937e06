"""How Jira says "slow down": 429 (or 503 with Retry-After) and its rate-limit headers.

Pure reading of answers, so the fan-out that honours them and the checks that report them agree.
As captured (JIRA-FACTS §10): Cloud answers 429 with ``Retry-After`` in seconds (1 for a burst,
e.g. 1847 for the hourly quota), ``RateLimit-Reason`` and, only on the 429, ``X-RateLimit-Reset``
(ISO-8601); Data Center's limiter is a token bucket: Tomcat's HTML 429 page with
``X-RateLimit-Limit``/``-Remaining``/``-FillRate``/``-Interval-Seconds`` and ``Retry-After: 0`` (on
healthy 200s too), so it is paced by its fill rate, not by Retry-After. ``Beta-Retry-After`` and
``Beta-RateLimit*`` announce a limit not yet enforced: never a throttle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Mapping

from jiradoctor.jira.answer import Answer

MAX_WAIT_S = 60.0  # a wait beyond this (or beyond the run's time left) ends the asking at once
MAX_HEADER_TEXT = 120
DEFAULT_WAIT_S = 1.0  # a throttle that says nothing about when: wait this, doubled on each retry


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


def _number(value: str | None) -> float | None:
    """A header's non-negative number, bounded; None when absent or not a plain number."""
    if value is None:
        return None
    text = value.strip()[:MAX_HEADER_TEXT]
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0 <= number <= 10**9 else None


@dataclass(frozen=True)
class RateLimitSignal:
    """What one throttled answer says about the limit (JIRA-FACTS §10), read once.

    ``reason``: Cloud's ``RateLimit-Reason`` (``jira-burst-based``, ``jira-quota-tenant-based`` ...);
    ``reset``: ``X-RateLimit-Reset`` as sent (Cloud: ISO-8601); ``fill_rate``/``interval_s``: Data
    Center's token bucket (tokens added each interval); ``page``: what the body is (Cloud's JSON,
    Jira's older HTML error page, Tomcat's HTML status page of Data Center's limiter, other).
    """

    status: int | None
    retry_after_s: float | None = None
    reason: str | None = None
    reset: str | None = None
    limit: int | None = None
    remaining: int | None = None
    fill_rate: float | None = None
    interval_s: float | None = None
    page: str = "other"

    @property
    def bucket(self) -> bool:
        """Data Center's token bucket: its fill rate, not Retry-After, says when to ask again."""
        return bool(self.fill_rate and self.interval_s)

    @property
    def token_interval_s(self) -> float | None:
        """Seconds between two new tokens (one request each) of a token bucket."""
        if not self.bucket:
            return None
        assert self.fill_rate is not None and self.interval_s is not None
        return self.interval_s / self.fill_rate

    def wait_s(self, attempt: int = 0) -> float:
        """How long to wait before sending again. A token bucket refills in batches every interval and
        its 429 often says ``Retry-After: 0``, which does not mean "now": wait for the next batch (at most
        one interval), or one token's time while tokens remain. Else Retry-After, else a doubling default."""
        if self.bucket:
            assert self.interval_s is not None
            empty = self.remaining is None or self.remaining <= 0
            return max(self.interval_s if empty else (self.token_interval_s or 0.0), self.retry_after_s or 0.0)
        if self.retry_after_s is not None and self.retry_after_s > 0:
            return self.retry_after_s
        return float(DEFAULT_WAIT_S * 2**attempt)

    def describe(self) -> str:
        """One line naming the limit and when it lifts, from Jira's own headers."""
        parts = [f"HTTP {self.status}"]
        if self.reason:
            parts.append(f"RateLimit-Reason: {self.reason}")
        if self.bucket:
            parts.append(
                f"token bucket: {self.fill_rate:g} request(s) every {self.interval_s:g} s"
                + (f", at most {self.limit} at once" if self.limit is not None else "")
            )
        if self.retry_after_s is not None:
            parts.append(f"Retry-After: {self.retry_after_s:g} s")
        if self.reset:
            parts.append(f"resets at {self.reset}")
        return ", ".join(parts)


def _page(answer: Answer) -> str:
    start = answer.body.lstrip()[:600].lower()
    if start.startswith("{"):
        return "json"
    if "http status 429" in start:
        return "tomcat-html"  # Data Center's limiter answers with Tomcat's own status page
    if "<html" in start or "<!doctype html" in start:
        return "jira-html"  # Jira's "Oops - an error has occurred" page (Cloud captures 2020/2022)
    return "other"


def _int(value: str | None) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def read_signal(answer: Answer) -> RateLimitSignal:
    """The limit a throttled answer names; every header bounded and optional."""
    reset = answer.header("x-ratelimit-reset")
    reason = answer.header("ratelimit-reason")
    return RateLimitSignal(
        status=answer.status,
        retry_after_s=retry_after_s(answer.header("retry-after")),
        reason=reason.strip()[:MAX_HEADER_TEXT] if reason else None,
        reset=reset.strip()[:MAX_HEADER_TEXT] if reset else None,
        limit=_int(answer.header("x-ratelimit-limit")),
        remaining=_int(answer.header("x-ratelimit-remaining")),
        fill_rate=_number(answer.header("x-ratelimit-fillrate")),
        interval_s=_number(answer.header("x-ratelimit-interval-seconds")),
        page=_page(answer),
    )


def rate_limit_fixes(s: RateLimitSignal | None, who: str) -> tuple[str, ...]:
    """What to change, from the kind of limit Jira named (JIRA-FACTS §10); ``who``: "the user X"."""
    if s is not None and s.bucket:
        return (
            f"Jira Data Center's rate limiting gives {who} {s.fill_rate:g} request(s) every {s.interval_s:g} s"
            + (f" (at most {s.limit} at once)" if s.limit is not None else "")
            + ": exempt the integration's user or give it a higher limit (Administration > System > Rate "
            "limiting > Exemptions), or make the integration pace its requests to that rate.",
        )
    if s is not None and s.reason and "quota" in s.reason:
        when = f" at {s.reset}" if s.reset else (f" in {s.retry_after_s:g} s" if s.retry_after_s is not None else "")
        return (
            f"Jira Cloud's quota ({s.reason}) is used up: requests are refused until it resets{when}. Run "
            "jiradoctor again after that.",
            "Make the integration honour Retry-After (stop, then resume after it) and send fewer requests "
            "(incremental syncs, fewer polls); a tenant-based quota is shared by everything that calls this site.",
        )
    return (
        "Make sure the integration honours Retry-After and spreads its requests (fewer in parallel, "
        "incremental syncs), or ask the Jira administrator about the rate-limit settings for its user "
        "(Data Center: Administration > System > Rate limiting; Cloud: Atlassian's per-site limits).",
    )


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
    signal: RateLimitSignal | None = None  # the first throttled answer, read
    outlasted: bool = False  # Jira asked for a longer wait than the run allows: asking stopped at once
    willing_s: float = MAX_WAIT_S  # the longest wait the run was willing to honour
    paced_s: float | None = None  # the gap kept between requests (a token bucket's fill rate)
