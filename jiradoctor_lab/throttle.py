"""Rate limiting as Jira Cloud (and Data Center 9+ with rate limiting on) answers it.

Why: an integration's sync meets the same limit jiradoctor's permission fan-out does; the lab
must throttle so the tests can see the fan-out honour ``Retry-After``, slow down, and stay
within its retry bound (429s and every request are counted here, on the lab side).

The shape: 429 (or 503) with ``Retry-After`` in seconds, ``X-RateLimit-Limit``,
``X-RateLimit-Remaining: 0``, ``X-RateLimit-Reset`` (Cloud, ISO-8601) and ``RateLimit-Reason``.
UNCONFIRMED: the body (the lab sends ``{"message": ..., "status-code": 429}``) and which of the
headers each deployment sends.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from jiradoctor_lab.messages import Request, Response, status_body
from jiradoctor_lab.runtime import LabRuntime


def _counts(req: Request) -> bool:
    """The fan-out's requests: mypermissions about one project."""
    return req.path.rstrip("/").endswith("/mypermissions") and bool(req.param("projectKey") or req.param("projectId"))


def limit(req: Request, runtime: LabRuntime) -> Response | None:
    """A throttling answer for ``req``, or None to serve it."""
    b = runtime.scenario.behaviour
    if not b.throttle_after or not req.path.startswith("/rest/"):
        return None
    state = runtime.state
    now = time.monotonic()
    with state.lock:
        if _counts(req):
            state.fanout_requests += 1
            if state.throttle_until is None and state.fanout_requests > b.throttle_after:
                state.throttle_until = math.inf if b.throttle_forever else now + b.throttle_window_s
        until = state.throttle_until
        if until is None or now >= until:
            return None
        state.throttled += 1
    wait = b.throttle_window_s if until == math.inf else until - now
    seconds = max(1, math.ceil(wait))
    reset = dt.datetime.fromtimestamp(runtime.now() + seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    resp = Response.json(b.throttle_status, status_body(b.throttle_status, "Rate limit exceeded."))
    resp.add("Retry-After", str(seconds))
    resp.add("X-RateLimit-Limit", str(b.throttle_after))
    resp.add("X-RateLimit-Remaining", "0")
    resp.add("X-RateLimit-Reset", reset)
    return resp.add("RateLimit-Reason", "jira-burst-based")
