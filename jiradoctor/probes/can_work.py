"""Probes of what the integration will do, none of which changes anything in Jira.

Why: reads can work while the integration's own calls fail: its writes are refused by Jira's XSRF
filter (a browser User-Agent), the endpoints it calls were removed, a proxy cache turns its HEAD
requests into GETs, or a load balancer bounces its session between cluster nodes. Each probe sends
only what cannot mutate: a POST search for zero issues, GETs, one HEAD, a few GETs of /myself.
They run only after /myself proved the login (a refused login would count towards Jira's CAPTCHA).
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from jiradoctor.facts import Fact
from jiradoctor.jira import endpoints
from jiradoctor.jira.endpoints import EndpointSpec
from jiradoctor.jira.oauth1 import OAuthProblem, parse_problem
from jiradoctor.probes.auth import Login, LoginAttempt, fetch_as, login_proven
from jiradoctor.probes.http import USER_AGENT, HttpAnswer, TransportError, fetch
from jiradoctor.probes.server_info import api_url

if TYPE_CHECKING:
    from jiradoctor.context import Facts

STICKY_REQUESTS = 4
SESSION_COOKIES = (
    "jsessionid",
    "awsalb",
    "awsalbcors",
    "awselb",
    "route",
    "bigipserver",
    "serverid",
    "atlassian.xsrf.token",
)


@dataclass(frozen=True)
class Prepared:
    """Why a probe could not run (``reason``), or the login and deployment it runs with."""

    login: Login | None
    deployment: str | None
    reason: str | None = None
    blocked_by: tuple[str, ...] = ()


async def _prepared(facts: "Facts") -> Prepared:
    attempt: LoginAttempt = await facts.get("auth_login")
    if not attempt.login.given:
        return Prepared(
            None,
            attempt.deployment,
            attempt.login.note or "no credentials given: these probes act as the integration's user",
        )
    if not await login_proven(facts):
        return Prepared(None, attempt.deployment, "the login was not proven (see auth)", ("auth",))
    return Prepared(attempt.login, attempt.deployment)


def user_agent(facts: "Facts") -> str:
    """The integration's User-Agent: --user-agent, else its profile's, else jiradoctor's own."""
    target = facts.target
    if target.user_agent:
        return target.user_agent

    try:
        return target.profile.user_agent or USER_AGENT
    except (KeyError, OSError, ValueError):
        return USER_AGENT


@dataclass(frozen=True)
class WriteProbe:
    prepared: Prepared
    answer: HttpAnswer | None = None
    user_agent: str = USER_AGENT
    path: str = ""


async def xsrf_probe(facts: "Facts") -> WriteProbe:
    prepared = await _prepared(facts)
    if prepared.login is None:
        return WriteProbe(prepared)
    path, body = endpoints.XSRF_PROBE_CLOUD if prepared.deployment == "Cloud" else endpoints.XSRF_PROBE_SERVER
    url = api_url(facts.target.url or "", path)
    agent = user_agent(facts)
    try:
        headers = prepared.login.headers("POST", url)
    except Exception as exc:  # noqa: BLE001 - an unusable key: public-key says why
        return WriteProbe(
            prepared,
            HttpAnswer("POST", url, error=TransportError("other", f"cannot sign ({type(exc).__name__})")),
            agent,
            path,
        )
    # as the integration sends it: its User-Agent, JSON, no X-Atlassian-Token
    answer = await fetch(facts, "POST", url, headers={**headers, "User-Agent": agent}, json=body)
    return WriteProbe(prepared, answer, agent, path)


@dataclass(frozen=True)
class EndpointProbe:
    prepared: Prepared
    answers: tuple[tuple[EndpointSpec, HttpAnswer], ...] = ()
    specs_error: str | None = None


async def endpoints_probe(facts: "Facts") -> EndpointProbe:
    prepared = await _prepared(facts)
    if prepared.login is None:
        return EndpointProbe(prepared)

    try:
        specs = [
            endpoints.parse_spec(s)
            for s in facts.target.profile.rest_endpoints
        ]
    except (endpoints.BadSpec, KeyError) as exc:
        return EndpointProbe(prepared, specs_error=str(exc))
    wanted = [s for s in specs if s.method == "GET" and s.applies_to(prepared.deployment)][:16]
    login = prepared.login
    import asyncio  # at run time only: `jiradoctor checks` imports this module for its types (issue 14)

    answers = await asyncio.gather(
        *(fetch_as(facts, login, "GET", api_url(facts.target.url or "", s.path), max_body=16 * 1024) for s in wanted)
    )
    return EndpointProbe(prepared, tuple(zip(wanted, answers, strict=False)))


