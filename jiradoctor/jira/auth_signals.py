"""What Jira's answers say about a login: Seraph headers, CAPTCHA, SSO redirects, Cloud refusals.

Pure reading of answers (JIRA-FACTS.md §4), kept apart from the probe that asks and the check
that judges, so every signal is tested on its own. Nothing here sees a credential.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from jiradoctor.jira.answer import Answer
from jiradoctor.net import bounded_json
from jiradoctor.jira.urls import split as split_url

SERAPH_REASON = "x-seraph-loginreason"
DENIED_REASON = "x-authentication-denied-reason"
AUSERNAME = "x-ausername"

OK = "OK"
AUTHENTICATED_FAILED = "AUTHENTICATED_FAILED"
AUTHENTICATION_DENIED = "AUTHENTICATION_DENIED"
CAPTCHA_CHALLENGE = "CAPTCHA_CHALLENGE"

# Cloud's 401 body when Basic auth carries the account password (JIRA-FACTS §4).
_CLOUD_PASSWORD = "basic authentication with passwords is deprecated"
# Host or path words that mark an identity provider's login (heuristic, for the message only).
_IDP_WORDS = ("okta", "microsoftonline", "adfs", "saml", "sso", "idp", "auth0", "onelogin", "ping", "keycloak",
              "shibboleth", "login.windows", "accounts.google", "duosecurity", "cas/login", "oauth2", "openid")
# Jira Server PATs are 44 characters of base64 (e.g. ``MzE4NzQ5NTk2OTA4OpcS8muzzxxVhJro760qHNh4LiKy``);
# Cloud API tokens are long and start with ATATT. A password rarely is 32+ chars without a space.
_TOKENISH = re.compile(r"^[A-Za-z0-9+/=_\-]{32,}$")
_LOGIN_URL = re.compile(r"login-url=(\S+)", re.IGNORECASE)
MAX_TEXT = 300


@dataclass(frozen=True)
class Identity:
    """The user Jira says it sees, from ``/myself`` (Server: name/key; Cloud: accountId)."""

    name: str | None = None
    key: str | None = None
    account_id: str | None = None
    display_name: str | None = None
    active: bool | None = None

    def describe(self) -> str:
        if self.account_id:
            return f"{self.display_name or '?'} (accountId {self.account_id})"
        label = self.name or self.key or "?"
        extra = [x for x in (f"key {self.key}" if self.key and self.key != self.name else None, self.display_name) if x]
        return f"{label} ({', '.join(extra)})" if extra else label

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in (("name", self.name), ("key", self.key), ("accountId", self.account_id),
                                  ("displayName", self.display_name), ("active", self.active)) if v is not None}


@dataclass(frozen=True)
class Captcha:
    login_reason: str | None
    denied_reason: str | None
    login_url: str | None


@dataclass(frozen=True)
class SsoSignal:
    """A REST call answered by a login page instead of Jira's JSON."""

    kind: str  # "redirect" | "login-page"
    location: str | None
    idp_hint: str | None  # a recognisable identity-provider word in the location, if any


def _json(body: str) -> Any:
    return bounded_json.loads_or_none(body)  # depth and size bounded: never RecursionError


def login_reason(answer: Answer) -> str | None:
    value = answer.header(SERAPH_REASON)
    return value.strip().split(",")[0].strip().upper() or None if value else None


def seen_as(answer: Answer) -> str | None:
    """``X-AUSERNAME``: who Jira thinks the caller is (``anonymous`` when it fell back).

    Jira URL-encodes it (``someone%40example.org``, JIRA-FACTS §4), as Java's URLEncoder does,
    so it is decoded before it is shown or compared.
    """
    value = answer.header(AUSERNAME)
    if not value:
        return None
    return urllib.parse.unquote_plus(value.strip()[:MAX_TEXT * 3])[:MAX_TEXT]


def is_anonymous(answer: Answer) -> bool:
    return (seen_as(answer) or "").lower() == "anonymous"


def captcha(answer: Answer) -> Captcha | None:
    """CAPTCHA lockout: ``AUTHENTICATION_DENIED`` and/or ``X-Authentication-Denied-Reason: CAPTCHA_CHALLENGE``.

    The status may be 403, 401 or even 200, so only the headers decide (JIRA-FACTS §4).
    """
    reason = login_reason(answer)
    denied = answer.header(DENIED_REASON)
    if reason != AUTHENTICATION_DENIED and not (denied and CAPTCHA_CHALLENGE in denied.upper()):
        return None
    match = _LOGIN_URL.search(denied or "")
    return Captcha(reason, denied.split(";")[0].strip()[:MAX_TEXT] if denied else None,
                   match.group(1).rstrip(";,")[:2048] if match else None)


