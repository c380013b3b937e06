"""Rate limiting as Jira Cloud and Data Center answer it (JIRA-FACTS §10, captured shapes).

Why: an integration's sync meets the same limit jiradoctor's permission fan-out does; the lab
must throttle so the tests can see the fan-out honour ``Retry-After``, slow down, pace a token
bucket, stop at once when the wait outlasts the run, and stay within its retry bound (429s and
every request are counted here, on the lab side).

The shapes (``throttle_shape``), each as captured:
- ``cloud``: a burst. 429, JSON ``{"errorMessages":["The request has been rate-limited. Please try
  again later."],"errors":{},"status":429}``, ``Retry-After`` in seconds, ``RateLimit-Reason:
  jira-burst-based``, ``X-RateLimit-Reset`` ISO-8601 (only on the 429).
- ``cloud-html``: the same headers with Jira's older HTML "Oops - an error has occurred" page
  (2020/2022 captures).
- ``cloud-quota``: the hourly quota, ``Retry-After: 1847``, ``RateLimit-Reason:
  jira-quota-tenant-based``; it never lifts within a run.
- ``dc-bucket``: Data Center's token bucket: ``throttle_after`` tokens at most, ``bucket_fill_rate``
  more every ``throttle_window_s`` seconds; a request without a token gets Tomcat's HTML 429 page
  "Rate limit exceeded." with ``Retry-After: 0``; every answer (200s too) carries ``Retry-After:
  0``, ``X-RateLimit-Limit``, ``-Remaining``, ``-FillRate``, ``-Interval-Seconds``.
``throttle_status = 503`` answers a busy node's 503 with Retry-After instead of 429.
``throttle_login`` refuses that many ``/myself`` requests first (the login meets the limit).
"""

from __future__ import annotations

import datetime as dt
import math
import time

from jiradoctor_lab.messages import Request, Response, status_body
from jiradoctor_lab.runtime import LabRuntime

SHAPES = ("cloud", "cloud-html", "cloud-quota", "dc-bucket")
QUOTA_RETRY_AFTER_S = 1847  # as captured from Cloud's hourly quota
CLOUD_BODY = {
    "errorMessages": ["The request has been rate-limited. Please try again later."],
    "errors": {},
    "status": 429,
}
# Jira's error page as the 2020/2022 captures show it (shortened: the same title, class and message)
CLOUD_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" '
    'content="IE=edge"><title>Oops - an error has occurred</title><meta name="decorator" content="none" />'
    '</head><body class=" error-page error429"><div id="page"><section id="content" role="main">'
    '<div class="aui-page-panel"><div id="error-state"><span class="error-type"></span>'
    "<h1>Sorry, we had some technical problems during your last operation.</h1>"
    '<p class="error-message">Rate limit exceeded.</p></div></div></section></div></body></html>'
)
# Tomcat's status page of Data Center's limiter, byte for byte as captured (ahungry/org-jira#365, Tomcat 9.0.95)
TOMCAT_429 = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 429 \u2013 Too Many Requests</title>'
    '<style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;'
    "background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p "
    "{font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style>"
    '</head><body><h1>HTTP Status 429 \u2013 Too Many Requests</h1><hr class="line" /><p><b>Type</b> '
    "Status Report</p><p><b>Message</b> Rate limit exceeded.</p><p><b>Description</b> The user has sent too "
    'many requests in a given amount of time ("rate limiting").</p><hr class="line" /><h3>Apache '
    "Tomcat/9.0.95</h3></body></html>"
)


def _counts(req: Request) -> bool:
    """The fan-out's requests: mypermissions about one project."""
    return req.path.rstrip("/").endswith("/mypermissions") and bool(req.param("projectKey") or req.param("projectId"))


def _is_login(req: Request) -> bool:
    """The integration's login: /myself with credentials (the anonymous probe for the realm is not it)."""
    return req.path.rstrip("/").endswith("/myself") and req.path.startswith("/rest/api/") and bool(
        req.header("authorization")
    )


