"""PKCS#12 truststores: the iteration counts are read from the ASN.1 and a hostile count is refused
before the library hashes (it holds the GIL: neither the event loop nor --timeout would get a turn).

Healthy stores (written by cryptography as OpenSSL and keytool write them) still load; the hostile
ones are healthy stores with one count rewritten (tests/hostile/pkcs12.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from jiradoctor.net.pkcs12_cost import MAX_ITERATIONS, Pkcs12Unreadable, pkcs12_cost
from jiradoctor.net.truststore import TruststoreError, load_truststore
from tests.hostile.pkcs12 import der_length, elements, integer, split, with_mac_iterations

PASSWORD = "s3cret-store-pw"
KDF_ROUNDS = 300_000  # DER: 02 03 04 93 e0, three bytes: rewritable in place to any count below 2**23


def _certificate(name: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def healthy() -> bytes:
    """A Java-style truststore: trusted certificate bags, PBES2 (PBKDF2) encrypted, with a MAC."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(PASSWORD.encode())
    )
    certs = [pkcs12.PKCS12Certificate(_certificate("Corp Root CA"), b"corp-root")]
    return pkcs12.serialize_java_truststore(certs, encryption)


def test_a_healthy_store_reads_its_counts_and_loads(healthy: bytes, tmp_path: Path) -> None:
    cost = pkcs12_cost(healthy)
    assert cost.mac is not None and 1 <= cost.mac <= MAX_ITERATIONS
    assert KDF_ROUNDS in cost.derivations and cost.problem() is None
    path = tmp_path / "cacerts.p12"
    path.write_bytes(healthy)
    store = load_truststore(path, PASSWORD)
    assert store.store_type == "PKCS12" and store.aliases() == {"corp-root"}


def test_an_openssl_style_store_with_legacy_pbe_is_read(tmp_path: Path) -> None:
    """pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12 PBE, OpenSSL's old default): its count is found too."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(PASSWORD.encode())
    )
    data = pkcs12.serialize_java_truststore([pkcs12.PKCS12Certificate(_certificate("Old CA"), b"old")], encryption)
    cost = pkcs12_cost(data)
    assert 50_000 in cost.derivations and cost.problem() is None
    (tmp_path / "old.p12").write_bytes(data)
    assert load_truststore(tmp_path / "old.p12", PASSWORD).aliases() == {"old"}


@pytest.mark.parametrize("iterations", [MAX_ITERATIONS + 1, 2**31 - 1])
def test_a_huge_mac_count_is_refused_before_hashing(healthy: bytes, tmp_path: Path, iterations: int) -> None:
    hostile = with_mac_iterations(healthy, iterations)
    assert pkcs12_cost(hostile).mac == iterations
    path = tmp_path / "cacerts.p12"
    path.write_bytes(hostile)
    with pytest.raises(TruststoreError) as caught:
        load_truststore(path, PASSWORD)  # without the bound: minutes of hashing at 2**31-1
    assert caught.value.kind == "unreadable"
    assert f"MAC asks for {iterations:,} iterations" in caught.value.message
    assert PASSWORD not in caught.value.message


def test_the_bound_is_javas_own(healthy: bytes) -> None:
    """Java's PKCS12KeyStore refuses a MAC count above 5,000,000 ("MAC iteration count too large",
    checked with JDK 17's keytool); exactly 5,000,000 it computes, and so do we."""
    assert pkcs12_cost(with_mac_iterations(healthy, MAX_ITERATIONS)).problem() is None
    assert pkcs12_cost(with_mac_iterations(healthy, MAX_ITERATIONS + 1)).problem() is not None


def test_a_huge_key_derivation_count_is_refused(healthy: bytes, tmp_path: Path) -> None:
    """The PBKDF2 count sits inside the encrypted part (DER inside an OCTET STRING): rewritten in place."""
    old = integer(KDF_ROUNDS)
    assert healthy.count(old) == 1
    hostile = healthy.replace(old, bytes.fromhex("02037fffff"))  # 8,388,607 in the same three bytes
    assert 8_388_607 in pkcs12_cost(hostile).derivations
    path = tmp_path / "cacerts.p12"
    path.write_bytes(hostile)
    with pytest.raises(TruststoreError, match="key-derivation iterations") as caught:
        load_truststore(path, PASSWORD)
    assert caught.value.kind == "unreadable"


