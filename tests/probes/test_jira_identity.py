"""Jira's identity (issue 25): which answers show that Jira answers as Jira, and the run's account of them."""

from __future__ import annotations

import json

import pytest

from jiradoctor.context import Facts
from jiradoctor.jira.fingerprint import answered_as_jira
from jiradoctor.model import JiraFacts, Report, TargetSummary
from jiradoctor.probes.http import HttpAnswer, note_sighting
from jiradoctor.target import Target

URL = "https://jira.example.com"
SERVER_INFO = {"baseUrl": URL, "version": "9.12.2", "versionNumbers": [9, 12, 2], "buildNumber": 912002,
               "deploymentType": "Server"}
LOGIN_PAGE = ('<!DOCTYPE html><html><head><title>Log in - Jira</title></head><body><form id="login-form">'
              '<input name="os_username"><input name="os_password" type="password"></form></body></html>')


def answer(status: int, body: object, ctype: str = "application/json", url: str = URL + "/rest/api/2/serverInfo",
           **headers: str) -> HttpAnswer:
    text = body if isinstance(body, str) else json.dumps(body)
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return HttpAnswer("GET", url, status, {"content-type": ctype, **named}, text)


@pytest.mark.parametrize("seen, jira", [
    (answer(200, SERVER_INFO, x_arequestid="1x2x1"), True),
    # Jira's 401 to /myself (Server 10.3's body, JIRA-FACTS §4) with its request id and login reason
    (answer(401, {"message": "Client must be authenticated to access this resource.", "status-code": 401},
            x_arequestid="1x2x1", x_seraph_loginreason="AUTHENTICATED_FAILED"), True),
    (answer(200, {"name": "svc", "key": "JIRAUSER10100"}, x_arequestid="1x2x1", x_ausername="svc"), True),
    # a serverInfo-shaped stub without one of Jira's own headers (a cache, a placeholder)
    (answer(200, SERVER_INFO), False),
    # an SSO app's login page served from inside Jira, with Jira's headers: not Jira's API answering
    (answer(200, LOGIN_PAGE, "text/html", x_arequestid="1x2x1", x_ausername="anonymous"), False),
    # a redirect (to an identity provider, or http->https) only points elsewhere
    (answer(302, "", "text/html", x_arequestid="1x2x1", x_ausername="anonymous", location="https://idp.example"),
     False),
    # Atlassian's edge alone (any site, Jira or not): Cloud's password 401 is text/plain from AtlassianProxy
    (answer(401, "Basic authentication with passwords is deprecated.\n", "text/plain", server="AtlassianProxy/1.1",
            atl_traceid="abc"), False),
    (answer(200, "<html><title>Company portal</title></html>", "text/html", server="nginx"), False),
])
def test_answered_as_jira(seen: HttpAnswer, jira: bool) -> None:
    assert (answered_as_jira(seen) is not None) is jira


def test_the_run_notes_asking_and_seeing() -> None:
    facts = Facts(Target(url=URL))
    note_sighting(facts, answer(200, "idp", "text/html", url="https://idp.example/login"))
    assert not facts.asked_jira and facts.jira_seen is None  # an identity provider is not Jira's URL
    note_sighting(facts, answer(200, LOGIN_PAGE, "text/html", x_arequestid="1x2x1", x_ausername="anonymous"))
    assert facts.asked_jira and facts.jira_seen is None
    note_sighting(facts, answer(401, {"message": "m", "status-code": 401}, url=URL + "/rest/api/2/myself",
                                x_arequestid="1x2x1", x_seraph_loginreason="AUTHENTICATED_FAILED"))
    assert facts.jira_seen is not None and "X-AREQUESTID" in facts.jira_seen and "/myself" in facts.jira_seen


@pytest.mark.parametrize("identified, unseen", [(True, False), (False, True), (None, False)])
def test_report_round_trip_and_note(identified: bool | None, unseen: bool) -> None:
    report = Report("0", TargetSummary(URL, "generic", "basic", JiraFacts(identified=identified)), "", 0.0, ())
    back = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert back.target.jira.identified is identified and back.jira_unseen is unseen
