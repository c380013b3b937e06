"""outgoing-tls judged from facts built here: what it cannot observe is skip, never pass."""

from __future__ import annotations

import datetime as _dt

import pytest

from jiradoctor.checks.outgoing_tls import alias_for, judge_fact
from jiradoctor.model import NotObserved, Status
from jiradoctor.net.truststore import TruststoreError
from jiradoctor.probes.http import TransportError
from jiradoctor.probes.outgoing_tls import OutgoingTlsFact

def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)  # when judged: the certificates are generated at test time


def test_plain_http_integration_is_not_observed() -> None:
    with pytest.raises(NotObserved, match="not https"):
        judge_fact(OutgoingTlsFact("http://zephyr.example.com", "zephyr.example.com", 80, https=False), now())


def test_no_handshake_is_not_observed() -> None:
    fact = OutgoingTlsFact("https://zephyr.example.com", "zephyr.example.com", 443, https=True,
                           error=TransportError("connect", "connection refused"))
    with pytest.raises(NotObserved, match="connection refused"):
        judge_fact(fact, now())


@pytest.mark.parametrize("kind, code", [("password", "outgoing-tls/truststore-password"),
                                        ("unreadable", "outgoing-tls/truststore-unreadable"),
                                        ("empty", "outgoing-tls/truststore-unreadable")])
def test_truststore_errors_are_findings(kind: str, code: str) -> None:
    fact = OutgoingTlsFact("https://z.example.com", "z.example.com", 443, https=True,
                           truststore_error=TruststoreError(kind, "why"))
    findings = judge_fact(fact, now())
    assert [(f.code, f.status) for f in findings] == [(code, Status.FAIL)]


def test_alias_is_unique_and_shell_safe() -> None:
    class Cert:
        name = "Corp Root CA; rm -rf /"

    assert alias_for(Cert(), {"corp-root-ca-rm-rf"}) == "corp-root-ca-rm-rf-2"
