"""One HTTP client per run, configured as the integration's own (proxy, CA bundle, verify, timeout).

:func:`fetch` never raises for network trouble: it returns an :class:`HttpAnswer` whose
``error`` names what happened (timeout, refused, reset, TLS, proxy), with a bounded body and a
total time limit, so a server that dribbles bytes or never answers cannot hold the run.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime
from typing import TYPE_CHECKING, Mapping

from jiradoctor import __version__

if TYPE_CHECKING:
    import ssl

    import httpx

    from jiradoctor.context import Facts

MAX_BODY = 256 * 1024
USER_AGENT = f"jiradoctor/{__version__}"


@dataclass(frozen=True)
class TransportError:
    """Why no answer came: ``kind`` is stable (timeout, connect, reset, tls, proxy, protocol, other)."""

    kind: str
    message: str
    ssl_verify_code: int | None = None


@dataclass(frozen=True)
class HttpAnswer:
    method: str
    url: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    body: str = ""
    truncated: bool = False
    elapsed_s: float = 0.0
    sent_at: float = 0.0  # time.time() when the request was sent
    error: TransportError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def looks_like_html(self) -> bool:
        start = self.body.lstrip()[:200].lower()
        return self.content_type == "text/html" or start.startswith(("<!doctype html", "<html"))

    @property
    def date(self) -> datetime | None:
        value = self.header("date")
        if not value:
            return None
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None


def ssl_context(ca_bundle: str | None, insecure: bool) -> ssl.SSLContext | bool:
    import certifi
    import ssl
    if insecure:
        return False
    return ssl.create_default_context(cafile=ca_bundle or certifi.where())


def make_client(facts: "Facts", verify: bool = False) -> httpx.AsyncClient:
    """A client with the integration's settings; ``verify`` forces certificate checks on."""
    import httpx
    target = facts.target
    return httpx.AsyncClient(
        verify=ssl_context(target.ca_bundle, target.insecure and not verify),
        proxy=target.proxy or None,
        trust_env=True,
        timeout=httpx.Timeout(target.timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


async def client(facts: "Facts", credentials: bool = False) -> httpx.AsyncClient:
    """The run's shared client (the ``http_client`` fact), closed when the run ends.

    With ``--insecure`` the integration skips certificate checks, and so do our anonymous probes;
    a request that carries a credential still goes through a verifying client: jiradoctor never
    sends a password or token over a connection whose certificate it could not verify.
    """
    return await facts.get("http_client_verified" if credentials and facts.target.insecure else "http_client")


async def http_client_probe(facts: "Facts") -> httpx.AsyncClient:
    c = make_client(facts)
    facts.on_close(c.aclose)
    return c


async def verified_client_probe(facts: "Facts") -> httpx.AsyncClient:
    c = make_client(facts, verify=True)
    facts.on_close(c.aclose)
    return c


def carries_credential(headers: Mapping[str, str] | None) -> bool:
    """Basic or Bearer credentials, or an OAuth header with an access token."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
    return value.startswith(("Basic ", "Bearer ")) or (value.startswith("OAuth ") and "oauth_token=" in value)


def _walk_causes(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]


_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def classify(exc: BaseException) -> TransportError:
    """Name a transport failure by type and verify_code, never by message text (JIRA-FACTS §7)."""
    import asyncio
    import httpx
    import ssl
    for cause in _walk_causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TransportError("tls", f"certificate verification failed: {cause.verify_message}", cause.verify_code)
        if isinstance(cause, ssl.SSLError):
            return TransportError("tls", f"TLS handshake failed ({cause.reason or type(cause).__name__})")
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return TransportError("timeout", "no answer within the time limit")
    if isinstance(exc, httpx.ProxyError):
        return TransportError("proxy", f"the proxy refused the request: {exc}")
    for cause in _walk_causes(exc):
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return TransportError("unreachable", f"no route to the host ({cause.strerror or cause})")
        if isinstance(cause, ConnectionResetError):
            return TransportError("reset", "the connection was reset")
        if isinstance(cause, ConnectionRefusedError):
            return TransportError("connect", "connection refused")
    if isinstance(exc, httpx.ConnectError):
        return TransportError("connect", f"cannot connect: {exc}")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return TransportError("reset", f"the server closed the connection: {type(exc).__name__}")
    if isinstance(exc, httpx.HTTPError):
        return TransportError("protocol", f"{type(exc).__name__}: {exc}")
    return TransportError("other", f"{type(exc).__name__}: {exc}")


async def fetch(
    facts: "Facts",
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    json: object | None = None,
    max_body: int = MAX_BODY,
    budget_s: float | None = None,
) -> HttpAnswer:
    """One request; ``max_body`` bounds what is kept, ``budget_s`` the whole exchange
    (default: twice the timeout plus a second — connect, read, and a dribbling body)."""
    import asyncio
    sent_at = time.time()
    try:
        http = await client(facts, credentials=carries_credential(headers))
    except Exception as exc:  # e.g. a SOCKS or malformed proxy setting httpx refuses
        return HttpAnswer(method, url, sent_at=sent_at, error=classify(exc))
    budget = budget_s if budget_s is not None else facts.target.timeout * 2 + 1
    t0 = time.perf_counter()

    async def go() -> HttpAnswer:
        async with http.stream(method, url, headers=headers, content=content, json=json) as response:
            chunks, size, truncated = [], 0, False
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > max_body:
                    truncated = True
                    break
            raw = b"".join(chunks)[:max_body]
            encoding = response.charset_encoding or "utf-8"
            try:
                body = raw.decode(encoding, errors="replace")
            except LookupError:
                body = raw.decode("utf-8", errors="replace")
            # redact at once: checks cut bodies and headers short for their evidence, and a secret
            # cut in half would no longer match the redactor
            redact = facts.redactor.text
            return HttpAnswer(
                method, url, response.status_code,
                {k.lower(): redact(v) for k, v in response.headers.items()},
                redact(body), truncated, time.perf_counter() - t0, sent_at,
            )

    try:
        return await asyncio.wait_for(go(), timeout=budget)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a fact
        if not isinstance(exc, Exception):
            raise
        return HttpAnswer(method, url, elapsed_s=time.perf_counter() - t0, sent_at=sent_at, error=classify(exc))


FACTS = {"http_client": http_client_probe, "http_client_verified": verified_client_probe}
