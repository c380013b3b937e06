"""The loopback DNS server answers every record shape a diagnosis must classify, over UDP and TCP."""

from __future__ import annotations

import time
from collections.abc import Callable

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest

from tests.realparts import fixtures_plugin
from tests.realparts.dns_server import DnsServer, DnsZone

pytest_plugins = fixtures_plugin()
pytestmark = pytest.mark.realparts


def _resolver(server: DnsServer, lifetime: float = 2.0) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = server.port
    resolver.lifetime = lifetime
    return resolver


@pytest.mark.parametrize(("name", "rdtype", "expected"), [
    ("jira.test", "A", ["127.0.0.1"]),
    ("jira.test", "AAAA", ["::1"]),
    ("multi.test", "A", ["127.0.0.1", "127.0.0.2"]),
    ("private10.test", "A", ["10.20.30.40"]),
    ("private192.test", "A", ["192.168.1.10"]),
    ("private172.test", "A", ["172.16.5.4"]),
    ("loopback.test", "A", ["127.0.0.53"]),
    ("linklocal.test", "AAAA", ["fe80::1"]),
    ("ula.test", "AAAA", ["fd00::1"]),
    ("noaddr.test", "TXT", ['"no address records here"']),
])
def test_answers(dns_server: DnsServer, name: str, rdtype: str, expected: list[str]) -> None:
    answer = _resolver(dns_server).resolve(name, rdtype)
    assert sorted(r.to_text() for r in answer) == expected


def test_cname_chain_is_followed_and_returned(dns_server: DnsServer) -> None:
    response = dns.query.udp(dns.message.make_query("www.jira.test", "A"), "127.0.0.1",
                             port=dns_server.port, timeout=2)
    assert [(r.name.to_text(), r[0].to_text()) for r in response.answer] == [
        ("www.jira.test.", "alias.jira.test."), ("alias.jira.test.", "jira.test."), ("jira.test.", "127.0.0.1")]
    assert _resolver(dns_server).resolve("www.jira.test", "A").canonical_name.to_text() == "jira.test."


@pytest.mark.parametrize("name", ["nothing-here.test", "dangling.test"])
def test_nxdomain(dns_server: DnsServer, name: str) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        _resolver(dns_server).resolve(name, "A")


@pytest.mark.parametrize(("name", "rdtype"), [("noaddr.test", "A"), ("v6only.test", "A"), ("private10.test", "AAAA")])
def test_nodata_is_noerror_with_empty_answer(dns_server: DnsServer, name: str, rdtype: str) -> None:
    response = dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=dns_server.port, timeout=2)
    assert response.rcode() == dns.rcode.NOERROR and not response.answer
    with pytest.raises(dns.resolver.NoAnswer):
        _resolver(dns_server).resolve(name, rdtype)


def test_tcp_answers_the_same(dns_server: DnsServer) -> None:
    response = dns.query.tcp(dns.message.make_query("jira.test", "A"), "127.0.0.1", port=dns_server.port, timeout=2)
    assert response.answer[0][0].to_text() == "127.0.0.1"
    assert ("tcp", "jira.test.", "A") in dns_server.queries


def test_servfail_and_silence(dns_server: DnsServer) -> None:
    response = dns.query.udp(dns.message.make_query("servfail.test", "A"), "127.0.0.1",
                             port=dns_server.port, timeout=2)
    assert response.rcode() == dns.rcode.SERVFAIL
    started = time.monotonic()
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(dns.message.make_query("timeout.test", "A"), "127.0.0.1", port=dns_server.port, timeout=0.3)
    assert time.monotonic() - started < 2


def test_factory_serves_a_custom_zone(dns_server_factory: Callable[[DnsZone], DnsServer]) -> None:
    server = dns_server_factory(DnsZone({"jira.corp.example": {"A": ["10.0.0.5"]}}))
    assert [r.to_text() for r in _resolver(server).resolve("jira.corp.example", "A")] == ["10.0.0.5"]
    with pytest.raises(dns.resolver.NXDOMAIN):
        _resolver(server).resolve("jira.test", "A")
