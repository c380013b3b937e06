"""Python-``ssl`` handshakes against the real parts, reporting what a diagnosing client sees.

Why: tests assert on the verify code *and* the chain the server actually sent; the chain needs a
second, unverified handshake after a failed one (JIRA-FACTS §7), which is fiddly to repeat.
"""

from __future__ import annotations

import _ssl  # ENCODING_DER for the private Certificate objects of Python 3.11/3.12
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from .pki import common_name
from .procs import LOOPBACK

TIMEOUT_S = 5.0


def unverified_context() -> ssl.SSLContext:
    """A client context that checks nothing: for reaching a proxy whose certificate the test does not judge."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Handshake:
    """verify_code None means the verified handshake succeeded; chain is leaf first."""

    verify_code: int | None
    verify_message: str | None
    chain: tuple[x509.Certificate, ...]

    @property
    def presented(self) -> tuple[str, ...]:
        """Subject CNs of the presented chain, in order."""
        return tuple(common_name(c) for c in self.chain)


class TunnelError(OSError):
    """The proxy did not answer CONNECT with 200; ``status`` holds its status line."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def connect(host: str, port: int, proxy: tuple[str, int] | None = None) -> socket.socket:
    """A TCP socket to host:port, directly or through an HTTP CONNECT tunnel."""
    if proxy is None:
        return socket.create_connection((host, port), timeout=TIMEOUT_S)
    sock = socket.create_connection(proxy, timeout=TIMEOUT_S)
    try:
        sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)  # byte by byte: nothing of the TLS stream may be consumed
            if not chunk:
                break
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        if status.split(" ")[1:2] != ["200"]:
            raise TunnelError(status)
        return sock
    except BaseException:
        sock.close()
        raise


def _wrap(context: ssl.SSLContext, port: int, server_hostname: str, host: str,
          proxy: tuple[str, int] | None) -> ssl.SSLSocket:
    raw = connect(host, port, proxy)
    try:
        return context.wrap_socket(raw, server_hostname=server_hostname)
    except BaseException:
        raw.close()
        raise


def unverified_chain(port: int, server_hostname: str, host: str = LOOPBACK,
                     proxy: tuple[str, int] | None = None) -> tuple[x509.Certificate, ...]:
    """The chain the server presents, whatever its validity (CERT_NONE, lowest security level)."""
    context = ssl._create_unverified_context()
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with _wrap(context, port, server_hostname, host, proxy) as sock:
        certs = sock._sslobj.get_unverified_chain() or []  # type: ignore[attr-defined]  # 3.11 private
        return tuple(x509.load_der_x509_certificate(c.public_bytes(_ssl.ENCODING_DER)) for c in certs)


def handshake(port: int, *, server_hostname: str, cafile: Path | None,
              host: str = LOOPBACK, proxy: tuple[str, int] | None = None,
              context: ssl.SSLContext | None = None) -> Handshake:
    """A verified handshake with Python's default context (trusting cafile), then the chain.

    host is what is dialled (or asked of the proxy); server_hostname goes into SNI and is checked.
    """
    context = context or ssl.create_default_context(cafile=str(cafile) if cafile else None)
    code: int | None = None
    message: str | None = None
    try:
        with _wrap(context, port, server_hostname, host, proxy):
            pass
    except ssl.SSLCertVerificationError as exc:
        code, message = exc.verify_code, exc.verify_message
    return Handshake(code, message, unverified_chain(port, server_hostname, host, proxy))
