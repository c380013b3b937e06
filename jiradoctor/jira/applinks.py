"""Application links, their OAuth consumers, webhooks and personal access tokens as Jira's REST shows them.

Pure parsing and judgement helpers (no I/O): the admin probes (``probes/applinks.py``) fetch, these
read. Every parser takes hostile text: bounded, typed, ``None`` when the answer is not the shape.

Sources for the endpoints and shapes: JIRA-FACTS §10 (Atlassian's applinks plugin classes; pycontribs/jira
reads the same). Captured shapes are replayed by tests/jira/test_real_shapes_replay.py (tests/data/real_shapes/).
- ``GET /rest/applinks/3.0/applinks`` -> a bare JSON array of ``{id, name, displayUrl, rpcUrl, type,
  system, primary}`` (with the new UI also OAuth 2.0 links).
- ``GET /rest/applinks/1.0/listApplicationlinks`` -> ``{"list": [{"application": {id, typeId, name,
  displayUrl, rpcUrl, isPrimary, isSystem}, "configuredInboundAuthenticators": [...], ...}]}``.
- ``GET /rest/applinks/3.0/status/{id}`` -> ``{link, working, localAuthentication: {incoming,
  outgoing: {enabled, twoLoEnabled, twoLoImpersonationEnabled}}, remoteAuthentication, error:
  {category, type, details}}``; a link to a non-Atlassian application reports type ``GENERIC_LINK``
  (category ``NON_ATLASSIAN``) by design: not a fault.
- Incoming OAuth 1.0a consumer: ``GET /rest/applinks/1.0/applicationlink/{id}/authentication/consumer``
  -> a list wrapper ``{"consumers": [{key, name, description, signatureMethod, publicKey, callback,
  twoLOAllowed, executingTwoLOUser, twoLOImpersonationAllowed, outgoing}]}``, 404 when there is none;
  ``publicKey`` is bare base64 SubjectPublicKeyInfo.
- Webhooks: Jira 10 ``GET /rest/jira-webhook/1.0/webhooks`` -> a bare array of ``{id, name, url, events,
  createdDate, updatedDate, configuration, active, scopeType, sslVerificationRequired}`` (on/off is
  ``active``; no ``self``). Before Jira 10 ``GET /rest/webhooks/1.0/webhook`` -> items ``{name, url,
  excludeBody, filters, events, enabled, self, lastUpdatedUser, lastUpdatedDisplayName, lastUpdated}``.
  Unknown (§10): whether the old path 404s on Jira 10.
- Personal access tokens (DC, captured on 10.3.19): ``GET /rest/pat/latest/tokens`` -> a bare array
  ``[{id, name, createdAt, lastAccessedAt, expiringAt}]``, the caller's own tokens only; it never says
  which one authenticated the call.
- Webhook event ids (Jira's webhook admin page and REST): ``jira:issue_updated``, ``jira:issue_deleted``,
  ``jira:version_released`` ... ``project_updated``, ``project_deleted``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any, Iterable
from jiradoctor.jira.urls import default_port

MAX_LINKS = 500
MAX_WEBHOOKS = 2000
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Consumer:
    """The incoming OAuth 1.0a consumer Jira stores for a link (as Jira shows it, nothing cleaned)."""

    key: str | None = None
    name: str | None = None
    public_key: str | None = None
    callback: str | None = None
    signature_method: str | None = None


@dataclass(frozen=True)
class LinkStatus:
    working: bool | None = None
    incoming_enabled: bool | None = None
    outgoing_enabled: bool | None = None
    error_category: str | None = None
    error_type: str | None = None
    error_details: str | None = None

    @property
    def generic_link(self) -> bool:
        """Jira's own words for a link to a non-Atlassian application: normal, not a fault (§10)."""
        return self.error_type == "GENERIC_LINK" or self.error_category == "NON_ATLASSIAN"


