"""The integration's client certificate (mutual TLS), loaded into an SSL context.

Why: a proxy or load balancer in front of Jira may demand a client certificate (nginx
``ssl_verify_client on``); every probe must then present the one the integration presents, or the
doctor judges a connection the integration never makes. A PEM certificate (with its key in the same
file or in ``--client-key``) or a PKCS#12 bundle; the password opens an encrypted key or the bundle
and is a :class:`Secret`, never printed. OpenSSL loads keys from files only: a PKCS#12 key is written
for the load re-encrypted under a one-time passphrase, in a private directory removed at once.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    from jiradoctor.secrets import Secret

MAX_BYTES = 1_000_000


class ClientCertError(ValueError):
    """The certificate or key cannot be loaded (a usage error); the message never holds the password."""


@dataclass(frozen=True)
class ClientCertificate:
    """``cert``: a PEM file (certificate, optionally its chain and key) or a PKCS#12 bundle;
    ``key``: the PEM key when not in ``cert``; ``password``: for an encrypted key or the bundle."""

    cert: str
    key: str | None = None
    password: Secret | None = None

    def describe(self) -> str:
        return f"{self.cert}" + (f" (key {self.key})" if self.key else "")


def _read(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise ClientCertError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ClientCertError(f"{what} {path!r} is larger than {MAX_BYTES} bytes")
    return data


def is_pem(data: bytes) -> bool:
    return b"-----BEGIN" in data[:4096]


def load_into(context: ssl.SSLContext, client: ClientCertificate) -> None:
    """Make ``context`` present the client certificate; :class:`ClientCertError` when it cannot."""
    import ssl

    data = _read(client.cert, "client certificate")
    password = client.password.reveal() if client.password is not None else None
    if is_pem(data):
        key_text = _read(client.key, "client key") if client.key is not None else data
        try:
            # "" rather than None: with None OpenSSL would ask for an encrypted key's password on the terminal
            context.load_cert_chain(client.cert, client.key, password=password or "")
        except ssl.SSLError as exc:
            raise ClientCertError(
                f"cannot load the client certificate {client.describe()!r}: "
                f"{_why(exc, password, b'ENCRYPTED' in key_text)}"
            ) from None
        return
    _load_pkcs12(context, client, data, password)


def _why(exc: BaseException, password: str | None, encrypted: bool) -> str:
    """OpenSSL names a bad password only as "PEM lib": an encrypted key (its PEM says ENCRYPTED) that
    does not load is the password's fault."""
    reason = getattr(exc, "reason", None) or type(exc).__name__
    if encrypted or "BAD_DECRYPT" in str(reason).upper():
        return "wrong --client-cert-password" if password else "the key is encrypted: give --client-cert-password"
    if "KEY_VALUES_MISMATCH" in str(reason).upper():
        return "the key does not belong to the certificate"
    return f"not a PEM certificate with its key ({reason})"


def _load_pkcs12(context: ssl.SSLContext, client: ClientCertificate, data: bytes, password: str | None) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        raise ClientCertError(
            f"cannot open {client.cert!r} as a PKCS#12 bundle: wrong or missing --client-cert-password, "
            f"or not a PKCS#12 file (a PEM certificate starts with '-----BEGIN')"
        ) from None
    if key is None or cert is None:
        raise ClientCertError(f"the PKCS#12 bundle {client.cert!r} holds no certificate with its private key")
    once = secrets.token_urlsafe(24).encode()
    directory = tempfile.mkdtemp(prefix="jiradoctor-client-")  # mode 0700
    try:
        cert_file, key_file = Path(directory, "cert.pem"), Path(directory, "key.pem")
        cert_file.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, *chain)))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(once),
            )
        )
        context.load_cert_chain(str(cert_file), str(key_file), password=once)
    except Exception as exc:  # noqa: BLE001 - an unusual key type OpenSSL refuses
        raise ClientCertError(f"cannot use the PKCS#12 bundle {client.cert!r}: {type(exc).__name__}") from None
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def subject_of(client: ClientCertificate) -> str | None:
    """The certificate's subject, for evidence (the certificate is public); None when unreadable."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = _read(client.cert, "client certificate")
        if is_pem(data):
            start = data.index(b"-----BEGIN CERTIFICATE")
            return x509.load_pem_x509_certificate(data[start:]).subject.rfc4514_string()
        password = client.password.reveal().encode() if client.password is not None else None
        cert = pkcs12.load_key_and_certificates(data, password)[1]
        return cert.subject.rfc4514_string() if cert is not None else None
    except (ClientCertError, ValueError):
        return None
