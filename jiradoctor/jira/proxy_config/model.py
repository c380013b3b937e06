"""What a reverse proxy sends to Tomcat, as read from its configuration.

Why: the URL Jira rebuilds depends on the Host and X-Forwarded-* headers the proxy sends and on
which connector it reaches (JIRA-FACTS §2); server.xml alone cannot say. A :class:`ProxyRoute` is
one proxied location; :meth:`ProxyRoute.upstream_headers` evaluates the proxy's header templates
for one client request, as nginx or Apache would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from jiradoctor.jira.urls import DEFAULT_PORTS
from jiradoctor.secrets import MASK, name_means_secret

_VARIABLE = re.compile(r"\$(\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)")


class ProxyConfigError(ValueError):
    """The proxy configuration cannot be used; the message says why (never its secrets). ``secrets``:
    the credentials found in the files read so far, for the run's redactor all the same."""

    def __init__(self, message: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.secrets = secrets


# a directive that sets a header: nginx proxy_set_header/add_header/more_set_*, Apache (Request)Header
_HEADER_DIRECTIVE = re.compile(
    r"(?:^|[;{}])\s*(?:proxy_set_header|grpc_set_header|add_header|more_set_input_headers|more_set_headers|"
    r"(?:Request)?Header\s+(?:always\s+|onsuccess\s+)?(?:set|add|append|setifempty|merge|edit\*?))"
    r"\s+(?:-[a-z]+\s+)*[\"']?(?P<name>[^\s:\"';{}]+)[\"']?:?[ \t]+"
    r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s;\"'{}]+)",
    re.IGNORECASE | re.MULTILINE,
)
_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}://(?P<info>[^/@\s;\"'<>]{1,512})@")
_AUTH_SCHEMES = ("basic", "bearer", "token", "digest", "negotiate", "oauth", "apikey")


def _unquote(value: str) -> str:
    value = value.strip()
    while len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].strip()
    return value


def header_secrets(value: str) -> list[str]:
    """The credential pieces of a secret header's value: the whole value, the credential after an auth
    scheme (``Basic xyz``), each cookie's value (``a=1; b=2``). Variables (``$http_authorization``,
    ``%{...}``) are references, not secrets."""
    value = _unquote(value)
    if not value or value.startswith(("$", "%{")):
        return []
    found = [value]
    words = value.split()
    if len(words) > 1 and words[0].lower() in _AUTH_SCHEMES:
        found.append(" ".join(words[1:]))
    for pair in re.split(r"[;,]\s*", value):
        name, eq, rest = pair.partition("=")
        if eq and rest.strip():
            found.append(rest.strip())
    return found


def userinfo_secret(info: str) -> str:
    """What to mask of a URL's userinfo: the password, or the user when there is none (a token there)."""
    user, sep, password = info.partition(":")
    return password if sep and password else user


def secrets_in_text(text: str) -> list[str]:
    """Every credential a proxy configuration's text carries, read by text alone, so that a file our
    parser refuses still has its secrets registered: values of headers whose name means secret
    (``proxy_set_header X-Api-Key ...``, ``RequestHeader set Authorization ...``) and URL userinfo."""
    found: list[str] = []
    for match in _HEADER_DIRECTIVE.finditer(text):
        if name_means_secret(match.group("name")):
            found += header_secrets(match.group("value"))
    for match in _USERINFO.finditer(text):
        found.append(userinfo_secret(match.group("info")))
    return [f for f in dict.fromkeys(found) if f]


def shown_header(name: str, value: str) -> str:
    """The value a report may show for a header the proxy sets: masked when the name means secret."""
    return MASK if value and name_means_secret(name) and not _unquote(value).startswith(("$", "%{")) else value


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
    secrets: tuple[str, ...] = field(default=(), repr=False)  # for the run's redactor, never shown

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