@dataclass(frozen=True)
class HeadGetProbe:
    prepared: Prepared
    get: HttpAnswer | None = None
    head: HttpAnswer | None = None
    head_problem: OAuthProblem | None = None


async def head_get_probe(facts: "Facts") -> HeadGetProbe:
    """A signed HEAD beside a signed GET of the same resource (OAuth 1.0a signs the method)."""
    prepared = await _prepared(facts)
    if prepared.login is None or prepared.login.method != "oauth1":
        return HeadGetProbe(
            prepared
            if prepared.login is None
            else Prepared(None, prepared.deployment, "only OAuth 1.0a signs the method (HEAD vs GET)")
        )
    url = api_url(facts.target.url or "", "/rest/api/2/myself")
    import asyncio

    get, head = await asyncio.gather(
        fetch_as(facts, prepared.login, "GET", url), fetch_as(facts, prepared.login, "HEAD", url)
    )
    problem = parse_problem(head.header("www-authenticate"), head.body) if head.ok else None
    return HeadGetProbe(prepared, get, head, problem)


@dataclass(frozen=True)
class StickyProbe:
    """``nodes``: X-ANODEID of each answer (None when absent). ``cookie_sent``: whether request i
    carried the session cookie of an earlier answer; ``new_session``: whether answer i set a new one.
    Cookie values themselves are never kept (they are credentials)."""

    prepared: Prepared
    statuses: tuple[int | None, ...] = ()
    nodes: tuple[str | None, ...] = ()
    cookie_sent: tuple[bool, ...] = ()
    new_session: tuple[bool, ...] = ()
    cookie_names: tuple[str, ...] = ()


def _set_cookies(answer: HttpAnswer, facts: "Facts") -> dict[str, str]:
    raw = answer.header("set-cookie") or ""
    found: dict[str, str] = {}
    for part in raw.split("\n") if "\n" in raw else [raw]:
        try:
            jar = SimpleCookie()
            jar.load(part)
        except CookieError:
            continue
        for name, morsel in jar.items():
            if name.lower() in SESSION_COOKIES or name.lower().startswith(("awsalb", "bigipserver")):
                facts.redactor.add(morsel.value)
                found[name] = morsel.value
    return found


async def sticky_probe(facts: "Facts") -> StickyProbe:
    """A few authenticated GETs of /myself, one after another, sending back the session cookies
    Jira (or the load balancer) set, as a client with a cookie jar does."""
    prepared = await _prepared(facts)
    if prepared.login is None:
        return StickyProbe(prepared)
    url = api_url(facts.target.url or "", "/rest/api/2/myself")
    jar: dict[str, str] = {}
    statuses, nodes, sent, fresh = [], [], [], []
    for _ in range(STICKY_REQUESTS):
        try:
            headers = prepared.login.headers("GET", url)
        except Exception:  # noqa: BLE001
            break
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        answer = await fetch(facts, "GET", url, headers=headers, max_body=16 * 1024)
        if not answer.ok:
            break
        cookies = _set_cookies(answer, facts)
        statuses.append(answer.status)
        nodes.append(answer.header("x-anodeid"))
        sent.append(bool(jar))
        fresh.append(any(jar.get(k) != v for k, v in cookies.items() if k.lower() == "jsessionid") if jar else False)
        jar.update(cookies)
    return StickyProbe(prepared, tuple(statuses), tuple(nodes), tuple(sent), tuple(fresh), tuple(sorted(jar)))


CAN_WORK_WRITE: Fact[WriteProbe] = Fact("can_work_write", "A POST that changes nothing: does Jira's XSRF filter let "
                                                          "the integration write")
CAN_WORK_ENDPOINTS: Fact[EndpointProbe] = Fact(
    "can_work_endpoints", "GETs of the REST endpoints the integration's profile calls"
)
CAN_WORK_HEAD_GET: Fact[HeadGetProbe] = Fact(
    "can_work_head_get", "A signed HEAD beside a signed GET of the same resource"
)
CAN_WORK_STICKY: Fact[StickyProbe] = Fact(
    "can_work_sticky", "Several GETs of /myself: does the session stay on one node"
)

FACTS = {
    CAN_WORK_WRITE.name: xsrf_probe,
    CAN_WORK_ENDPOINTS.name: endpoints_probe,
    CAN_WORK_HEAD_GET.name: head_get_probe,
    CAN_WORK_STICKY.name: sticky_probe,
}
