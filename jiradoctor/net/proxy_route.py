"""Which proxy a request to the Jira URL takes, decided before any request is made.

Why before: a dead proxy looks exactly like a dead server to an HTTP client (JIRA-FACTS §8), so
the doctor must know the route to blame the right hop. The rules mirror httpx 0.28 (what the
doctor's own client does, and what most Python integrations do): ``--proxy`` overrides the
environment entirely (NO_PROXY included); otherwise ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``
in any case (lower case wins, as in urllib), and ``NO_PROXY`` entries in curl's style.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Mapping

from jiradoctor.jira.urls import DEFAULT_PORTS  # the one default-port rule
from jiradoctor.jira.urls import split as split_url


@dataclass(frozen=True)
class Route:
    """``kind``: ``direct`` (no proxy configured), ``proxy``, or ``bypassed`` (NO_PROXY matched).

    ``source`` names where the proxy came from (``--proxy`` or the variable, as spelled);
    ``no_proxy_entry`` the NO_PROXY entry that matched. ``proxy_url`` may hold credentials:
    show :attr:`proxy_display` instead, always.
    """

    kind: str
    url: str
    proxy_url: str | None = field(default=None, repr=False)
    source: str | None = None
    no_proxy_entry: str | None = None
    ignored: tuple[str, ...] = ()  # variables that were set but do not apply (e.g. NO_PROXY under --proxy)

    @property
    def via_proxy(self) -> bool:
        return self.kind == "proxy" and self.proxy_url is not None

    @property
    def proxy_display(self) -> str | None:
        return mask_userinfo(self.proxy_url) if self.proxy_url else None

    @property
    def proxy_endpoint(self) -> tuple[str, int] | None:
        """(host, port) of the proxy itself."""
        if not self.proxy_url:
            return None
        parts = split_url(self.proxy_url)
        if not parts.hostname:
            return None
        return parts.hostname, parts.port or (
            1080 if parts.scheme.startswith("socks") else DEFAULT_PORTS.get(parts.scheme, 80)
        )

    @property
    def proxy_scheme(self) -> str | None:
        return split_url(self.proxy_url).scheme.lower() if self.proxy_url else None

    @property
    def proxy_credentials(self) -> tuple[str, str] | None:
        """(user, password) from the proxy URL's userinfo, percent-decoded."""
        user, password = userinfo(self.proxy_url)
        return (user, password or "") if user is not None else None

    def describe(self) -> str:
        if self.kind == "direct":
            return f"direct to {target_authority(self.url)} (no proxy configured)"
        if self.kind == "bypassed":
            return (
                f"direct to {target_authority(self.url)}: NO_PROXY entry {self.no_proxy_entry!r} "
                f"bypasses the proxy {self.proxy_display} ({self.source})"
            )
        how = "CONNECT tunnel" if split_url(self.url).scheme == "https" else "forwarded request"
        return f"through the proxy {self.proxy_display} ({self.source}, {how})"


def mask_userinfo(url: str) -> str:
    """The URL with any password replaced by ``***`` (the user name stays: it helps and is no secret)."""
    parts = split_url(url)
    if parts.password is None and "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(
        (parts.scheme, f"{user}:***@{host}" if user else f"***@{host}", parts.path, parts.query, parts.fragment)
    )


def with_scheme(proxy: str) -> str:
    """``host:port`` means ``http://host:port``, as httpx and curl read a proxy setting."""
    return proxy if "://" in proxy else f"http://{proxy}"


def userinfo(url: str | None) -> tuple[str | None, str | None]:
    """(user, password) from a URL's userinfo, percent-decoded; (None, None) when absent or unreadable."""
    if not url:
        return None, None
    try:
        parts = split_url(url)
        return (
            urllib.parse.unquote(parts.username) if parts.username is not None else None,
            urllib.parse.unquote(parts.password) if parts.password else None,
        )
    except ValueError:
        return None, None


