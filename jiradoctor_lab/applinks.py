"""The lab's administrator resources: application links, their OAuth consumers, webhooks, PATs.

Why its own module: these resources answer only administrators and carry their own scenario data
(an optional ``[scenario.NAME.applinks]`` table in scenarios.toml, read here so the scenario
dataclasses stay as they are). A scenario without that table gets one link made from its
``[consumer]`` (name, key, public key; no incoming side when the consumer is not registered), so
every scenario's link agrees with what its OAuth provider does.

Shapes are the real ones of JIRA-FACTS §10 (sources in ``jiradoctor/jira/applinks.py``): the 3.0
listing's bare array, the 1.0 listing's ``{"list": [{"application", "configuredInboundAuthenticators"}]}``,
the status with ``error: {category, type, details}`` (``GENERIC_LINK``/``NON_ATLASSIAN`` for a link to a
non-Atlassian application), the consumer's list wrapper ``{"consumers": [...]}`` (404 when none), and
webhooks in both shapes (Jira 10: a bare array with ``active``; before: items with ``enabled`` and
``self``). Still UNCONFIRMED: the OAuth 2.0 client list, the status/wording of a non-administrator's
refusal (403 here), and whether Jira 10 still serves the old webhook path (``jira10`` scenarios answer
404 there: a modelled case, not a measured one). Every resource here is GET-only; other methods get 405.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Mapping

from jiradoctor.jira import pem
from jiradoctor_lab import permissions as perms
from jiradoctor_lab.keys import key_pair
from jiradoctor_lab.messages import Request, Response, error_body
from jiradoctor_lab.rest import Route, _jira_time
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.scenarios import SERVER, Scenario, User, _resolve


@dataclass(frozen=True)
class LabLink:
    name: str
    url: str
    incoming: bool = True
    consumer_key: str = ""
    public_key: str = "consumer"  # key pair role: consumer | other
    callback: str = ""
    working: bool = True
    error_type: str = ""
    type: str = "generic"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lab-applink:{self.name}"))


@dataclass(frozen=True)
class LabWebhook:
    name: str
    url: str
    events: tuple[str, ...]
    enabled: bool = True


@dataclass(frozen=True)
class AdminData:
    """What the scenario's Jira administrators see. ``admin``: the user whose credentials
    ``doctor_command`` passes as ``--admin-user`` (empty: none). ``jira10``: webhooks live at the
    Jira 10 path only. ``pat_days``: days until each of the PAT owner's tokens expires (None: never)."""

    links: tuple[LabLink, ...]
    webhooks: tuple[LabWebhook, ...] = ()
    admin: str = ""
    jira10: bool = False
    oauth2_clients: tuple[str, ...] = ()
    pat_days: tuple[int | None, ...] = (None,)
    v3: bool = True  # False: /rest/applinks/3.0 answers 404 (links only through the 1.0 listing)


@functools.lru_cache(maxsize=1)
def _tables() -> Mapping[str, Any]:
    text = resources.files("jiradoctor_lab").joinpath("scenarios.toml").read_text(encoding="utf-8")
    tables: Mapping[str, Any] = tomllib.loads(text).get("scenario", {})
    return tables


def _default_link(s: Scenario) -> LabLink:
    name = s.consumer.name or s.consumer.key
    url = name if "://" in name else f"https://{name}"
    return LabLink(
        name=name,
        url=url,
        incoming=s.consumer.registered,
        consumer_key=s.consumer.key,
        public_key=s.consumer.public_key,
    )


def admin_data(scenario: Scenario) -> AdminData:
    """The scenario's ``applinks`` table (inherited through ``based_on``), or the default link."""
    from jiradoctor_lab.scenarios import get_scenario, scenario_names

    tables = _tables()
    raw: Mapping[str, Any] = {}
    if scenario.name in scenario_names() and get_scenario(scenario.name) is scenario:  # packaged, not a test's own
        raw = _resolve(scenario.name, tables).get("applinks", {})
    c = scenario.consumer
    links = tuple(
        LabLink(**{"consumer_key": c.key, "public_key": c.public_key, "incoming": c.registered, **item})
        for item in raw.get("links", [])
    ) or (_default_link(scenario),)
    hooks = tuple(
        LabWebhook(h["name"], h["url"], tuple(h.get("events", ())), bool(h.get("enabled", True)))
        for h in raw.get("webhooks", [])
    )
    days = tuple(None if d < 0 else int(d) for d in raw.get("pat_days", [])) or (None,)
    return AdminData(
        links,
        hooks,
        str(raw.get("admin", "")),
        bool(raw.get("jira10", False)),
        tuple(raw.get("oauth2_clients", ())),
        days,
        bool(raw.get("v3", True)),
    )


