"""Pure pieces of issue 13: Cloud signals, X-AUSERNAME, login pages, rate-limit headers, the gate and the pool."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given, settings, strategies as st

from jiradoctor.checks.auth import cloud_token_refused, oauth1_on_cloud
from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira.permissions import parse_mypermissions
from jiradoctor.jira.rate_limit import is_throttled, rate_limit_headers, retry_after_s
from jiradoctor.probes.auth import Login, LoginAttempt
from jiradoctor.probes.fanout import Gate, run_pool
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.secrets import Secret


def answer(status: int, body: str = "", **headers: str) -> HttpAnswer:
    return HttpAnswer("GET", "https://jira.example.com/rest/api/2/myself", status,
                      {k.replace("_", "-").lower(): v for k, v in headers.items()}, body)


PASSWORD_401 = ("Basic authentication with passwords is deprecated.  For more information, see: "
                "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n")


# ----------------------------------------------------------------------------- Cloud signals ---

@pytest.mark.parametrize("answers, url, realm, deployment, expected_word", [
    ([answer(401, PASSWORD_401)], "https://jira.example.com", None, None, "passwords is deprecated"),
    ([answer(200, server="AtlassianProxy/1.19.3.1")], "https://jira.example.com", None, None, "AtlassianProxy"),
    ([answer(200, atl_traceid="a0dc5bb4e9")], "https://jira.example.com", None, None, "atl-traceid"),
    ([], "https://acme.atlassian.net", None, None, "acme.atlassian.net"),
    ([], "https://api.atlassian.com/ex/jira/abc", None, None, "api.atlassian.com"),
    ([], "https://jira.example.com", "https://acme.atlassian.net", None, "OAuth realm"),
    ([], "https://jira.example.com", None, "Cloud", "deploymentType"),
])
def test_each_cloud_signal_alone(answers, url, realm, deployment, expected_word):
    found = sig.cloud_signals(answers, url, realm, deployment)
    assert len(found) == 1 and expected_word in found[0]


def test_server_shows_no_cloud_signal():
    server = answer(401, '{"message":"Client must be authenticated to access this resource.","status-code":401}',
                    x_seraph_loginreason="AUTHENTICATED_FAILED", x_arequestid="733x1x1")
    assert sig.cloud_signals([server, None], "https://jira.example.com", "https://jira.example.com", "Server") == ()


@pytest.mark.parametrize("raw, shown", [
    ("someone%40example.org", "someone@example.org"), ("anonymous", "anonymous"), ("J%C3%BCrgen+M", "Jürgen M"),
])
def test_x_ausername_decoded(raw, shown):
    a = answer(200, x_ausername=raw)
    assert sig.seen_as(a) == shown
    assert sig.is_anonymous(a) == (shown == "anonymous")


@pytest.mark.parametrize("body, is_login", [
    ('<html><head><title>Log in - Jira</title></head><body><input name="os_username"></body></html>', True),
    ('<html><body><form action="/saml2"><a href="https://acme.okta.com/app">Okta</a></form></body></html>', True),
    ("<html><head><title>System Dashboard - Jira</title></head><body></body></html>", False),
])
def test_sso_login_page_answered_with_200(body, is_login):
    a = answer(200, body, content_type="text/html;charset=UTF-8")
    assert (sig.sso(a, True) is not None) == is_login


def test_cloud_id_only_from_a_uuid_shape():
    assert sig.cloud_id('{"cloudId":"0b7c3b4e-1d2f-4c5b-9a8e-7f6d5c4b3a21"}') == "0b7c3b4e-1d2f-4c5b-9a8e-7f6d5c4b3a21"
    assert sig.cloud_id('{"cloudId":"<script>"}') is None
    assert sig.cloud_id("[" * 100000) is None


# --------------------------------------------------------------------------- auth findings ---

def _token_attempt(url: str, tenant: HttpAnswer | None = None) -> LoginAttempt:
    refused = HttpAnswer("GET", url, 401, {"content-type": "application/json"},
                         '{"message":"Client must be authenticated to access this resource.","status-code":401}')
    return LoginAttempt(Login("token", user="i@example.com", secret=Secret("ATATT-x")), "Cloud", refused,
                        cloud_signals=("host acme.atlassian.net",), tenant_info=tenant)


def test_cloud_token_refused_on_site_and_on_gateway():
    tenant = HttpAnswer("GET", "https://acme.atlassian.net/_edge/tenant_info", 200, {},
                        '{"cloudId":"0b7c3b4e-1d2f-4c5b-9a8e-7f6d5c4b3a21"}')
    site = _token_attempt("https://acme.atlassian.net/rest/api/2/myself", tenant)
    f = cloud_token_refused(site, site.myself, {})
    assert "scoped" in f.message and any("ex/jira/0b7c3b4e-1d2f-4c5b-9a8e-7f6d5c4b3a21" in r for r in f.remediation)
    unknown = _token_attempt("https://acme.atlassian.net/rest/api/2/myself", HttpAnswer("GET", "u", 404, {}, ""))
    f = cloud_token_refused(unknown, unknown.myself, {})
    assert f.evidence["cloud_id"] is None and any("tenant_info" in r for r in f.remediation)  # UNCONFIRMED route named
    gateway = _token_attempt("https://api.atlassian.com/ex/jira/0b7c/rest/api/2/myself")
    f = cloud_token_refused(gateway, gateway.myself, {})
    # at the gateway a scoped token is in the right place: no such cause, no such fix (the token and Guard remain)
    assert "scoped" not in f.message and len(f.remediation) == 2 and "Guard" in f.remediation[1]


def test_oauth1_deprecation_only_on_cloud():
    login = Login("oauth1", consumer_key="k")
    assert oauth1_on_cloud(LoginAttempt(login, "Cloud")) is not None
    assert oauth1_on_cloud(LoginAttempt(login, "Server")) is None
    assert oauth1_on_cloud(LoginAttempt(Login("token", user="u"), "Cloud")) is None


# ------------------------------------------------------------------------ mypermissions read ---

def test_mypermissions_with_every_key_and_legacy_aliases():
    body = ('{"permissions":{"BROWSE":{"key":"BROWSE","havePermission":false,"deprecatedKey":true},'
            '"BROWSE_PROJECTS":{"key":"BROWSE_PROJECTS","havePermission":true},'
            '"EDIT_ISSUE":{"key":"EDIT_ISSUE","havePermission":true,"deprecatedKey":true}}}')
    granted = parse_mypermissions(body)
    assert granted["BROWSE_PROJECTS"] is True  # today's entry wins over the alias
    assert granted["EDIT_ISSUES"] is True  # only the alias answered: it still counts


# ---------------------------------------------------------------------------- rate limits ---

def test_retry_after_forms():
    assert retry_after_s("120") == 120.0
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_s("soon") is None and retry_after_s(None) is None
    assert retry_after_s("9" * 50) == 10.0**6


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_retry_after_never_raises(text):
    value = retry_after_s(text)
    assert value is None or value >= 0


def test_throttled_and_headers():
    assert is_throttled(answer(429))
    assert is_throttled(answer(503, retry_after="5"))
    assert not is_throttled(answer(503)) and not is_throttled(answer(200, retry_after="5"))
    headers = {"retry-after": "5", "x-ratelimit-remaining": "0", "ratelimit-reason": "jira-burst-based",
               "content-type": "application/json"}
    assert set(rate_limit_headers(headers)) == {"retry-after", "x-ratelimit-remaining", "ratelimit-reason"}


def test_gate_honours_the_pause_and_halves_once_per_burst():
    async def main() -> tuple[float, int]:
        gate = Gate(8)
        gate.slow_down(0.3)
        gate.slow_down(0.3)  # same burst: one halving
        t0 = time.monotonic()
        async with gate:
            pass
        return time.monotonic() - t0, gate.limit

    waited, limit = asyncio.run(main())
    assert waited >= 0.25 and limit == 4


def test_pool_is_bounded_keeps_order_and_stops_at_the_deadline():
    async def main():
        active = peak = 0

        async def work(i: int) -> int:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.001)
            active -= 1
            return i * 2

        done, skipped = await run_pool(range(200), work, 5)
        late, rest = await run_pool(range(10), work, 2, deadline=time.monotonic() - 1)
        return done, skipped, peak, late, rest

    done, skipped, peak, late, rest = asyncio.run(main())
    assert done == [i * 2 for i in range(200)] and skipped == [] and peak <= 5
    assert late == [] and rest == list(range(10))
