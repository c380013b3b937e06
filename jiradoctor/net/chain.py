"""Reading a presented certificate chain: who issued what, what is expired, weak or missing.

Why a module of its own: the tls check must name *which* certificate is wrong (the leaf, an
intermediate, the missing intermediate's issuer name) from the DER the server sent, and verify
codes alone cannot say that (code 20 covers both a missing intermediate and an unknown root).
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    from cryptography import x509


EXPIRY_WARNING_DAYS = 30
MIN_RSA_BITS = 2048  # OpenSSL 3 security level 2 (its default) refuses less
MIN_EC_BITS = 224
WEAK_HASHES = frozenset({"md5", "sha1", "md2", "md4"})


@dataclass(frozen=True)
class CertInfo:
    """One certificate as the report shows it; ``der`` keeps the original for PEM output."""

    subject: str
    issuer: str
    common_name: str | None
    not_before: dt.datetime
    not_after: dt.datetime
    sans: tuple[str, ...]
    sha256: str
    serial: str
    is_ca: bool
    self_issued: bool
    key_type: str
    key_bits: int | None
    signature_hash: str | None
    subject_key_id: str | None
    authority_key_id: str | None
    ca_issuer_urls: tuple[str, ...]
    der: bytes = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        """Short human name: the CN, else the whole subject."""
        return self.common_name or self.subject

    def days_left(self, now: dt.datetime) -> float:
        return (self.not_after - now).total_seconds() / 86400

    @property
    def pem(self) -> str:
        body = base64.encodebytes(self.der).decode().replace("\n", "")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"

    def evidence(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "sans": list(self.sans),
            "sha256": self.sha256,
            "serial": self.serial,
            "is_ca": self.is_ca,
            "key": f"{self.key_type} {self.key_bits}" if self.key_bits else self.key_type,
            "signature_hash": self.signature_hash,
        }


def _ext(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> Any:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_oid(oid).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _key(cert: x509.Certificate) -> tuple[str, int | None]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, ed448, rsa

    try:
        key = cert.public_key()
    except (ValueError, TypeError, Exception):  # an unsupported algorithm must not stop the analysis
        return "unknown", None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 448
    return type(key).__name__, None


def _hash_name(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # UnsupportedAlgorithm for exotic signatures
        return None
    return algorithm.name if algorithm else None


def _sans(cert: x509.Certificate) -> tuple[str, ...]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    value = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if value is None:
        return ()
    names = [f"DNS:{n}" for n in value.get_values_for_type(x509.DNSName)]
    names += [f"IP:{ip}" for ip in value.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def describe(cert: x509.Certificate) -> CertInfo:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID

    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    constraints = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    ski = _ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    aki = _ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    aia = _ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    key_type, key_bits = _key(cert)
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        common_name=str(cns[0].value) if cns else None,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sans=_sans(cert),
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        serial=format(cert.serial_number, "x"),
        is_ca=bool(constraints and constraints.ca),
        self_issued=cert.subject == cert.issuer,
        key_type=key_type,
        key_bits=key_bits,
        signature_hash=_hash_name(cert),
        subject_key_id=ski.digest.hex() if ski is not None else None,
        authority_key_id=aki.key_identifier.hex() if aki is not None and aki.key_identifier else None,
        ca_issuer_urls=tuple(
            d.access_location.value
            for d in aia or ()
            if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
            and isinstance(d.access_location, x509.UniformResourceIdentifier)
        ),
        der=cert.public_bytes(serialization.Encoding.DER),
    )


def from_der(chain: Iterable[bytes]) -> tuple[CertInfo, ...]:
    from cryptography import x509

    return tuple(describe(x509.load_der_x509_certificate(der)) for der in chain)


def load_pem_bundle(data: bytes) -> tuple[CertInfo, ...]:
    """Every certificate in a PEM bundle (a CA file); an unreadable one is skipped."""
    from cryptography import x509

    try:
        return tuple(describe(c) for c in x509.load_pem_x509_certificates(data))
    except ValueError:
        return ()


def issued(child: CertInfo, parent: CertInfo) -> bool:
    """Whether parent's subject and key identifier are the ones child names as its issuer."""
    if child.issuer != parent.subject:
        return False
    return not (child.authority_key_id and parent.subject_key_id) or child.authority_key_id == parent.subject_key_id


def hostname_matches(cert: CertInfo, host: str) -> bool:
    """RFC 6125 in short: IP SANs for addresses; DNS SANs with a left-most ``*`` label otherwise."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        return f"IP:{ip}" in cert.sans
    host = host.rstrip(".").lower()
    for san in cert.sans:
        if not san.startswith("DNS:"):
            continue
        pattern = san[4:].rstrip(".").lower()
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host and host.split(".", 1)[1] == pattern[2:]:
            return True
    return False


@dataclass(frozen=True)
class ChainAnalysis:
    """What is wrong with a presented chain (leaf first), independent of any trust store."""

    certs: tuple[CertInfo, ...]
    expired: tuple[CertInfo, ...]
    not_yet_valid: tuple[CertInfo, ...]
    expiring_soon: tuple[CertInfo, ...]
    weak_keys: tuple[CertInfo, ...]
    weak_signatures: tuple[CertInfo, ...]
    out_of_order: bool
    hostname_ok: bool | None

    @property
    def leaf(self) -> CertInfo | None:
        return self.certs[0] if self.certs else None

    @property
    def top(self) -> CertInfo | None:
        """The last certificate of the leaf's path in the presented chain."""
        path = self.path
        return path[-1] if path else None

    @property
    def path(self) -> tuple[CertInfo, ...]:
        """Leaf, then each presented certificate that issued the previous one."""
        if not self.certs:
            return ()
        path = [self.certs[0]]
        while not path[-1].self_issued:
            parent = next((c for c in self.certs if c not in path and issued(path[-1], c)), None)
            if parent is None:
                break
            path.append(parent)
        return tuple(path)

    @property
    def self_signed_leaf(self) -> bool:
        return bool(self.leaf and self.leaf.self_issued)

    @property
    def presented_root(self) -> CertInfo | None:
        top = self.top
        return top if top is not None and top.self_issued and len(self.path) > 1 else None

    @property
    def missing_issuer(self) -> str | None:
        """The issuer name of the top of the path when the server did not send it."""
        top = self.top
        return None if top is None or top.self_issued else top.issuer


def analyse(certs: Sequence[CertInfo], hostname: str | None, now: dt.datetime | None = None) -> ChainAnalysis:
    now = now or dt.datetime.now(dt.timezone.utc)
    soon = now + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    weak_keys = tuple(
        c
        for c in certs
        if (c.key_type == "RSA" or c.key_type == "DSA")
        and (c.key_bits or 0) < MIN_RSA_BITS
        or c.key_type.startswith("EC ")
        and (c.key_bits or 0) < MIN_EC_BITS
    )
    # a root's own signature is never checked by anyone, so SHA-1 there is harmless
    weak_sigs = tuple(c for c in certs if not c.self_issued and (c.signature_hash or "") in WEAK_HASHES)
    out_of_order = any(not issued(certs[i], certs[i + 1]) for i in range(len(certs) - 1) if not certs[i].self_issued)
    return ChainAnalysis(
        certs=tuple(certs),
        expired=tuple(c for c in certs if c.not_after < now),
        not_yet_valid=tuple(c for c in certs if c.not_before > now),
        expiring_soon=tuple(c for c in certs if now <= c.not_after < soon),
        weak_keys=weak_keys,
        weak_signatures=weak_sigs,
        out_of_order=out_of_order,
        hostname_ok=hostname_matches(certs[0], hostname) if certs and hostname else None,
    )
