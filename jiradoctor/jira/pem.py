"""Reading key text the way people paste it: with armor or without, certificates, stray spaces.

Everything here takes text verbatim and never raises on bad input: each function returns what it
could make of the text and, when it could not, why. Private key material is recognised so it
can be refused and redacted, never echoed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes


_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)(?:-----END \1-----|\Z)", re.S)
_ANY_ARMOR = re.compile(r"-----(BEGIN|END) [A-Z0-9 ]+-----")
_PRIVATE_LABEL = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_HEADER_LINE = re.compile(r"^[A-Za-z-]+:.*$", re.M)  # Proc-Type:, DEK-Info:
_B64_CHARS = re.compile(r"[^A-Za-z0-9+/=]")


def fingerprint(public_key: PublicKeyTypes) -> str:
    """SHA-256 over the DER SubjectPublicKeyInfo: the same for PEM, bare base64 or a certificate."""
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + hashlib.sha256(der).hexdigest()


def _spki_der(public_key: PublicKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def spki_pem(public_key: PublicKeyTypes) -> str:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def spki_base64(public_key: PublicKeyTypes) -> str:
    """The bare base64 body on one line: what Jira's public key field takes without armor."""
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def pkcs1_public_base64(public_key: PublicKeyTypes) -> str:
    """An RSA key's PKCS#1 RSAPublicKey DER as base64 (empty for other key types)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(public_key, rsa.RSAPublicKey):
        return ""
    return base64.b64encode(
        public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    ).decode()


def key_description(key: PublicKeyTypes) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}-bit"
    return type(key).__name__.replace("_", "").replace("PublicKey", " public key").strip()


def _decode_body(body: str) -> tuple[bytes | None, str | None]:
    body = _PEM_HEADER_LINE.sub("", body)
    compact = re.sub(r"\s+", "", body)
    if not compact:
        return None, "no base64 data"
    if _B64_CHARS.search(compact):
        bad = _B64_CHARS.search(compact).group(0)  # type: ignore[union-attr]
        return None, f"character {bad!r} is not base64"
    if len(compact) % 4:
        return None, f"base64 length {len(compact)} is not a multiple of 4 (truncated or cut while copying?)"
    try:
        return base64.b64decode(compact, validate=True), None
    except (binascii.Error, ValueError) as exc:
        return None, f"base64 does not decode: {exc}"


@dataclass(frozen=True)
class WhitespaceIssue:
    what: str
    where: str


def whitespace_issues(text: str) -> list[WhitespaceIssue]:
    """Whitespace a paste field may not forgive. One final newline (a file's last line) is fine."""
    issues: list[WhitespaceIssue] = []
    if text[:1].isspace():
        issues.append(WhitespaceIssue("leading whitespace", repr(text[: len(text) - len(text.lstrip())])))
    body = text[:-1] if text.endswith("\n") and not text.endswith("\r\n") else text
    body = body[:-2] if body.endswith("\r\n") else body
    trailing = body[len(body.rstrip()) :]
    if trailing:
        issues.append(WhitespaceIssue("trailing whitespace", repr(trailing)))
    if "\r\n" in text:
        issues.append(WhitespaceIssue("Windows line endings (CRLF)", f"{text.count(chr(13) + chr(10))} line(s)"))
    elif "\r" in text:
        issues.append(WhitespaceIssue("carriage returns", f"{text.count(chr(13))}"))
    if "\t" in text:
        issues.append(WhitespaceIssue("tab characters", f"{text.count(chr(9))}"))
    lines = text.strip().splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() and 1 < number < len(lines):
            issues.append(WhitespaceIssue("blank line inside the key", f"line {number}"))
            break
    for number, line in enumerate(lines, start=1):
        if line.rstrip("\r") != line.rstrip("\r").strip(" "):
            issues.append(WhitespaceIssue("spaces at the start or end of a line", f"line {number}"))
            break
    for number, line in enumerate(lines, start=1):
        if " " in line.strip() and not _ANY_ARMOR.search(line):
            issues.append(WhitespaceIssue("space inside the base64 text", f"line {number}"))
            break
    return issues


@dataclass(frozen=True)
class PublicKeyText:
    """What a text meant to be a public key turned out to be.

    ``kind``: ``spki`` (a proper public key), ``pkcs1`` (``RSA PUBLIC KEY``), ``certificate``,
    ``private`` (private key material!), ``invalid`` or ``empty``.
    """

    kind: str
    armored: bool
    labels: tuple[str, ...] = ()
    public_key: PublicKeyTypes | None = None
    error: str | None = None
    whitespace: tuple[WhitespaceIssue, ...] = ()
    certificate_subject: str | None = None
    extra_blocks: int = 0
    notes: tuple[str, ...] = field(default=())


def _load_der_public(der: bytes) -> tuple[str, PublicKeyTypes | None, str | None]:
    """Try the DER shapes a bare base64 paste may hold; return (kind, key, certificate subject)."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    # UnsupportedAlgorithm: well-formed DER for a key type cryptography does not know (an
    # unknown OID); that is "not a usable key", never an exception out of this module.
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if key is not None:
        # cryptography >= 4x also loads a PKCS#1 RSAPublicKey here: tell the two apart by
        # re-encoding, since Jira takes only SubjectPublicKeyInfo
        if (
            isinstance(key, rsa.RSAPublicKey)
            and der != _spki_der(key)
            and der == key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        ):
            return "pkcs1", key, None
        return "spki", key, None
    try:
        pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END RSA PUBLIC KEY-----\n"
        return "pkcs1", serialization.load_pem_public_key(pem), None
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    try:
        cert = x509.load_der_x509_certificate(der)
        return "certificate", cert.public_key(), cert.subject.rfc4514_string()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    try:
        serialization.load_der_private_key(der, password=None)
        return "private", None, None
    except (TypeError, UnsupportedAlgorithm):  # encrypted, or a private key of an unknown type
        return "private", None, None
    except ValueError:
        pass
    return "invalid", None, None


def read_public_key(text: str) -> PublicKeyText:
    ws = tuple(whitespace_issues(text)) if text.strip() else ()
    if not text.strip():
        return PublicKeyText("empty", False, error="the text is empty")
    if _PRIVATE_LABEL.search(text):
        labels = tuple(m.group(1) for m in _BLOCK.finditer(text))
        return PublicKeyText("private", True, labels, whitespace=ws)
    blocks = list(_BLOCK.finditer(text))
    armored = bool(_ANY_ARMOR.search(text))
    if armored and not blocks:
        return PublicKeyText("invalid", True, error="END line without a matching BEGIN line", whitespace=ws)
    if blocks:
        first = blocks[0]
        label, body = first.group(1), first.group(2)
        labels = tuple(b.group(1) for b in blocks)
        if not first.group(0).rstrip().endswith("-----") or f"-----END {label}-----" not in first.group(0):
            return PublicKeyText(
                "invalid", True, labels, error=f"no '-----END {label}-----' line: the text is truncated", whitespace=ws
            )
        der, err = _decode_body(body)
        if der is None:
            return PublicKeyText("invalid", True, labels, error=err, whitespace=ws)
        kind, key, subject = _load_der_public(der)
        expected = {"PUBLIC KEY": "spki", "RSA PUBLIC KEY": "pkcs1", "CERTIFICATE": "certificate"}.get(label)
        if kind == "invalid" or (expected and kind not in (expected, "private")):
            reason = f"the {label} block does not parse" + (
                " (truncated?)" if kind == "invalid" else f" (it holds a {kind})"
            )
            return PublicKeyText("invalid", True, labels, error=reason, whitespace=ws)
        return PublicKeyText(
            kind, True, labels, key, whitespace=ws, certificate_subject=subject, extra_blocks=len(blocks) - 1
        )
    der, err = _decode_body(text)
    if der is None:
        return PublicKeyText("invalid", False, error=err, whitespace=ws)
    kind, key, subject = _load_der_public(der)
    if kind == "invalid":
        return PublicKeyText(
            "invalid",
            False,
            error="the base64 text is not a public key, certificate or private key (truncated?)",
            whitespace=ws,
        )
    return PublicKeyText(kind, False, (), key, whitespace=ws, certificate_subject=subject)


@dataclass(frozen=True)
class PrivateKeyText:
    """What a private key file holds. ``format``: pkcs8, pkcs1, pkcs8-encrypted, pkcs1-encrypted, other."""

    format: str
    label: str | None
    private_key: PrivateKeyTypes | None = None
    error: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.format.endswith("-encrypted")

    @property
    def public_key(self) -> PublicKeyTypes | None:
        return self.private_key.public_key() if self.private_key is not None else None


_PRIVATE_FORMATS = {
    "PRIVATE KEY": "pkcs8",
    "RSA PRIVATE KEY": "pkcs1",
    "ENCRYPTED PRIVATE KEY": "pkcs8-encrypted",
}


def read_private_key(text: str) -> PrivateKeyText:
    """Not cached here (a cache would hold the secret text): a run parses the key once, in
    ``Target.private_key_read``, and every probe and check shares that."""
    return _read_private_key(text)


def _read_private_key(text: str) -> PrivateKeyText:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    match = _BLOCK.search(text)
    if match is None:
        der, err = _decode_body(text)
        if der is None:
            return PrivateKeyText("invalid", None, error=err or "no PEM block found")
        try:
            return PrivateKeyText("pkcs8-bare", None, serialization.load_der_private_key(der, password=None))
        except TypeError:
            return PrivateKeyText("pkcs8-encrypted", None, error="the key is encrypted")
        except UnsupportedAlgorithm:
            return PrivateKeyText("invalid", None, error="the key's algorithm is not supported")
        except ValueError:
            return PrivateKeyText("invalid", None, error="the text is not a private key")
    label = match.group(1)
    fmt = _PRIVATE_FORMATS.get(label, "other")
    if fmt == "pkcs1" and "ENCRYPTED" in match.group(2):
        fmt = "pkcs1-encrypted"
    if fmt.endswith("-encrypted"):
        return PrivateKeyText(fmt, label, error="the key is protected by a passphrase")
    if fmt == "other":
        return PrivateKeyText(
            "other", label, error=f"'{label}' is not an RSA private key format an OAuth consumer can use"
        )
    der, err = _decode_body(match.group(2))
    if der is None:
        return PrivateKeyText("invalid", label, error=err)
    try:
        key = (
            serialization.load_der_private_key(der, password=None)
            if fmt == "pkcs8"
            else serialization.load_pem_private_key(
                f"-----BEGIN {label}-----\n{base64.encodebytes(der).decode()}-----END {label}-----\n".encode(),
                password=None,
            )
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return PrivateKeyText("invalid", label, error=f"the {label} block does not parse ({type(exc).__name__})")
    return PrivateKeyText(fmt, label, key)


def contains_private_key(text: str) -> bool:
    """True when the text carries an armored private key (of any kind)."""
    return bool(_PRIVATE_LABEL.search(text))
