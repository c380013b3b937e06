"""Read a Java truststore (JKS/JCEKS via pyjks, PKCS#12 via cryptography) as Jira's JVM would.

Why: when Jira calls an integration (outgoing application links, webhooks) its JVM trusts what its
``cacerts`` holds, not what certifi or this machine trusts. Java's PKIX takes the *trusted
certificate entries* of the store as anchors (``PKIXParameters(KeyStore)``); key entries are not
anchors. A wrong password is reported as such, never as "unreadable", and never printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jiradoctor import files
from jiradoctor.net.chain import CertInfo, describe


JAVA_DEFAULT_PASSWORD = "changeit"
MAX_TRUSTSTORE_BYTES = files.MAX_TRUSTSTORE
_JKS_MAGIC = (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce")


class TruststoreError(Exception):
    """``kind``: password (integrity check failed), unreadable (not a keystore), empty."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Truststore:
    path: str
    store_type: str  # JKS | JCEKS | PKCS12
    anchors: tuple[tuple[str, CertInfo], ...]  # (alias, certificate)
    default_password: bool  # no password was given and Java's "changeit" opened it

    def aliases(self) -> set[str]:
        return {alias for alias, _ in self.anchors}


def load_truststore(path: str | Path, password: str | None) -> Truststore:
    try:
        data = files.read_bounded(path, MAX_TRUSTSTORE_BYTES, "truststore")
    except files.FileProblem as exc:
        raise TruststoreError("unreadable", str(exc)) from None
    given = password is not None
    secret = password if password is not None else JAVA_DEFAULT_PASSWORD
    if data[:4] in _JKS_MAGIC:
        anchors, kind = _jks(data, secret, given)
    else:
        anchors, kind = _pkcs12(data, secret, given), "PKCS12"
    if not anchors:
        raise TruststoreError(
            "empty", f"{path} ({kind}) holds no trusted certificate entry: Jira's JVM would trust nothing"
        )
    return Truststore(str(path), kind, tuple(anchors), not given)


def _wrong_password(given: bool) -> TruststoreError:
    what = (
        "the given --truststore-password"
        if given
        else f"Java's default password ({JAVA_DEFAULT_PASSWORD!r}, no --truststore-password given)"
    )
    return TruststoreError("password", f"the truststore's integrity check fails with {what}: the password is wrong")


def _jks(data: bytes, password: str, given: bool) -> tuple[list[tuple[str, CertInfo]], str]:
    from cryptography import x509
    import jks  # pyjks

    try:
        store = jks.KeyStore.loads(data, password, try_decrypt_keys=False)
    except jks.util.KeystoreSignatureException:
        raise _wrong_password(given) from None
    except Exception as exc:  # noqa: BLE001 - pyjks raises many types for broken files
        raise TruststoreError("unreadable", f"not a readable JKS keystore ({type(exc).__name__})") from None
    anchors = []
    for alias, entry in sorted(store.certs.items()):
        try:
            anchors.append((alias, describe(x509.load_der_x509_certificate(entry.cert))))
        except ValueError:
            continue
    return anchors, store.store_type.upper()


def _pkcs12(data: bytes, password: str, given: bool) -> list[tuple[str, CertInfo]]:
    from cryptography import x509

    from jiradoctor.net.pkcs12_cost import Pkcs12Unreadable, pkcs12_cost

    # the library hashes for as long as the file asks, holding the GIL: count first (pkcs12_cost.py)
    try:
        problem = pkcs12_cost(data).problem()
    except Pkcs12Unreadable:
        raise TruststoreError("unreadable", "not a JKS, JCEKS or PKCS#12 keystore") from None
    if problem:
        raise TruststoreError("unreadable", f"refused before reading it: {problem}; Jira's JVM cannot open it either")
    entries = _pkcs12_entries(data, password)
    if entries is None:
        # cryptography says "Invalid password or PKCS12 data": tell them apart by whether it is DER at all
        if data[:1] == b"\x30":
            raise _wrong_password(given) from None
        raise TruststoreError("unreadable", "not a JKS, JCEKS or PKCS#12 keystore") from None
    return [(alias, describe(x509.load_der_x509_certificate(der))) for alias, der in entries]


# Opens the store in a child process: a key-derivation count hidden inside an encrypted part (a
# shrouded key in encrypted SafeContents) cannot be read before decrypting, and the library holds
# the GIL while it hashes; a child can be stopped, a thread cannot. Input on stdin: the password's
# length (4 bytes), the password, the store; output: JSON, each trusted certificate as base64 DER.
_OPEN_IN_CHILD = """
import base64, json, sys
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
raw = sys.stdin.buffer.read()
size = int.from_bytes(raw[:4], "big")
try:
    store = pkcs12.load_pkcs12(raw[4 + size:], raw[4:4 + size])
except ValueError:
    print(json.dumps(None))
    sys.exit(0)
# keytool writes each trusted certificate as a certificate bag without a key (additional_certs);
# a key entry's own chain is not a trust anchor for Java
key_chain = {store.cert.certificate} if store.cert is not None else set()
out = []
for index, item in enumerate(store.additional_certs):
    if item.certificate in key_chain:
        continue
    alias = item.friendly_name.decode("utf-8", "replace") if item.friendly_name else "entry-%d" % index
    out.append([alias, base64.b64encode(item.certificate.public_bytes(Encoding.DER)).decode()])
print(json.dumps(out))
"""
PKCS12_OPEN_S = 20.0  # a real store opens in well under a second; the run's check limit is >= 60 s


def _pkcs12_entries(data: bytes, password: str) -> list[tuple[str, bytes]] | None:
    """(alias, DER) of each trusted certificate, or None when the password or the data is wrong."""
    import base64
    import json
    import subprocess
    import sys

    secret = password.encode("utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _OPEN_IN_CHILD],
            input=len(secret).to_bytes(4, "big") + secret + data,
            capture_output=True,
            timeout=PKCS12_OPEN_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TruststoreError(
            "unreadable", f"opening it took longer than {PKCS12_OPEN_S:g} s (an encrypted part asks for too much "
            "key derivation): refused"
        ) from None
    try:
        found = json.loads(done.stdout)
    except ValueError:
        found = "broken"
    if done.returncode != 0 or not (found is None or isinstance(found, list)):
        # never the child's stderr: it may quote what it was given
        raise TruststoreError("unreadable", f"the PKCS#12 reader failed (exit {done.returncode})")
    if found is None:
        return None
    return [(str(alias), base64.b64decode(der)) for alias, der in found]