@dataclass(frozen=True)
class AppLink:
    """One application link; ``consumer`` is None when Jira stores no incoming consumer (one-sided)."""

    id: str
    name: str
    display_url: str = ""
    rpc_url: str = ""
    type: str = ""
    status: LinkStatus | None = None
    consumer: Consumer | None = None
    consumer_read: bool = False  # the consumer resource answered (200 or 404), so None means "none stored"
    oauth2: bool = False
    inbound_authenticators: tuple[str, ...] | None = None  # the 1.0 listing's configuredInboundAuthenticators


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    events: tuple[str, ...]
    enabled: bool | None  # ``enabled`` before Jira 10, ``active`` from Jira 10; None when neither is said


@dataclass(frozen=True)
class PatToken:
    name: str
    expiring_at: dt.datetime | None
    created_at: dt.datetime | None = None


def _json(text: str) -> Any:
    try:
        return json.loads(text[: 16 * 1024 * 1024])
    except (ValueError, RecursionError):
        return None


def _s(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ("" if value is None else str(value)[:MAX_TEXT])


def _b(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_links_v3(text: str) -> list[AppLink] | None:
    data = _json(text)
    if not isinstance(data, list):
        return None
    out = []
    for item in data[:MAX_LINKS]:
        if isinstance(item, dict) and item.get("id") is not None:
            out.append(AppLink(_s(item.get("id")), _s(item.get("name")), _s(item.get("displayUrl")),
                               _s(item.get("rpcUrl")), _s(item.get("type"))))
    return out


def parse_links_v1(text: str) -> list[AppLink] | None:
    """``{"list": [{"application": {...}, "configuredInboundAuthenticators": [...]}]}`` (§10)."""
    data = _json(text)
    items = data.get("list") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    out = []
    for item in items[:MAX_LINKS]:
        app = item.get("application") if isinstance(item, dict) else None
        if isinstance(app, dict) and app.get("id") is not None:
            inbound = item.get("configuredInboundAuthenticators")
            names = tuple(_s(a) for a in inbound[:50] if isinstance(a, str)) if isinstance(inbound, list) else None
            out.append(AppLink(_s(app.get("id")), _s(app.get("name")), _s(app.get("displayUrl")),
                               _s(app.get("rpcUrl")), _s(app.get("typeId")), inbound_authenticators=names))
    return out


def parse_status(text: str) -> LinkStatus | None:
    data = _json(text)
    if not isinstance(data, dict) or "working" not in data:
        return None
    local: dict[str, Any] = data["localAuthentication"] if isinstance(data.get("localAuthentication"), dict) else {}
    incoming: dict[str, Any] = local["incoming"] if isinstance(local.get("incoming"), dict) else {}
    outgoing: dict[str, Any] = local["outgoing"] if isinstance(local.get("outgoing"), dict) else {}
    error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
    return LinkStatus(_b(data.get("working")), _b(incoming.get("enabled")), _b(outgoing.get("enabled")),
                      _s(error.get("category")) or None, _s(error.get("type")) or None,
                      _s(error.get("details"))[:500] or None)


def parse_consumers(text: str) -> list[Consumer] | None:
    """The list wrapper ``{"consumers": [...]}`` (§10); None when the answer is not that shape.

    Only the incoming side counts (``outgoing`` not true): that is the consumer Jira checks the
    integration's requests against. An empty list means none is stored."""
    data = _json(text)
    items = data.get("consumers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None

    def pick(item: dict[str, Any], k: str) -> str | None:
        return item[k][:MAX_TEXT] if isinstance(item.get(k), str) else None

    return [
        Consumer(pick(i, "key"), pick(i, "name"), pick(i, "publicKey"), pick(i, "callback"),
                 pick(i, "signatureMethod"))
        for i in items[:MAX_LINKS]
        if isinstance(i, dict) and isinstance(i.get("key"), str) and i.get("outgoing") is not True
    ]


def parse_webhooks(text: str) -> list[Webhook] | None:
    """Both shapes (§10): Jira 10's bare array with ``active``, the older items with ``enabled``."""
    data = _json(text)
    items = data.get("values") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return None
    out = []
    for item in items[:MAX_WEBHOOKS]:
        if not isinstance(item, dict):
            continue
        events = item.get("events")
        events = tuple(_s(e) for e in events[:200] if isinstance(e, str)) if isinstance(events, list) else ()
        on = _b(item.get("enabled")) if "enabled" in item else _b(item.get("active"))
        out.append(Webhook(_s(item.get("name")), _s(item.get("url")), events, on))
    return out


def parse_jira_time(value: Any) -> dt.datetime | None:
    """Jira writes ``2026-12-01T10:00:00.000+0000`` (or ISO with ``Z``/``+00:00``); epoch ms also seen."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def parse_pat_tokens(text: str) -> list[PatToken] | None:
    data = _json(text)
    items = data.get("values") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return None
    return [PatToken(_s(i.get("name")), parse_jira_time(i.get("expiringAt")), parse_jira_time(i.get("createdAt")))
            for i in items[:MAX_LINKS] if isinstance(i, dict)]


# ------------------------------------------------------------------------------- judging ---

def looks_like_url(text: str) -> bool:
    """A link "URL" that is really a URL (scheme and host), as opposed to a plain name."""
    try:
        parts = urllib.parse.urlsplit(text.strip())
    except ValueError:  # "http://[::1": Jira stores what an admin typed
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def host_of(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def host_matches(url: str, patterns: Iterable[str]) -> bool:
    host = host_of(url)
    return bool(host) and any(fnmatch.fnmatchcase(host, p.lower()) for p in patterns)


def same_endpoint(a: str, b: str) -> bool:
    """Two URLs name the same place: scheme, host, port and path (trailing slash ignored)."""
    def norm(u: str) -> tuple[str, str, int | None, str]:
        try:
            p = urllib.parse.urlsplit(u.strip())
        except ValueError:  # an unclosed IPv6 bracket: the same place only as the same text
            return "", u.strip(), None, ""
        try:
            port = p.port or default_port(p.scheme)
        except ValueError:
            port = None
        return p.scheme.lower(), (p.hostname or "").lower(), port, p.path.rstrip("/")
    return norm(a) == norm(b)


@dataclass(frozen=True)
class CharDiff:
    """Where two texts differ: the first position, and the characters on each side around it."""

    position: int
    left: str
    right: str
    left_length: int
    right_length: int

    def describe(self, left_name: str, right_name: str) -> str:
        return (f"first difference at character {self.position + 1}: {left_name} has {self.left!r}, "
                f"{right_name} has {self.right!r} (lengths {self.left_length} and {self.right_length})")


def char_diff(left: str, right: str, window: int = 6) -> CharDiff | None:
    """Byte-for-byte comparison; None when equal. Shows a short window (keys are public, not secret)."""
    if left == right:
        return None
    pos = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))
    return CharDiff(pos, left[pos:pos + window], right[pos:pos + window], len(left), len(right))


def link_url(link: AppLink) -> str:
    """The URL the admin typed when creating the link (Jira shows it as displayUrl; rpcUrl is the same
    unless edited)."""
    return link.display_url or link.rpc_url


def pick_link(links: Iterable[AppLink], names: Iterable[str], hosts: Iterable[str],
              consumer_key: str | None) -> tuple[AppLink | None, str, tuple[AppLink, ...]]:
    """The integration's link among all of them, how it was recognised, and the other candidates.

    By the consumer key first (what the integration sends identifies its link exactly; compared
    stripped too, so a stray space still finds the link whose key then fails to match); then by the
    profile's host rule; then by the profile's words in the link's name or URL.
    """
    links = list(links)
    words = [w.lower() for w in names if w]
    tests: list[tuple[str, Any]] = []
    if consumer_key:
        tests.append(("its consumer key", lambda l: l.consumer is not None and l.consumer.key == consumer_key))
        tests.append(("its consumer key, ignoring surrounding whitespace",
                      lambda l: l.consumer is not None and (l.consumer.key or "").strip() == consumer_key.strip()))
    hosts = list(hosts)
    if hosts:
        tests.append(("its URL's host", lambda l: host_matches(link_url(l), hosts)))
    if words:
        tests.append(("its name or URL", lambda l: any(w in (l.name + " " + link_url(l)).lower() for w in words)))
    for how, test in tests:
        found = [l for l in links if test(l)]
        if found:
            return found[0], how, tuple(found[1:])
    return None, "", ()
