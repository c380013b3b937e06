"""dns over real sockets: the dnspython server on loopback, asked through --dns-server."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Callable

import pytest

from jiradoctor.model import Status
from tests.network.helpers import result, run, target, verdicts
from tests.realparts.dns_server import DnsServer, DnsZone

DNS_TIMEOUT_S = 1.0


def dns_report(name: str, server: DnsServer, integration: str = "generic"):
    return run(
        target(f"https://{name}", dns_server=server.address, integration=integration, timeout=DNS_TIMEOUT_S),
        only=("dns",),
    )


def test_public_name_resolves(dns_server: DnsServer) -> None:
    report = dns_report("public.test", dns_server)
    assert verdicts(report, "dns")["dns/ok"] == Status.PASS and result(report, "dns").status == Status.PASS
    assert ("udp", "public.test.", "A") in dns_server.queries  # the given server was really asked


@pytest.mark.parametrize(
    "name, code", [("nx.test", "dns/nxdomain"), ("noaddr.test", "dns/no-address"), ("servfail.test", "dns/no-answer")]
)
def test_names_without_addresses_fail(name: str, code: str, dns_server: DnsServer) -> None:
    assert verdicts(dns_report(name, dns_server), "dns")[code] == Status.FAIL


def test_a_server_that_never_answers_is_bounded(dns_server: DnsServer) -> None:
    t0 = time.monotonic()
    report = dns_report("timeout.test", dns_server)
    assert verdicts(report, "dns")["dns/no-answer"] == Status.FAIL
    assert time.monotonic() - t0 < DNS_TIMEOUT_S * 4


@pytest.mark.parametrize(
    "name", ["private10.test", "private172.test", "private192.test", "loopback.test", "linklocal.test", "ula.test"]
)
def test_internal_addresses_fail_for_cloud_integrations_and_warn_otherwise(name: str, dns_server: DnsServer) -> None:
    assert verdicts(dns_report(name, dns_server, "piplanning"), "dns")["dns/private-address"] == Status.FAIL
    assert verdicts(dns_report(name, dns_server, "generic"), "dns")["dns/private-address"] == Status.INFO


def test_public_address_passes_for_a_cloud_integration(dns_server: DnsServer) -> None:
    assert verdicts(dns_report("public.test", dns_server, "piplanning"), "dns")["dns/ok"] == Status.PASS


def test_cname_chain_is_shown(dns_server: DnsServer) -> None:
    report = dns_report("www.jira.test", dns_server)
    finding = next(f for f in result(report, "dns").findings if f.code == "dns/cname")
    assert finding.status == Status.INFO
    assert finding.evidence["chain"] == ["www.jira.test", "alias.jira.test", "jira.test"]


def test_hosts_file_versus_dns(dns_server_factory: Callable[[DnsZone], DnsServer]) -> None:
    """/etc/hosts names this machine (``hostname``, e.g. localhost's aliases); a DNS that says otherwise disagrees."""
    name = hosts_file_name()
    other = dns_server_factory(DnsZone({name: {"A": ["127.0.0.9"]}}))
    report = run(target(f"https://{name}", dns_server=other.address, timeout=DNS_TIMEOUT_S), only=("dns",))
    assert verdicts(report, "dns")["dns/resolver-mismatch"] == Status.WARN
    system = sorted({info[4][0] for info in socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)})
    records = {
        "A": [a for a in system if ":" not in a] or ["127.0.0.1"],
        "AAAA": [a for a in system if ":" in a] or ["::1"],
    }
    agreeing = dns_server_factory(DnsZone({name: records}))
    report = run(target(f"https://{name}", dns_server=agreeing.address, timeout=DNS_TIMEOUT_S), only=("dns",))
    agreed = verdicts(report, "dns")
    assert "dns/resolver-mismatch" not in agreed and not any(c.endswith("/check-error") for c in agreed)
    assert result(report, "dns").status != Status.ERROR


def test_localhost_is_never_a_disagreement(dns_server: DnsServer) -> None:
    report = run(target("https://localhost", dns_server=dns_server.address, timeout=DNS_TIMEOUT_S), only=("dns",))
    seen = verdicts(report, "dns")
    assert "dns/resolver-mismatch" not in seen
    assert seen and not any(code.endswith("/check-error") for code in seen)  # judged, not crashed


def hosts_file_name() -> str:
    """A name other than localhost that /etc/hosts resolves (Debian, containers and CI all list the host name)."""
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        for name in fields[1:]:
            if name != "localhost" and not name.endswith(".localhost") and "." not in name.strip("."):
                try:
                    socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
                except OSError:
                    continue
                return name
    raise AssertionError("/etc/hosts lists no name besides localhost")


def test_ip_address_url_skips_the_name_checks() -> None:
    report = run(target("https://127.0.0.1:8443"), only=("dns",))
    assert verdicts(report, "dns") == {"dns/ip-address": Status.INFO} and result(report, "dns").status == Status.PASS
