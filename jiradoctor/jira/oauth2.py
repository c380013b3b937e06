"""OAuth 2.0 as Jira speaks it: Data Center incoming links, Cloud (3LO) apps, service accounts.

Pure protocol knowledge (URLs, answer shapes, scope rules); no I/O. Sources, each checked on
2026-11-30 through public documentation:

- Data Center provider API ("Jira OAuth 2.0 provider API", confluence.atlassian.com
  /adminjiraserver101/jira-oauth-2-0-provider-api-1455427907.html): authorization code (with or
  without PKCE) through ``{base}/rest/oauth2/latest/authorize`` and ``.../token``; implicit and
  password grants are not supported.
- Data Center scopes ("OAuth 2.0 scopes for incoming links", .../oauth-2-0-scopes-for-incoming-
  links-1455427906.html): READ, WRITE, ADMIN, SYSTEM_ADMIN, always capped at what the user can do.
- Data Center service accounts ("Service accounts overview", confluence.atlassian.com/enterprise
  /service-accounts-overview-1627095923.html): ``POST {base}/rest/oauth2/latest/token`` form-encoded
  ``grant_type=client_credentials, client_id, client_secret, scope``; the token lives about an hour;
  "Refresh tokens are not supported".
- Cloud 3LO (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ and
  .../cloud/oauth/getting-started/making-calls-to-api/): ``https://auth.atlassian.com/authorize``
  (audience=api.atlassian.com), ``POST https://auth.atlassian.com/oauth/token`` (JSON body),
  ``GET https://api.atlassian.com/oauth/token/accessible-resources`` answering
  ``[{"id", "name", "url", "scopes", "avatarUrl"}]``; REST calls go through
  ``https://api.atlassian.com/ex/jira/{cloudId}``, "not https://your-domain.atlassian.net".
- A redirect URI the client did not register: Atlassian's authorize endpoint sends the browser to
  ``id.atlassian.com/error?error=unauthorized_client&error_description=redirect_uri is not
  registered for client: ...`` (github/copilot-cli#4901, seen with Atlassian's MCP client).
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterable

DC_AUTHORIZE = "/rest/oauth2/latest/authorize"
DC_TOKEN = "/rest/oauth2/latest/token"
CLOUD_AUTH_URL = "https://auth.atlassian.com"
CLOUD_API_URL = "https://api.atlassian.com"
ACCESSIBLE_RESOURCES = "/oauth/token/accessible-resources"
# UNCONFIRMED: the token endpoint for Cloud service-account (client credentials) credentials. The
# support page names the credential (client id/secret) but the stored text did not show the URL;
# the 3LO token endpoint is assumed, as Atlassian's OAuth clients use one authorization server.
CLOUD_CLIENT_CREDENTIALS_TOKEN = "/oauth/token"
# Hidden, for the lab and tests: where Cloud's authorization server and API gateway are.
AUTH_URL_ENV = "JIRADOCTOR_OAUTH2_AUTH_URL"
API_URL_ENV = "JIRADOCTOR_OAUTH2_API_URL"

DC_SCOPES = ("READ", "WRITE", "ADMIN", "SYSTEM_ADMIN")
# UNCONFIRMED: that Data Center scopes nest (WRITE covers READ, ADMIN covers WRITE, ...). The scope
# page lists them as levels ("capped at what this user can do"), it does not say a higher one
# grants the lower ones; Cloud classic scopes are independent (write:jira-work is not read).
_DC_RANK = {name: i for i, name in enumerate(DC_SCOPES)}
# Scopes that only shape the token, never what it may read or write.
NON_API_SCOPES = frozenset({"offline_access"})
MAX_JSON = 256 * 1024
MAX_RESOURCES = 200


@dataclass(frozen=True)
class Endpoints:
    """Where one OAuth 2.0 flavour lives. ``flavour`` is ``datacenter`` or ``cloud``."""

    flavour: str
    authorize: str
    token: str
    accessible_resources: str | None = None
    api: str | None = None

    def gateway(self, cloud_id: str) -> str:
        """Cloud's REST base for one site: the token works here, not at the site URL."""
        return f"{(self.api or CLOUD_API_URL).rstrip('/')}/ex/jira/{urllib.parse.quote(cloud_id, safe='')}"


def gateway_cloud_id(url: str, environ: "dict[str, str] | None" = None) -> str | None:
    """The cloudId when ``url`` is Cloud's REST gateway for one site (``{api}/ex/jira/{cloudId}``),
    the URL an OAuth 2.0 integration must call; None for a site URL."""
    env = os.environ if environ is None else environ
    api = (env.get(API_URL_ENV) or CLOUD_API_URL).rstrip("/")
    try:
        parts, base = urllib.parse.urlsplit(url.strip()), urllib.parse.urlsplit(api)
        same = (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port) == (
            base.scheme.lower(), (base.hostname or "").lower(), base.port)
    except ValueError:
        return None
    match = re.fullmatch(r"/ex/jira/([0-9A-Za-z-]{1,64})/?", parts.path[len(base.path.rstrip("/")):])
    return match.group(1) if same and match else None


def endpoints(flavour: str, jira_url: str, environ: "dict[str, str] | None" = None) -> Endpoints:
    env = os.environ if environ is None else environ
    if flavour == "cloud":
        auth = (env.get(AUTH_URL_ENV) or CLOUD_AUTH_URL).rstrip("/")
        api = (env.get(API_URL_ENV) or CLOUD_API_URL).rstrip("/")
        return Endpoints("cloud", f"{auth}/authorize", f"{auth}/oauth/token", f"{api}{ACCESSIBLE_RESOURCES}", api)
    base = jira_url.rstrip("/")
    return Endpoints("datacenter", f"{base}{DC_AUTHORIZE}", f"{base}{DC_TOKEN}")


