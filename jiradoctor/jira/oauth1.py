"""OAuth 1.0a as Jira's application links speak it: signing, base strings and oauth_problem answers.

Requests are signed with oauthlib exactly as an integration signs them (RSA-SHA1, the consumer
key verbatim). The base string we signed is rebuilt from the headers actually sent, so it can
be compared with the one Jira echoes on ``signature_invalid`` (JIRA-FACTS.md §1).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.secrets import MASK

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

REQUEST_TOKEN_PATH = "/plugins/servlet/oauth/request-token"
CALLBACK_OOB = "oob"
MAX_PARAM_VALUE = 4096  # bound what a hostile server can make us keep
MAX_BASE_STRING = 16384

_AUTH_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_\-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


@dataclass(frozen=True)
class SignedRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    base_string: str


def sign_request(
    method: str,
    url: str,
    consumer_key: str,
    private_key: "str | RSAPrivateKey",
    token: str | None = None,
    callback: str | None = None,
    nonce: str | None = None,
    timestamp: str | None = None,
) -> SignedRequest:
    """Sign like an integration: RSA-SHA1, parameters in the Authorization header.

    ``private_key`` is PEM text or an already loaded key (loading costs ~60 ms, so callers that
    sign several requests pass the key). ``nonce`` and ``timestamp`` are fixed only by tests
    (RSA-SHA1 is deterministic given both).
    """
    from oauthlib.oauth1 import Client, SIGNATURE_RSA, SIGNATURE_TYPE_AUTH_HEADER

    client = Client(
        consumer_key,
        nonce=nonce,
        timestamp=timestamp,
        signature_method=SIGNATURE_RSA,
        rsa_key=private_key,
        resource_owner_key=token,
        callback_uri=callback,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
    )
    signed_url, headers, _ = client.sign(url, http_method=method)
    return SignedRequest(method, signed_url, dict(headers), base_string_of(method, signed_url, headers))


def base_string_of(method: str, url: str, headers: Mapping[str, str], body: str | None = None) -> str:
    """The signature base string for a request as it is sent (RFC 5849 §3.4.1)."""
    from oauthlib.oauth1.rfc5849 import signature as sig

    query = urllib.parse.urlsplit(url).query
    params = sig.collect_parameters(uri_query=query, body=body, headers=dict(headers), exclude_oauth_signature=True)
    return str(sig.signature_base_string(method.upper(), sig.base_string_uri(url), sig.normalize_parameters(params)))


@dataclass(frozen=True)
class BaseString:
    """A base string taken apart: method, URL and the (sorted) parameter pairs."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> "BaseString | None":
        """None for anything that is not ``METHOD&URL&PARAMS``; never raises (server text)."""
        if not isinstance(text, str) or len(text) > MAX_BASE_STRING:
            return None
        parts = text.split("&")
        if len(parts) != 3:
            return None
        method, url, params = (urllib.parse.unquote(p) for p in parts)
        pairs = tuple(
            (urllib.parse.unquote(k), urllib.parse.unquote(v))
            for k, _, v in (item.partition("=") for item in params.split("&") if item)
        )
        return cls(method, url, pairs)

    def jira_url(self) -> JiraUrl | None:
        try:
            return JiraUrl.parse(self.url)
        except InvalidUrl:
            return None


@dataclass(frozen=True)
class BaseStringDiff:
    method: tuple[str, str] | None
    url_parts: tuple[str, ...]
    signed_url: str
    seen_url: str
    missing: tuple[str, ...]  # parameters we signed that Jira did not see
    added: tuple[str, ...]  # parameters Jira saw that we did not sign
    changed: tuple[str, ...]


# Parameters that differ between any two signed requests by design.
_VOLATILE = {"oauth_nonce", "oauth_timestamp", "oauth_signature"}


def diff_base_strings(signed: BaseString, seen: BaseString) -> BaseStringDiff:
    ours, theirs = signed.jira_url(), seen.jira_url()
    parts: tuple[str, ...] = ()
    if ours and theirs:
        parts = tuple(ours.differences(theirs))
    elif signed.url != seen.url:
        parts = ("url",)
    mine = {k: v for k, v in signed.params}
    jira = {k: v for k, v in seen.params}
    return BaseStringDiff(
        method=(signed.method, seen.method) if signed.method != seen.method else None,
        url_parts=parts,
        signed_url=signed.url,
        seen_url=seen.url,
        missing=tuple(sorted(set(mine) - set(jira))),
        added=tuple(sorted(set(jira) - set(mine))),
        # a value we masked in Jira's echo (the access token) cannot be compared, so it is not "changed"
        changed=tuple(
            sorted(k for k in set(mine) & set(jira) if k not in _VOLATILE and jira[k] != MASK and mine[k] != jira[k])
        ),
    )


@dataclass(frozen=True)
class OAuthProblem:
    """An ``oauth_problem`` answer, read from the WWW-Authenticate header and/or the form body."""

    problem: str | None
    params: Mapping[str, str] = field(default_factory=dict)
    realm: str | None = None

    @property
    def base_string(self) -> str | None:
        return self.params.get("oauth_signature_base_string")


def parse_www_authenticate(value: str) -> dict[str, str]:
    """Parameters of an ``OAuth ...`` challenge; values percent-decoded. Never raises."""
    value = value.strip()
    if value[:5].lower() == "oauth":
        value = value[5:]
    out: dict[str, str] = {}
    for match in _AUTH_PARAM.finditer(value[:16384]):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        out[match.group(1)] = urllib.parse.unquote(raw.replace('\\"', '"'))[:MAX_PARAM_VALUE]
    return out


def parse_form(body: str) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(body[:65536], keep_blank_values=True, strict_parsing=False)
    except ValueError:
        return {}
    return {k: v[:MAX_PARAM_VALUE] for k, v in pairs}


def parse_problem(
    www_authenticate: str | None, body: str | None, content_type: str | None = None
) -> OAuthProblem | None:
    """Jira puts the problem in both places; either is enough. None when it is not an OAuth answer."""
    header = (
        parse_www_authenticate(www_authenticate)
        if www_authenticate and www_authenticate.strip().lower().startswith("oauth")
        else {}
    )
    form: dict[str, str] = {}
    if body and "oauth_problem=" in body and "<" not in body[:200]:
        form = parse_form(body.strip())
    merged = {**header, **form}
    realm = merged.pop("realm", None)
    problem = merged.get("oauth_problem")
    if problem is None and realm is None:
        return None
    return OAuthProblem(problem, merged, realm)


def parse_token_answer(body: str) -> dict[str, str] | None:
    """``oauth_token=...&oauth_token_secret=...`` from a granted request; None if absent."""
    form = parse_form(body.strip())
    return form if "oauth_token" in form else None
