"""OAuth 1.0a probes: the request-token exchange an integration starts with, and one signed REST call.

Read-only towards Jira: a request token is the only thing asked for, and it is never authorised.
Token secrets in answers are registered with the run's redactor at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jiradoctor.facts import Fact
from jiradoctor.jira import consumer_keys
from jiradoctor.jira.oauth1 import (
    CALLBACK_OOB, REQUEST_TOKEN_PATH, OAuthProblem, SignedRequest, parse_problem, parse_token_answer, sign_request,
)
from jiradoctor.probes.http import HttpAnswer, fetch
from jiradoctor.probes.server_info import api_url

if TYPE_CHECKING:
    from jiradoctor.context import Facts


@dataclass(frozen=True)
class OAuthExchange:
    consumer_key: str
    request: SignedRequest | None
    answer: HttpAnswer | None
    problem: OAuthProblem | None = None
    granted: bool = False
    sign_error: str | None = None


def _register_secrets(facts: "Facts", answer: HttpAnswer) -> None:
    granted = parse_token_answer(answer.body) if answer.status == 200 else None
    if granted:
        facts.redactor.add(granted.get("oauth_token_secret"))


async def signed_exchange(facts: "Facts", method: str, url: str, consumer_key: str,
                          token: str | None = None, callback: str | None = None) -> OAuthExchange:
    private_key = facts.target.private_key
    if private_key is None:
        raise ValueError("an OAuth exchange needs --private-key")
    from cryptography.hazmat.primitives.asymmetric import rsa

    read = facts.target.private_key_read
    loaded = read.private_key if read is not None else None
    key = loaded if isinstance(loaded, rsa.RSAPrivateKey) else private_key.reveal()  # not RSA: oauthlib says why
    try:
        request = sign_request(method, url, consumer_key, key,
                               token=token, callback=callback)
    except Exception as exc:  # an unusable key: the public-key check says why
        return OAuthExchange(consumer_key, None, None, sign_error=f"cannot sign with the private key "
                                                                  f"({type(exc).__name__})")
    answer = await fetch(facts, method, request.url, headers=request.headers, content=b"" if method == "POST" else None)
    _register_secrets(facts, answer)
    problem = parse_problem(answer.header("www-authenticate"), answer.body) if answer.ok else None
    granted = bool(answer.ok and answer.status == 200 and parse_token_answer(answer.body))
    return OAuthExchange(consumer_key, request, answer, problem, granted)


async def request_token(facts: "Facts", consumer_key: str) -> OAuthExchange:
    url = api_url(facts.target.url or "", REQUEST_TOKEN_PATH)
    return await signed_exchange(facts, "POST", url, consumer_key, callback=CALLBACK_OOB)


async def request_token_probe(facts: "Facts") -> OAuthExchange:
    return await request_token(facts, facts.target.consumer_key or "")


async def request_token_cleaned_probe(facts: "Facts") -> OAuthExchange | None:
    """The same exchange with the key cleaned of whitespace and invisible characters, if that differs."""
    typed = facts.target.consumer_key or ""
    cleaned = consumer_keys.cleaned(typed)
    if cleaned == typed or not cleaned:
        return None
    return await request_token(facts, cleaned)


async def rest_call_probe(facts: "Facts") -> OAuthExchange | None:
    """One signed GET of /myself with the given access token (who does Jira think we are?).

    The query parameter is deliberate: integrations' REST calls carry queries, and a proxy or CDN
    that drops them only shows up in a signed request that has one.
    """
    token = facts.target.access_token
    if not token:
        return None
    facts.redactor.add(token)
    url = api_url(facts.target.url or "", "/rest/api/2/myself?expand=groups")
    return await signed_exchange(facts, "GET", url, facts.target.consumer_key or "", token=token.reveal())


OAUTH_REQUEST_TOKEN: Fact[OAuthExchange] = Fact(
    "oauth_request_token", "The signed OAuth 1.0a request-token exchange with the consumer key as typed"
)
OAUTH_REQUEST_TOKEN_CLEANED: Fact[OAuthExchange | None] = Fact(
    "oauth_request_token_cleaned",
    "The same exchange with the consumer key's whitespace removed (None when it has none)",
)
OAUTH_REST_CALL: Fact[OAuthExchange | None] = Fact(
    "oauth_rest_call", "A signed REST call with the access token (None without --access-token)"
)

FACTS = {
    OAUTH_REQUEST_TOKEN.name: request_token_probe,
    OAUTH_REQUEST_TOKEN_CLEANED.name: request_token_cleaned_probe,
    OAUTH_REST_CALL.name: rest_call_probe,
}
