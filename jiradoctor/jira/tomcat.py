"""How Tomcat builds the request URL that Jira sees (and signs OAuth base strings against).

Tomcat's ``request.getRequestURL()`` takes scheme from the Connector's ``scheme`` attribute
(default ``http``), the host from ``proxyName`` or else the Host header, the port from
``proxyPort`` or else the Host header's port (the scheme's default when the header has none),
then adds the Context path (JIRA-FACTS.md §2). A RemoteIpValve, for a proxy it trusts, may then
replace scheme, port and name from X-Forwarded-* headers. Both the ``base-url`` check and the lab
use this one model; tests/realparts/test_tomcat_matrix.py proves it against real Tomcat 10.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from jiradoctor.jira.urls import DEFAULT_PORTS, JiraUrl


# Tomcat 10.1's RemoteIpValve default ``internalProxies`` (read from catalina.jar of Debian's
# tomcat10 10.1.x): 10/8, 192.168/16, 169.254/16, 127/8, 100.64/10, 172.16/12, ::1, fe80::/10, fc00::/7.
DEFAULT_INTERNAL_PROXIES = (
    r"10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|"
    r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}|100\.6[4-9]{1}\.\d{1,3}\.\d{1,3}|100\.[7-9]{1}\d{1}\.\d{1,3}\.\d{1,3}|"
    r"100\.1[0-1]{1}\d{1}\.\d{1,3}\.\d{1,3}|100\.12[0-7]{1}\.\d{1,3}\.\d{1,3}|172\.1[6-9]{1}\.\d{1,3}\.\d{1,3}|"
    r"172\.2[0-9]{1}\.\d{1,3}\.\d{1,3}|172\.3[0-1]{1}\.\d{1,3}\.\d{1,3}|0:0:0:0:0:0:0:1|::1|"
    r"fe[89ab]\p{XDigit}:.*|f[cd]\p{XDigit}{2}+:.*"
)


DEFAULT_INTERNAL_RANGES = "10/8, 192.168/16, 169.254/16, 127/8, 100.64/10, 172.16/12, ::1, fe80::/10, fc00::/7"


class InvalidProxyPattern(ValueError):
    """An internalProxies/trustedProxies value that is not a usable regular expression."""


def java_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Java regex as Tomcat's Pattern.compile would (the constructs server.xml values use).

    ``\\p{XDigit}`` has no Python spelling; possessive quantifiers (``{2}+``) exist from Python 3.11.
    """
    translated = pattern.replace(r"\p{XDigit}", "[0-9a-fA-F]")
    if len(translated) > 4096:
        raise InvalidProxyPattern("longer than 4096 characters")
    try:
        return re.compile(translated)
    except re.error as exc:
        raise InvalidProxyPattern(str(exc)) from None


def _java_split(value: str) -> list[str]:
    """Tomcat's comma list: entries trimmed; like Java's String.split, trailing empties dropped."""
    entries = [e.strip() for e in value.split(",")]
    while entries and not entries[-1]:
        entries.pop()
    return entries


