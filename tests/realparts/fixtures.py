"""pytest fixtures for the real parts; a conftest does ``from tests.realparts.fixtures import *``.

Session fixtures start one shared instance (servers are stateless towards tests); factories are
function-scoped and stop everything they started when the test ends, pass or fail.  Every start
is bounded by the helpers' own timeouts, every stop falls back to SIGKILL.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from .dns_server import DEFAULT_ZONE, DnsServer, DnsZone, start_dns_server
from .echo import EchoServer, start_echo_server
from .forward_proxy import PROXY_CREDENTIALS, InterceptingProxy, TinyProxy, start_intercepting_proxy, start_tinyproxy
from .nginx import NginxServer, Site, TLSFiles, proxy_site, start_nginx, start_plain_http, static_site
from .pki import Pki
from .procs import free_port

__all__ = [
    "PROXY_CREDENTIALS",
    "dns_server",
    "dns_server_factory",
    "echo_upstream",
    "free_port",
    "intercepting_proxy",
    "nginx_factory",
    "plain_http_nginx",
    "realparts_pki",
    "reverse_proxies",
    "tinyproxy_auth",
    "tinyproxy_connect_443_only",
    "tinyproxy_open",
    "tls_servers",
]



@pytest.fixture(scope="session")
def realparts_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Every TLS case as PEM files (``Pki.cases[name]`` is a :class:`~tests.realparts.pki.TLSCase`)."""
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def tls_servers(realparts_pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    """One nginx serving every TLS case; ``tls_servers.ports[case_name]`` is its port."""
    sites = [static_site(name, tls=TLSFiles(case.chain, case.key))
             for name, case in realparts_pki.cases.items()]
    with start_nginx(tmp_path_factory.mktemp("nginx-tls"), sites) as server:
        yield server


@pytest.fixture(scope="session")
def echo_upstream() -> Iterator[EchoServer]:
    """An HTTP upstream that answers with the request it received, as JSON."""
    with start_echo_server() as server:
        yield server


@pytest.fixture(scope="session")
def reverse_proxies(echo_upstream: EchoServer, realparts_pki: Pki,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    """One nginx with the usual reverse-proxy set-ups in front of ``echo_upstream``.

    Sites: ``proxy_host`` (nginx default Host, the upstream's), ``host`` ($host), ``http_host``
    ($http_host + X-Forwarded-Proto $scheme), ``tls_http_host`` (TLS with the full chain, $http_host,
    X-Forwarded-Proto https), ``prefix`` (public /jira/ mapped to upstream /).
    """
    up = echo_upstream.url
    full = realparts_pki.cases["full_chain"]
    sites = [
        proxy_site("proxy_host", up, host_header="$proxy_host"),
        proxy_site("host", up, host_header="$host"),
        proxy_site("http_host", up, host_header="$http_host", forwarded_proto="$scheme"),
        proxy_site("tls_http_host", up, host_header="$http_host", forwarded_proto="https",
                   tls=TLSFiles(full.chain, full.key)),
        proxy_site("prefix", up, host_header="$http_host", prefix=("/jira/", "/")),
    ]
    with start_nginx(tmp_path_factory.mktemp("nginx-proxy"), sites) as server:
        yield server


@pytest.fixture(scope="session")
def plain_http_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    """Plain-HTTP nginx: a TLS client talking to it gets WRONG_VERSION_NUMBER."""
    with start_plain_http(tmp_path_factory.mktemp("nginx-http")) as server:
        yield server


@pytest.fixture
def nginx_factory(tmp_path: Path) -> Iterator[Callable[[Sequence[Site]], NginxServer]]:
    """start(sites) -> NginxServer, each in its own directory; all stopped after the test."""
    counter = itertools.count()
    with contextlib.ExitStack() as started:  # stops newest first, even if one stop fails
        yield lambda sites: started.enter_context(start_nginx(tmp_path / f"nginx-{next(counter)}", sites))


@pytest.fixture(scope="session")
def tinyproxy_open(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyProxy]:
    """tinyproxy without authentication; adds ``Via: 1.1 realparts (tinyproxy/...)``."""
    with start_tinyproxy(tmp_path_factory.mktemp("tinyproxy-open")) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def tinyproxy_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyProxy]:
    """tinyproxy demanding Basic auth (``PROXY_CREDENTIALS``); 407 without them."""
    with start_tinyproxy(tmp_path_factory.mktemp("tinyproxy-auth"), credentials=PROXY_CREDENTIALS) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def tinyproxy_connect_443_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyProxy]:
    """tinyproxy with ``ConnectPort 443``: CONNECT to any loopback test port is refused (403)."""
    with start_tinyproxy(tmp_path_factory.mktemp("tinyproxy-443"), connect_ports=[443]) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def intercepting_proxy(realparts_pki: Pki,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[InterceptingProxy]:
    """CONNECT proxy re-signing TLS with ``realparts_pki.interception``; jira.test dials 127.0.0.1."""
    with start_intercepting_proxy(realparts_pki.interception, tmp_path_factory.mktemp("intercept"),
                                  hosts={"jira.test": "127.0.0.1"}) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsServer]:
    """DNS on 127.0.0.1 (UDP+TCP, ``dns_server.port``) answering from ``DEFAULT_ZONE``."""
    with start_dns_server(DEFAULT_ZONE) as server:
        yield server


@pytest.fixture
def dns_server_factory() -> Iterator[Callable[[DnsZone], DnsServer]]:
    """start(zone) -> DnsServer for a test's own zone; all stopped after the test."""
    with contextlib.ExitStack() as started:
        yield lambda zone: started.enter_context(start_dns_server(zone))