def admin_password(scenario: Scenario) -> tuple[str, str] | None:
    """(user, password) of the scenario's named administrator, for ``doctor_command``."""
    name = admin_data(scenario).admin
    user = scenario.user(name) if name else None
    return (user.name, user.password) if user is not None and user.password else None


# ------------------------------------------------------------------------------ resources ---


def _is_admin(rt: LabRuntime, user: User | None) -> bool:
    return user is not None and perms.has_global_permission("ADMINISTER", rt.subject(user))


def _refused() -> Response:
    # UNCONFIRMED: status and wording of the applinks/webhooks REST refusal for a non-administrator
    return Response.json(403, error_body("You must be a Jira administrator to access this resource."))


Handler = Callable[[Request, LabRuntime, "User | None", "re.Match[str]"], Response]


def _admin_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def wrapped(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
        if not _is_admin(rt, user):
            return _refused()
        return handler(req, rt, user, m)

    return wrapped


OAUTH_INBOUND = "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"
GENERIC_TYPES = ("generic",)  # a link to a non-Atlassian application


def _link_json(link: LabLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "name": link.name,
        "displayUrl": link.url,
        "rpcUrl": link.url,
        "type": link.type,
        "system": False,
        "primary": False,
    }


def _find(rt: LabRuntime, ident: str) -> LabLink | None:
    return next((l for l in admin_data(rt.scenario).links if l.id == ident), None)


@_admin_only
def links_v3(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    if not admin_data(rt.scenario).v3:
        return Response.json(404, {"message": f"null for uri: {req.url_with_query()}", "status-code": 404})
    return Response.json(200, [_link_json(l) for l in admin_data(rt.scenario).links])


@_admin_only
def links_v1(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    return Response.json(
        200,
        {
            "list": [
                {
                    "application": {
                        "id": l.id,
                        "typeId": l.type,
                        "name": l.name,
                        "displayUrl": l.url,
                        "rpcUrl": l.url,
                        "isPrimary": False,
                        "isSystem": False,
                    },
                    "configuredInboundAuthenticators": [OAUTH_INBOUND] if l.incoming else [],
                    "configuredOutboundAuthenticators": [],
                    "hasIncomingAuthenticationProviders": l.incoming,
                    "hasOutgoingAuthenticationProviders": False,
                }
                for l in admin_data(rt.scenario).links
            ]
        },
    )


@_admin_only
def status(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    link = _find(rt, m["id"])
    if link is None or not admin_data(rt.scenario).v3:
        return Response.json(404, error_body(f"No application link with id {m['id']}"))
    auth = {
        "incoming": {"enabled": link.incoming, "twoLoEnabled": False, "twoLoImpersonationEnabled": False},
        "outgoing": {"enabled": False, "twoLoEnabled": False, "twoLoImpersonationEnabled": False},
    }
    remote = {"incoming": None, "outgoing": None}
    body: dict[str, Any] = {
        "link": _link_json(link),
        "working": link.working,
        "localAuthentication": auth,
        "remoteAuthentication": remote,
    }
    if not link.working:
        category = "DISABLED" if link.error_type == "DISABLED" else "NETWORK_ERROR"
        body["error"] = {"category": category, "type": link.error_type or "UNKNOWN", "details": None}
    elif link.type in GENERIC_TYPES:
        # JIRA-FACTS §10: Jira says this of every link to a non-Atlassian application, by design
        body["working"] = False
        body["error"] = {"category": "NON_ATLASSIAN", "type": "GENERIC_LINK", "details": None}
    return Response.json(200, body)


@_admin_only
def consumer(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    link = _find(rt, m["id"])
    if link is None or not link.incoming:
        return Response.json(404, error_body("No consumer is configured for this application link."))
    return Response.json(
        200,
        {
            "consumers": [
                {
                    "key": link.consumer_key,
                    "name": link.name,
                    "description": None,
                    "signatureMethod": "RSA_SHA1",
                    "publicKey": pem.spki_base64(key_pair(link.public_key).public_key),
                    "callback": link.callback or None,
                    "twoLOAllowed": False,
                    "executingTwoLOUser": None,
                    "twoLOImpersonationAllowed": False,
                    "outgoing": False,
                }
            ]
        },
    )


@_admin_only
def oauth2_clients(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    return Response.json(200, [{"name": n, "redirects": []} for n in admin_data(rt.scenario).oauth2_clients])


def _hooks_old(rt: LabRuntime) -> list[dict[str, Any]]:
    """Before Jira 10 (§10): items with ``enabled`` and ``self``."""
    base = rt.base_url
    return [
        {
            "name": h.name,
            "url": h.url,
            "excludeBody": False,
            "filters": {"issue-related-events-section": ""},
            "events": list(h.events),
            "enabled": h.enabled,
            "self": f"{base}/rest/webhooks/1.0/webhook/{i + 1}",
            "lastUpdatedUser": "alice",
            "lastUpdatedDisplayName": "Alice Admin",
            "lastUpdated": 1700000000000,
        }
        for i, h in enumerate(admin_data(rt.scenario).webhooks)
    ]


def _hooks_jira10(rt: LabRuntime) -> list[dict[str, Any]]:
    """Jira 10 (§10): a bare array, on/off is ``active``, no ``self``."""
    return [
        {
            "id": i + 1,
            "name": h.name,
            "url": h.url,
            "events": list(h.events),
            "createdDate": 1700000000000,
            "updatedDate": 1700000000000,
            "configuration": {"FILTERS": "", "EXCLUDE_BODY": "false"},
            "active": h.enabled,
            "scopeType": "GLOBAL",
            "sslVerificationRequired": True,
        }
        for i, h in enumerate(admin_data(rt.scenario).webhooks)
    ]


@_admin_only
def webhooks_old(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    if admin_data(rt.scenario).jira10:  # modelled: whether Jira 10 still serves this path is unknown (§10)
        return Response.json(404, {"message": f"null for uri: {req.url_with_query()}", "status-code": 404})
    return Response.json(200, _hooks_old(rt))


@_admin_only
def webhooks_jira10(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    if not admin_data(rt.scenario).jira10:
        return Response.json(404, {"message": f"null for uri: {req.url_with_query()}", "status-code": 404})
    return Response.json(200, _hooks_jira10(rt))


def pat_tokens(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    assert user is not None
    now = rt.now_datetime()
    out = []
    for i, days in enumerate(admin_data(rt.scenario).pat_days if user.pat else ()):
        entry: dict[str, Any] = {
            "id": i + 1,
            "name": f"{user.name} token {i + 1}",
            "createdAt": _jira_time(now - dt.timedelta(days=30)),
        }
        if days is not None:
            entry["expiringAt"] = _jira_time(now + dt.timedelta(days=days))
        out.append(entry)
    return Response.json(200, out)


ROUTES: tuple[Route, ...] = (
    Route(re.compile(r"/rest/applinks/3\.0/applinks"), ("GET",), links_v3, anonymous=False),
    Route(re.compile(r"/rest/applinks/(?:1\.0|latest)/listApplicationlinks"), ("GET",), links_v1, anonymous=False),
    Route(re.compile(r"/rest/applinks/3\.0/status/(?P<id>[^/]+)"), ("GET",), status, anonymous=False),
    Route(
        re.compile(r"/rest/applinks/(?:1\.0|latest)/applicationlink/(?P<id>[^/]+)/authentication/consumer"),
        ("GET",),
        consumer,
        anonymous=False,
    ),
    Route(
        re.compile(r"/rest/oauth2-provider/1\.0/client"),
        ("GET",),
        oauth2_clients,
        anonymous=False,
        deployments=(SERVER,),
    ),
    Route(re.compile(r"/rest/webhooks/1\.0/webhook"), ("GET",), webhooks_old, anonymous=False),
    Route(
        re.compile(r"/rest/jira-webhook/1\.0/webhooks"),
        ("GET",),
        webhooks_jira10,
        anonymous=False,
        deployments=(SERVER,),
    ),
    Route(
        re.compile(r"/rest/pat/(?:latest|1\.0)/tokens"), ("GET",), pat_tokens, anonymous=False, deployments=(SERVER,)
    ),
)


def match(req: Request, rt: LabRuntime) -> tuple[Route, re.Match[str]] | None:
    path = req.path.rstrip("/") or "/"
    for route in ROUTES:
        m = route.pattern.fullmatch(path)
        if m is not None and rt.scenario.deployment in route.deployments:
            return route, m
    return None


__all__ = ["AdminData", "LabLink", "LabWebhook", "admin_data", "admin_password", "match"]
