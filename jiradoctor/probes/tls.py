"""``tls``: one handshake with the integration's own TLS settings, and the chain the server presents.

The handshake trusts what the integration trusts (certifi, or ``--ca-bundle``) and goes through
the route's proxy with CONNECT when one applies. When verification fails, a second handshake
*without* verification collects the presented chain so the check can name the certificate at
fault; nothing but the handshake is ever done on that connection (no HTTP, no credential).
Through a proxy, an unverified direct handshake is also tried, to see whether the proxy
substitutes its own certificate (TLS interception).

Mutual TLS (issue 25): every handshake presents ``--client-cert`` when given. When the server asks
for a client certificate (its CertificateRequest, seen through OpenSSL's message callback), the
verified connection also sends one GET of the URL's path and reads the first answer: under TLS 1.3
a refused certificate arrives only then (alert ``certificate_required`` after the client's Finished),
and nginx's ``ssl_verify_client on`` completes the handshake and answers 400 "No required SSL
certificate was sent". A server that asks for no certificate costs no request here.
"""

from __future__ import annotations

import urllib.parse
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jiradoctor.facts import Fact
from jiradoctor.net.chain import CertInfo, from_der
from jiradoctor.net.proxy_route import Route
from jiradoctor.probes.http import TransportError, classify, ssl_context
from jiradoctor.probes.proxy import ProxyRefused, UnsupportedProxy, host_port, open_stream
from jiradoctor.jira.urls import split as split_url

if TYPE_CHECKING:
    from jiradoctor.context import Facts
    from jiradoctor.net.client_cert import ClientCertificate
    import ssl

DIRECT_COMPARE_TIMEOUT_S = 3.0  # the direct path may be blocked on purpose; do not wait long


@dataclass(frozen=True)
class TlsFact:
    """The handshake as the integration would make it.

    ``verify_code`` is OpenSSL's X509_V_ERR_* (None: verified, or no handshake got that far);
    ``error`` is any other failure (connect, proxy, protocol). ``chain`` is what the server
    presented, leaf first (from the verified handshake, or from the unverified second one);
    ``verified_chain`` the path OpenSSL built (trust anchors included) when verification passed;
    ``direct_chain`` the chain seen without the proxy, when a proxy is on the route.
    """

    url: str
    host: str
    port: int
    applies: bool
    route: Route
    trust: str
    insecure: bool
    verify_code: int | None = None
    verify_message: str | None = None
    error: TransportError | None = None
    plain_http: bool = False
    chain: tuple[CertInfo, ...] = ()
    verified_chain: tuple[CertInfo, ...] = ()
    direct_chain: tuple[CertInfo, ...] | None = None
    protocol: str | None = None
    cipher: str | None = None
    trusted_subjects: frozenset[str] = frozenset()
    client_cert_requested: bool | None = None  # the server sent a CertificateRequest (None: could not see)
    client_cert_presented: str | None = None  # the subject of --client-cert, when one was presented
    first_answer: FirstAnswer | None = None  # after a CertificateRequest: the first answer on that connection

    @property
    def verified(self) -> bool:
        return self.applies and self.error is None and self.verify_code is None and bool(self.chain)

    @property
    def intercepted(self) -> bool:
        """Through the proxy the leaf has another issuer than when asked directly.

        Comparing issuers, not leaves: a site behind several edge servers may present several
        valid leaves from the same CA; an intercepting proxy signs with its own CA.
        """
        return bool(
            self.route.via_proxy
            and self.direct_chain
            and self.chain
            and self.direct_chain[0].issuer != self.chain[0].issuer
        )


@dataclass(frozen=True)
class FirstAnswer:
    """The first answer after a handshake in which the server asked for a client certificate:
    ``status`` and the start of ``body`` of an HTTP answer, or ``error`` (the alert or the reset that
    came instead)."""

    status: int | None = None
    body: str = ""
    error: str | None = None


@dataclass(frozen=True)
class _Session:
    chain: tuple[bytes, ...]
    verified_chain: tuple[bytes, ...]
    protocol: str | None
    cipher: str | None
    first_answer: FirstAnswer | None = None


CERTIFICATE_REQUEST = 13  # TLS handshake message type (RFC 8446 §4)
HANDSHAKE = 22  # TLS record content type
FIRST_ANSWER_MAX = 8192


