"""auth on the problems users reported (issue 25), from facts built here; each cause in both directions.

Wordings are JIRA-FACTS.md §10's, from captured answers: Cloud's token refusal 401 "Client must be
authenticated to access this resource." with X-Seraph-LoginReason: AUTHENTICATED_FAILED; the gateway's
X-Failure-Category FAILURE_CLIENT_AUTH_MISMATCH / FAILURE_CLIENT_SCOPE_CHECK ("Unauthorized; scope does
not match"); Data Center's 403 "Basic Authentication has been disabled on this instance."; Cloud's IP
allowlist "...not on the allowed list" / "...not on the allowedlist"; the CAPTCHA 403's
AUTHENTICATION_DENIED and CAPTCHA_CHALLENGE headers (§4).
"""

from __future__ import annotations

import pytest

from jiradoctor.checks.reachability import sso_with_credentials
from jiradoctor.jira import auth_signals as sig
from jiradoctor.model import Finding, Status
from jiradoctor.probes.auth import Login, LoginAttempt
from jiradoctor.secrets import Secret
from tests.checks.test_auth import CLOUD_USER, MYSELF, PAT, SERVER_USER, URL, answer, basic, judged

JIRA = {"x_arequestid": "1x2x1", "x_ausername": "anonymous"}
CLIENT_MUST = {"message": "Client must be authenticated to access this resource.", "status-code": 401}
CLOUD_TOKEN = "ATATT3xFfGF0lab-cloud-api-token-0001"
LOGIN_PAGE = ('<!DOCTYPE html><html><head><title>Log in - Jira</title></head><body><form id="login-form">'
              '<a href="/plugins/servlet/samlsso">Continue with Okta</a><input name="os_username">'
              '<input name="os_password" type="password"></form></body></html>')


def token(secret: str = "ATATT3xFfGF0expired-token-2025", user: str = "svc@example.org") -> Login:
    return Login("token", user=user, secret=Secret(secret))


def only(findings: list[Finding]) -> Finding:
    return findings[0]


# -- 1: single sign-on in front of Data Center, with credentials --------------------------------------
def test_sso_login_page_also_for_the_credentialed_call_fails_with_the_bypass_fix() -> None:
    page = answer(200, LOGIN_PAGE, content_type="text/html", **JIRA)
    f = only(judged(LoginAttempt(basic(), None, page), is_jira=False))
    assert (f.code, f.status) == ("auth/sso-redirect", Status.FAIL)
    assert "REST" in f.remediation[0] and "bypass" in f.remediation[0]
    # without any trace of Jira, the finding says honestly that the URL may not be Jira at all
    portal = answer(200, LOGIN_PAGE, content_type="text/html")
    assert "not lead to Jira" in only(judged(LoginAttempt(basic(), None, portal), is_jira=False)).message


def test_sso_lets_the_credentials_through_then_auth_passes_and_reachability_only_informs() -> None:
    ok = answer(200, SERVER_USER, x_arequestid="1x2x1", x_ausername="svc")
    assert only(judged(LoginAttempt(basic(), "Server", ok), is_jira=False)).code == "auth/ok"
    warned = Finding("reachability/login-page", Status.WARN, "login page", evidence={"url": URL})
    f = sso_with_credentials(warned, LoginAttempt(basic(), "Server", ok))
    assert (f.code, f.status) == ("reachability/sso-anonymous-only", Status.INFO)
    # the login page again, or no credentials at all: the warning stands
    again = answer(200, LOGIN_PAGE, content_type="text/html", **JIRA)
    assert sso_with_credentials(warned, LoginAttempt(basic(), None, again)) is warned
    assert sso_with_credentials(warned, LoginAttempt(Login("none"))) is warned
    # a user-shaped 200 without Jira's own traces is not Jira's answer
    assert sso_with_credentials(warned, LoginAttempt(basic(), None, answer(200, SERVER_USER))) is warned


# -- 4: IP allowlists in every wording ---------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "The IP address has been rejected because it is not on the allowed list. See your admin for more information.",
    "The IP address has been rejected because it is not on the allowedlist. See your admin for more information.",
    "Your IP address 203.0.113.7 is not on the whitelist.",  # the older spelling (UNCONFIRMED exact sentence)
])
@pytest.mark.parametrize("status", [401, 403])
def test_an_allowlist_refusal_is_never_bad_credentials(sentence: str, status: int) -> None:
    refused = answer(status, {"errorMessages": [sentence], "errors": {}}, server="AtlassianProxy/1.1", atl_traceid="a")
    f = only(judged(LoginAttempt(token(), "Cloud", refused)))
    assert (f.code, f.status) == ("auth/ip-allowlist", Status.FAIL)
    assert "password" not in f.message and "not the credentials" in f.message
    fixes = " ".join(f.remediation)
    if "203.0.113.7" in sentence:
        assert "203.0.113.7" in f.message and "203.0.113.7" in fixes
    else:
        assert "curl -s https://ifconfig.me" in fixes
    assert "admin.atlassian.com" in fixes


