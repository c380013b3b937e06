"""Every generated TLS case, served by real nginx, fails (or passes) Python's verification as documented."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.realparts import fixtures_plugin
from tests.realparts.nginx import NginxServer
from tests.realparts.pki import IP_ADDRESS_MISMATCH, Pki
from tests.realparts.tls_client import connect, handshake, unverified_chain

pytest_plugins = fixtures_plugin()
pytestmark = pytest.mark.realparts


@pytest.mark.parametrize("name", Pki.CASES)
def test_case_verify_code_and_presented_chain(name: str, realparts_pki: Pki, tls_servers: NginxServer) -> None:
    case = realparts_pki.cases[name]
    result = handshake(tls_servers.ports[name], server_hostname=case.hostname, cafile=case.ca_bundle)
    assert result.verify_code == case.verify_code, result.verify_message
    assert result.presented == case.presented


def test_chain_shapes_tell_missing_intermediate_from_unknown_root(realparts_pki: Pki,
                                                                  tls_servers: NginxServer) -> None:
    cases = realparts_pki.cases
    assert cases["leaf_only"].presented == ("localhost",)
    assert cases["untrusted_root"].presented[-1] == "Unknown Root CA"
    assert cases["full_chain"].presented == ("localhost", "Realparts Intermediate CA")


@pytest.mark.parametrize("name", ["leaf_only", "self_signed", "untrusted_root"])
def test_trusting_the_issuers_fixes_trust_errors(name: str, realparts_pki: Pki,
                                                 tls_servers: NginxServer) -> None:
    case = realparts_pki.cases[name]
    result = handshake(tls_servers.ports[name], server_hostname=case.hostname, cafile=case.issuer_bundle)
    assert result.verify_code is None, result.verify_message


def test_wrong_host_by_ip_is_ip_mismatch(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    case = realparts_pki.cases["wrong_host"]
    result = handshake(tls_servers.ports["wrong_host"], server_hostname="127.0.0.1", cafile=case.ca_bundle)
    assert result.verify_code == IP_ADDRESS_MISMATCH


@pytest.mark.parametrize("hostname", ["localhost", "jira.test", "127.0.0.1"])
def test_full_chain_valid_for_every_lab_name(hostname: str, realparts_pki: Pki, tls_servers: NginxServer) -> None:
    case = realparts_pki.cases["full_chain"]
    assert handshake(tls_servers.ports["full_chain"], server_hostname=hostname,
                     cafile=case.ca_bundle).verify_code is None


def test_validity_windows(realparts_pki: Pki, tls_servers: NginxServer) -> None:
    now = realparts_pki.now
    soon = unverified_chain(tls_servers.ports["expiring_soon"], "localhost")[0]
    assert dt.timedelta(days=9) < soon.not_valid_after_utc - now <= dt.timedelta(days=10)
    expired_inter = unverified_chain(tls_servers.ports["expired_intermediate"], "localhost")[1]
    assert expired_inter.not_valid_after_utc < now
    assert unverified_chain(tls_servers.ports["not_yet_valid"], "localhost")[0].not_valid_before_utc > now


def test_weak_key_and_weak_signature_are_really_served(tls_servers: NginxServer) -> None:
    weak_key = unverified_chain(tls_servers.ports["weak_key"], "localhost")[0].public_key()
    assert isinstance(weak_key, rsa.RSAPublicKey) and weak_key.key_size == 1024
    weak_sig = unverified_chain(tls_servers.ports["weak_signature"], "localhost")[0]
    assert isinstance(weak_sig.signature_hash_algorithm, hashes.SHA1)


def test_weak_cases_verify_once_the_client_lowers_its_security_level(realparts_pki: Pki,
                                                                     tls_servers: NginxServer) -> None:
    """Documents OpenSSL 3: only the security level rejects them; the chains themselves are sound."""
    for name, level in (("weak_key", 1), ("weak_signature", 0)):
        context = ssl.create_default_context(cafile=str(realparts_pki.cases[name].ca_bundle))
        context.set_ciphers(f"DEFAULT:@SECLEVEL={level}")
        assert handshake(tls_servers.ports[name], server_hostname="localhost", cafile=None,
                         context=context).verify_code is None


def test_tls_to_plain_http_port_is_wrong_version_number(plain_http_nginx: NginxServer) -> None:
    context = ssl.create_default_context()
    with connect("127.0.0.1", plain_http_nginx.port) as raw, pytest.raises(ssl.SSLError) as info:
        context.wrap_socket(raw, server_hostname="localhost")
    assert info.value.reason == "WRONG_VERSION_NUMBER"