class RequestWatch:
    """Whether the server sent a CertificateRequest in a handshake on ``context``.

    OpenSSL's message callback is reachable from Python only as ``SSLContext._msg_callback`` (CPython
    3.8+, undocumented): where it is missing, ``seen`` stays None (not observed), never False."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.seen: bool | None = None

        def callback(_conn: object, direction: str, _version: object, content_type: int, msg_type: int,
                     _data: bytes) -> None:
            if direction == "read" and content_type == HANDSHAKE and msg_type == CERTIFICATE_REQUEST:
                self.seen = True

        try:
            context._msg_callback = callback  # type: ignore[attr-defined]
            self.seen = False
        except (AttributeError, TypeError):
            self.seen = None


async def read_first_answer(reader: Any, writer: Any, host: str, port: int, path: str, timeout: float) -> FirstAnswer:
    """One GET of the URL's path on the handshake's connection; the start of what comes back."""
    import asyncio
    import ssl

    authority = host if port == 443 else f"{host}:{port}"
    request = f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    writer.write(request.encode("ascii", "replace"))
    data = b""
    try:
        async with asyncio.timeout(timeout):
            while len(data) < FIRST_ANSWER_MAX:
                chunk = await reader.read(FIRST_ANSWER_MAX - len(data))
                if not chunk:
                    break
                data += chunk
    except ssl.SSLError as exc:
        return FirstAnswer(error=f"TLS alert {exc.reason or type(exc).__name__}")
    except (ConnectionResetError, BrokenPipeError):
        return FirstAnswer(error="the connection was reset")
    except TimeoutError:
        if not data:
            return FirstAnswer(error="no answer within the time limit")
    if not data:
        return FirstAnswer(error="the server closed the connection without an answer")
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b"\r\n", 1)[0].split()
    status = int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() else None
    return FirstAnswer(status=status, body=body[:2048].decode("utf-8", "replace"))


def _ders(ssl_object: Any, verified: bool) -> tuple[bytes, ...]:
    """DER chain from an SSLObject: public API from 3.13, the private one on 3.10-3.12."""
    import _ssl

    name = "get_verified_chain" if verified else "get_unverified_chain"
    getter = getattr(ssl_object, name, None) or getattr(ssl_object._sslobj, name)
    certs = getter() or []
    return tuple(c if isinstance(c, bytes) else c.public_bytes(_ssl.ENCODING_DER) for c in certs)


def collecting_context(client: ClientCertificate | None = None) -> ssl.SSLContext:
    """No verification and the lowest security level: only to see what the server presents
    (with the integration's client certificate, if any: a server that demands one would refuse
    the handshake without it)."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    if client is not None:
        from jiradoctor.net.client_cert import ClientCertError, load_into

        try:
            load_into(context, client)
        except ClientCertError:
            pass  # checked when the run's inputs were resolved; evidence only here
    return context


async def handshake(
    route: Route,
    host: str,
    port: int,
    context: ssl.SSLContext,
    timeout: float,
    watch: RequestWatch | None = None,
    path: str = "/",
) -> _Session:
    """Connect (directly or via CONNECT), handshake, read the chain, and hang up at once; when
    ``watch`` saw a CertificateRequest, read the first answer to a GET of ``path`` first."""
    import asyncio
    import ssl

    reader, writer = await open_stream(route, host, port, timeout)
    try:
        await asyncio.wait_for(writer.start_tls(context, server_hostname=host, ssl_handshake_timeout=timeout), timeout)
        ssl_object = writer.get_extra_info("ssl_object")
        verified = context.verify_mode != ssl.CERT_NONE
        cipher = ssl_object.cipher()
        first = None
        if watch is not None and watch.seen:
            first = await read_first_answer(reader, writer, host, port, path, timeout)
        return _Session(
            _ders(ssl_object, False),
            _ders(ssl_object, True) if verified else (),
            ssl_object.version(),
            cipher[0] if cipher else None,
            first,
        )
    finally:
        writer.transport.abort()