def _origin(url: str) -> tuple[str, str]:
    parts = split_url(url)
    return parts.scheme.lower(), parts.netloc.lower()


def redirect_location(answer: Answer) -> str | None:
    if answer.status not in (301, 302, 303, 307, 308):
        return None
    return (answer.header("location") or "")[:2048] or None


def leaves_origin(location: str, jira_url: str) -> bool:
    """True when a redirect points at another scheme/host/port than Jira's URL."""
    try:
        target = urllib.parse.urljoin(jira_url.rstrip("/") + "/", location)
        return _origin(target) != _origin(jira_url)
    except ValueError:  # "http://[…": a Location no client could follow is not Jira's own
        return True


_LOGIN_MARKERS = ("os_username", "os_password", 'type="password"', "type='password'", "samlsso", "saml2",
                  "samlrequest", "<title>log in", "<title>sign in")


_PASSWORD_INPUT = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_LOGIN_TITLE = re.compile(r"<title[^>]*>[^<]*\b(log ?in|sign ?in|single sign-on|sso|saml)\b", re.IGNORECASE)


def looks_like_login_page(body: str) -> bool:
    """Jira's own login form, an SSO app's page, or an identity provider's (Okta, Azure AD ...).

    The one rule for "this HTML is a login page", shared by auth (a REST call answered with it)
    and reachability (the anonymous serverInfo answered with it), so the two never disagree.
    """
    head = body[:20000]
    low = head.lower()
    if "<form" in low and ("password" in low or "login" in low or "sign in" in low):
        return True
    if _PASSWORD_INPUT.search(head) or _LOGIN_TITLE.search(head):
        return True
    return any(marker in low for marker in _LOGIN_MARKERS) or any(w in low for w in ("okta", "microsoftonline", "adfs"))


def https_upgrade(url: str, location: str) -> str | None:
    """The https URL when ``location`` only moves ``url`` from http to https (same host, path and query;
    the port may change): a plain redirect to TLS, never single sign-on. None otherwise."""
    try:
        source = split_url(url)
        target = split_url(urllib.parse.urljoin(url, location))
        same_host = (source.hostname or "").lower() == (target.hostname or "").lower() != ""
    except ValueError:
        return None
    if source.scheme.lower() != "http" or target.scheme.lower() != "https" or not same_host:
        return None
    if (source.path.rstrip("/") or "/") != (target.path.rstrip("/") or "/") or source.query != target.query:
        return None
    return urllib.parse.urlunsplit(target)


def sso(answer: Answer, looks_like_html: bool, url: str | None = None) -> SsoSignal | None:
    """A REST call Jira would answer with JSON, answered with a redirect or a login page instead.

    Jira's REST API never redirects for authentication; a redirect (or an HTML login form with a
    200) means something in front of Jira — an SSO plugin or gateway — owns the login. A redirect
    that only moves ``url`` from http to https is not one (:func:`https_upgrade`).
    """
    location = redirect_location(answer)
    if location and url and https_upgrade(url, location):
        return None
    if location:
        low = location.lower()
        return SsoSignal("redirect", location, next((w for w in _IDP_WORDS if w in low), None))
    if answer.status == 200 and looks_like_html and looks_like_login_page(answer.body):
        return SsoSignal("login-page", None, None)
    return None


_BASIC_DISABLED = "basic authentication has been disabled"


def basic_auth_disabled(answer: Answer) -> bool:
    """Data Center with Basic authentication switched off: 403 "Basic Authentication has been disabled
    on this instance." (JIRA-FACTS §10, captured in a vendor's write-up; the body's shape around the
    sentence is UNCONFIRMED, so the sentence alone decides)."""
    return (answer.status or 0) in (401, 403) and _BASIC_DISABLED in answer.body[:4000].lower()


# Atlassian Cloud API tokens start ATATT (JIRA-FACTS §10; the lab's and Atlassian's examples)
CLOUD_TOKEN_PREFIX = "ATATT"


def is_cloud_api_token(secret: str) -> bool:
    """An Atlassian Cloud API token by its shape: ``ATATT`` and a long run of token characters."""
    return secret.startswith(CLOUD_TOKEN_PREFIX) and bool(_TOKENISH.match(secret))


