"""What the live run saw of the URL Jira rebuilds from a request (not of the Base URL it reports).

Why: the integration's URL matching the Base URL says nothing about what Tomcat rebuilds behind a
proxy (its connector and RemoteIpValve decide, JIRA-FACTS §2); only an OAuth-signed request shows
it, by being accepted (Jira rebuilt the very URL signed) or by echoing the base string it computed.
Without that, a live "match" is a comparison of two strings, and the finding must say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiradoctor.context import CheckContext
from jiradoctor.jira.oauth1 import BaseString
from jiradoctor.probes.oauth import OAUTH_REQUEST_TOKEN


@dataclass(frozen=True)
class RequestUrlSeen:
    """``observed``: Jira's rebuilt URL is known; ``how``: in words; ``signs``: the run signs with OAuth 1.0a."""

    observed: bool
    how: str
    signs: bool
    jira_url: str | None = None
    refused: bool = False  # the signed request failed for a cause another check names (oauth_problem, no answer)


async def request_url_seen(ctx: CheckContext) -> RequestUrlSeen:
    target = ctx.target
    signs = bool(target.consumer_key and target.private_key is not None)
    if not signs or not ctx.can_probe(OAUTH_REQUEST_TOKEN):
        return RequestUrlSeen(False, "no OAuth-signed request was sent (the login given does not sign)", signs)
    exchange = await ctx.fact(OAUTH_REQUEST_TOKEN)
    signed = exchange.request.url.split("?")[0] if exchange.request is not None else None
    if exchange.granted and signed:
        return RequestUrlSeen(True, f"Jira accepted a request signed over {signed}", signs, signed)
    echoed = BaseString.parse(exchange.problem.base_string or "") if exchange.problem else None
    if echoed is not None:
        return RequestUrlSeen(True, f"Jira echoed the base string it computed, over {echoed.url}", signs, echoed.url)
    said = exchange.problem.problem if exchange.problem and exchange.problem.problem else None
    error = exchange.answer.error.kind if exchange.answer is not None and exchange.answer.error else None
    cause = said or error or exchange.sign_error
    return RequestUrlSeen(False, f"the signed request-token call showed no URL ({cause or 'no token, no base string'})",
                          signs, refused=cause is not None)
