"""``proxy_route`` and ``proxy``: which proxy the integration's requests take, and whether it lets them through.

The route is decided from ``--proxy`` and the environment before anything is sent
(:mod:`jiradoctor.net.proxy_route`). The ``proxy`` probe then talks to the proxy itself: first
a bare TCP connect (a dead proxy must not pass for a dead Jira), then the CONNECT an https
client sends (or a forwarded GET for http), so a 407 or a refused CONNECT is seen as the
proxy's own answer. :func:`open_stream` is the one way the network probes reach Jira's port.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, TypeAlias

from jiradoctor.facts import Fact
from jiradoctor.jira.urls import DEFAULT_PORTS
from jiradoctor.net.proxy_route import Route, decide_route, target_authority
from jiradoctor.probes.http import USER_AGENT, TransportError, classify
from jiradoctor.jira.urls import split as split_url

if TYPE_CHECKING:
    from jiradoctor.context import Facts
    import asyncio

MAX_HEAD = 16 * 1024
KEPT_HEADERS = ("proxy-authenticate", "server", "via", "x-squid-error", "x-cache")

Stream: TypeAlias = "tuple[asyncio.StreamReader, asyncio.StreamWriter]"


class ProxyRefused(OSError):
    """The proxy answered CONNECT with a status other than 2xx."""

    def __init__(self, status: int, reason: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"the proxy answered CONNECT with {status} {reason}".strip())
        self.status, self.reason, self.headers = status, reason, dict(headers)


class UnsupportedProxy(OSError):
    """A proxy scheme the probes cannot tunnel through (socks, TLS to the proxy)."""


@dataclass(frozen=True)
class ProxyAnswer:
    """What the proxy on the route said. ``status`` is its answer to CONNECT (https) or to the
    forwarded GET (http; then it may be Jira's own status, except 407). None fields: not asked."""

    route: Route
    reachable: bool | None = None
    method: str | None = None
    status: int | None = None
    reason: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    error: TransportError | None = None
    elapsed_s: float = 0.0


def host_port(url: str) -> tuple[str, int]:
    try:
        parts = split_url(url)
        return parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 80)
    except ValueError:  # a URL urllib cannot read has no host to reach
        return "", 0


def _auth_header(route: Route) -> str:
    credentials = route.proxy_credentials
    if credentials is None:
        return ""
    token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
    return f"Proxy-Authorization: Basic {token}\r\n"


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str, dict[str, str]]:
    """Status, reason and (kept, lower-cased) headers of an HTTP response head."""
    import asyncio

    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        head = await reader.read(MAX_HEAD)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not (parts[1].isascii() and parts[1].isdecimal()):
        raise ValueError(f"not an HTTP answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in KEPT_HEADERS:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


async def _connect_proxy(route: Route, timeout: float) -> Stream:
    import asyncio

    endpoint = route.proxy_endpoint
    if endpoint is None or route.proxy_scheme != "http":
        raise UnsupportedProxy(f"{route.proxy_scheme} proxies are not probed; only http:// proxies are")
    return await asyncio.wait_for(asyncio.open_connection(*endpoint), timeout)


async def open_stream(route: Route, host: str, port: int, timeout: float) -> Stream:
    """A TCP stream to host:port: direct, or through the route's proxy with CONNECT."""
    import asyncio

    if not route.via_proxy:
        return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    reader, writer = await _connect_proxy(route, timeout)
    try:
        authority = target_authority(f"https://{host}:{port}")
        writer.write(
            f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {USER_AGENT}\r\n"
            f"{_auth_header(route)}\r\n".encode("latin-1")
        )
        status, reason, headers = await asyncio.wait_for(_read_head(reader), timeout)
        if not 200 <= status < 300:
            raise ProxyRefused(status, reason, headers)
        return reader, writer
    except BaseException:
        writer.close()
        raise


async def route_probe(facts: "Facts") -> Route:
    """The route; the proxy password (from --proxy or the environment) becomes a run secret at once."""
    route = decide_route(facts.target.url or "", facts.target.proxy, os.environ)
    credentials = route.proxy_credentials
    if credentials is not None:
        facts.redactor.add(credentials[1], user=credentials[0])
    return route


async def _forward(route: Route, url: str, timeout: float) -> tuple[int, str, dict[str, str]]:
    """A plain-HTTP GET of serverInfo through the proxy, as an http:// client sends it."""
    import asyncio

    reader, writer = await _connect_proxy(route, timeout)
    try:
        target = url.rstrip("/") + "/rest/api/2/serverInfo"
        authority = split_url(url).netloc.rsplit("@", 1)[-1].replace("\r", "").replace("\n", "")
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {USER_AGENT}\r\n"
            f"Accept: application/json\r\nConnection: close\r\n{_auth_header(route)}\r\n".encode("latin-1")
        )
        return await asyncio.wait_for(_read_head(reader), timeout)
    finally:
        writer.close()


async def proxy_probe(facts: "Facts") -> ProxyAnswer:
    route: Route = await facts.get("proxy_route")
    if not route.via_proxy:
        return ProxyAnswer(route)
    timeout = facts.target.timeout
    t0 = time.perf_counter()
    try:  # the proxy's own socket first
        _, writer = await _connect_proxy(route, timeout)
        writer.close()
    except UnsupportedProxy as exc:
        return ProxyAnswer(route, error=TransportError("unsupported", str(exc)))
    except Exception as exc:  # noqa: BLE001 - every failure is a fact
        return ProxyAnswer(route, reachable=False, error=classify(exc), elapsed_s=time.perf_counter() - t0)
    url = facts.target.url or ""
    host, port = host_port(url)
    try:
        if split_url(url).scheme.lower() == "https":
            _, writer = await open_stream(route, host, port, timeout)
            writer.close()
            return ProxyAnswer(
                route, True, "CONNECT", 200, "Connection established", elapsed_s=time.perf_counter() - t0
            )
        status, reason, headers = await _forward(route, url, timeout)
        return ProxyAnswer(route, True, "GET", status, reason, headers, elapsed_s=time.perf_counter() - t0)
    except ProxyRefused as exc:
        return ProxyAnswer(
            route, True, "CONNECT", exc.status, exc.reason, exc.headers, elapsed_s=time.perf_counter() - t0
        )
    except Exception as exc:  # noqa: BLE001
        return ProxyAnswer(route, True, error=classify(exc), elapsed_s=time.perf_counter() - t0)


PROXY_ROUTE: Fact[Route] = Fact("proxy_route", "The route to Jira: direct or through which proxy (no I/O)")
PROXY: Fact[ProxyAnswer] = Fact("proxy", "The forward proxy's answer to a request or CONNECT for Jira")

FACTS = {PROXY_ROUTE.name: route_probe, PROXY.name: proxy_probe}