def test_words_of_an_allowlist_without_a_refusal_are_not_one() -> None:
    said = answer(401, {"errorMessages": ["Add your address to the allowlist to invite users."]}, **JIRA)
    assert only(judged(LoginAttempt(basic(), "Server", said))).code != "auth/ip-allowlist"


# -- 5: Basic authentication disabled on Data Center --------------------------------------------------
def test_basic_disabled_points_to_a_pat_never_to_the_password() -> None:
    refused = answer(403, {"errorMessages": ["Basic Authentication has been disabled on this instance."]}, **JIRA)
    f = only(judged(LoginAttempt(basic(), "Server", refused)))
    assert (f.code, f.status) == ("auth/basic-disabled", Status.FAIL)
    text = " ".join((f.message, *f.remediation)).lower()
    assert "personal access token" in text and "oauth" in text
    assert "recheck" not in text and "correct the password" not in text and "check the username" not in text
    # the same 403 without the sentence is another refusal
    other = answer(403, {"errorMessages": ["Forbidden"]}, **JIRA)
    assert only(judged(LoginAttempt(basic(), "Server", other))).code != "auth/basic-disabled"


# -- 7: Cloud token refused -----------------------------------------------------------------------------
def test_a_refused_cloud_token_lists_every_cause_and_never_the_password() -> None:
    refused = answer(401, CLIENT_MUST, x_seraph_loginreason="AUTHENTICATED_FAILED", atl_traceid="a")
    f = only(judged(LoginAttempt(token(), "Cloud", refused)))
    assert (f.code, f.status) == ("auth/cloud-token-refused", Status.FAIL)
    for cause in ("expired", "revoked", "scoped", "organisation admin", "Atlassian Guard", "different accounts"):
        assert cause in f.message, cause
    assert "password" not in f.message
    assert any("api.atlassian.com/ex/jira/" in r for r in f.remediation)


def test_cloud_words_a_refused_token_like_a_password_yet_the_finding_is_about_the_token() -> None:
    deprecated = answer(401, "Basic authentication with passwords is deprecated.  For more information, see: "
                        "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n",
                        server="AtlassianProxy/1.15.8.1")
    assert only(judged(LoginAttempt(token(), "Cloud", deprecated))).code == "auth/cloud-token-refused"
    # an ATATT token typed in the password field is a token too
    as_password = LoginAttempt(basic(CLOUD_TOKEN, "svc@example.org"), "Cloud", deprecated,
                               secret_shape="cloud-api-token")
    assert only(judged(as_password)).code == "auth/cloud-token-refused"
    # a real password gets the password finding (the twin)
    assert only(judged(LoginAttempt(basic("hunter2-password", "svc@example.org"), "Cloud", deprecated))).code == (
        "auth/password-on-cloud")


@pytest.mark.parametrize("category, says", [
    ("FAILURE_CLIENT_AUTH_MISMATCH", "different accounts"),
    ("FAILURE_CLIENT_SCOPE_CHECK", "scope does not match"),
])
def test_the_gateway_names_the_cause(category: str, says: str) -> None:
    gateway = "https://api.atlassian.com/ex/jira/1a2b3c4d-0000-4000-8000-000000000000/rest/api/2/myself"
    body = {"code": 401, "message": "Unauthorized; scope does not match"} if "SCOPE" in category else CLIENT_MUST
    refused = answer(401, body, url=gateway, x_failure_category=category, atl_traceid="a")
    f = only(judged(LoginAttempt(token(), "Cloud", refused)))
    assert f.code == "auth/cloud-token-refused" and category in f.message and says in f.message
    assert "scoped token (the site URL" not in f.message  # at the gateway that cause is not one
    # at the site URL the header is not Atlassian's to send: it narrows nothing there
    site = answer(401, CLIENT_MUST, x_failure_category=category, atl_traceid="a")
    assert category not in only(judged(LoginAttempt(token(), "Cloud", site))).message


