"""clock-skew from facts built in the test: serverTime, the Date header, and what is not Jira's clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from jiradoctor.checks import clock_skew
from jiradoctor.model import Status
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.target import Target
from tests.checks.live_facts import URL, answer, info
from tests.conftest import codes, only, run_checks


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




def test_a_login_page_served_with_jiras_headers_is_not_jiras_clock() -> None:
    """SSO in front of every REST call (issue 25): the page's Date may be a gateway's; the /myself redirect's
    Jira headers do not make the page Jira's answer. The twin: Jira's own 401 to anonymous serverInfo is."""
    jira = {"x-arequestid": "1x2x1", "x-ausername": "anonymous", "date": "Mon, 30 Nov 2026 10:00:00 GMT"}
    page = answer(200, {**jira, "content-type": "text/html"},
                  '<html><head><title>Log in - Jira</title></head><form><input type="password"></form></html>')
    challenge = answer(302, {**jira, "location": "https://idp.example/login"})
    report = run_checks([clock_skew.CHECK], Target(url=URL),
                        {"server_info": info(answer=page, challenge=challenge, base_url=None)})
    assert report.checks[0].status == Status.SKIP and report.checks[0].blocked_by == ("reachability",)
    now = time.time()
    refused = answer(401, {**jira, "content-type": "application/json",
                           "date": format_datetime(datetime.fromtimestamp(now, timezone.utc), usegmt=True)},
                     '{"message":"Client must be authenticated to access this resource.","status-code":401}',
                     sent_at=now)
    report = run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": info(answer=refused, base_url=None)})
    assert codes(report) == {"clock-skew/ok"}


def test_a_stale_clock_is_not_judged_from_an_old_date(monkeypatch) -> None:
    """A Date an hour old measured an hour ago is no skew: the send time is what counts."""
    sent = time.time() - 3600
    date = format_datetime(datetime.fromtimestamp(sent, timezone.utc) + timedelta(seconds=0.02), usegmt=True)
    facts = info(answer=answer(headers={"date": date}, sent_at=sent))
    assert codes(run_checks([clock_skew.CHECK], Target(url=URL), {"server_info": facts})) == {"clock-skew/ok"}