async def collect_chain(
    route: Route, host: str, port: int, timeout: float, client: ClientCertificate | None = None
) -> tuple[CertInfo, ...]:
    """The presented chain from an unverified handshake; () when even that fails."""
    import asyncio

    try:
        return from_der((await handshake(route, host, port, collecting_context(client), timeout)).chain)
    except (Exception, asyncio.TimeoutError):  # noqa: BLE001 - best effort evidence
        return ()


async def speaks_plain_http(route: Route, host: str, port: int, timeout: float) -> bool:
    """Whether the port answers a plain HTTP request (an https URL pointing at an http port)."""
    import asyncio

    try:
        reader, writer = await open_stream(route, host, port, timeout)
    except Exception:  # noqa: BLE001
        return False
    try:
        writer.write(f"HEAD / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("utf-8"))
        return (await asyncio.wait_for(reader.read(5), timeout)) == b"HTTP/"
    except Exception:  # noqa: BLE001
        return False
    finally:
        writer.transport.abort()


def trusted_subjects(ca_bundle: str | None) -> frozenset[str]:
    """Subjects of the trust anchors, to tell a missing intermediate from an unknown root."""
    from cryptography import x509

    from jiradoctor.net.ca_bundle import pem_text

    try:
        data = pem_text(ca_bundle).encode()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # old CA certificates with negative serials: cryptography complains
            return frozenset(c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(data))
    except (OSError, ValueError):  # FileProblem is a ValueError
        return frozenset()


async def probe(facts: "Facts") -> TlsFact:
    import asyncio
    import ssl

    target = facts.target
    url = target.url or ""
    host, port = host_port(url)
    route: Route = await facts.get("proxy_route")
    base: dict[str, Any] = dict(
        url=url, host=host, port=port, route=route, trust=target.ca_bundle or "certifi", insecure=target.insecure
    )
    if split_url(url).scheme.lower() != "https":
        return TlsFact(applies=False, **base)
    timeout = target.timeout
    client = target.client_certificate
    context = ssl_context(target.ca_bundle, False, client)
    assert isinstance(context, ssl.SSLContext)
    watch = RequestWatch(context)
    if client is not None:
        from jiradoctor.net.client_cert import subject_of

        base["client_cert_presented"] = subject_of(client) or client.cert
    path = urllib.parse.quote(split_url(url).path or "/", safe="/%:@!$&'()*+,;=-._~")
    try:
        session = await handshake(route, host, port, context, timeout, watch, path)
        fact = TlsFact(
            applies=True,
            chain=from_der(session.chain),
            verified_chain=from_der(session.verified_chain),
            protocol=session.protocol,
            cipher=session.cipher,
            client_cert_requested=watch.seen,
            first_answer=session.first_answer,
            **base,
        )
    except ssl.SSLCertVerificationError as exc:
        fact = TlsFact(
            applies=True,
            verify_code=exc.verify_code,
            verify_message=exc.verify_message,
            chain=await collect_chain(route, host, port, timeout, client),
            trusted_subjects=await asyncio.to_thread(trusted_subjects, target.ca_bundle),  # up to 16 MB of PEM
            client_cert_requested=watch.seen,
            **base,
        )
    except ProxyRefused as exc:
        return TlsFact(applies=True, error=TransportError("proxy", str(exc)), **base)
    except UnsupportedProxy as exc:
        return TlsFact(applies=True, error=TransportError("unsupported", str(exc)), **base)
    except (ssl.SSLError, ConnectionResetError, asyncio.IncompleteReadError, EOFError) as exc:
        return TlsFact(
            applies=True,
            error=classify(exc),
            plain_http=await speaks_plain_http(route, host, port, timeout),
            chain=await collect_chain(route, host, port, timeout, client),
            client_cert_requested=watch.seen,
            **base,
        )
    except Exception as exc:  # noqa: BLE001 - refused, timeout, unknown host: facts too
        return TlsFact(applies=True, error=classify(exc), client_cert_requested=watch.seen, **base)
    if route.via_proxy and fact.chain:
        direct = await collect_chain(Route("direct", url), host, port, min(timeout, DIRECT_COMPARE_TIMEOUT_S), client)
        fact = TlsFact(**{**fact.__dict__, "direct_chain": direct or None})
    return fact


TLS: Fact[TlsFact] = Fact("tls", "One handshake with the integration's TLS settings, and the chain presented")

FACTS = {TLS.name: probe}