@pytest.mark.parametrize("login", [Login("pat", secret=Secret(CLOUD_TOKEN)), basic(CLOUD_TOKEN)])
def test_a_cloud_token_at_server_is_named_as_one(login: Login) -> None:
    refused = answer(401, CLIENT_MUST, x_seraph_loginreason="AUTHENTICATED_FAILED", **JIRA)
    f = only(judged(LoginAttempt(login, "Server", refused, secret_shape="cloud-api-token")))
    assert (f.code, f.status) == ("auth/cloud-token-on-server", Status.FAIL)
    assert "Cloud API token" in f.message and "PAT-shaped" not in f.message
    # a Server PAT refused is not a Cloud token (the twin)
    pat = LoginAttempt(Login("pat", secret=Secret(PAT)), "Server", refused, secret_shape="token")
    assert only(judged(pat)).code == "auth/invalid-credentials"


def test_secret_shapes() -> None:
    assert sig.is_cloud_api_token(CLOUD_TOKEN) and not sig.is_cloud_api_token(PAT)
    assert not sig.is_cloud_api_token("ATATT")  # the prefix alone is not a token


# -- 10: a PAT sent as a password until Jira demanded a CAPTCHA ----------------------------------------
CAPTCHA = {"x_seraph_loginreason": "AUTHENTICATION_DENIED",
           "x_authentication_denied_reason": f"CAPTCHA_CHALLENGE; login-url={URL}/login.jsp"}


def test_pat_as_password_under_captcha_names_both_and_does_not_relock() -> None:
    locked = answer(403, "<html>Unauthorized (401)</html>", content_type="text/html", **CAPTCHA, x_arequestid="1")
    bearer = answer(200, SERVER_USER, x_arequestid="2")
    f = only(judged(LoginAttempt(basic(PAT), "Server", locked, bearer_retry=bearer, secret_shape="token")))
    assert (f.code, f.status) == ("auth/pat-as-password-captcha", Status.FAIL)
    assert "CAPTCHA_CHALLENGE" in f.message and "Bearer" in f.message
    fixes = " ".join(f.remediation)
    assert "Bearer" in fixes and "browser" in fixes and "Reset failed login count" in fixes
    assert "correct the password" not in fixes.lower()
    # a real password under CAPTCHA: the classic finding, whose fix may say to correct the password (the twin)
    plain = only(judged(LoginAttempt(basic(), "Server", locked)))
    assert plain.code == "auth/captcha-required" and "correct the password" in " ".join(plain.remediation)
    # token-shaped, but the Bearer retry failed: still no advice that relocks with the same secret
    failed = answer(401, CLIENT_MUST, x_arequestid="3")
    shaped = only(judged(LoginAttempt(basic(PAT), "Server", locked, bearer_retry=failed, secret_shape="token")))
    assert shaped.code == "auth/captcha-required" and "Bearer" in " ".join(shaped.remediation)


# -- 12: a plain http->https redirect -----------------------------------------------------------------
def test_https_upgrade_is_not_single_sign_on() -> None:
    assert sig.https_upgrade("http://jira.example.com/rest/api/2/myself",
                             "https://jira.example.com/rest/api/2/myself") == "https://jira.example.com/rest/api/2/myself"
    assert sig.https_upgrade("http://jira:8080/rest/api/2/myself", "https://jira:8443/rest/api/2/myself")
    assert sig.https_upgrade("http://jira/rest/api/2/myself", "https://idp.example/rest/api/2/myself") is None
    assert sig.https_upgrade("http://jira/rest/api/2/myself", "https://jira/login.jsp") is None
    assert sig.https_upgrade("https://jira/rest/api/2/myself", "http://jira/rest/api/2/myself") is None
    moved = answer(301, "", url="http://jira.example.com/rest/api/2/myself",
                   location="https://jira.example.com/rest/api/2/myself")
    assert sig.sso(moved, False, moved.url) is None
    assert sig.sso(moved, False) is not None  # without the URL it cannot tell (the old reading)


def test_the_login_after_an_https_upgrade_is_judged_there() -> None:
    there = answer(200, CLOUD_USER | {"accountId": "x1"}, url="https://jira.example.com/rest/api/2/myself", **JIRA)
    f = only(judged(LoginAttempt(token(), "Cloud", there, upgraded_from=MYSELF.replace("https", "http"))))
    assert f.code == "auth/ok" and f.evidence["redirected_from"].startswith("http://")


def test_calls_after_an_https_upgrade_go_to_https() -> None:
    from jiradoctor.probes.auth import login_base

    http, https = "http://jira.example.com:8080", "https://jira.example.com:8443"
    there = answer(200, SERVER_USER, url=https + "/rest/api/2/myself")
    upgraded = LoginAttempt(basic(), "Server", there, upgraded_from=http + "/rest/api/2/myself")
    assert login_base(upgraded, http) == https
    assert login_base(LoginAttempt(basic(), "Server", there), http) == http  # no upgrade followed: the URL as given
    assert login_base(upgraded, "https://api.atlassian.com/ex/jira/x") == "https://api.atlassian.com/ex/jira/x"
