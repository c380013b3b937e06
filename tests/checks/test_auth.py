"""auth: the signals (jira/auth_signals), the login builder (probes/auth) and the check, from facts built here."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, strategies as st

from jiradoctor.checks import auth as auth_check
from jiradoctor.checks.auth import judge_login
from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira.integrations import get_profile
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.auth import Login, LoginAttempt, login_for
from jiradoctor.probes.deployment import deployment_of
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.probes.server_info import ServerInfo
from jiradoctor.jira.oauth1 import OAuthProblem
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.conftest import codes, run_checks

URL = "https://jira.example.com"
MYSELF = f"{URL}/rest/api/2/myself"
PASSWORD = "s3cret-Passw0rd"
PAT = "MzE4NzQ5NTk2OTA4OpcS8muzzxxVhJro760qHNh4LiKy"
SERVER_USER = {"name": "svc", "key": "JIRAUSER10100", "displayName": "Service user", "active": True}
CLOUD_USER = {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Integration", "active": True}


def answer(status: int | None, body: object = "", url: str = MYSELF, **headers: str) -> HttpAnswer:
    text = body if isinstance(body, str) else json.dumps(body)
    ctype = "application/json;charset=UTF-8" if not isinstance(body, str) else headers.pop("content_type", "text/plain")
    return HttpAnswer(
        "GET",
        url,
        status,
        {"content-type": ctype, **{k.replace("_", "-").lower(): v for k, v in headers.items()}},
        text,
    )


def info(deployment: str = "Server", is_jira: bool = True) -> ServerInfo:
    served = answer(200, {"baseUrl": URL}, url=f"{URL}/rest/api/2/serverInfo")
    return ServerInfo(served, served, base_url=URL if is_jira else None, deployment=deployment if is_jira else None)


def basic(password: str = PASSWORD, user: str = "svc") -> Login:
    return Login("basic", user=user, secret=Secret(password))


def judged(attempt: LoginAttempt, integration: str = "generic", is_jira: bool = True, method: str | None = None):
    return judge_login(attempt, URL, is_jira, get_profile(integration), method or attempt.login.method)


def code_set(findings) -> set[str]:
    return {f.code for f in findings}


# ------------------------------------------------------------------------------- signals ---


def test_captcha_header_with_login_url():
    a = answer(
        403,
        {"errorMessages": ["CAPTCHA_CHALLENGE"]},
        x_seraph_loginreason="AUTHENTICATION_DENIED",
        x_authentication_denied_reason=f"CAPTCHA_CHALLENGE; login-url={URL}/login.jsp",
    )
    c = sig.captcha(a)
    assert c is not None and c.login_url == f"{URL}/login.jsp" and c.denied_reason == "CAPTCHA_CHALLENGE"
    assert c.login_reason == "AUTHENTICATION_DENIED"


def test_captcha_also_on_200_and_without_denied_header():
    assert sig.captcha(answer(200, {}, x_seraph_loginreason="AUTHENTICATION_DENIED")) is not None
    assert sig.captcha(answer(401, {}, x_seraph_loginreason="AUTHENTICATED_FAILED")) is None
    assert sig.captcha(answer(401, {})) is None


def test_sso_redirect_and_login_page():
    s = sig.sso(answer(302, "", location="https://acme.okta.com/app/sso/saml?RelayState=x"), False)
    assert s is not None and s.kind == "redirect" and s.idp_hint == "okta"
    page = "<html><form action='/login'><input type='password' name='pw'></form></html>"
    assert sig.sso(answer(200, page, content_type="text/html"), True).kind == "login-page"
    assert sig.sso(answer(200, {"name": "svc"}), False) is None
    assert sig.sso(answer(401, {}), False) is None


def test_leaves_origin():
    assert sig.leaves_origin("https://idp.example.org/login", URL)
    assert not sig.leaves_origin("/login.jsp?os_destination=x", URL)
    assert not sig.leaves_origin(f"{URL}/idp/login", URL)


def test_cloud_password_message():
    body = "Basic authentication with passwords is deprecated.  For more information, see: https://developer.atlassian.com/..."
    assert sig.cloud_password_refused(answer(401, body))
    assert not sig.cloud_password_refused(answer(401, "Client must be authenticated to access this resource."))
    assert not sig.cloud_password_refused(answer(200, body))


@pytest.mark.parametrize(
    "secret,expected",
    [
        (PAT, True),
        ("ATATT3xFfGF0lab-cloud-api-token-0001xxxxxxxx", True),
        ("lab-svc-password", False),
        ("correct horse battery staple is long enough", False),
        ("a" * 40, False),
    ],
)
def test_looks_like_token(secret, expected):
    assert sig.looks_like_token(secret) is expected


def test_identity_server_and_cloud():
    server = sig.read_identity(json.dumps(SERVER_USER))
    assert server is not None and server.describe() == "svc (key JIRAUSER10100, Service user)"
    cloud = sig.read_identity(json.dumps(CLOUD_USER))
    assert cloud is not None and "accountId 5b10ac8d82e05b22cc7d4ef5" in cloud.describe()
    assert sig.read_identity("<html>") is None and sig.read_identity('{"errorMessages": []}') is None


def test_error_messages_shapes():
    assert sig.error_messages('{"errorMessages": ["a"], "errors": {"f": "b"}}') == ["a", "f: b"]
    assert sig.error_messages('{"message": "m"}') == ["m"]
    assert sig.error_messages("plain words") == ["plain words"]
    assert sig.error_messages("<html>") == []


@given(st.text(max_size=400))
def test_signal_readers_never_raise(text):
    a = HttpAnswer(
        "GET",
        MYSELF,
        401,
        {"x-seraph-loginreason": text[:50], "x-authentication-denied-reason": text, "location": text},
        text,
    )
    sig.captcha(a), sig.sso(a, True), sig.read_identity(text), sig.error_messages(text), sig.looks_like_token(text)


# ---------------------------------------------------------------------------- credentials ---


def test_login_headers_per_method(rsa_pair):
    assert Login("basic", user="svc", secret=Secret("pw")).headers("GET", MYSELF) == {
        "Authorization": "Basic " + base64.b64encode(b"svc:pw").decode()
    }
    assert Login("pat", secret=Secret(PAT)).headers("GET", MYSELF) == {"Authorization": f"Bearer {PAT}"}
    oauth = Login("oauth1", secret=Secret("tok"), consumer_key="ck", private_key=Secret(rsa_pair.private_pkcs8))
    header = oauth.headers("GET", MYSELF)["Authorization"]
    assert header.startswith("OAuth ") and 'oauth_token="tok"' in header and "RSA-SHA1" in header


def test_login_for_chooses_like_the_design_says(rsa_pair):
    assert login_for(Target(url=URL, user="svc", password=Secret("pw"))).method == "basic"
    assert login_for(Target(url=URL, user="a@b.c", token=Secret("t0ken"))).method == "token"
    assert login_for(Target(url=URL, pat=Secret(PAT), user="svc", password=Secret("pw"))).method == "pat"
    oauth = Target(url=URL, consumer_key="ck", private_key=Secret(rsa_pair.private_pkcs8), access_token=Secret("tok"))
    assert login_for(oauth).method == "oauth1"
    fallback = login_for(
        Target(
            url=URL, consumer_key="ck", private_key=Secret(rsa_pair.private_pkcs8), user="svc", password=Secret("pw")
        )
    )
    assert fallback.method == "basic" and "access-token" in (fallback.note or "")
    assert not login_for(Target(url=URL, password=Secret("pw"))).given


def test_deployment_from_server_info_or_host():
    assert deployment_of(info("Cloud"), URL) == "Cloud"
    assert deployment_of(info("Server"), URL) == "Server"
    assert deployment_of(None, "https://acme.atlassian.net") == "Cloud"
    assert deployment_of(None, URL) is None


# ------------------------------------------------------------------------------ judgement ---


def test_ok_names_the_user_server_and_cloud():
    [f] = judged(
        LoginAttempt(basic(), "Server", answer(200, SERVER_USER, x_ausername="svc", x_seraph_loginreason="OK"))
    )
    assert f.code == "auth/ok" and f.status == Status.PASS and "svc (key JIRAUSER10100" in f.message
    assert f.evidence["jira_user"]["name"] == "svc"
    token = Login("token", user="i@example.com", secret=Secret("t0ken-value"))
    [f] = judged(LoginAttempt(token, "Cloud", answer(200, CLOUD_USER)))
    assert f.code == "auth/ok" and "5b10ac8d82e05b22cc7d4ef5" in f.message and f.subject == "5b10ac8d82e05b22cc7d4ef5"


def test_a_200_without_a_user_is_not_ok():
    [f] = judged(LoginAttempt(basic(), "Server", answer(200, {"unexpected": True})))
    assert f.code == "auth/unexpected-answer"


def test_invalid_credentials_and_not_when_accepted():
    refused = answer(
        401, {"errorMessages": ["You are not authenticated."]}, x_seraph_loginreason="AUTHENTICATED_FAILED"
    )
    [f] = judged(LoginAttempt(basic(), "Server", refused, anonymous_probe=answer(200, {"permissions": {}})))
    assert f.code == "auth/invalid-credentials" and f.status == Status.FAIL
    assert "AUTHENTICATED_FAILED" in f.message and f.evidence["jira_says"] == ["You are not authenticated."]
    assert "auth/invalid-credentials" not in code_set(judged(LoginAttempt(basic(), "Server", answer(200, SERVER_USER))))


def test_invalid_oauth_token_names_the_problem():
    refused = answer(401, "oauth_problem=token_rejected", www_authenticate='OAuth oauth_problem="token_rejected"')
    exchange = OAuthExchange("ck", None, refused, OAuthProblem("token_rejected"))
    login = Login("oauth1", secret=Secret("tok"), consumer_key="ck", private_key=Secret("k"))
    [f] = judged(LoginAttempt(login, "Server", refused, oauth=exchange))
    assert f.code == "auth/invalid-credentials" and "token_rejected" in f.message


def test_captcha_required_and_only_with_its_signals():
    locked = answer(
        403,
        {"errorMessages": ["CAPTCHA_CHALLENGE"]},
        x_seraph_loginreason="AUTHENTICATION_DENIED",
        x_authentication_denied_reason=f"CAPTCHA_CHALLENGE; login-url={URL}/login.jsp",
    )
    [f] = judged(LoginAttempt(basic(), "Server", locked))
    assert f.code == "auth/captcha-required" and f.evidence["login_url"] == f"{URL}/login.jsp"
    assert any("browser" in r for r in f.remediation)
    plain = answer(401, {}, x_seraph_loginreason="AUTHENTICATED_FAILED")
    assert "auth/captcha-required" not in code_set(judged(LoginAttempt(basic(), "Server", plain)))


def _anonymous_probe(have: bool) -> HttpAnswer:
    body = {"permissions": {"BROWSE_PROJECTS": {"key": "BROWSE_PROJECTS", "havePermission": have}}}
    return answer(
        200,
        body,
        url=f"{URL}/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS",
        x_ausername="anonymous",
        x_seraph_loginreason="AUTHENTICATED_FAILED",
    )


def test_anonymous_fallback_only_when_anonymous_gets_something():
    refused = answer(401, {}, x_seraph_loginreason="AUTHENTICATED_FAILED", x_ausername="anonymous")
    [f] = judged(LoginAttempt(basic(), "Server", refused, anonymous_probe=_anonymous_probe(True)))
    assert f.code == "auth/anonymous-fallback" and f.evidence["anonymous_x-ausername"] == "anonymous"
    [f] = judged(LoginAttempt(basic(), "Server", refused, anonymous_probe=_anonymous_probe(False)))
    assert f.code == "auth/invalid-credentials"


def test_password_on_cloud_and_not_on_server():
    deprecated = answer(401, "Basic authentication with passwords is deprecated.  For more information, see: x")
    login = basic(user="i@example.com")
    findings = judged(LoginAttempt(login, "Cloud", deprecated), integration="piplanning")
    assert code_set(findings) == {"auth/password-on-cloud"}  # not also method-unsupported: same cause
    # the text alone identifies Cloud, whatever serverInfo said (or did not say)
    for deployment in ("Server", None):
        assert code_set(judged(LoginAttempt(login, deployment, deprecated))) == {"auth/password-on-cloud"}
    server_refusal = answer(
        401,
        {"message": "Client must be authenticated to access this resource.", "status-code": 401},
        x_seraph_loginreason="AUTHENTICATED_FAILED",
    )
    assert code_set(judged(LoginAttempt(login, "Server", server_refusal))) == {"auth/invalid-credentials"}
    cloud_refusal = answer(401, "Client must be authenticated to access this resource.")
    f, unsupported = judged(LoginAttempt(login, "Cloud", cloud_refusal))
    assert f.code == "auth/invalid-credentials" and any("API token" in r for r in f.remediation)
    assert unsupported.code == "auth/method-unsupported"  # no integration logs in to Cloud with a password


def test_pat_as_password_needs_the_bearer_retry_to_work():
    refused = answer(401, {}, x_seraph_loginreason="AUTHENTICATED_FAILED")
    works = answer(200, SERVER_USER)
    [f] = judged(LoginAttempt(basic(PAT), "Server", refused, bearer_retry=works))
    assert f.code == "auth/pat-as-password" and "Bearer" in f.message and f.evidence["bearer_status"] == 200
    assert PAT not in json.dumps(f.to_json())  # never the secret itself, runner or not
    [f] = judged(LoginAttempt(basic(PAT), "Server", refused, bearer_retry=answer(401, {})))
    assert f.code == "auth/invalid-credentials"


def test_sso_redirect_and_the_profile_rule():
    redirect = answer(302, "", location="https://login.microsoftonline.com/tenant/saml2?SAMLRequest=x")
    [f] = judged(LoginAttempt(basic(), "Server", redirect), integration="piplanning")
    assert f.code == "auth/sso-redirect" and "microsoftonline" in f.message
    assert any("single sign-on" in r for r in f.remediation)  # piplanning's guide forbids SSO for the user
    [f] = judged(LoginAttempt(basic(), "Server", redirect), integration="generic")
    assert not any("setup guide" in r for r in f.remediation)
    assert "auth/sso-redirect" not in code_set(judged(LoginAttempt(basic(), "Server", answer(200, SERVER_USER))))


def test_not_jira_is_not_tested_unless_redirected_elsewhere():
    same_site = answer(302, "", location="/login.jsp?os_destination=%2Frest")
    with pytest.raises(NotObserved) as exc:
        judged(LoginAttempt(basic(), None, same_site), is_jira=False)
    assert exc.value.blocked_by == ("reachability",)
    elsewhere = answer(302, "", location="https://sso.example.org/login")
    [f] = judged(LoginAttempt(basic(), None, elsewhere), is_jira=False)
    assert f.code == "auth/sso-redirect"


@pytest.mark.parametrize(
    "integration,deployment,method,flagged",
    [
        ("piplanning", "Server", "pat", True),
        ("piplanning", "Server", "basic", False),
        ("piplanning", "Cloud", "token", True),
        ("jira-align", "Cloud", "token", False),
        ("zephyr-enterprise", "Server", "basic", True),
        ("generic", "Server", "pat", False),
        ("generic", "Server", "token", True),
        ("piplanning", None, "pat", False),  # deployment unknown: no claim
    ],
)
def test_method_unsupported(integration, deployment, method, flagged):
    login = Login(method, user="svc", secret=Secret("pw-value"))
    findings = judged(LoginAttempt(login, deployment, answer(200, SERVER_USER)), integration=integration)
    found = [f for f in findings if f.code == "auth/method-unsupported"]
    assert bool(found) is flagged
    if found:
        assert found[0].status == Status.WARN and found[0].evidence["deployment"] == deployment


def test_method_unsupported_judges_the_integrations_method_not_the_fallback():
    login = Login("basic", user="svc", secret=Secret("pw-value"), note="OAuth without --access-token cannot log in")
    findings = judged(LoginAttempt(login, "Server", answer(200, SERVER_USER)), integration="kendis", method="oauth1")
    assert code_set(findings) == {"auth/ok", "auth/method-fallback"}


def test_no_application_access_no_answer_and_not_tested():
    denied = answer(403, {}, x_seraph_loginreason="AUTHORISATION_FAILED")
    assert code_set(judged(LoginAttempt(basic(), "Server", denied))) == {"auth/no-application-access"}
    down = HttpAnswer("GET", MYSELF, error=TransportError("timeout", "no answer within the time limit"))
    assert code_set(judged(LoginAttempt(basic(), "Server", down))) == {"auth/no-answer"}
    with pytest.raises(NotObserved):  # no login observed: skip, never a green tick
        judged(LoginAttempt(Login("none", note="no token"), "Server"))


# ------------------------------------------------------------------------ through the runner ---


def test_runner_skips_without_credentials():
    report = run_checks([auth_check.CHECK], Target(url=URL))
    [result] = report.checks
    assert result.status == Status.SKIP and "--password" in (result.skip_reason or "")


def test_runner_reports_and_redacts():
    target = Target(url=URL, user="svc", password=Secret(PASSWORD), integration="piplanning")
    refused = answer(401, {"errorMessages": [f"echoing {PASSWORD}"]}, x_seraph_loginreason="AUTHENTICATED_FAILED")
    preset = {"auth_login": LoginAttempt(login_for(target), "Server", refused), "server_info": info()}
    report = run_checks([auth_check.CHECK], target, preset=preset)
    assert codes(report) == {"auth/invalid-credentials"}
    assert PASSWORD not in json.dumps(report.to_json())