def target_authority(url: str) -> str:
    parts = split_url(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    host = parts.hostname or ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def proxies_from_env(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """urllib's ``getproxies_environment`` (what httpx reads): scheme -> (value, variable name).

    Pass one takes every ``*_proxy`` in any case; under CGI it forgets HTTP_PROXY (httpoxy);
    pass two lets the lower-case variables win, and an empty lower-case one unsets the scheme.
    """
    found: dict[str, tuple[str, str]] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name[:-6].lower()] = (value, name)
    if "REQUEST_METHOD" in environ:
        found.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):  # lower-case suffix, as urllib checks it
            if value:
                found[name[:-6].lower()] = (value, name)
            else:
                found.pop(name[:-6].lower(), None)
    return found


def _no_proxy_pattern(entry: str) -> str:
    """httpx's mount key for one NO_PROXY entry."""
    if "://" in entry:
        return entry
    bare = entry.split("/", 1)[0]
    try:
        ip = ipaddress.ip_address(bare.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        return f"all://[{entry.strip('[]')}]" if ip.version == 6 else f"all://{entry}"
    if entry.lower() == "localhost":
        return f"all://{entry}"
    return f"all://*{entry}"


@dataclass(frozen=True)
class _Pattern:
    """httpx's ``URLPattern``: scheme, host with leading ``*`` / ``*.`` wildcards, optional port."""

    key: str
    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, key: str) -> "_Pattern":
        scheme, _, rest = key.partition("://")
        authority = rest.split("/", 1)[0]
        host, port = authority, None
        match = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(?::(\d+))?", authority)
        if match:
            host, port = match.group(1), int(match.group(2)) if match.group(2) else None
        return cls(
            key, "" if scheme == "all" else scheme.lower(), "" if host == "*" else host.strip("[]").lower(), port
        )

    def matches(self, scheme: str, host: str, port: int | None) -> bool:
        if self.scheme and self.scheme != scheme:
            return False
        if self.host:
            if self.host.startswith("*."):
                ok = re.fullmatch(rf".+\.{re.escape(self.host[2:])}", host) is not None
            elif self.host.startswith("*"):
                ok = re.fullmatch(rf"(.+\.)?{re.escape(self.host[1:])}", host) is not None
            else:
                ok = host == self.host
            if not ok:
                return False
        return self.port is None or self.port == port

    @property
    def priority(self) -> tuple[int, int, int]:
        return (0 if self.port is not None else 1, -len(self.host), -len(self.scheme))


def decide_route(url: str, proxy_flag: str | None, environ: Mapping[str, str]) -> Route:
    """The route a request to url takes with ``--proxy`` (or none) and this environment."""
    parts = split_url(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, DEFAULT_PORTS.get(scheme)) else None  # httpx drops default ports
    env = proxies_from_env(environ)
    if proxy_flag:
        ignored = tuple(name for _, name in env.values())
        return Route("proxy", url, with_scheme(proxy_flag), "--proxy", ignored=ignored)
    mounts: dict[str, tuple[str | None, str]] = {}
    for kind in ("http", "https", "all"):
        if kind in env:
            value, name = env[kind]
            mounts[f"{kind}://"] = (with_scheme(value), name)
    no_proxy = env.get("no", ("", ""))[0]
    for entry in (e.strip() for e in no_proxy.split(",")):
        if entry == "*":
            configured = next((m for m in mounts.values()), None)
            if configured is None:
                return Route("direct", url)
            return Route("bypassed", url, configured[0], configured[1], no_proxy_entry="*")
        if entry:
            mounts[_no_proxy_pattern(entry)] = (None, entry)
    patterns = sorted((_Pattern.parse(key) for key in mounts), key=lambda p: p.priority)
    for pattern in patterns:
        if pattern.matches(scheme, host, port):
            proxy, label = mounts[pattern.key]
            if proxy is not None:
                return Route("proxy", url, proxy, label)
            bypassed = _proxy_for_scheme(mounts, scheme)
            if bypassed is None:
                return Route("direct", url)
            return Route("bypassed", url, bypassed[0], bypassed[1], no_proxy_entry=label)
    return Route("direct", url)


def _proxy_for_scheme(mounts: Mapping[str, tuple[str | None, str]], scheme: str) -> tuple[str, str] | None:
    """The proxy that would apply without NO_PROXY (to say what was bypassed)."""
    for key in (f"{scheme}://", "all://"):
        value = mounts.get(key)
        if value and value[0]:
            return value[0], value[1]
    return None