FAILURE_CATEGORY = "x-failure-category"


def failure_category(answer: Answer) -> str | None:
    """``X-Failure-Category`` of api.atlassian.com's gateway (never sent by a site URL, JIRA-FACTS §10)."""
    value = (answer.header(FAILURE_CATEGORY) or "").strip()
    return value[:80].upper() or None


def cloud_password_refused(answer: Answer) -> bool:
    """Cloud's edge refusing a password on Basic (both captured wordings share this sentence).

    The text alone identifies Cloud: no Server/DC sends it, whatever serverInfo said.
    """
    return answer.status == 401 and _CLOUD_PASSWORD in answer.body[:4000].lower()


CLOUD_HOST_SUFFIXES = (".atlassian.net", ".jira.com", ".jira-dev.com")
GATEWAY_HOST = "api.atlassian.com"


def _host(url: str | None) -> str:
    try:
        return (split_url(url or "").hostname or "").lower()
    except ValueError:
        return ""


def cloud_signals(answers: "list[Answer | None]", url: str | None, realm: str | None = None,
                  deployment_type: str | None = None) -> tuple[str, ...]:
    """Every sign of Jira Cloud among the answers, the URL, the 401 realm and serverInfo.

    Atlassian's own Cloud serverInfo example omits ``deploymentType`` (JIRA-FACTS §3), so no
    single field decides: the password 401 text, ``Server: AtlassianProxy``, ``atl-traceid``,
    a ``*.atlassian.net`` host (the URL's or the realm's) and ``deploymentType`` each count.
    """
    found: list[str] = []
    if deployment_type and deployment_type.strip().lower() == "cloud":
        found.append("serverInfo deploymentType: Cloud")
    host = _host(url)
    if host.endswith(CLOUD_HOST_SUFFIXES) or host == GATEWAY_HOST:
        found.append(f"host {host}")
    realm_host = _host(realm)
    if realm_host.endswith(CLOUD_HOST_SUFFIXES):
        found.append(f"OAuth realm {realm_host}")
    for answer in answers:
        if answer is None:
            continue
        if cloud_password_refused(answer):
            found.append("Cloud's 'Basic authentication with passwords is deprecated' 401")
        server = (answer.header("server") or "").strip()
        if server.lower().startswith("atlassianproxy"):
            found.append(f"Server: {server[:60]}")
        if answer.header("atl-traceid"):
            found.append("atl-traceid header")
    return tuple(dict.fromkeys(found))


def cloud_id(body: str) -> str | None:
    """The cloudId from a site's anonymous ``/_edge/tenant_info`` (UNCONFIRMED shape: ``{"cloudId": ...}``)."""
    data = _json(body)
    value = data.get("cloudId") if isinstance(data, dict) else None
    if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F-]{8,64}", value):
        return value
    return None


def looks_like_token(secret: str) -> bool:
    """A secret shaped like a PAT or API token rather than a password (a hint, confirmed by a retry)."""
    return bool(_TOKENISH.match(secret)) and any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)


def read_identity(body: str) -> Identity | None:
    """The user from a ``/myself`` body; None unless it is JSON naming a user."""
    data = _json(body)
    if not isinstance(data, dict):
        return None

    def text(name: str) -> str | None:
        value = data.get(name)
        return str(value)[:MAX_TEXT] if isinstance(value, (str, int)) and value != "" else None

    ident = Identity(text("name"), text("key"), text("accountId"), text("displayName"),
                     data.get("active") if isinstance(data.get("active"), bool) else None)
    return ident if ident.name or ident.key or ident.account_id else None


def error_messages(body: str, limit: int = 5) -> list[str]:
    """Jira's error texts: ``errorMessages``, ``errors``, ``message``/``errorMessage`` (JIRA-FACTS §3)."""
    data = _json(body)
    out: list[str] = []
    if isinstance(data, dict):
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            out.extend(str(item) for item in messages[:limit])
        errors = data.get("errors")
        if isinstance(errors, dict):
            out.extend(f"{k}: {v}" for k, v in errors.items())
        for name in ("message", "errorMessage"):
            if isinstance(data.get(name), str):
                out.append(data[name])
    elif body and not body.lstrip().startswith("<"):
        out.append(body.strip())
    return [m[:MAX_TEXT] for m in out[:limit] if m]
