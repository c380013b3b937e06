"""tls over real sockets: every certificate case served by real nginx, the lab Jira over HTTPS."""

from __future__ import annotations

import ssl
import time
import warnings

import pytest

from jiradoctor_lab import LabServer
from jiradoctor.model import Status
from tests.network.helpers import result, run, server_context, target, verdicts
from tests.realparts.nginx import NginxServer
from tests.realparts.pki import Pki
from tests.realparts.procs import free_port

EXPECTED = {
    "full_chain": {"tls/ok": Status.PASS},
    "leaf_only": {"tls/incomplete-chain": Status.FAIL},
    "self_signed": {"tls/self-signed": Status.FAIL},
    "expired_leaf": {"tls/expired": Status.FAIL},
    "expired_intermediate": {"tls/expired": Status.FAIL},
    "not_yet_valid": {"tls/not-yet-valid": Status.FAIL},
    "wrong_host": {"tls/hostname-mismatch": Status.FAIL},
    "untrusted_root": {"tls/untrusted-root": Status.FAIL},
    "expiring_soon": {"tls/expiring-soon": Status.WARN},
    "weak_key": {"tls/weak-key": Status.FAIL},
    "weak_signature": {"tls/weak-signature": Status.FAIL},
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_certificate_case(case: str, realparts_pki: Pki, tls_servers: NginxServer) -> None:
    tls_case = realparts_pki.cases[case]
    report = run(
        target(f"https://localhost:{tls_servers.ports[case]}", ca_bundle=str(tls_case.ca_bundle)), only=("tls",)
    )
    assert verdicts(report, "tls") == EXPECTED[case]
    findings = result(report, "tls").findings
    presented = [c["subject"] for c in findings[0].evidence["chain"]]
    assert [p.split("CN=")[1].split(",")[0] for p in presented] == list(tls_case.presented)
    assert findings[0].evidence["verify_code"] == tls_case.verify_code


def test_expired_names_the_intermediate(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    case = realparts_pki.cases["expired_intermediate"]
    report = run(
        target(f"https://localhost:{tls_servers.ports['expired_intermediate']}", ca_bundle=str(case.ca_bundle)),
        only=("tls",),
    )
    assert (
        "intermediate CA certificate 'Realparts Expired Intermediate CA' expired"
        in result(report, "tls").findings[0].message
    )


@pytest.mark.parametrize("case", ["untrusted_root", "full_chain"])
def test_the_right_ca_bundle_turns_untrusted_root_into_pass(
    case: str, realparts_pki: Pki, tls_servers: NginxServer
) -> None:
    url = f"https://localhost:{tls_servers.ports[case]}"
    other = "untrusted_root" if case == "full_chain" else "full_chain"  # each trusts the other's root only
    wrong = realparts_pki.cases[other].issuer_bundle
    before = run(target(url, ca_bundle=str(wrong)), only=("tls",))
    assert verdicts(before, "tls") == {"tls/untrusted-root": Status.FAIL}
    after = run(target(url, ca_bundle=str(realparts_pki.cases[case].issuer_bundle)), only=("tls",))
    assert verdicts(after, "tls") == {"tls/ok": Status.PASS}


def test_without_ca_bundle_certifi_does_not_trust_the_lab_root(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    report = run(target(f"https://localhost:{tls_servers.ports['full_chain']}"), only=("tls",))
    finding = result(report, "tls").findings[0]
    assert finding.code == "tls/untrusted-root" and finding.evidence["trust"] == "certifi"
    assert "Realparts Root CA" in finding.message


def test_a_trust_store_holding_the_intermediate_hides_a_missing_one_but_warns(
    realparts_pki: Pki, tls_servers: NginxServer
) -> None:
    case = realparts_pki.cases["leaf_only"]
    report = run(
        target(f"https://localhost:{tls_servers.ports['leaf_only']}", ca_bundle=str(case.issuer_bundle)), only=("tls",)
    )
    assert verdicts(report, "tls") == {"tls/incomplete-chain": Status.WARN}


def test_insecure_warns(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    report = run(target(f"https://localhost:{tls_servers.ports['self_signed']}", insecure=True), only=("tls",))
    assert verdicts(report, "tls") == {"tls/verification-disabled": Status.WARN, "tls/self-signed": Status.INFO}


def test_no_http_request_on_an_unverified_connection(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    log = tls_servers.directory / "access.log"
    before = log.read_text() if log.exists() else ""
    run(target(f"https://localhost:{tls_servers.ports['self_signed']}"), only=("tls",))
    assert (log.read_text() if log.exists() else "") == before


def test_https_url_on_a_plain_http_port(plain_http_nginx: NginxServer) -> None:
    report = run(target(f"https://127.0.0.1:{plain_http_nginx.port}"), only=("tls",))
    assert verdicts(report, "tls") == {"tls/plain-http": Status.FAIL}


def test_plain_http_url_does_not_use_tls(plain_http_nginx: NginxServer) -> None:
    report = run(target(plain_http_nginx.url), only=("tls",))
    assert result(report, "tls").status == Status.SKIP and "plain http" in (result(report, "tls").skip_reason or "")


def test_protocol_mismatch_is_a_handshake_failure(realparts_pki: Pki) -> None:
    case = realparts_pki.cases["full_chain"]
    context = server_context(case.chain, case.key)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is the point of the test
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    with LabServer("healthy", ssl_context=context) as lab:
        report = run(target(lab.url, ca_bundle=str(case.ca_bundle)), only=("tls",))
    assert verdicts(report, "tls") == {"tls/handshake-failed": Status.FAIL}
    assert not any("last resort" in r.lower() for r in result(report, "tls").findings[0].remediation)


def test_nothing_listening_is_no_connection_and_bounded() -> None:
    t0 = time.monotonic()
    report = run(target(f"https://127.0.0.1:{free_port()}"), only=("tls", "reachability"))
    assert result(report, "tls").status == Status.SKIP  # no handshake to judge: the cause is reachability's
    assert verdicts(report, "reachability") == {"reachability/refused": Status.FAIL}
    assert time.monotonic() - t0 < 5


def test_healthy_https_lab_passes_the_network_checks(realparts_pki: Pki) -> None:
    case = realparts_pki.cases["full_chain"]
    with LabServer("healthy", ssl_context=server_context(case.chain, case.key)) as lab:
        report = run(target(lab.url, ca_bundle=str(case.ca_bundle)))
    assert {c.id: c.status for c in report.checks} == {"dns": Status.PASS, "tls": Status.PASS, "proxy": Status.PASS}
    assert verdicts(report, "tls") == {"tls/ok": Status.PASS}
    assert verdicts(report, "proxy") == {"proxy/direct": Status.PASS}


def test_real_nginx_sending_its_chain_out_of_order(realparts_pki: Pki, nginx_factory, tmp_path) -> None:
    from tests.realparts.nginx import TLSFiles, static_site

    case = realparts_pki.cases["full_chain"]
    leaf, intermediate = case.chain.read_text().split("-----END CERTIFICATE-----\n")[:2]
    shuffled = tmp_path / "shuffled.pem"  # leaf, then the root, then the intermediate
    shuffled.write_text(
        leaf + "-----END CERTIFICATE-----\n" + case.ca_bundle.read_text() + intermediate + "-----END CERTIFICATE-----\n"
    )
    server = nginx_factory([static_site("shuffled", tls=TLSFiles(shuffled, case.key))])
    report = run(target(f"https://localhost:{server.port}", ca_bundle=str(case.ca_bundle)), only=("tls",))
    assert verdicts(report, "tls") == {"tls/chain-order": Status.WARN}