def test_many_counts_together_are_bounded() -> None:
    """Each count within Java's bound, but all together more than a few seconds of hashing: a key
    entry (its own PBES2), the certificates (another) and the MAC, each at 5,000,000."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .build(PASSWORD.encode())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    data = pkcs12.serialize_key_and_certificates(b"k", key, None, [_certificate("CA")], encryption)
    assert data.count(integer(KDF_ROUNDS)) == 2
    hostile = with_mac_iterations(data.replace(integer(KDF_ROUNDS), bytes.fromhex("02034c4b40")), 5_000_000)
    cost = pkcs12_cost(hostile)  # 0x4c4b40 = 5,000,000
    assert cost.derivations == (5_000_000, 5_000_000) and cost.largest == 5_000_000
    assert "15,000,000 iterations in all" in (cost.problem() or "")
    assert pkcs12_cost(data).problem() is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x30",
        b"\x30\x84\xff\xff\xff\xff",  # a length beyond the file
        b"\x30\x80" + b"\x02\x01\x03" * 10,  # no end-of-contents marker
        b"\x04\x03abc",  # not a SEQUENCE
        b"\x30\x03\x02\x01",
        b"\x30\x80" * 5000,  # nested deeper than any keystore
    ],
)
def test_what_is_not_a_pfx_is_unreadable_never_a_crash(data: bytes) -> None:
    with pytest.raises(Pkcs12Unreadable):
        pkcs12_cost(data)


def test_ber_indefinite_lengths_are_walked(healthy: bytes) -> None:
    """BER (indefinite lengths) is what some tools write: the outer PFX re-encoded so, counts still found."""
    _, content, _ = split(healthy)
    parts = b"".join(bytes([tag]) + der_length(len(body)) + body for tag, body in elements(content))
    ber = b"\x30\x80" + parts + b"\x00\x00"
    assert pkcs12_cost(ber) == pkcs12_cost(healthy)


def test_timeout_holds_with_a_hostile_truststore_through_the_cli(healthy: bytes, tmp_path: Path) -> None:
    """The whole run, as a user starts it: a finding, exit 1, and no minutes of hashing (the
    subprocess guard of 60 s would fail the test long before 2**31-1 iterations ended)."""
    path = tmp_path / "cacerts.p12"
    path.write_bytes(with_mac_iterations(healthy, 2**31 - 1))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    done = subprocess.run(
        [sys.executable, "-m", "jiradoctor", "doctor", "--integration-url", "https://127.0.0.1:9/",
         "--truststore", str(path), "--only", "outgoing-tls", "--timeout", "2", "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**clean, "JIRADOCTOR_TRUSTSTORE_PASSWORD": PASSWORD},
    )
    assert done.returncode == 1, done.stderr
    (check,) = [c for c in json.loads(done.stdout)["checks"] if c["id"] == "outgoing-tls"]
    (finding,) = check["findings"]
    assert finding["code"] == "outgoing-tls/truststore-unreadable" and "2,147,483,647 iterations" in finding["message"]
    assert PASSWORD not in done.stdout + done.stderr


def test_a_count_hidden_in_an_encrypted_part_is_stopped_and_the_loop_keeps_turning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shrouded key inside encrypted SafeContents names its count only after decrypting: the walk
    sees 2048, the library would hash 2**31-1 times (~20 min) holding the GIL. The store is opened
    in a child process that is stopped at PKCS12_OPEN_S, and the probe reads it off the event loop."""
    import asyncio

    from jiradoctor.net import truststore
    from jiradoctor.probes.outgoing_tls import read_truststore
    from tests.hostile.pkcs12 import hidden_key_iterations

    hostile = hidden_key_iterations(b"changeit", 2**31 - 1)
    assert pkcs12_cost(hostile).problem() is None  # nothing to see from outside
    path = tmp_path / "cacerts.p12"
    path.write_bytes(hostile)
    monkeypatch.setattr(truststore, "PKCS12_OPEN_S", 2.0)

    async def read_while_ticking() -> tuple[int, Any]:
        ticks = 0
        task = asyncio.ensure_future(asyncio.to_thread(read_truststore, str(path), None))
        while not task.done():
            await asyncio.sleep(0.05)
            ticks += 1
        return ticks, task.result()

    ticks, (store, error) = asyncio.run(read_while_ticking())
    assert store is None and error is not None and error.kind == "unreadable"
    assert "took longer than 2 s" in error.message
    assert ticks >= 20  # ~2 s of hashing, and the loop turned all along


FAST = settings(max_examples=150, deadline=None, database=None)
_STORE = pkcs12.serialize_java_truststore(
    [pkcs12.PKCS12Certificate(_certificate("Property CA"), b"p")],
    serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048).build(b"pw"),
)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_are_a_cost_or_unreadable(data: bytes) -> None:
    try:
        pkcs12_cost(data)
    except Pkcs12Unreadable:
        pass


@FAST
@given(st.lists(st.tuples(st.integers(0, len(_STORE) - 1), st.integers(0, 255)), max_size=4), st.integers(0, 40))
def test_a_damaged_store_is_a_cost_or_unreadable(flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_STORE)
    for at, value in flips:
        data[at] = value
    try:
        cost = pkcs12_cost(bytes(data[: len(data) - cut]))
    except Pkcs12Unreadable:
        return
    assert all(isinstance(n, int) for n in cost.derivations) and isinstance(cost.mac, (int, type(None)))
    assert isinstance(cost.problem(), (str, type(None)))  # a verdict, never a crash
