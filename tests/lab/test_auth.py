"""Authentication as Seraph (Server) and Cloud answer it (JIRA-FACTS §4)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from jiradoctor_lab import get_scenario
from tests.lab.helpers import client_for

pytestmark = pytest.mark.timeout(30)

SVC = ("piplanning-svc", "lab-svc-password")
INFO = "/rest/api/2/serverInfo"
ME = "/rest/api/2/myself"


def get(lab, path, **kw) -> httpx.Response:
    with client_for(lab) as http:
        return http.get(lab.url + path, **kw)


def test_basic_ok(make_lab):
    lab = make_lab("healthy")
    resp = get(lab, ME, auth=SVC)
    assert resp.status_code == 200
    assert resp.headers["x-seraph-loginreason"] == "OK"
    assert resp.headers["x-ausername"] == "piplanning-svc"


def test_anonymous_myself_is_401_with_realm(make_lab):
    lab = make_lab("healthy")
    resp = get(lab, ME)
    assert resp.status_code == 401
    # the captured shape of a Server 10.3 / Cloud 401 (JIRA-FACTS §4)
    assert resp.json() == {"message": "Client must be authenticated to access this resource.", "status-code": 401}
    assert resp.headers["www-authenticate"].startswith('OAuth realm="http%3A%2F%2F127.0.0.1%3A')
    assert "x-seraph-loginreason" not in resp.headers


def test_wrong_password(make_lab):
    lab = make_lab("wrong-password")
    c = lab.client
    me = get(lab, ME, auth=(c.user, c.password))
    assert me.status_code == 401 and me.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"
    info = get(lab, INFO, auth=(c.user, c.password))
    assert info.status_code == 200
    assert info.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"
    assert info.headers["x-ausername"] == "anonymous"
    # projects are not public here: the anonymous fallback shows nothing
    assert get(lab, "/rest/api/2/project", auth=(c.user, c.password)).json() == []


def test_anonymous_fallback(make_lab):
    lab = make_lab("anonymous-fallback")
    c = lab.client
    projects = get(lab, "/rest/api/2/project", auth=(c.user, c.password))
    assert projects.status_code == 200
    assert projects.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"
    assert projects.headers["x-ausername"] == "anonymous"
    assert {p["key"] for p in projects.json()} == {"PIP", "ART"}
    assert get(lab, ME, auth=(c.user, c.password)).status_code == 401


def test_captcha(make_lab):
    lab = make_lab("captcha")
    c = lab.client
    me = get(lab, ME, auth=(c.user, c.password))
    assert me.status_code == 403
    assert me.headers["x-seraph-loginreason"] == "AUTHENTICATION_DENIED"
    assert me.headers["x-authentication-denied-reason"] == f"CAPTCHA_CHALLENGE; login-url={lab.base_url}/login.jsp"
    info = get(lab, INFO, auth=(c.user, c.password))
    assert info.status_code == 200 and info.headers["x-seraph-loginreason"] == "AUTHENTICATION_DENIED"
    # another user is not locked
    assert get(lab, ME, auth=("alice", "lab-alice-password")).status_code == 200


def test_failed_logins_lead_to_captcha(make_lab):
    scenario = dataclasses.replace(
        get_scenario("healthy"),
        behaviour=dataclasses.replace(get_scenario("healthy").behaviour, captcha_after_failures=3),
    )
    lab = make_lab(scenario)
    for _ in range(3):
        assert get(lab, ME, auth=("piplanning-svc", "nope")).status_code == 401
    locked = get(lab, ME, auth=SVC)  # even the right password now needs a CAPTCHA
    assert locked.status_code == 403 and locked.headers["x-seraph-loginreason"] == "AUTHENTICATION_DENIED"


def test_pat_as_bearer_and_as_password(make_lab):
    lab = make_lab("healthy-pat")
    pat = lab.client.pat
    ok = get(lab, ME, headers={"Authorization": f"Bearer {pat}"})
    assert ok.status_code == 200 and ok.json()["name"] == "piplanning-svc"
    bad = get(lab, ME, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    as_password = get(lab, ME, auth=("piplanning-svc", pat))
    assert as_password.status_code == 401 and as_password.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"


def test_pat_as_password_scenario(make_lab):
    lab = make_lab("pat-as-password")
    c = lab.client
    assert c.password == get_scenario("healthy").user("piplanning-svc").pat
    assert get(lab, ME, auth=(c.user, c.password)).status_code == 401


def test_sso_redirect(make_lab):
    lab = make_lab("sso-redirect")
    c = lab.client
    resp = get(lab, ME, auth=(c.user, c.password))
    assert resp.status_code == 302
    location = resp.headers["location"]
    assert location.startswith(f"{lab.url}/idp/login?RelayState=")
    idp = get(lab, "/idp/login")
    assert idp.status_code == 200 and idp.headers["content-type"].startswith("text/html")
    assert "x-arequestid" not in idp.headers
    # serverInfo stays anonymous behind SSO; a PAT still works
    assert get(lab, INFO).status_code == 200
    assert (
        get(
            lab, ME, headers={"Authorization": f"Bearer {get_scenario('healthy').user('piplanning-svc').pat}"}
        ).status_code
        == 200
    )


def test_cloud_token_and_password(make_lab):
    lab = make_lab("cloud-password")
    c = lab.client
    refused = get(lab, "/rest/api/3/myself", auth=(c.user, c.password))
    assert refused.status_code == 401
    assert refused.text.startswith("Basic authentication with passwords is deprecated.")
    token = get_scenario("healthy-cloud").client.token
    ok = get(lab, "/rest/api/3/myself", auth=(c.user, token))
    assert ok.status_code == 200
    assert ok.json()["accountId"] == "5b10ac8d82e05b22cc7d4ef5"
    wrong = get(lab, "/rest/api/3/myself", auth=(c.user, "wrong-token"))
    assert wrong.status_code == 401 and "deprecated" not in wrong.text


def test_cloud_has_no_pats(make_lab):
    lab = make_lab("healthy-cloud")
    assert get(lab, "/rest/api/3/myself", headers={"Authorization": "Bearer anything"}).status_code == 401
