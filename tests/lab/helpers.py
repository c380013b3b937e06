"""Client-side helpers for the lab tests: signed OAuth 1.0a requests made with oauthlib.

oauthlib is an independent RSA-SHA1 signer, so a request it signs that the lab accepts shows the
lab verifies like a real provider (JIRA-FACTS §9).
"""

from __future__ import annotations

import ssl
import urllib.parse
from typing import Any

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC, SIGNATURE_RSA, Client

from jiradoctor_lab import LabServer

TIMEOUT = httpx.Timeout(5.0)
FORM = "application/x-www-form-urlencoded"

__all__ = ["SIGNATURE_HMAC", "SIGNATURE_RSA", "client_for", "signed", "parse_form", "oauth_header_params"]


def client_for(lab: LabServer, **kw: Any) -> httpx.Client:
    """An httpx client that trusts the lab CA when the lab serves HTTPS; never follows redirects."""
    verify: Any = True
    if lab.ca_pem:
        verify = ssl.create_default_context(cadata=lab.ca_pem)
    kw.setdefault("timeout", TIMEOUT)
    return httpx.Client(verify=verify, follow_redirects=False, trust_env=False, **kw)


def signed(
    lab: LabServer,
    method: str,
    path: str,
    *,
    base: str | None = None,
    consumer_key: str | None = None,
    token: str | None = None,
    callback: str | None = None,
    verifier: str | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
    signature_method: str = SIGNATURE_RSA,
    form: dict[str, str] | None = None,
    private_key_pem: str | None = None,
    host: str | None = None,
    extra_headers: dict[str, str] | None = None,
    http: httpx.Client | None = None,
) -> httpx.Response:
    """Sign ``method base+path`` with oauthlib and send it to the lab's real socket.

    ``base`` is the URL the client believes it talks to (default ``lab.url``); the request still
    goes to the lab's address, with ``Host`` set to ``host`` (default: base's authority).
    """
    base = base or lab.url
    url = base + path
    client = Client(
        consumer_key if consumer_key is not None else lab.consumer_key,
        resource_owner_key=token,
        callback_uri=callback,
        verifier=verifier,
        signature_method=signature_method,
        rsa_key=private_key_pem or lab.private_key_pem if signature_method == SIGNATURE_RSA else None,
        client_secret="secret" if signature_method != SIGNATURE_RSA else None,
        timestamp=str(timestamp) if timestamp is not None else None,
        nonce=nonce,
    )
    body = urllib.parse.urlencode(form) if form is not None else None
    headers_in = {"Content-Type": FORM} if form is not None else {}
    uri, headers, body = client.sign(url, http_method=method, body=body, headers=headers_in)
    parts = urllib.parse.urlsplit(uri)
    target = lab.address_url + parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(headers)
    headers["Host"] = host or urllib.parse.urlsplit(base).netloc
    headers.update(extra_headers or {})
    own = http is None
    http = http or client_for(lab)
    try:
        return http.request(method, target, headers=headers, content=body)
    finally:
        if own:
            http.close()


def parse_form(text: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


def oauth_header_params(header: str) -> dict[str, str]:
    """``OAuth realm="...", k="v"`` -> decoded dict (realm included)."""
    assert header.startswith("OAuth ")
    out = {}
    for part in header[6:].split(", "):
        key, _, value = part.partition("=")
        out[key] = urllib.parse.unquote(value.strip('"'))
    return out
