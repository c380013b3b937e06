"""Read-only admin probes: application links, their incoming consumers, webhooks; and a PAT's expiry.

Why a separate login: the integration's service user is rarely a Jira administrator, and only an
administrator may read application links and webhooks. ``--admin-user``/``--admin-password`` or
``--admin-pat`` name one; without them the integration's own login is used when (and only when) Jira
says it holds the global ``ADMINISTER`` permission. Administration is detected, never assumed: the
login must first name a user at ``/myself`` (mypermissions also answers anonymous callers), then
``mypermissions?permissions=ADMINISTER`` must say ``havePermission: true``.

Every request here is a GET (tests count them on the lab side). Endpoints and shapes: see
``jiradoctor/jira/applinks.py`` (JIRA-FACTS §10).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from jiradoctor.facts import Fact
from jiradoctor.jira import applinks as al
from jiradoctor.jira.auth_signals import read_identity
from jiradoctor.jira.permissions import parse_mypermissions
from jiradoctor.probes.auth import Login, fetch_as, login_for, login_proven
from jiradoctor.probes.deployment import deployment_of
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.permissions import describe

if TYPE_CHECKING:
    from jiradoctor.context import Facts

MAX_LINKS_DETAILED = 50  # status + consumer are asked per link; more links than this are listed only
CONCURRENCY = 8
LINKS_V3 = "/rest/applinks/3.0/applinks"
LINKS_V1 = "/rest/applinks/1.0/listApplicationlinks"  # the fallback when 3.0 is absent
STATUS_V3 = "/rest/applinks/3.0/status/{id}"
CONSUMER = "/rest/applinks/1.0/applicationlink/{id}/authentication/consumer"  # {"consumers": [...]}, 404: none
OAUTH2_CLIENTS = "/rest/oauth2-provider/1.0/client"  # UNCONFIRMED: DC 8.22+ incoming OAuth 2.0 clients
WEBHOOKS_OLD = "/rest/webhooks/1.0/webhook"
WEBHOOKS_JIRA10 = "/rest/jira-webhook/1.0/webhooks"
PAT_TOKENS = "/rest/pat/latest/tokens"
ENABLE_OPTIONS = "--admin-user with --admin-password (JIRADOCTOR_ADMIN_PASSWORD), or --admin-pat (JIRADOCTOR_ADMIN_PAT)"


@dataclass(frozen=True)
class AdminAccess:
    """Whose login reads the admin resources, and whether Jira confirmed it is an administrator.

    ``is_admin``: True only when Jira said so; False when Jira said no (or refused the login);
    None when nobody could ask. ``service_user_admin``: the integration's own login's ADMINISTER.
    """

    login: Login
    source: str
    is_admin: bool | None
    reason: str
    service_user_admin: bool | None = None


@dataclass(frozen=True)
class AppLinkFacts:
    access: AdminAccess
    links: tuple[al.AppLink, ...] = ()
    listed_by: str = ""
    oauth2_clients: tuple[str, ...] | None = None  # names of incoming OAuth 2.0 clients; None: not read
    problem: str | None = None
    requests: tuple[str, ...] = ()  # "GET /path" of each request sent


@dataclass(frozen=True)
class WebhookFacts:
    access: AdminAccess
    webhooks: tuple[al.Webhook, ...] = ()
    listed_by: str = ""
    problem: str | None = None
    requests: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatFacts:
    tokens: tuple[al.PatToken, ...] | None = None
    problem: str | None = None


def _admin_login(facts: "Facts", deployment: str | None) -> tuple[Login, str] | None:
    t = facts.target
    if t.admin_pat:
        return Login("pat", secret=t.admin_pat), "--admin-pat"
    if t.admin_user and t.admin_password:
        method = "token" if deployment == "Cloud" else "basic"
        return Login(method, user=t.admin_user, secret=t.admin_password), "--admin-user/--admin-password"
    return None



def not_admin_reason(access: AdminAccess, what: str) -> str:
    """The skip reason: why the admin resources were not read, and the exact options that enable them."""
    who = f" ({access.source})" if access.source else ""
    return (
        f"reading {what} needs a Jira administrator's login: {access.reason}{who}. "
        f"Give {ENABLE_OPTIONS}; jiradoctor only reads (GET)."
    )

async def _administer(facts: "Facts", login: Login) -> tuple[bool | None, str]:
    url = (facts.target.url or "").rstrip("/")
    answer = await fetch_as(facts, login, "GET", f"{url}/rest/api/2/mypermissions?permissions=ADMINISTER")
    granted = parse_mypermissions(answer.body) if answer.status == 200 else None
    if granted is None or "ADMINISTER" not in granted:
        return None, f"Jira did not say whether this user is an administrator ({describe(answer)})"
    return _said(granted["ADMINISTER"])


def _said(administers: bool) -> tuple[bool, str]:
    if administers:
        return True, "Jira confirms the global ADMINISTER permission"
    return False, "Jira says this user does not hold the global ADMINISTER permission"


async def _service_user_administers(facts: "Facts", login: Login, deployment: str | None) -> tuple[bool | None, str]:
    """The integration's own ADMINISTER, read from the permission check's first project answer when
    that costs no round trip: on Server (whose project answers carry every key, global ones too)
    with ``--projects`` (no listing first). Otherwise, or when that answer lacks it, asked alone."""
    if deployment != "Cloud" and facts.target.projects and facts.expects("permission_matrix"):
        from jiradoctor.probes.permissions import SERVICE_USER_GRANTS

        facts.start("permission_matrix")
        granted = await facts.handoff(SERVICE_USER_GRANTS)
        if granted is not None and "ADMINISTER" in granted:
            return _said(granted["ADMINISTER"])
    return await _administer(facts, login)


async def admin_access_probe(facts: "Facts") -> AdminAccess:
    target = facts.target
    deployment = deployment_of(await facts.get("server_info"), target.url)
    service = login_for(target)
    service_admin: bool | None = None
    if service.given and await login_proven(facts):
        service_admin, service_reason = await _service_user_administers(facts, service, deployment)
    chosen = _admin_login(facts, deployment)
    if chosen is None:
        if not service.given:
            return AdminAccess(service, "", None, "no credentials were given")
        if service_admin is None:
            return AdminAccess(
                service,
                "the integration's credentials",
                None,
                "the integration's login was not proven, so Jira was not asked whether it administers",
            )
        return AdminAccess(service, "the integration's credentials", service_admin, service_reason, service_admin)
    login, source = chosen
    url = (target.url or "").rstrip("/")
    myself = await fetch_as(facts, login, "GET", f"{url}/rest/api/2/myself")
    if myself.status != 200 or read_identity(myself.body) is None:
        return AdminAccess(
            login, source, False, f"the administrator's login did not succeed ({describe(myself)})", service_admin
        )
    is_admin, reason = await _administer(facts, login)
    return AdminAccess(login, source, is_admin, reason, service_admin)


class _Reader:
    """GETs as the admin login, bounded in concurrency, remembering what it sent."""

    def __init__(self, facts: "Facts", login: Login) -> None:
        import asyncio

        self.facts, self.login = facts, login
        self.url = (facts.target.url or "").rstrip("/")
        self.sent: list[str] = []
        self.semaphore = asyncio.Semaphore(CONCURRENCY)

    async def get(self, path: str) -> HttpAnswer:
        async with self.semaphore:
            self.sent.append(f"GET {path}")
            return await fetch_as(self.facts, self.login, "GET", self.url + path, max_body=4 * 1024 * 1024)


async def _none() -> None:
    return None


def _q(ident: str) -> str:
    return urllib.parse.quote(ident, safe="")


async def _detail(reader: _Reader, link: al.AppLink, with_status: bool) -> al.AppLink:
    import asyncio

    consumer_answer, status_answer = await asyncio.gather(
        reader.get(CONSUMER.format(id=_q(link.id))),
        reader.get(STATUS_V3.format(id=_q(link.id))) if with_status else _none(),
    )
    status = al.parse_status(status_answer.body) if status_answer is not None and status_answer.status == 200 else None
    consumers = al.parse_consumers(consumer_answer.body) if consumer_answer.status == 200 else None
    # a 404 means "no incoming consumer" (JIRA-FACTS §10), unless Jira itself says incoming OAuth is on
    # for this link: then the 404 is about the resource, and nothing was observed
    said_on = (status is not None and status.incoming_enabled is True) or any(
        "OAuth" in a for a in link.inbound_authenticators or ()
    )
    read = consumers is not None or (consumer_answer.status == 404 and not said_on)
    return replace(link, status=status, consumer=consumers[0] if consumers else None, consumer_read=read)


async def applinks_probe(facts: "Facts") -> AppLinkFacts:
    import asyncio

    access: AdminAccess = await facts.get("admin_access")
    if not access.is_admin:
        return AppLinkFacts(access)
    reader = _Reader(facts, access.login)
    answer = await reader.get(LINKS_V3)
    links, listed_by = (al.parse_links_v3(answer.body) if answer.status == 200 else None), LINKS_V3
    if links is None and answer.status in (404, 405):
        answer = await reader.get(LINKS_V1)
        links, listed_by = (al.parse_links_v1(answer.body) if answer.status == 200 else None), LINKS_V1
    if links is None:
        return AppLinkFacts(
            access, problem=f"listing application links failed: {describe(answer)}", requests=tuple(reader.sent)
        )
    detailed = await asyncio.gather(
        *(_detail(reader, link, listed_by == LINKS_V3) for link in links[:MAX_LINKS_DETAILED])
    )
    oauth2 = None
    if facts.target.profile.applink_auth != "oauth1":
        o2 = await reader.get(OAUTH2_CLIENTS)
        oauth2 = _oauth2_names(o2.body) if o2.status == 200 else None
    return AppLinkFacts(
        access, tuple(detailed) + tuple(links[MAX_LINKS_DETAILED:]), listed_by, oauth2, requests=tuple(reader.sent)
    )


def _oauth2_names(body: str) -> tuple[str, ...] | None:
    """UNCONFIRMED shape: a JSON array of clients with ``name`` (and ``redirects``)."""
    data = al._json(body)
    if not isinstance(data, list):
        return None
    return tuple(al._s(c.get("name")) for c in data[: al.MAX_LINKS] if isinstance(c, dict))


async def webhooks_probe(facts: "Facts") -> WebhookFacts:
    access: AdminAccess = await facts.get("admin_access")
    if not access.is_admin:
        return WebhookFacts(access)
    reader = _Reader(facts, access.login)
    # Jira 10's path first: it exists only from Jira 10 on, where it is the authoritative list; whether
    # the old path still answers there is unknown (JIRA-FACTS §10), so it is asked only when the new one
    # is absent (Jira 9 and older)
    for path in (WEBHOOKS_JIRA10, WEBHOOKS_OLD):
        answer = await reader.get(path)
        if answer.status in (404, 405):
            continue
        hooks = al.parse_webhooks(answer.body) if answer.status == 200 else None
        if hooks is None:
            return WebhookFacts(
                access, problem=f"listing webhooks failed: {describe(answer)}", requests=tuple(reader.sent)
            )
        return WebhookFacts(access, tuple(hooks), path, requests=tuple(reader.sent))
    return WebhookFacts(
        access,
        problem=f"neither {WEBHOOKS_JIRA10} nor {WEBHOOKS_OLD} exists here ({describe(answer)})",
        requests=tuple(reader.sent),
    )


async def pat_probe(facts: "Facts") -> PatFacts:
    """The PAT owner's own tokens (no admin needed); only for a PAT that logged in."""
    login = login_for(facts.target)
    if login.method != "pat":
        return PatFacts(problem="no personal access token is in use")
    if not await login_proven(facts):
        return PatFacts(problem="the personal access token did not log in (see the auth check)")
    answer = await fetch_as(facts, login, "GET", (facts.target.url or "").rstrip("/") + PAT_TOKENS)
    tokens = al.parse_pat_tokens(answer.body) if answer.status == 200 else None
    if tokens is None:
        return PatFacts(problem=f"Jira did not list the token's details ({describe(answer)})")
    return PatFacts(tuple(tokens))


ADMIN_ACCESS: Fact[AdminAccess] = Fact("admin_access", "Whether the login is a Jira administrator (applinks are "
                                                       "readable only then)")
APPLINKS: Fact[AppLinkFacts] = Fact(
    "applinks", "Jira's application links as Jira stores them, with their consumers and status"
)
WEBHOOKS: Fact[WebhookFacts] = Fact("webhooks", "Jira's registered webhooks")
PATS: Fact[PatFacts] = Fact("pat_tokens", "The user's personal access tokens and their expiry dates")

FACTS = {
    ADMIN_ACCESS.name: admin_access_probe,
    APPLINKS.name: applinks_probe,
    WEBHOOKS.name: webhooks_probe,
    PATS.name: pat_probe,
}
