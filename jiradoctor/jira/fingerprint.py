"""Is this Jira, and who answered? Identity from several of Jira's fingerprints, never one field.

A proxy's error page, a corporate block page, an SSO login page or another product can all sit
at the URL an integration was given. Each leaves its own traces: Jira's serverInfo JSON shape,
its request headers (``X-AREQUESTID``, ``X-Seraph-LoginReason``, ``X-ASEN``, ...; JIRA-FACTS.md
§4), Cloud's edge (``Server: AtlassianProxy``, ``atl-traceid``), the OAuth realm of its 401s,
and for everyone else the ``Server`` and ``Via`` headers and the page title.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from jiradoctor.jira.auth_signals import looks_like_login_page
from jiradoctor.jira.answer import TypedAnswer as Answer
from jiradoctor.jira.urls import split as split_url

# header -> why it points at Jira (JIRA-FACTS.md §4)
JIRA_HEADERS = {
    "x-arequestid": "X-AREQUESTID (Jira's request id)",
    "x-seraph-loginreason": "X-Seraph-LoginReason (Jira's login filter)",
    "x-asen": "X-ASEN (support entitlement number)",
    "x-asessionid": "X-ASESSIONID (Jira's session id)",
    "x-anodeid": "X-ANODEID (Data Center node)",
    "x-ausername": "X-AUSERNAME (Jira's view of the caller)",
    "atl-traceid": "atl-traceid (Atlassian Cloud's edge)",
}
SERVERINFO_KEYS = ("baseUrl", "version", "versionNumbers", "buildNumber", "serverTitle", "deploymentType", "scmInfo")
IDP_HOSTS = ("login.microsoftonline.com", "okta.com", "oktapreview.com", "id.atlassian.com", "accounts.google.com",
             "onelogin.com", "pingidentity.com", "auth0.com", "duosecurity.com", "adfs")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_BLOCK_WORDS = re.compile(r"(access denied|blocked|forbidden by|web filter|not allowed by policy|"
                          r"security policy|url filtering|category)", re.IGNORECASE)
_JIRA_PAGE = re.compile(r"(atlassian|jira)", re.IGNORECASE)
SCAN_LIMIT = 64 * 1024  # the start of a page says what it is; never scan more


@dataclass(frozen=True)
class Identity:
    """The traces an answer carries. ``jira``: the names of Jira's fingerprints seen."""

    jira: tuple[str, ...]
    serverinfo_json: bool
    server: str | None
    via: str | None
    title: str | None
    login_page: bool
    block_page: bool
    json_body: bool

    @property
    def is_jira(self) -> bool:
        """Jira for sure: its serverInfo shape plus one more trace, or two independent traces."""
        return len(self.jira) >= 2

    @property
    def looks_like_jira(self) -> bool:
        return bool(self.jira)

    def who(self) -> str:
        """Who most likely wrote this answer, in words: Jira, Atlassian's edge, nginx, a proxy..."""
        server = (self.server or "").lower()
        if self.block_page and (self.via or "squid" in server or "proxy" in server):
            return f"a forward proxy ({self.via or self.server})"
        if any(name.startswith("X-") for name in self.jira) or self.serverinfo_json:
            return "Jira itself"
        if "atlassianproxy" in server:
            return "Atlassian Cloud's edge (AtlassianProxy)"
        if "cloudflare" in server:
            return "Cloudflare"
        if self.server:
            what = self.server.split("/")[0]
            return f"{what} (Server: {self.server}), not Jira"
        if self.via:
            return f"a proxy on the way (Via: {self.via})"
        return "an unnamed server (no Server header, none of Jira's headers)"


def page_title(body: str) -> str | None:
    match = _TITLE.search(body[:SCAN_LIMIT])
    if not match:
        return None
    title = " ".join(html.unescape(match.group(1)).split())
    return title[:200] or None


def serverinfo_shape(body: str) -> bool:
    """The body is Jira's serverInfo: a JSON object with a string baseUrl and two more of its keys."""
    data = _json_object(body)
    if data is None or not isinstance(data.get("baseUrl"), str):
        return False
    return sum(1 for key in SERVERINFO_KEYS if key in data) >= 3


