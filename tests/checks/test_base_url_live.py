"""base-url's live half from facts built in the test: what Jira reports of its Base URL."""

from __future__ import annotations

from jiradoctor.checks import base_url
from jiradoctor.model import Status
from jiradoctor.probes.server_info import ServerInfo
from jiradoctor.target import Target
from tests.checks.live_facts import URL, answer, info
from tests.conftest import codes, only, run_checks


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
