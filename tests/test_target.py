"""Target: the auth method the credentials select, and every secret the redactor must know."""

from __future__ import annotations

import base64

import pytest

from jiradoctor.secrets import MASK, Secret
from jiradoctor.target import Target


@pytest.mark.parametrize(
    ("kwargs", "auth"),
    [
        ({}, "none"),
        ({"user": "u", "password": Secret("p")}, "basic"),
        ({"user": "u@example.com", "token": Secret("t")}, "token"),
        ({"pat": Secret("x")}, "pat"),
        ({"consumer_key": "k", "private_key": Secret("-----BEGIN PRIVATE KEY-----")}, "oauth1"),
        ({"consumer_key": "k"}, "none"),  # a consumer key alone cannot sign
    ],
)
def test_credentials_decide_the_auth_method(kwargs, auth) -> None:
    assert Target(**kwargs).auth == auth


def test_proxy_passwords_from_the_option_and_the_environment_are_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envuser:EnvProxyCanary%2Fx@127.0.0.1:3128")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:3129")  # no userinfo: nothing to redact
    redactor = Target(proxy="http://optuser:OptProxyCanary@127.0.0.1:3130").redactor()
    text = "tried EnvProxyCanary/x and OptProxyCanary and " + base64.b64encode(b"optuser:OptProxyCanary").decode()
    cleaned = redactor.text(text)
    assert "EnvProxyCanary" not in cleaned and "OptProxyCanary" not in cleaned
    assert cleaned.count(MASK) == 3


def test_every_credential_and_its_basic_form_is_redacted() -> None:
    target = Target(
        user="svc",
        password=Secret("Pw-canary-1"),
        token=Secret("Tok-canary-2"),
        pat=Secret("Pat-canary-3"),
        access_token=Secret("Acc-canary-4"),
    )
    redactor = target.redactor()
    basic = base64.b64encode(b"svc:Pw-canary-1").decode()
    out = redactor.text(f"Pw-canary-1 Tok-canary-2 Pat-canary-3 Acc-canary-4 Authorization: Basic {basic}")
    assert "canary" not in out and basic not in out


def test_answers_are_redacted_as_they_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that echoes a credential: it is masked before any check can cut the text short."""
    import asyncio

    import httpx

    from jiradoctor.context import Facts
    from jiradoctor.probes.http import fetch

    secret = "EchoedPasswordCanary-991"

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"X-Debug": f"you sent {secret}"}, text=f"bad login {secret} " + "x" * 500)

    target = Target(url="https://jira.example.com", user="svc", password=Secret(secret))

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(echo)) as client:
            facts = Facts(target, preset={"http_client": client})
            return await fetch(facts, "GET", "https://jira.example.com/rest/api/2/myself")

    answer = asyncio.run(go())
    assert secret not in answer.body and secret not in answer.header("x-debug")
    assert answer.body.startswith(f"bad login {MASK}")
