"""A lab-own certificate authority and server certificate, for scenarios that serve HTTPS.

Why: the ``url-mismatch-scheme`` scenario needs a Tomcat that terminates TLS while its connector
still says ``scheme="http"``. The CA is generated once per process; a client trusts it through
:attr:`LabTls.ca_pem` (e.g. ``--ca-bundle``), so the only finding left is the one the scenario is
about.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from jiradoctor_lab.keys import key_pair

LAB_HOSTS = ("localhost", "127.0.0.1", "jira.test", "jira.lab.test")


@dataclass(frozen=True)
class LabTls:
    ca_pem: str
    cert_pem: str
    key_pem: str

    def server_context(self) -> ssl.SSLContext:
        """A fresh server-side context (load_cert_chain needs files, so write them briefly)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        fd, path = tempfile.mkstemp(prefix="jiradoctor-lab-", suffix=".pem")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(self.cert_pem + self.ca_pem + self.key_pem)
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
        return ctx


def _name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "jiradoctor lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


@functools.lru_cache(maxsize=1)
def lab_tls() -> LabTls:
    """The process-wide lab CA and a leaf for :data:`LAB_HOSTS`."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = key_pair("tls-ca").private_key
    leaf_key = key_pair("tls-leaf").private_key
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("jiradoctor lab CA"))
        .issuer_name(_name("jiradoctor lab CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    sans: list[x509.GeneralName] = []
    for host in LAB_HOSTS:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    def pem(c: x509.Certificate) -> str:
        return c.public_bytes(serialization.Encoding.PEM).decode("ascii")

    return LabTls(ca_pem=pem(ca_cert), cert_pem=pem(leaf), key_pem=key_pair("tls-leaf").private_key_pem)
