"""The live checks judged from facts built in the test (no network): every code both ways.

clock-skew, oauth-signature and the live halves of consumer-key and base-url get their answers
from probes; here the probes' facts are made by hand, so each branch is reached on purpose.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from jiradoctor.checks import base_url, clock_skew, consumer_key, oauth_signature
from jiradoctor.jira.oauth1 import OAuthProblem, sign_request
from jiradoctor.model import Status
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.probes.server_info import ServerInfo
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.conftest import codes, only, run_checks

URL = "https://jira.example.com"


def answer(
    status: int = 200,
    headers: dict | None = None,
    body: str = "",
    sent_at: float | None = None,
    elapsed: float = 0.05,
    url: str = URL,
) -> HttpAnswer:
    return HttpAnswer(
        "GET", url, status, headers or {}, body, False, elapsed, time.time() if sent_at is None else sent_at
    )


def info(**kw) -> ServerInfo:
    served = kw.pop("answer", answer())
    return ServerInfo(served, kw.pop("challenge", answer(401)), **{"base_url": URL, "deployment": "Server", **kw})


# --- clock-skew ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_s", "code", "status"),
    [
        (0, "clock-skew/ok", Status.PASS),
        (30, "clock-skew/ok", Status.PASS),
        (90, "clock-skew/near-tolerance", Status.WARN),
        (-600, "clock-skew/exceeds-tolerance", Status.FAIL),
    ],
)
def test_clock_skew_from_server_time(offset_s: float, code: str, status: Status) -> None:
    now = time.time()
    served = answer(sent_at=now)
    facts = info(answer=served, server_time=datetime.fromtimestamp(now + 0.025 + offset_s, timezone.utc))
    finding = only(run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": facts}), code)
    assert finding.status == status
    assert finding.evidence["source"] == "serverTime"


def test_clock_skew_from_the_date_header_when_server_time_is_missing() -> None:
    now = time.time()
    date = format_datetime(datetime.fromtimestamp(now + 400, timezone.utc), usegmt=True)
    facts = info(answer=answer(headers={"date": date}, sent_at=now))
    finding = only(
        run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": facts}), "clock-skew/exceeds-tolerance"
    )
    assert finding.evidence["source"] == "Date header"
    assert finding.evidence["uncertainty_s"] >= 1.0  # a Date header has one-second resolution


def test_a_date_without_zone_is_read_as_gmt() -> None:
    now = time.time()
    naive = datetime.fromtimestamp(now, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S -0000")
    facts = info(answer=answer(headers={"date": naive}, sent_at=now))
    report = run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": facts})
    assert codes(report) == {"clock-skew/ok"}


def test_no_answer_means_the_clock_is_unknown() -> None:
    dead = HttpAnswer("GET", URL, error=TransportError("connect", "connection refused"))
    report = run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": info(answer=dead, base_url=None)})
    result = report.checks[0]  # could not look: skip, pointing at reachability, never a green tick
    assert result.status == Status.SKIP and result.blocked_by == ("reachability",)
    assert "no answer" in (result.skip_reason or "")


def test_a_date_from_something_that_is_not_jira_is_not_jiras_clock() -> None:
    page = answer(
        200, {"content-type": "text/html", "server": "nginx", "date": "Mon, 30 Nov 2026 10:00:00 GMT"}, "<html></html>"
    )
    report = run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": info(answer=page, base_url=None)})
    assert report.checks[0].status == Status.SKIP and report.checks[0].blocked_by == ("reachability",)


# --- oauth-signature ----------------------------------------------------------------------------


@pytest.fixture
def oauth_target(rsa_pair) -> Target:
    return Target(url=URL, consumer_key="piplanning.io", private_key=Secret(rsa_pair.private_pkcs8))


def exchange(rsa_pair, status: int, body: str = "", headers: dict | None = None, **kw) -> OAuthExchange:
    request = sign_request(
        "POST", URL + "/plugins/servlet/oauth/request-token", "piplanning.io", rsa_pair.private_pkcs8
    )
    return OAuthExchange("piplanning.io", request, answer(status, headers, body), **kw)


def oauth_report(target: Target, request_token: OAuthExchange, rest: OAuthExchange | None = None):
    return run_checks(
        [oauth_signature.CHECK],
        target,
        {"oauth_request_token": request_token, "server_info": info(), "oauth_rest_call": rest},
    )


def test_a_key_that_cannot_sign_is_reported(oauth_target) -> None:
    unsigned = OAuthExchange("piplanning.io", None, None, sign_error="cannot sign with the private key (ValueError)")
    assert only(oauth_report(oauth_target, unsigned), "oauth-signature/cannot-sign").status == Status.FAIL


def test_any_other_oauth_problem_is_named(oauth_target, rsa_pair) -> None:
    problem = OAuthProblem(
        "permission_denied", {"oauth_problem": "permission_denied", "oauth_problem_advice": "ask an admin"}
    )
    report = oauth_report(oauth_target, exchange(rsa_pair, 401, problem=problem))
    finding = only(report, "oauth-signature/problem")
    assert finding.subject == "permission_denied" and finding.remediation == ("ask an admin",)


def test_a_granted_token_and_a_working_rest_call_pass(oauth_target, rsa_pair) -> None:
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true", granted=True)
    rest = exchange(rsa_pair, 200, '{"name": "svc", "key": "JIRAUSER1", "displayName": "Service"}')
    report = oauth_report(Target(**{**oauth_target.__dict__, "access_token": Secret("tok")}), granted, rest)
    assert codes(report) == {"oauth-signature/ok", "oauth-signature/rest-ok"}
    assert report.status == Status.PASS


def test_a_rest_call_that_names_no_user_is_not_jira(oauth_target, rsa_pair) -> None:
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    rest = exchange(rsa_pair, 200, "<html><body>Sign in</body></html>", headers={"content-type": "text/html"})
    report = oauth_report(Target(**{**oauth_target.__dict__, "access_token": Secret("tok")}), granted, rest)
    finding = only(report, "oauth-signature/not-jira")
    assert finding.subject == "rest-call"


# --- consumer-key (live) ------------------------------------------------------------------------


def ck_report(rsa_pair, typed: str, problem: str, cleaned: OAuthExchange | None = None):
    target = Target(url=URL, consumer_key=typed, private_key=Secret(rsa_pair.private_pkcs8))
    refused = exchange(rsa_pair, 401, problem=OAuthProblem(problem, {"oauth_problem": problem}))
    return run_checks(
        [consumer_key.CHECK], target, {"oauth_request_token": refused, "oauth_request_token_cleaned": cleaned}
    )


def test_a_known_but_refused_consumer_key_is_not_called_unknown(rsa_pair) -> None:
    report = ck_report(rsa_pair, "piplanning.io", "consumer_key_rejected")
    assert codes(report) == {"consumer-key/rejected"}


def test_unknown_key_and_whether_jira_knows_the_cleaned_one(rsa_pair) -> None:
    known = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    report = ck_report(rsa_pair, "piplanning.io\u200b", "consumer_key_unknown", cleaned=known)
    unknown = only(report, "consumer-key/unknown")
    assert unknown.evidence["jira_knows_cleaned"] is True and unknown.evidence["cleaned"] == "piplanning.io"


def test_a_known_key_reports_no_live_problem(rsa_pair) -> None:
    target = Target(url=URL, consumer_key="piplanning.io", private_key=Secret(rsa_pair.private_pkcs8))
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    report = run_checks(
        [consumer_key.CHECK], target, {"oauth_request_token": granted, "oauth_request_token_cleaned": None}
    )
    assert codes(report) == {"consumer-key/ok"}


# --- base-url (live) ----------------------------------------------------------------------------


def live_base_url(facts: ServerInfo, **target_kw):
    return run_checks([base_url.CHECK], Target(url=URL, **target_kw), {"server_info": facts})


def test_serverinfo_and_realm_agreeing_with_the_url_pass() -> None:
    assert codes(live_base_url(info(realm=URL))) == {"base-url/ok"}


def test_realm_and_serverinfo_disagreeing() -> None:
    finding = only(live_base_url(info(realm="https://jira-old.example.com")), "base-url/realm-mismatch")
    assert finding.status == Status.WARN and finding.subject == "realm"


def test_jira_reports_another_base_url_than_given() -> None:
    report = live_base_url(info(base_url="https://jira.example.com/jira"), base_url=URL)
    assert only(report, "base-url/reported-mismatch").status == Status.WARN
    # judged against what Jira reports: the integration's URL lacks the context path
    assert only(report, "base-url/path-mismatch").evidence["base_url_source"] == "reported by Jira"


def test_a_redirect_to_the_real_base_url_warns() -> None:
    report = live_base_url(
        info(
            redirects=("https://jira.example.com/jira/rest/api/2/serverInfo",), base_url="https://jira.example.com/jira"
        )
    )
    assert only(report, "base-url/redirect").status == Status.WARN


def test_a_redirect_loop_fails() -> None:
    loop = ("https://a.example.com/x", "https://b.example.com/x", "https://a.example.com/x")
    report = live_base_url(info(redirects=loop, base_url=None, problem="HTTP 302"))
    # the loop is reachability's verdict (tests/checks/test_reachability.py); base-url saw no Base URL
    assert report.checks[0].status == Status.SKIP and report.checks[0].blocked_by == ("reachability",)


def test_no_base_url_from_something_that_is_not_jira() -> None:
    html = answer(200, {"content-type": "text/html"}, "<html>portal</html>")
    report = live_base_url(info(answer=html, base_url=None, problem="the answer is an HTML page"))
    result = report.checks[0]
    assert result.status == Status.SKIP and result.blocked_by == ("reachability",)
    assert "did not report its Base URL" in (result.skip_reason or "")


def test_a_stale_clock_is_not_judged_from_an_old_date(monkeypatch) -> None:
    """A Date an hour old measured an hour ago is no skew: the send time is what counts."""
    sent = time.time() - 3600
    date = format_datetime(datetime.fromtimestamp(sent, timezone.utc) + timedelta(seconds=0.02), usegmt=True)
    facts = info(answer=answer(headers={"date": date}, sent_at=sent))
    assert codes(run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": facts})) == {"clock-skew/ok"}
