"""A generated PKI with one certificate set per TLS failure a Jira user can meet.

Why: the ``tls`` check must be proven against real handshakes, so every case is a real chain that
nginx serves and Python's ``ssl`` verifies.  Keys are cached per session (RSA generation is the only
slow step) and reused across certificates where that cannot change the outcome.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("localhost", "jira.test", "127.0.0.1")
CLIENT_HOSTNAME = "localhost"  # the name tests put in SNI / check against the certificate
ONE_DAY = dt.timedelta(days=1)

# OpenSSL X509_V_ERR_* codes as seen in ssl.SSLCertVerificationError.verify_code (JIRA-FACTS §7)
CERT_NOT_YET_VALID = 9
CERT_HAS_EXPIRED = 10
DEPTH_ZERO_SELF_SIGNED_CERT = 18
SELF_SIGNED_CERT_IN_CHAIN = 19
UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
HOSTNAME_MISMATCH = 62
IP_ADDRESS_MISMATCH = 64
EE_KEY_TOO_SMALL = 66
CA_MD_TOO_WEAK = 68


@functools.cache
def cached_key(role: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per role for the whole session: generation dominates the cost of a PKI."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "jiradoctor realparts"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _san(hosts: Iterable[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


@dataclass(frozen=True)
class Authority:
    """A CA that can issue: its certificate, its key and where its PEM lives."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    pem: Path

    @property
    def name(self) -> str:
        return common_name(self.cert)


def common_name(cert: x509.Certificate) -> str:
    """The subject CN, which is how tests name certificates in a presented chain."""
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey,
             not_before: dt.datetime, not_after: dt.datetime) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_ca(common: str, key: rsa.RSAPrivateKey, *, issuer: Authority | None = None,
            not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    """A root (issuer=None) or intermediate CA certificate."""
    signer_name = issuer.cert.subject if issuer else _name(common)
    builder = (_builder(_name(common), signer_name, key.public_key(), not_before, not_after)
               .add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
                              critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=True, crl_sign=True,
                                            encipher_only=False, decipher_only=False), critical=True))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    return builder.sign(issuer.key if issuer else key, hashes.SHA256())


