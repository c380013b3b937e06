"""Who is calling: Basic, Cloud API token, PAT (Bearer) or OAuth 1.0a, judged like Jira does.

Why a separate outcome type: Jira decides in two steps. Seraph first authenticates (setting
``X-Seraph-LoginReason``) and falls back to anonymous on failure; the resource then decides
whether anonymous is enough. So :func:`authenticate` returns who the caller is plus how a
resource that needs a user must refuse — or, for OAuth problems, Cloud and SSO, an answer to send
at once (JIRA-FACTS §4).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from jiradoctor_lab import oauth_provider
from jiradoctor_lab.messages import HTML_TYPE, Request, Response, error_body, status_body
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.scenarios import User

OK = "OK"
AUTHENTICATED_FAILED = "AUTHENTICATED_FAILED"
AUTHENTICATION_DENIED = "AUTHENTICATION_DENIED"

# A failed login's 401 from Server 10.3 and from Cloud (JIRA-FACTS §4, captured answers).
CLIENT_MUST_AUTHENTICATE = "Client must be authenticated to access this resource."
CLOUD_UNAUTHORIZED = CLIENT_MUST_AUTHENTICATE
# Cloud's password-on-Basic 401, text/plain from AtlassianProxy, ending with a newline; two
# wordings seen in public captures (2020-21: the confluence.atlassian.com page; 2022-23: the
# developer.atlassian.com notice).
CLOUD_PASSWORD_DEPRECATED = {
    "2020": "Basic authentication with passwords is deprecated.  For more information, see: "
    "https://confluence.atlassian.com/cloud/deprecation-of-basic-authentication-with-passwords-for-jira-and-"
    "confluence-apis-972355348.html\n",
    "2022": "Basic authentication with passwords is deprecated.  For more information, see: "
    "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n",
}
ATLASSIAN_PROXY = "AtlassianProxy/1.15.8.1"
CAPTCHA_PAGE = (
    "<!DOCTYPE html><html><head><title>Unauthorized (401)</title></head><body>"
    "<h1>Unauthorized (401)</h1><p>Encountered a &quot;401 - Unauthorized&quot; error while loading this page.</p>"
    "<p>Basic Authentication Failure - Reason : AUTHENTICATION_DENIED</p></body></html>"
)


@dataclass
class AuthOutcome:
    """The caller as Jira sees it.

    ``user`` None means anonymous. ``login_reason`` goes into ``X-Seraph-LoginReason``.
    ``answer`` is a response to send whatever the resource (OAuth problem, SSO redirect, Cloud
    refusal). ``refusal_status`` is what a resource that needs a user answers (401, or 403 for
    CAPTCHA). ``headers`` are added to every answer.
    """

    user: User | None = None
    login_reason: str | None = None
    answer: Response | None = None
    refusal_status: int = 401
    headers: list[tuple[str, str]] = field(default_factory=list)
    method: str = "none"


def _basic(req: Request) -> tuple[str, str] | None:
    auth = req.header("authorization") or ""
    if auth[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    name, _, secret = decoded.partition(":")
    return name, secret


def _bearer(req: Request) -> str | None:
    auth = req.header("authorization") or ""
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def authenticate(req: Request, runtime: LabRuntime, *, sso: bool = True) -> AuthOutcome:
    """Run Jira's authenticators in order: OAuth 1.0a, Bearer PAT, Basic; else anonymous.

    ``sso`` False exempts a resource from the SSO redirect (serverInfo stays anonymous).
    """
    if oauth_provider.is_oauth_request(req):
        return _oauth(req, runtime)
    behaviour = runtime.scenario.behaviour
    if behaviour.ip_allowlist_credentials and req.header("authorization"):
        return AuthOutcome(answer=_allowlist_refusal(behaviour.ip_allowlist_credentials), method="none")
    sso = (sso or behaviour.sso_everywhere) and not (behaviour.sso_rest_bypass and _basic(req) is not None)
    if sso and runtime.sso_redirect and _bearer(req) is None:
        # An SSO plugin that owns login: Basic (and anonymous) callers are sent to the IdP.
        return AuthOutcome(answer=_sso_redirect(req, runtime), method="sso")
    if sso and behaviour.sso_login_page and _bearer(req) is None:
        # Data Center behind SAML SSO (e.g. Okta) often answers a REST call with 200 and the
        # HTML login page, not a redirect (JIRA-FACTS §4).
        return AuthOutcome(answer=_sso_login_page(gateway=behaviour.sso_gateway), method="sso")
    bearer = _bearer(req)
    if bearer is not None:
        return _pat(bearer, runtime)
    basic = _basic(req)
    if basic is not None and behaviour.basic_auth_disabled and not runtime.is_cloud:
        return AuthOutcome(answer=_basic_disabled(), method="basic")
    if basic is not None:
        return _cloud_basic(*basic, runtime) if runtime.is_cloud else _server_basic(*basic, runtime)
    return AuthOutcome(method="none")


# JIRA-FACTS §10 (captured in a vendor's write-up): the sentence; UNCONFIRMED: the body around it,
# so the lab sends the sentence in Jira's REST error shape.
BASIC_DISABLED = "Basic Authentication has been disabled on this instance."


def _basic_disabled() -> Response:
    return Response.json(403, error_body(BASIC_DISABLED))


def _allowlist_refusal(sentence: str) -> Response:
    """An IP allowlist's refusal in Jira's REST error shape (the status and shape as the lab's ip-allowlist page)."""
    return Response.json(403, error_body(sentence))


def _oauth(req: Request, runtime: LabRuntime) -> AuthOutcome:
    try:
        verified = oauth_provider.verify(req, runtime, token_kind="access")
    except oauth_provider.OAuthProblem as problem:
        return AuthOutcome(answer=oauth_provider.problem_response(runtime, problem), method="oauth1")
    with runtime.state.lock:
        token = runtime.state.access_tokens[verified.token or ""]
    return AuthOutcome(user=runtime.users_by_name.get(token.user), login_reason=OK, method="oauth1")


def _pat(token: str, runtime: LabRuntime) -> AuthOutcome:
    """Server/DC 8.14+ personal access tokens; Cloud knows no PATs (its Bearer is OAuth 2.0)."""
    user = next((u for u in runtime.scenario.users if u.pat and u.pat == token), None)
    if runtime.is_cloud:
        return AuthOutcome(answer=_cloud_refusal(), method="pat")
    if user is None:
        # UNCONFIRMED: the exact reason header Jira sends for an unknown PAT.
        return AuthOutcome(login_reason=AUTHENTICATED_FAILED, method="pat")
    return AuthOutcome(user=user, login_reason=OK, method="pat")


def _server_basic(name: str, secret: str, runtime: LabRuntime) -> AuthOutcome:
    """Seraph's Basic login: CAPTCHA first (password unchecked), then the password.

    A PAT sent as the password fails like any wrong password (JIRA-FACTS §4).
    """
    user = runtime.users_by_name.get(name)
    state = runtime.state
    with state.lock:
        locked = user is not None and user.name in state.captcha_users
    if locked:
        assert user is not None
        login_url = f"{runtime.base_url}/login.jsp"
        return AuthOutcome(
            login_reason=AUTHENTICATION_DENIED,
            refusal_status=403,
            method="basic",
            headers=[("X-Authentication-Denied-Reason", f"CAPTCHA_CHALLENGE; login-url={login_url}")],
        )
    if user is not None and user.active and user.password and secret == user.password:
        with state.lock:
            state.failed_logins.pop(user.name, None)
        return AuthOutcome(user=user, login_reason=OK, method="basic")
    if user is not None:
        limit = runtime.scenario.behaviour.captcha_after_failures
        with state.lock:
            state.failed_logins[user.name] = state.failed_logins.get(user.name, 0) + 1
            if limit and state.failed_logins[user.name] >= limit:
                state.captcha_users.add(user.name)
    return AuthOutcome(login_reason=AUTHENTICATED_FAILED, method="basic")


def _cloud_basic(email: str, secret: str, runtime: LabRuntime) -> AuthOutcome:
    """Cloud: Basic is ``email:api_token``; a password is refused with the deprecation notice.

    UNCONFIRMED: Cloud refuses bad Basic credentials with 401 on every resource (no anonymous
    fallback), and names the deprecation only when the secret is the account's password.
    """
    user = runtime.users_by_email.get(email.lower())
    if user is not None and user.api_token and secret == user.api_token:
        return AuthOutcome(user=user, login_reason=OK, method="token")
    if user is not None and user.password and secret == user.password:
        return AuthOutcome(answer=cloud_password_refusal(runtime), method="basic")
    # UNCONFIRMED: an expired, revoked or scoped (gateway-only) API token sent to the site URL gets
    # the same 401 as a wrong token; no distinct wording has been captured.
    return AuthOutcome(answer=_cloud_refusal(), method="basic")


def cloud_password_refusal(runtime: LabRuntime) -> Response:
    """Cloud's edge refusing a password: text/plain from AtlassianProxy, no Jira headers."""
    text = CLOUD_PASSWORD_DEPRECATED[runtime.scenario.behaviour.cloud_password_wording]
    resp = Response.text(401, text, "text/plain")
    resp.jira_headers = False
    return resp.add("Server", ATLASSIAN_PROXY)


def _cloud_refusal() -> Response:
    return Response.json(401, status_body(401, CLOUD_UNAUTHORIZED))


def _sso_login_page(gateway: bool = False) -> Response:
    """The SSO login page: from an SSO app inside Jira (with Jira's headers), or from an authenticating
    gateway in front of it (``gateway``: none of Jira's headers)."""
    page = (
        "<!DOCTYPE html><html><head><title>Log in - Jira</title>"
        '<meta name="application-name" content="JIRA"></head><body>'
        '<form id="login-form" method="post" action="/login.jsp">'
        '<a href="/plugins/servlet/samlsso">Continue with Okta</a>'
        '<input name="os_username"><input name="os_password" type="password">'
        '<input type="submit" value="Log In"></form></body></html>'
    )
    resp = Response.html(200, page)
    resp.login_page = True
    resp.jira_headers = not gateway
    return resp


def _sso_redirect(req: Request, runtime: LabRuntime) -> Response:
    from urllib.parse import quote

    return Response.redirect(f"{runtime.sso_redirect}?RelayState={quote(req.url_with_query(), safe='')}")


def refusal(outcome: AuthOutcome, runtime: LabRuntime) -> Response:
    """What a resource that needs a user answers to an anonymous caller.

    Under CAPTCHA the lab answers 403 on resources that need a user and 200 (with the same
    AUTHENTICATION_DENIED headers) on anonymous ones. UNCONFIRMED: JIRA-FACTS §4 records both
    answers but not which resources give which.
    """
    if outcome.refusal_status == 403:
        # The captured CAPTCHA 403 is text/html and carries WWW-Authenticate beside the Seraph
        # headers (JIRA-FACTS §4). UNCONFIRMED: the exact HTML; the lab's page is Jira's 401 page.
        resp = Response.text(403, CAPTCHA_PAGE, HTML_TYPE)
        return resp.add("WWW-Authenticate", oauth_provider.www_authenticate(runtime))
    resp = Response.json(401, status_body(401, CLIENT_MUST_AUTHENTICATE))
    if runtime.is_cloud:
        return resp
    # Every Jira Server 401 names its Base URL in the OAuth realm (JIRA-FACTS §1).
    return resp.add("WWW-Authenticate", oauth_provider.www_authenticate(runtime))