def _json_object(body: str) -> Mapping[str, Any] | None:
    text = body.lstrip()
    if not text.startswith("{") or len(text) > SCAN_LIMIT:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def oauth_realm(answer: Answer | None) -> bool:
    value = (answer.header("www-authenticate") or "") if answer is not None else ""
    return value.strip().lower().startswith("oauth") and "realm" in value.lower()


def identify(answer: Answer, *others: Answer | None) -> Identity:
    """Read the traces of ``answer``; ``others`` (e.g. the unauthenticated /myself) add Jira's headers."""
    seen: list[str] = []
    body = answer.body or ""
    serverinfo = answer.status == 200 and serverinfo_shape(body)
    if serverinfo:
        seen.append("serverInfo JSON (baseUrl, version, ...)")
    for a in (answer, *others):
        if a is None:
            continue
        for header, why in JIRA_HEADERS.items():
            if a.header(header) is not None and why not in seen:
                seen.append(why)
        if (a.header("server") or "").lower().startswith("atlassianproxy") and "Server: AtlassianProxy" not in seen:
            seen.append("Server: AtlassianProxy")
        if oauth_realm(a) and "OAuth realm in WWW-Authenticate" not in seen:
            seen.append("OAuth realm in WWW-Authenticate")
    head = body[:SCAN_LIMIT]
    title = page_title(head)
    html_page = "html" in answer.content_type or head.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    login = html_page and looks_like_login_page(head)
    via = answer.header("via")
    server = answer.header("server")
    proxy_marks = bool(via or answer.header("x-squid-error") or "squid" in (server or "").lower()
                       or "tinyproxy" in (server or "").lower())
    block = html_page and proxy_marks and bool(_BLOCK_WORDS.search(head) or answer.status in (403, 407, 451))
    return Identity(tuple(seen), serverinfo, server[:120] if server else None, via[:200] if via else None,
                    title, login, block, _json_object(body) is not None)


# Headers only Jira itself writes (Atlassian's edge writes atl-traceid and Server: AtlassianProxy
# for any site, Jira or not): an answer needs one of these, or serverInfo's shape, to be Jira's own.
JIRA_OWN_HEADERS = ("x-arequestid", "x-seraph-loginreason", "x-asen", "x-asessionid", "x-anodeid", "x-ausername")


def answered_as_jira(answer: Answer) -> str | None:
    """Why this answer is Jira answering as Jira, in words; None when it is not recognisably Jira's.

    Jira's identity is established by an answer with two of its traces (:attr:`Identity.is_jira`),
    one of them Jira's own (serverInfo's shape or one of :data:`JIRA_OWN_HEADERS`). A redirect
    only points elsewhere, and a login page is not Jira's API answering, even when an SSO app
    inside Jira serves it with Jira's headers: a CI gate pointed at one must not pass.
    """
    status = answer.status or 0
    if not status or 300 <= status < 400:
        return None
    ident = identify(answer)
    if ident.login_page or not ident.is_jira:
        return None
    if not (ident.serverinfo_json or any(answer.header(h) is not None for h in JIRA_OWN_HEADERS)):
        return None
    return f"HTTP {status} with {', '.join(ident.jira)}"


def idp_host(url: str) -> str | None:
    """The identity provider a URL belongs to, when its host or path says so."""
    try:
        parts = split_url(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    for mark in IDP_HOSTS:
        if host == mark or host.endswith("." + mark) or mark in host:
            return host
    if re.search(r"/(saml|sso|adfs|oauth2/authorize|idp)\b", parts.path, re.IGNORECASE):
        return host or None
    return None


def origin_of(url: str) -> str | None:
    """``https://host:port`` of a URL (its site root), or None."""
    try:
        parts = split_url(url)
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def same_site(a: str, b: str) -> bool:
    from jiradoctor.jira import urls

    return urls.same_site(a, b)


def first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)
