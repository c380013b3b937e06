"""Rate limits as real Jira answers them (JIRA-FACTS §10), replayed from tests/data/rate_limits/.

Each file names its source. Both directions: every throttle is read as one (with the limit named,
and when it resets), every healthy answer that merely carries rate-limit headers is not; through
the real permission probe (httpx.MockTransport) and the real checks, and against the lab, which
must answer the captured shapes byte for byte.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from jiradoctor.checks.auth import judge_answer
from jiradoctor.checks.permissions import judge_permissions
from jiradoctor.context import Facts
from jiradoctor.jira.integrations import get_profile
from jiradoctor.jira.rate_limit import is_throttled, read_signal
from jiradoctor.model import Status
from jiradoctor.probes import LazyProbes
from jiradoctor.probes.auth import LoginAttempt, login_for
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.permissions import PermissionFacts
from jiradoctor.probes.server_info import ServerInfo
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from jiradoctor_lab import LabServer, throttle
from tests.lab.test_auth_permissions_lab import doctor, problems, statuses, target_for

pytestmark = pytest.mark.timeout(90)
DATA = Path(__file__).parent.parent / "data" / "rate_limits"
URL = "https://jira.example.com"
CAPTURES = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))}
THROTTLES = [name for name, c in CAPTURES.items() if c["throttled"]]
HEALTHY = [name for name, c in CAPTURES.items() if not c["throttled"]]


def captured(name: str, url: str = URL + "/rest/api/2/myself") -> HttpAnswer:
    c = CAPTURES[name]
    return HttpAnswer("GET", url, c["status"], dict(c["headers"]), c["body"])


def test_every_capture_names_its_source() -> None:
    assert len(CAPTURES) >= 7 and THROTTLES and HEALTHY
    assert all(len(c["source"]) > 40 for c in CAPTURES.values())


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_throttle_is_read_as_one_and_only_then(name: str) -> None:
    answer = captured(name)
    assert is_throttled(answer) is CAPTURES[name]["throttled"]


def test_the_limit_is_named_as_jira_names_it() -> None:
    quota = read_signal(captured("cloud_quota_tenant"))
    assert (quota.reason, quota.reset, quota.retry_after_s, quota.page) == (
        "jira-quota-tenant-based", "2026-01-01T01:01:01Z", 1847.0, "json")
    assert quota.wait_s() == 1847.0 and not quota.bucket
    burst = read_signal(captured("cloud_burst_json"))
    assert burst.reason == "jira-burst-based" and burst.wait_s() == 1.0
    bucket = read_signal(captured("dc_tomcat_429_retry_after_0"))
    assert bucket.bucket and bucket.page == "tomcat-html" and bucket.token_interval_s == 0.2
    assert bucket.retry_after_s == 0.0 and bucket.wait_s() == 1.0  # Retry-After: 0 is not "now": the next batch
    left = read_signal(captured("dc_tomcat_429"))  # the capture says a token is left: one token's time
    assert left.bucket and left.wait_s() == pytest.approx(0.2)
    assert read_signal(captured("cloud_html_2022")).page == "jira-html"


HEADER_NAMES = ("retry-after", "ratelimit-reason", "x-ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining",
                "x-ratelimit-fillrate", "x-ratelimit-interval-seconds")


@given(st.dictionaries(st.sampled_from(HEADER_NAMES), st.text(max_size=300)), st.text(max_size=500))
@settings(max_examples=200, deadline=None)
def test_any_rate_limit_headers_are_read_without_raising(headers: dict[str, str], body: str) -> None:
    """Outside text: whatever Jira (or what stands in its place) sends, a bounded reading, never a crash."""
    signal = read_signal(HttpAnswer("GET", URL, 429, headers, body))
    wait = signal.wait_s(2)
    assert wait >= 0 and wait == wait  # not NaN
    assert len(signal.describe()) < 2000 and all(len(v or "") <= 120 for v in (signal.reason, signal.reset))


# ------------------------------------------------------------------ through the probe ---

class ReplayJira:
    """Server listing two projects; every permission question answered with one captured answer."""

    def __init__(self, name: str, limit_after: int = 0) -> None:
        self.capture = CAPTURES[name]
        self.limit_after = limit_after
        self.asked: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/rest/api/2/project":
            return httpx.Response(200, json=[{"id": "10000", "key": "PIP"}, {"id": "10001", "key": "ART"}])
        if path.endswith("/mypermissions"):
            self.asked.append(time.monotonic())
            if len(self.asked) > self.limit_after:
                c = self.capture
                return httpx.Response(c["status"], headers=c["headers"], content=c["body"].encode())
            keys = dict(urllib.parse.parse_qsl(request.url.query.decode()))["permissions"].split(",")
            return httpx.Response(200, json={"permissions": {k: {"key": k, "havePermission": True} for k in keys}},
                                  headers={k: v for k, v in CAPTURES["dc_healthy_200"]["headers"].items()
                                           if k != "content-type"})
        return httpx.Response(404, json={"errorMessages": ["null for uri"]})


def run_probe(fake: Callable[[httpx.Request], httpx.Response]) -> tuple[PermissionFacts, float]:
    target = Target(url=URL, integration="piplanning", user="svc", password=Secret("pw"))
    served = HttpAnswer("GET", URL, 200, {}, "{}")
    info = ServerInfo(served, served, base_url=URL, deployment="Server")
    login = LoginAttempt(login_for(target), "Server",
                         HttpAnswer("GET", URL + "/rest/api/2/myself", 200, {}, '{"name": "svc", "key": "svc"}'))

    async def go() -> PermissionFacts:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as client:
            facts = Facts(target, LazyProbes(), preset={"http_client": client, "server_info": info,
                                                         "auth_login": login})
            return await facts.get("permission_matrix")

    t0 = time.monotonic()
    pf = asyncio.run(go())
    return pf, time.monotonic() - t0


def judged(pf: PermissionFacts) -> dict[str, Any]:
    return {f.code: f for f in judge_permissions(pf, get_profile("piplanning"), URL, "svc")}


def test_quota_ends_promptly_with_the_limit_named_never_a_sleep_or_check_error() -> None:
    """Cloud's hourly quota (Retry-After: 1847): no sleep into the run's time limit (issue 24)."""
    pf, elapsed = run_probe(ReplayJira("cloud_quota_tenant"))
    assert elapsed < 5.0
    found = judged(pf)
    assert set(found) == {"permissions/throttled"}  # not permissions/no-answer pointing at the auth check
    f = found["permissions/throttled"]
    assert f.status == Status.FAIL and pf.throttling is not None and pf.throttling.outlasted
    assert "jira-quota-tenant-based" in f.message and "2026-01-01T01:01:01Z" in f.message
    assert f.evidence["limit"]["resets_at"] == "2026-01-01T01:01:01Z"
    assert any("2026-01-01T01:01:01Z" in r for r in f.remediation)
    assert not any("auth check" in r for r in f.remediation)


def test_burst_is_waited_out_and_retried_bounded() -> None:
    fake = ReplayJira("cloud_burst_json")
    pf, elapsed = run_probe(fake)
    f = judged(pf)["permissions/throttled"]
    assert f.status == Status.FAIL and "jira-burst-based" in f.message  # every answer is the capture: gives up
    assert pf.throttling is not None and pf.throttling.retries >= 1 and not pf.throttling.outlasted
    assert elapsed >= 1.0 and len(fake.asked) <= 2 * 3  # waited Retry-After, each question at most 3 times
    assert "permissions/no-answer" not in judged(pf)


def test_data_center_bucket_is_paced_by_its_fill_rate_not_given_up_in_half_a_second() -> None:
    """Two projects, the first question answered, then the captured 429 with Retry-After: 0 once."""

    class Bucket(ReplayJira):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/mypermissions") and len(self.asked) >= 2:
                self.limit_after = 10**6  # the bucket refilled: healthy answers again
            return super().__call__(request)

    fake = Bucket("dc_tomcat_429_retry_after_0", limit_after=1)
    pf, _ = run_probe(fake)
    f = judged(pf)["permissions/throttled"]
    assert f.status == Status.WARN and pf.throttling is not None and pf.throttling.gave_up == 0
    assert pf.throttling.paced_s == pytest.approx(0.22) and "fill rate" in f.message
    assert fake.asked[-1] - fake.asked[1] >= 0.9  # waited for the next batch, not 3 tries in half a second
    assert any("Rate limiting > Exemptions" in r for r in f.remediation)
    assert {g.key for g in pf.projects if not g.problem} == {"PIP", "ART"}


@pytest.mark.parametrize("name", HEALTHY)
def test_healthy_answers_with_rate_limit_headers_pass(name: str) -> None:
    class Healthy(ReplayJira):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            resp = super().__call__(request)
            if request.url.path.endswith("/mypermissions"):
                resp.headers.update({k: v for k, v in self.capture["headers"].items() if k != "content-type"})
            return resp

    pf, elapsed = run_probe(Healthy(name, limit_after=10**6))
    assert pf.throttling is None and elapsed < 5.0
    assert set(judged(pf)) == {"permissions/ok"}


# --------------------------------------------------------------------------- the login ---

@pytest.mark.parametrize("name", THROTTLES)
def test_throttled_login_is_auth_throttled_never_unexpected(name: str) -> None:
    target = Target(url=URL, integration="piplanning", user="svc", password=Secret("pw"))
    attempt = LoginAttempt(login_for(target), "Server", captured(name))
    f = judge_answer(attempt, URL, True, get_profile("piplanning"))
    assert f.code == "auth/throttled" and f.status == Status.FAIL
    assert "rate limit" in f.message and not any("--url" in r for r in f.remediation)


@pytest.mark.parametrize("name", HEALTHY)
def test_login_with_rate_limit_headers_on_its_200_is_ok(name: str) -> None:
    target = Target(url=URL, integration="piplanning", user="svc", password=Secret("pw"))
    ok = captured(name)
    ok = HttpAnswer(ok.method, ok.url, 200, ok.headers, '{"name": "svc", "key": "svc"}')
    assert judge_answer(LoginAttempt(login_for(target), "Server", ok), URL, True, get_profile("piplanning")).code == (
        "auth/ok")


# ----------------------------------------------------------------------------- the lab ---

def test_lab_answers_the_captured_shapes_byte_for_byte() -> None:
    assert throttle.TOMCAT_429 == CAPTURES["dc_tomcat_429"]["body"]
    assert json.dumps(throttle.CLOUD_BODY, separators=(",", ":")) == CAPTURES["cloud_burst_json"]["body"]
    assert "error429" in throttle.CLOUD_HTML and "Oops - an error has occurred" in throttle.CLOUD_HTML


@pytest.fixture
def lab(make_lab: Callable[..., LabServer]) -> Callable[..., LabServer]:
    return make_lab


@pytest.mark.parametrize("name, codes, status", [
    ("throttled-quota", {"permissions/throttled"}, {"auth": "pass", "permissions": "fail"}),
    ("throttled-html", {"permissions/throttled"}, {"auth": "pass", "permissions": "warn"}),
    ("throttled-dc-bucket", {"permissions/throttled"}, {"auth": "pass", "permissions": "warn"}),
    ("throttled-login", {"auth/throttled"}, {"auth": "fail", "permissions": "skip"}),
    ("dc-rate-limit-headers", set(), {"auth": "pass", "permissions": "pass"}),
    ("cloud-beta-rate-limit", set(), {"auth": "pass", "permissions": "pass"}),
    ("throttled-login-burst", set(), {"auth": "pass", "permissions": "pass"}),
])
def test_lab_scenarios_end_to_end(lab: Callable[..., LabServer], name: str, codes: set[str],
                                  status: dict[str, str]) -> None:
    server = lab(name)
    t0 = time.monotonic()
    report = doctor(target_for(server))
    elapsed = time.monotonic() - t0
    assert problems(report) == codes and statuses(report) == status
    if name in ("throttled-quota", "throttled-login"):
        assert elapsed < 10.0  # Retry-After: 1847 is reported, not slept
    if name == "throttled-login-burst":
        assert server.throttled == 1 and elapsed >= 1.0  # met the burst, waited it out, logged in
    if name == "throttled-dc-bucket":
        [f] = [f for _, f in report.findings() if f.code == "permissions/throttled"]
        assert f.evidence["gave_up"] == 0 and f.evidence["paced_s"] == pytest.approx(0.11)
        assert f.evidence["limit"]["answer_page"] == "tomcat-html"
    if name in ("dc-rate-limit-headers", "cloud-beta-rate-limit"):
        assert server.throttled == 0


def test_a_busy_node_at_login_is_not_called_a_rate_limit() -> None:
    target = Target(url=URL, integration="piplanning", user="svc", password=Secret("pw"))
    busy = HttpAnswer("GET", URL + "/rest/api/2/myself", 503, {"retry-after": "120"}, "")
    f = judge_answer(LoginAttempt(login_for(target), "Server", busy), URL, True, get_profile("piplanning"))
    assert f.code == "auth/throttled" and "busy or starting node" in f.message and "rate limit" not in f.message
    outage = HttpAnswer("GET", URL + "/rest/api/2/myself", 503, {}, "")  # without Retry-After: an outage
    assert judge_answer(LoginAttempt(login_for(target), "Server", outage), URL, True,
                        get_profile("piplanning")).code != "auth/throttled"
