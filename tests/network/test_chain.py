"""Chain analysis on the real PKI cases' certificates (no sockets)."""

from __future__ import annotations

import datetime as dt

from jiradoctor.net.chain import analyse, hostname_matches
from tests.network.helpers import certs
from tests.realparts.pki import Pki


def test_full_chain_path_and_missing_root(realparts_pki: Pki) -> None:
    a = analyse(certs(realparts_pki.cases["full_chain"].chain), "localhost")
    assert [c.name for c in a.path] == ["localhost", "Realparts Intermediate CA"]
    assert a.missing_issuer and "Realparts Root CA" in a.missing_issuer
    assert a.hostname_ok and not (a.expired or a.weak_keys or a.weak_signatures or a.out_of_order)
    leaf = a.leaf
    assert (
        leaf is not None
        and leaf.sha256.count(":") == 31
        and "DNS:localhost" in leaf.sans
        and "IP:127.0.0.1" in leaf.sans
    )
    assert leaf.pem.startswith("-----BEGIN CERTIFICATE-----")


def test_leaf_only_names_the_missing_intermediate(realparts_pki: Pki) -> None:
    a = analyse(certs(realparts_pki.cases["leaf_only"].chain), "localhost")
    assert len(a.path) == 1 and "Realparts Intermediate CA" in (a.missing_issuer or "")


def test_untrusted_root_is_presented(realparts_pki: Pki) -> None:
    a = analyse(certs(realparts_pki.cases["untrusted_root"].chain), "localhost")
    assert a.presented_root is not None and a.presented_root.name == "Unknown Root CA" and a.missing_issuer is None


def test_validity_weakness_and_hostname(realparts_pki: Pki) -> None:
    cases = realparts_pki.cases
    assert [c.name for c in analyse(certs(cases["expired_intermediate"].chain), "localhost").expired] == [
        "Realparts Expired Intermediate CA"
    ]
    assert analyse(certs(cases["not_yet_valid"].chain), "localhost").not_yet_valid
    assert analyse(certs(cases["expiring_soon"].chain), "localhost").expiring_soon
    assert [c.key_bits for c in analyse(certs(cases["weak_key"].chain), "localhost").weak_keys] == [1024]
    assert [c.signature_hash for c in analyse(certs(cases["weak_signature"].chain), "localhost").weak_signatures] == [
        "sha1"
    ]
    assert analyse(certs(cases["wrong_host"].chain), "localhost").hostname_ok is False
    assert analyse(certs(cases["self_signed"].chain), "localhost").self_signed_leaf


def test_expiry_is_relative_to_now(realparts_pki: Pki) -> None:
    chain = certs(realparts_pki.cases["full_chain"].chain)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=80)
    assert analyse(chain, "localhost", later).expiring_soon


def test_wildcards_cover_one_label_only(realparts_pki: Pki) -> None:
    leaf = certs(realparts_pki.cases["full_chain"].chain)[0]
    wild = type(leaf)(**{**leaf.__dict__, "sans": ("DNS:*.example.com",)})
    assert hostname_matches(wild, "jira.example.com")
    assert not hostname_matches(wild, "a.jira.example.com") and not hostname_matches(wild, "example.com")
