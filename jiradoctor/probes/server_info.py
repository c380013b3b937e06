"""``server_info``: Jira's anonymous identity (Base URL, version, deployment, clock) and a 401 realm.

Two requests in parallel: ``/rest/api/2/serverInfo`` (anonymous) and ``/rest/api/2/myself``, whose
headers identify Jira even when serverInfo is blocked, and whose 401 carries ``WWW-Authenticate:
OAuth realm="<Base URL>"``. When the run sends the OAuth-signed ``/myself`` anyway (the
oauth-signature check, with ``--access-token``), that one answer serves here too (issue 14: one
``/myself`` per run); it carries no password, so sending it before reachability is judged costs
nothing a lockout counts. A healthy signed call is a 200: the realm is then not seen in this run.
Otherwise the ``/myself`` is sent without credentials and Jira answers 401 with the realm.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from jiradoctor.facts import Fact
from jiradoctor.jira.oauth1 import parse_www_authenticate
from jiradoctor.net import bounded_json
from jiradoctor.probes.http import HttpAnswer, fetch

if TYPE_CHECKING:
    from jiradoctor.context import Facts

JIRA_HEADERS = ("x-arequestid", "x-asessionid", "x-anodeid", "x-asen", "x-ausername", "x-seraph-loginreason")


MAX_REDIRECTS = 5


@dataclass(frozen=True)
class ServerInfo:
    answer: HttpAnswer
    challenge: HttpAnswer  # the run's /myself: unauthenticated, or the OAuth-signed one (see the module)
    redirects: tuple[str, ...] = ()  # Location of each redirect followed, in order
    base_url: str | None = None
    version: str | None = None
    deployment: str | None = None
    server_time: datetime | None = None
    realm: str | None = None
    problem: str | None = None  # why the answer is not Jira's serverInfo, when it is not

    @property
    def redirect_loop(self) -> bool:
        return len(set(self.redirects)) < len(self.redirects) or len(self.redirects) > MAX_REDIRECTS

    @property
    def is_jira(self) -> bool:
        return self.base_url is not None

    @property
    def jira_headers(self) -> dict[str, str]:
        return {h: v for h in JIRA_HEADERS if (v := self.answer.header(h)) is not None}


def api_url(url: str, path: str) -> str:
    return url.rstrip("/") + path


def parse_server_time(value: Any) -> datetime | None:
    """Jira's ``serverTime``: ``2024-05-01T10:00:00.000+0000``."""
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, fmt).astimezone(timezone.utc)
        except (ValueError, OverflowError):
            continue
    return None


def realm_of(answer: HttpAnswer) -> str | None:
    value = answer.header("www-authenticate")
    if not value or not value.strip().lower().startswith("oauth"):
        return None
    realm = parse_www_authenticate(value).get("realm")
    return urllib.parse.unquote(realm) if realm else None


def read_server_info(answer: HttpAnswer, challenge: HttpAnswer, redirects: tuple[str, ...] = ()) -> ServerInfo:
    realm = realm_of(challenge)
    if not answer.ok:
        return ServerInfo(
            answer,
            challenge,
            redirects,
            realm=realm,
            problem=f"no answer: {answer.error.message if answer.error else ''}",
        )
    if answer.status != 200:
        return ServerInfo(answer, challenge, redirects, realm=realm, problem=f"HTTP {answer.status}")
    if answer.problem:
        return ServerInfo(answer, challenge, redirects, realm=realm, problem=answer.problem)
    try:
        data = bounded_json.loads(answer.body)
    except bounded_json.JsonProblem as exc:  # "[[[[..." 100k deep, huge numbers, plain text
        problem = "the answer is an HTML page" if answer.looks_like_html else str(exc)
        if answer.truncated and not answer.looks_like_html:
            size_kb = len(answer.body.encode()) // 1024
            problem = f"the answer is larger than {size_kb} KB, far more than serverInfo's few hundred bytes"
        return ServerInfo(answer, challenge, redirects, realm=realm, problem=problem)
    if not isinstance(data, dict) or not isinstance(data.get("baseUrl"), str):
        return ServerInfo(answer, challenge, redirects, realm=realm, problem="JSON without baseUrl")
    return ServerInfo(
        answer,
        challenge,
        redirects,
        base_url=data["baseUrl"][:2048],
        version=str(data.get("version"))[:64] if data.get("version") is not None else None,
        deployment=str(data.get("deploymentType"))[:32] if data.get("deploymentType") else None,
        server_time=parse_server_time(data.get("serverTime")),
        realm=realm,
    )


async def get_following_redirects(facts: "Facts", url: str) -> tuple[HttpAnswer, tuple[str, ...]]:
    """GET, following at most MAX_REDIRECTS redirects and stopping at the first repeated URL."""
    seen: list[str] = []
    answer = await fetch(facts, "GET", url)
    while answer.ok and answer.status in (301, 302, 303, 307, 308) and answer.header("location"):
        try:
            location = urllib.parse.urljoin(answer.url, answer.header("location") or "")
            urllib.parse.urlsplit(location).port  # noqa: B018 - "http://[…" or a bad port raises here
        except ValueError:
            break  # a malformed Location is the server's: the redirect answer itself is the fact
        seen.append(location)
        if seen.count(location) > 1 or len(seen) > MAX_REDIRECTS:
            break
        answer = await fetch(facts, "GET", location)
    return answer, tuple(seen)


async def myself_answer(facts: "Facts") -> HttpAnswer:
    """The run's one ``/myself`` without a password: the OAuth-signed call when the run makes it
    anyway, else an unauthenticated GET."""
    url = facts.target.url or ""
    if facts.target.access_token and facts.expects("oauth_rest_call"):
        exchange = await facts.get("oauth_rest_call")
        answer: HttpAnswer | None = exchange.answer if exchange is not None else None
        # ask plainly only when the signed call could not be sent (a key that cannot sign) or its
        # certificate was refused for a credential under --insecure; a closed port or a silent
        # server would only make the plain request wait the same way again
        if answer is not None and (answer.ok or answer.error is None or answer.error.kind != "tls"):
            return answer
    return await fetch(facts, "GET", api_url(url, "/rest/api/2/myself"))


async def probe(facts: "Facts") -> ServerInfo:
    import asyncio

    url = facts.target.url or ""
    (answer, redirects), challenge = await asyncio.gather(
        get_following_redirects(facts, api_url(url, "/rest/api/2/serverInfo")),
        myself_answer(facts),
    )
    return read_server_info(answer, challenge, redirects)


SERVER_INFO: Fact[ServerInfo] = Fact("server_info", "Jira's serverInfo: deployment, version, Base URL, following "
                                                    "redirects")

FACTS = {SERVER_INFO.name: probe}
