"""How Tomcat builds the request URL that Jira sees (and signs OAuth base strings against).

Tomcat's ``request.getRequestURL()`` takes scheme from the Connector's ``scheme`` attribute
(default ``http``), the host from ``proxyName`` or else the Host header, the port from
``proxyPort`` or else the Host header's port (the scheme's default when the header has none),
then adds the Context path (JIRA-FACTS.md §2). A RemoteIpValve may replace scheme and port from
``X-Forwarded-Proto``. Both the ``base-url`` check and the lab use this one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from jiradoctor.jira.urls import DEFAULT_PORTS, JiraUrl


@dataclass(frozen=True)
class RemoteIpValve:
    """The parts of Tomcat's RemoteIpValve that change the URL Jira sees."""

    protocol_header: str = "X-Forwarded-Proto"
    protocol_header_https_value: str = "https"
    https_server_port: int = 443
    # UNCONFIRMED whether every Jira build honours ``internalProxies`` for loopback; the lab
    # accepts the header from any peer, which is what matters for loopback tests.


@dataclass(frozen=True)
class Connector:
    """An HTTP connector as server.xml declares it; ``attributes`` keeps every original attribute."""

    port: int
    scheme: str | None = None
    secure: bool = False
    proxy_name: str | None = None
    proxy_port: int | None = None
    ssl_enabled: bool = False
    context_path: str = ""
    remote_ip_valve: RemoteIpValve | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_scheme(self) -> str:
        """The scheme Tomcat gives the request.

        An SSLEnabled connector's HTTP processor sets "https" itself and the ``scheme`` attribute
        is then not consulted; otherwise ``scheme`` applies, default "http" (Tomcat's
        CoyoteAdapter.postParseRequest: "HTTP does this if SSL is enabled").
        """
        return "https" if self.ssl_enabled else (self.scheme or "http").lower()

    @property
    def has_proxy_attributes(self) -> bool:
        return bool(self.proxy_name or self.proxy_port or self.scheme)

    @property
    def label(self) -> str:
        return f"Connector port={self.port}"


def _split_host_header(host_header: str) -> tuple[str, int | None]:
    host_header = host_header.strip()
    if host_header.startswith("["):  # IPv6 literal
        end = host_header.find("]")
        host, rest = host_header[: end + 1], host_header[end + 1 :]
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if ":" in host_header:
        host, _, port = host_header.rpartition(":")
        return host, int(port) if port.isdigit() else None
    return host_header, None


def request_url(
    connector: Connector,
    host_header: str,
    path: str = "",
    forwarded_headers: Mapping[str, str] | None = None,
) -> JiraUrl:
    """The URL Jira reconstructs for a request that reached ``connector`` with ``host_header``.

    ``path`` is the path after the context path; ``forwarded_headers`` are the request's headers
    (only consulted when a RemoteIpValve is configured).
    """
    scheme = connector.effective_scheme
    header_host, header_port = _split_host_header(host_header)
    host = connector.proxy_name or header_host
    port: int | None
    if connector.proxy_port:
        port = connector.proxy_port
    else:
        port = header_port
    valve = connector.remote_ip_valve
    if valve and forwarded_headers is not None:
        lowered = {k.lower(): v for k, v in forwarded_headers.items()}
        proto = lowered.get(valve.protocol_header.lower())
        if proto is not None:
            if proto.strip().lower() == valve.protocol_header_https_value:
                scheme, port = "https", valve.https_server_port
            else:
                scheme, port = "http", port if connector.proxy_port else 80
    if port is None:
        port = DEFAULT_PORTS.get(scheme, 80)
    return JiraUrl(scheme=scheme, host=host.lower(), port=port, path=connector.context_path + path)