@dataclass(frozen=True)
class TokenError:
    """RFC 6749 §5.2 error answer (``error``, ``error_description``)."""

    error: str
    description: str = ""


# A memory bound only, far above what a report shows: checks redact the text, THEN cut it to what they
# show (checks.oauth2._shown), so a secret cut here sits beyond anything shown
MAX_ERROR_TEXT = 4000


def parse_token_error(body: str) -> TokenError | None:
    """The ``error`` of a token endpoint's answer (JSON, or form-encoded as some servers do)."""
    data = _json(body)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        desc = data.get("error_description")
        return TokenError(data["error"][:MAX_ERROR_TEXT], desc[:MAX_ERROR_TEXT] if isinstance(desc, str) else "")
    if "error=" in body[:MAX_ERROR_TEXT * 4]:
        pairs = dict(urllib.parse.parse_qsl(body[: MAX_ERROR_TEXT * 4]))
        if pairs.get("error"):
            return TokenError(pairs["error"][:MAX_ERROR_TEXT], pairs.get("error_description", "")[:MAX_ERROR_TEXT])
    return None


def error_in_location(location: str | None) -> TokenError | None:
    """An authorize endpoint's refusal carried in a redirect (``?error=...``, RFC 6749 §4.1.2.1)."""
    if not location:
        return None
    parts = urllib.parse.urlsplit(location[:4000])
    params = dict(urllib.parse.parse_qsl(parts.query)) | dict(urllib.parse.parse_qsl(parts.fragment))
    if params.get("error"):
        return TokenError(params["error"][:MAX_ERROR_TEXT], params.get("error_description", "")[:MAX_ERROR_TEXT])
    return None


@dataclass(frozen=True)
class Resource:
    """One site an access token reaches (``accessible-resources``)."""

    id: str
    url: str
    name: str
    scopes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "name": self.name, "scopes": list(self.scopes)}


def parse_resources(body: str) -> list[Resource] | None:
    """``accessible-resources``; None when the answer is not that list."""
    data = _json(body)
    if not isinstance(data, list):
        return None
    found = []
    for item in data[:MAX_RESOURCES]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        scopes: list[Any] = item["scopes"] if isinstance(item.get("scopes"), list) else []
        found.append(
            Resource(
                item["id"][:100],
                str(item.get("url") or "")[:300],
                str(item.get("name") or "")[:200],
                tuple(str(s)[:100] for s in scopes[:100]),
            )
        )
    return found


def same_site(a: str, b: str) -> bool:
    """Two site URLs name the same Jira: the one rule, :func:`jiradoctor.jira.urls.same_site`."""
    from jiradoctor.jira import urls

    return urls.same_site(a, b)


def split_scopes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Scopes as OAuth 2.0 writes them: space-separated (commas tolerated, as people type them)."""
    if text is None:
        return ()
    items = (
        text.replace(",", " ").split()
        if isinstance(text, str)
        else [s for t in text for s in t.replace(",", " ").split()]
    )
    return tuple(dict.fromkeys(items))


def missing_scopes(required: Iterable[str], granted: Iterable[str], flavour: str) -> list[str]:
    """Required scopes the grant lacks. Data Center: a higher level covers the lower (UNCONFIRMED)."""
    have = set(granted)
    out = []
    for scope in required:
        if scope in NON_API_SCOPES or scope in have:
            continue
        if flavour == "datacenter" and scope in _DC_RANK and any(_DC_RANK.get(h, -1) >= _DC_RANK[scope] for h in have):
            continue
        out.append(scope)
    return out


def invalid_code_request(
    flavour: str, client_id: str, client_secret: str, redirect_uri: str | None
) -> tuple[dict[str, str], bytes]:
    """A token request with an authorization code that cannot exist. Nothing is issued and nothing
    stored is consumed. It does not prove a secret right: Data Center checks the grant before the
    client (JIRA-FACTS §10), so an unknown code answers ``invalid_request`` whatever the secret; only
    an ``invalid_client`` answer says something (that the client is refused)."""
    fields = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret,
        "code": "jiradoctor-probe-not-a-code",
    }
    if redirect_uri:
        fields["redirect_uri"] = redirect_uri
    if flavour == "cloud":  # Atlassian's documented body is JSON
        return {"Content-Type": "application/json"}, json.dumps(fields).encode()
    return {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode(fields).encode()


def token_request(flavour: str, fields: dict[str, str]) -> tuple[dict[str, str], bytes]:
    if flavour == "cloud":
        return {"Content-Type": "application/json"}, json.dumps(fields).encode()
    return {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode(fields).encode()


def authorize_url(eps: Endpoints, client_id: str, redirect_uri: str, scopes: Iterable[str], state: str) -> str:
    """The URL a browser would open to start the consent; jiradoctor only reads the first answer."""
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "state": state,
        "scope": " ".join(scopes),
    }
    if eps.flavour == "cloud":
        params = {"audience": "api.atlassian.com", **params, "prompt": "consent"}
    return f"{eps.authorize}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"


def token_fields(body: str) -> dict[str, Any] | None:
    """A successful token answer (access_token, expires_in, scope, refresh_token...)."""
    data = _json(body)
    if isinstance(data, dict) and isinstance(data.get("access_token"), str):
        return data
    return None


def _json(body: str) -> Any:
    if not body or len(body) > MAX_JSON:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
