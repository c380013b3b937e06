"""Facts of a live run made by hand (serverInfo and its answers), shared by the live checks' tests."""

from __future__ import annotations

import time

from typing import Any

from jiradoctor.jira.oauth1 import sign_request
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.probes.server_info import ServerInfo

URL = "https://jira.example.com"


def answer(
    status: int = 200,
    headers: dict | None = None,
    body: str = "",
    sent_at: float | None = None,
    elapsed: float = 0.05,
    url: str = URL,
) -> HttpAnswer:
    return HttpAnswer(
        "GET", url, status, headers or {}, body, False, elapsed, time.time() if sent_at is None else sent_at
    )


def info(**kw) -> ServerInfo:
    served = kw.pop("answer", answer())
    return ServerInfo(served, kw.pop("challenge", answer(401)), **{"base_url": URL, "deployment": "Server", **kw})


def exchange(rsa_pair: Any, status: int, body: str = "", headers: dict | None = None, **kw: Any) -> OAuthExchange:
    """The request-token exchange as the probe records it, signed with the test's key."""
    url = URL + "/plugins/servlet/oauth/request-token"
    request = sign_request("POST", url, "piplanning.io", rsa_pair.private_pkcs8)
    return OAuthExchange("piplanning.io", request, answer(status, headers, body), **kw)