@dataclass(frozen=True)
class RemoteIpValve:
    """Tomcat's RemoteIpValve, the attributes that change the URL Jira sees (JIRA-FACTS §2).

    It acts only for a TCP peer matching ``internal_proxies`` or ``trusted_proxies`` (Java regexes;
    None = not set); ``protocol_header`` https (every entry of a list) gives https and
    ``https_server_port``, any other value http and ``http_server_port`` (over the connector's
    proxyPort); ``port_header`` replaces that port, read only with the protocol header present;
    ``host_header`` replaces the name (its port, if any, is dropped).
    """

    protocol_header: str | None = "X-Forwarded-Proto"
    protocol_header_https_value: str = "https"
    https_server_port: int = 443
    http_server_port: int = 80
    internal_proxies: str | None = DEFAULT_INTERNAL_PROXIES
    trusted_proxies: str | None = None
    host_header: str | None = None
    port_header: str | None = None
    level: str = "Engine"

    def trusts(self, peer: str | None) -> bool:
        """Whether the valve reads X-Forwarded-* from this TCP peer; None = assume the proxy is trusted."""
        if peer is None:
            return True
        return any(
            p is not None and p != "" and java_regex(p).fullmatch(peer) is not None
            for p in (self.internal_proxies, self.trusted_proxies)
        )

    def trust_rule(self) -> str:
        """The addresses the valve takes X-Forwarded-* from, in words (the regexes named as written)."""
        if self.internal_proxies == DEFAULT_INTERNAL_PROXIES:
            internal = f"Tomcat's default internalProxies ({DEFAULT_INTERNAL_RANGES})"
        elif self.internal_proxies:
            internal = f'internalProxies="{self.internal_proxies}"'
        else:
            internal = ""
        trusted = f'trustedProxies="{self.trusted_proxies}"' if self.trusted_proxies else ""
        either = " or ".join(p for p in (internal, trusted) if p)
        return either or "no address (internalProxies and trustedProxies empty)"

    def is_https(self, value: str) -> bool:
        """Tomcat's isForwardedProtoHeaderValueSecure: case-insensitive; a list only when all entries match."""
        want = self.protocol_header_https_value.lower()
        if "," not in value:
            return value.strip().lower() == want
        entries = _java_split(value)
        return bool(entries) and all(e.lower() == want for e in entries)

    def forwarded_headers(self, scheme: str, host: str | None = None, port: int | None = None) -> dict[str, str]:
        """The headers a proxy must send for this valve to make Jira see scheme/host/port."""
        headers: dict[str, str] = {}
        if self.protocol_header:
            https = self.protocol_header_https_value
            headers[self.protocol_header] = (
                https if scheme == "https" else ("http" if https.lower() != "http" else "off")
            )
        if self.host_header and host:
            headers[self.host_header] = host
        if self.port_header and port is not None and self.protocol_header:
            headers[self.port_header] = str(port)
        return headers


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


_VALID_HOST = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?")


def _valid_host(value: str) -> bool:
    """Would Tomcat's ``Host.parse`` accept it? RemoteIpValve ignores a ``hostHeader`` it refuses (a
    list such as ``"a, b:1"``, which Apache makes of X-Forwarded-Host): observed with real Tomcat
    10.1 behind real Apache (tests/realparts/test_apache_matrix.py)."""
    return bool(_VALID_HOST.fullmatch(value.strip()))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:  # Integer.parseInt failing: Tomcat keeps the default port
        return None


def request_url(
    connector: Connector,
    host_header: str,
    path: str = "",
    forwarded_headers: Mapping[str, str] | None = None,
    peer: str | None = None,
) -> JiraUrl:
    """The URL Jira reconstructs for a request that reached ``connector`` with ``host_header``.

    ``path`` is the path after the context path; ``forwarded_headers`` are the request's headers
    (consulted only by a RemoteIpValve); ``peer`` is the TCP peer's address as Tomcat writes it
    (the proxy's), None when unknown: the valve is then assumed to trust it.
    Order as in Tomcat: the connector (CoyoteAdapter.postParseRequest), then the valve.
    """
    scheme = connector.effective_scheme
    header_host, header_port = _split_host_header(host_header)
    host = connector.proxy_name or header_host
    port = connector.proxy_port or header_port or DEFAULT_PORTS.get(scheme, 80)
    valve = connector.remote_ip_valve
    if valve and forwarded_headers is not None and valve.trusts(peer):
        lowered = {k.lower(): v for k, v in forwarded_headers.items()}
        proto = lowered.get(valve.protocol_header.lower()) if valve.protocol_header else None
        if proto is not None:
            https = valve.is_https(proto)
            scheme = "https" if https else "http"
            port = valve.https_server_port if https else valve.http_server_port
            if valve.port_header:
                port = _int_or_none(lowered.get(valve.port_header.lower())) or port
        forwarded_host = lowered.get(valve.host_header.lower()) if valve.host_header else None
        if forwarded_host and _valid_host(forwarded_host):
            host = _split_host_header(forwarded_host)[0]
    return JiraUrl(scheme=scheme, host=host.lower(), port=port, path=connector.context_path + path)