def issue_leaf(issuer: Authority | None, hosts: Sequence[str], key: rsa.RSAPrivateKey, *,
               not_before: dt.datetime, not_after: dt.datetime,
               common: str | None = None) -> x509.Certificate:
    """A TLS server certificate for hosts; issuer=None makes it self-signed."""
    subject = _name(common or hosts[0])
    builder = (_builder(subject, issuer.cert.subject if issuer else subject, key.public_key(),
                        not_before, not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=True, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(_san(hosts), critical=False))
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    return builder.sign(issuer.key if issuer else key, hashes.SHA256())


# --- SHA-1 re-signing -----------------------------------------------------------------------
# cryptography >= 4x refuses SHA-1 for certificate signatures, so a SHA-256 certificate is
# re-signed by hand: the signature OIDs have the same DER length, so only the last byte changes.
_SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
_SHA1_RSA = bytes.fromhex("06092a864886f70d010105")


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def resign_sha1(cert: x509.Certificate, issuer_key: rsa.RSAPrivateKey) -> x509.Certificate:
    """The same certificate signed with sha1WithRSAEncryption (for the weak-signature case)."""
    tbs = cert.tbs_certificate_bytes
    if tbs.count(_SHA256_RSA) != 1:
        raise ValueError("expected exactly one sha256WithRSAEncryption OID in the TBS certificate")
    tbs = tbs.replace(_SHA256_RSA, _SHA1_RSA)
    signature = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    algorithm = _der(0x30, _SHA1_RSA + b"\x05\x00")
    der = _der(0x30, tbs + algorithm + _der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


def pem(*certs: x509.Certificate) -> bytes:
    """Concatenated PEM, in the given order (leaf first for a served chain)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def self_signed_files(directory: Path, hosts: Sequence[str], key_role: str) -> tuple[Path, Path]:
    """A self-signed leaf for ``hosts`` (valid from an hour ago for two days), written as
    ``cert.pem``/``key.pem`` in ``directory``: for a proxy whose certificate the test does not judge."""
    now = dt.datetime.now(dt.timezone.utc)
    key = cached_key(key_role)
    cert = issue_leaf(None, hosts, key, not_before=now - dt.timedelta(hours=1), not_after=now + dt.timedelta(days=2))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cert.pem").write_bytes(pem(cert))
    (directory / "key.pem").write_bytes(key_pem(key))
    return directory / "cert.pem", directory / "key.pem"


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM, which nginx and Python's ssl both load."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass(frozen=True)
class TLSCase:
    """One served certificate set and what a client trusting ``ca_bundle`` must see.

    ``chain`` is what the server presents (leaf first); ``ca_bundle`` is the client's trust store
    (the realparts root); ``issuer_bundle`` holds the CAs that actually issued this chain, so
    trusting it fixes the trust errors (not the validity or hostname ones).  ``verify_code`` is
    the expected ``SSLCertVerificationError.verify_code`` for Python's default context connecting
    as ``hostname`` (None: the handshake verifies), ``presented`` the subject CNs sent, in order.
    """

    name: str
    key: Path
    cert: Path
    chain: Path
    ca_bundle: Path
    issuer_bundle: Path
    hostname: str
    verify_code: int | None
    presented: tuple[str, ...]


@dataclass(frozen=True)
class _Spec:
    leaf: x509.Certificate
    key: rsa.RSAPrivateKey
    extra: tuple[x509.Certificate, ...]  # sent after the leaf
    issuers: tuple[x509.Certificate, ...]
    verify_code: int | None


class Pki:
    """Root, intermediate, an unrelated root, a corporate interception CA and every TLS case."""

    CASES = ("full_chain", "leaf_only", "self_signed", "expired_leaf", "expired_intermediate",
             "not_yet_valid", "wrong_host", "untrusted_root", "expiring_soon", "weak_key",
             "weak_signature")

    def __init__(self, directory: Path, now: dt.datetime | None = None) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
        before, after = self.now - ONE_DAY, self.now + dt.timedelta(days=365)
        self.root = self._authority("root", "Realparts Root CA", None, before, after)
        self.intermediate = self._authority("intermediate", "Realparts Intermediate CA", self.root,
                                            before, after)
        self.other_root = self._authority("other-root", "Unknown Root CA", None, before, after)
        self.other_intermediate = self._authority("intermediate", "Unknown Intermediate CA",
                                                  self.other_root, before, after)
        self.interception = self._authority("interception", "Corp Interception CA", None,
                                            before, after)
        self.cases: dict[str, TLSCase] = {name: self._write_case(name, self._spec(name))
                                          for name in self.CASES}

    def _authority(self, role: str, common: str, issuer: Authority | None,
                   not_before: dt.datetime, not_after: dt.datetime) -> Authority:
        key = cached_key(role)
        cert = make_ca(common, key, issuer=issuer, not_before=not_before, not_after=not_after)
        path = self.directory / f"{role}-{common.split()[0].lower()}-ca.pem"
        path.write_bytes(pem(cert))
        return Authority(cert, key, path)

    def leaf(self, issuer: Authority | None, *, hosts: Sequence[str] = DEFAULT_HOSTS,
             not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
             key: rsa.RSAPrivateKey | None = None) -> x509.Certificate:
        """A leaf with sensible default validity (yesterday .. +90 days) and the session leaf key."""
        return issue_leaf(issuer, hosts, key or cached_key("leaf"),
                          not_before=not_before or self.now - ONE_DAY,
                          not_after=not_after or self.now + dt.timedelta(days=90))

    def _spec(self, name: str) -> _Spec:
        root, inter, now = self.root, self.intermediate, self.now
        leaf_key = cached_key("leaf")
        normal = self.leaf(inter)
        chain_ok = (inter.cert,)
        issuers = (root.cert, inter.cert)
        if name == "full_chain":
            return _Spec(normal, leaf_key, chain_ok, issuers, None)
        if name == "leaf_only":
            return _Spec(normal, leaf_key, (), issuers, UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
        if name == "self_signed":
            leaf = self.leaf(None)
            return _Spec(leaf, leaf_key, (), (leaf,), DEPTH_ZERO_SELF_SIGNED_CERT)
        if name == "expired_leaf":
            leaf = self.leaf(inter, not_before=now - dt.timedelta(days=400),
                             not_after=now - dt.timedelta(days=2))
            return _Spec(leaf, leaf_key, chain_ok, issuers, CERT_HAS_EXPIRED)
        if name == "expired_intermediate":
            expired = make_ca("Realparts Expired Intermediate CA", inter.key, issuer=root,
                              not_before=now - dt.timedelta(days=400),
                              not_after=now - dt.timedelta(days=2))
            leaf = self.leaf(Authority(expired, inter.key, inter.pem))
            return _Spec(leaf, leaf_key, (expired,), (root.cert, expired), CERT_HAS_EXPIRED)
        if name == "not_yet_valid":
            leaf = self.leaf(inter, not_before=now + dt.timedelta(days=2),
                             not_after=now + dt.timedelta(days=90))
            return _Spec(leaf, leaf_key, chain_ok, issuers, CERT_NOT_YET_VALID)
        if name == "wrong_host":
            leaf = self.leaf(inter, hosts=("wrong-host.example",))
            return _Spec(leaf, leaf_key, chain_ok, issuers, HOSTNAME_MISMATCH)
        if name == "untrusted_root":
            leaf = self.leaf(self.other_intermediate)
            return _Spec(leaf, leaf_key, (self.other_intermediate.cert, self.other_root.cert),
                         (self.other_root.cert, self.other_intermediate.cert),
                         SELF_SIGNED_CERT_IN_CHAIN)
        if name == "expiring_soon":
            leaf = self.leaf(inter, not_after=now + dt.timedelta(days=10))
            return _Spec(leaf, leaf_key, chain_ok, issuers, None)
        if name == "weak_key":
            weak = cached_key("weak", 1024)
            return _Spec(self.leaf(inter, key=weak), weak, chain_ok, issuers, EE_KEY_TOO_SMALL)
        if name == "weak_signature":
            return _Spec(resign_sha1(normal, inter.key), leaf_key, chain_ok, issuers, CA_MD_TOO_WEAK)
        raise KeyError(name)

    def _write_case(self, name: str, spec: _Spec) -> TLSCase:
        d = self.directory / name
        d.mkdir(exist_ok=True)
        files = {"key.pem": key_pem(spec.key), "cert.pem": pem(spec.leaf),
                 "chain.pem": pem(spec.leaf, *spec.extra), "ca.pem": pem(self.root.cert),
                 "issuers.pem": pem(*spec.issuers)}
        for filename, data in files.items():
            (d / filename).write_bytes(data)
        return TLSCase(name=name, key=d / "key.pem", cert=d / "cert.pem", chain=d / "chain.pem",
                       ca_bundle=d / "ca.pem", issuer_bundle=d / "issuers.pem",
                       hostname=CLIENT_HOSTNAME, verify_code=spec.verify_code,
                       presented=tuple(common_name(c) for c in (spec.leaf, *spec.extra)))


@dataclass(frozen=True)
class ClientFiles:
    """A client certificate for mutual TLS: the CA a proxy trusts for clients, the certificate and its
    key as PEM, and the same as a PKCS#12 bundle under ``password``."""

    ca: Path
    cert: Path
    key: Path
    bundle: Path
    password: str


def client_files(directory: Path, common: str = "integration-client", password: str = "p12-pass",
                 ca_role: str = "client-ca") -> ClientFiles:
    """A client CA and a client certificate it issued (clientAuth), written in ``directory``;
    another ``ca_role`` gives another CA key (a CA a proxy does not trust)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    now = dt.datetime.now(dt.timezone.utc)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, key = cached_key(ca_role), cached_key("client")
    ca_cert = make_ca(f"Realparts {ca_role}", ca_key, not_before=now - ONE_DAY, not_after=now + dt.timedelta(days=30))
    leaf = (_builder(_name(common), ca_cert.subject, key.public_key(), now - ONE_DAY, now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = ClientFiles(directory / "client-ca.pem", directory / "client.pem", directory / "client-key.pem",
                        directory / "client.p12", password)
    files.ca.write_bytes(pem(ca_cert))
    files.cert.write_bytes(pem(leaf))
    files.key.write_bytes(key_pem(key))
    files.bundle.write_bytes(pkcs12.serialize_key_and_certificates(
        b"client", key, leaf, None, serialization.BestAvailableEncryption(password.encode())))
    return files