def limit(req: Request, runtime: LabRuntime) -> Response | None:
    """A throttling answer for ``req``, or None to serve it."""
    b = runtime.scenario.behaviour
    if not req.path.startswith("/rest/"):
        return None
    if b.throttle_login and _is_login(req):
        with runtime.state.lock:
            runtime.state.login_requests += 1
            refused = runtime.state.login_requests <= b.throttle_login
            if refused:
                runtime.state.throttled += 1
        if refused:
            quota = b.throttle_shape == "cloud-quota"
            window = QUOTA_RETRY_AFTER_S if quota else max(1, math.ceil(b.throttle_window_s))
            return _refusal(runtime, window)
        return None
    if not b.throttle_after:
        return None
    if b.throttle_shape == "dc-bucket":
        return _bucket(req, runtime)
    state = runtime.state
    now = time.monotonic()
    with state.lock:
        if _counts(req):
            state.fanout_requests += 1
            if state.throttle_until is None and state.fanout_requests > b.throttle_after:
                forever = b.throttle_forever or b.throttle_shape == "cloud-quota"
                state.throttle_until = math.inf if forever else now + b.throttle_window_s
        until = state.throttle_until
        if until is None or now >= until:
            return None
        state.throttled += 1
    if b.throttle_shape == "cloud-quota":
        return _refusal(runtime, QUOTA_RETRY_AFTER_S)
    wait = b.throttle_window_s if until == math.inf else until - now
    return _refusal(runtime, max(1, math.ceil(wait)))


def _refusal(runtime: LabRuntime, seconds: int) -> Response:
    """Cloud's 429 (or a busy node's 503) in the scenario's captured shape."""
    b = runtime.scenario.behaviour
    reset = dt.datetime.fromtimestamp(runtime.now() + seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if b.throttle_status == 503:  # a busy node: Retry-After alone, no rate-limit headers
        return Response.json(503, status_body(503, "Service Unavailable")).add("Retry-After", str(seconds))
    if b.throttle_shape == "cloud-html":
        resp = Response.html(429, CLOUD_HTML)
    else:
        resp = Response.json(429, CLOUD_BODY)
    resp.add("Retry-After", str(seconds))
    resp.add("X-RateLimit-Limit", str(b.throttle_after or 100))
    resp.add("X-RateLimit-Remaining", "0")
    resp.add("X-RateLimit-Reset", reset)
    reason = "jira-quota-tenant-based" if b.throttle_shape == "cloud-quota" else "jira-burst-based"
    return resp.add("RateLimit-Reason", reason)


def _refill(runtime: LabRuntime, now: float) -> None:
    """Data Center's bucket: ``bucket_fill_rate`` tokens every whole interval, at most ``throttle_after``."""
    b, state = runtime.scenario.behaviour, runtime.state
    if state.bucket_tokens is None:
        state.bucket_tokens, state.bucket_refilled = b.throttle_after, now
        return
    intervals = int((now - state.bucket_refilled) // b.throttle_window_s)
    if intervals > 0:
        state.bucket_tokens = min(b.throttle_after, state.bucket_tokens + intervals * b.bucket_fill_rate)
        state.bucket_refilled += intervals * b.throttle_window_s


def _bucket(req: Request, runtime: LabRuntime) -> Response | None:
    """Only requests with credentials are limited (Data Center limits users); anonymous ones pass."""
    if not req.header("authorization"):
        return None
    state = runtime.state
    with state.lock:
        _refill(runtime, time.monotonic())
        if _counts(req):
            state.fanout_requests += 1
        assert state.bucket_tokens is not None
        if state.bucket_tokens > 0:
            state.bucket_tokens -= 1
            return None
        state.throttled += 1
    return bucket_headers(Response.html(429, TOMCAT_429), runtime)


def bucket_headers(resp: Response, runtime: LabRuntime) -> Response:
    b = runtime.scenario.behaviour
    remaining = runtime.state.bucket_tokens if runtime.state.bucket_tokens is not None else b.throttle_after
    resp.add("Retry-After", "0")
    resp.add("X-RateLimit-Limit", str(b.throttle_after))
    resp.add("X-RateLimit-Remaining", str(remaining))
    resp.add("X-RateLimit-FillRate", str(b.bucket_fill_rate))
    return resp.add("X-RateLimit-Interval-Seconds", f"{b.throttle_window_s:g}")


def on_answer(req: Request, resp: Response, runtime: LabRuntime) -> Response:
    """Headers a limited Jira adds to answers it serves: Data Center's bucket on every REST answer
    (``Retry-After: 0`` on a 200 is not a throttle); Cloud's ``Beta-*`` announcements when asked."""
    b = runtime.scenario.behaviour
    if not req.path.startswith("/rest/") or resp.status == 429:
        return resp
    if b.throttle_after and b.throttle_shape == "dc-bucket" and req.header("authorization"):
        bucket_headers(resp, runtime)
    if b.beta_rate_limit_headers:
        resp.add("Beta-Retry-After", "1847")
        resp.add("Beta-RateLimit-Reason", "jira-quota-tenant-based")  # UNCONFIRMED suffix: §10 says Beta-RateLimit*
        resp.add("X-RateLimit-Limit", "350")
        resp.add("X-RateLimit-Remaining", "349")
    return resp
