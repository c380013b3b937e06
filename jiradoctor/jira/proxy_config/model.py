"""What a reverse proxy sends to Tomcat, as read from its configuration.

Why: the URL Jira rebuilds depends on the Host and X-Forwarded-* headers the proxy sends and on
which connector it reaches (JIRA-FACTS §2); server.xml alone cannot say. A :class:`ProxyRoute` is
one proxied location; :meth:`ProxyRoute.upstream_headers` evaluates the proxy's header templates
for one client request, as nginx or Apache would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from jiradoctor.jira.urls import DEFAULT_PORTS

_VARIABLE = re.compile(r"\$(\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)")


class ProxyConfigError(ValueError):
    """The proxy configuration cannot be used; the message says why (never its secrets)."""


@dataclass(frozen=True)
class ProxyRoute:
    """One location that forwards to an upstream.

    ``host_header`` is the Host template (None = the proxy's default: nginx ``$proxy_host``, Apache
    without ProxyPreserveHost the upstream address); ``headers`` the other templates it sets.
    """

    kind: str  # "nginx" | "apache"
    where: str  # file:line, for findings
    location: str
    upstream_scheme: str
    upstream_host: str
    upstream_port: int
    upstream_name: str  # what nginx's $proxy_host holds (an upstream{} group's name, or host[:port])
    upstream_path: str | None  # the URI part of proxy_pass (None: the path is passed unchanged)
    listen_port: int | None
    tls: bool
    server_names: tuple[str, ...] = ()
    host_header: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    cache: str | None = None  # proxy_cache zone (None or "off": no cache)
    unresolved: tuple[str, ...] = ()  # variables we could not evaluate
    add_forwarded: bool = True  # Apache's ProxyAddHeaders (On by default): X-Forwarded-For/Host/Server

    @property
    def public_scheme(self) -> str:
        return "https" if self.tls else "http"

    def upstream_headers(self, client_host: str, peer: str = "127.0.0.1") -> tuple[str, dict[str, str]]:
        """(Host, other headers) the proxy sends upstream for a request with this client Host header."""
        name = client_host.rsplit(":", 1)[0] if client_host.count(":") == 1 else client_host
        variables = {
            "host": (name or (self.server_names[0] if self.server_names else "")).lower(),
            "http_host": client_host,
            "proxy_host": self.upstream_name,
            "proxy_port": str(self.upstream_port),
            "scheme": self.public_scheme,
            "server_port": str(self.listen_port or DEFAULT_PORTS[self.public_scheme]),
            "server_name": self.server_names[0] if self.server_names else "",
            "https": "on" if self.tls else "",
            "remote_addr": peer,
            "proxy_add_x_forwarded_for": peer,
            "request_uri": "/",
        }
        if self.kind == "apache":
            default_host = client_host if self.host_header == "preserve" else self.upstream_name
            host = default_host
        else:
            host = expand(self.host_header, variables) if self.host_header is not None else self.upstream_name
        headers = {k: expand(v, variables) for k, v in self.headers.items()}
        if self.kind == "apache" and self.add_forwarded:
            # mod_proxy_http adds these after RequestHeader ran, merging (", ") onto a value set there;
            # an unset one comes back with mod_proxy's value alone (measured on real httpd 2.4)
            added = {
                "X-Forwarded-For": peer,
                "X-Forwarded-Host": client_host,
                "X-Forwarded-Server": variables["server_name"] or name,
            }
            for key, value in added.items():
                same = [k for k in headers if k.lower() == key.lower()]
                mine = headers.pop(same[0], "") if same else ""
                headers[key] = f"{mine}, {value}" if mine else value
        return host, {k: v for k, v in headers.items() if v != ""}  # an empty value: header not sent


def expand(template: str, variables: Mapping[str, str]) -> str:
    """nginx-style ``$name`` / ``${name}`` expansion; unknown variables expand to nothing, as unset ones do."""
    return _VARIABLE.sub(lambda m: variables.get(m.group(1).strip("{}"), ""), template)


def variables_in(template: str) -> list[str]:
    return [m.group(1).strip("{}") for m in _VARIABLE.finditer(template)]


@dataclass(frozen=True)
class ProxyConfig:
    kind: str
    routes: tuple[ProxyRoute, ...]
    files: tuple[str, ...]
    problems: tuple[str, ...] = ()

    def route_for(self, path: str) -> ProxyRoute | None:
        """The route serving ``path`` (Jira's context path): the longest matching prefix."""
        path = path or "/"
        candidates = [
            r
            for r in self.routes
            if path == r.location.rstrip("/")
            or (path.rstrip("/") + "/").startswith(r.location.rstrip("/") + "/")
            or r.location == "/"
        ]
        return max(candidates, key=lambda r: len(r.location), default=None)


def read_proxy_config(path: str | Path) -> ProxyConfig:
    """nginx or Apache httpd, told apart by their syntax."""
    from jiradoctor.jira.proxy_config import apache, nginx

    from jiradoctor import files

    p = Path(path)
    try:
        data = files.read_bounded(p, files.MAX_PROXY_CONFIG, "proxy config", shown=p.name)
        head = data[:65536].decode("utf-8", "replace")
    except files.FileProblem as exc:
        raise ProxyConfigError(str(exc)) from None
    if re.search(r"^\s*(<VirtualHost|ProxyPass\s|ProxyPreserveHost\s)", head, re.I | re.M):
        return apache.read(p)
    return nginx.read(p)
