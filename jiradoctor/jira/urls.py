"""Jira URLs normalised for comparison: default ports, trailing slashes and host case."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache

from jiradoctor.secrets import clip

DEFAULT_PORTS = {"http": 80, "https": 443}  # the one default-port rule of the package


@lru_cache(maxsize=1024)
def split(text: str) -> urllib.parse.SplitResult:
    """``urlsplit``, once per distinct text: the Jira URL a user gave is taken apart when it is resolved,
    and every probe and check that asks again gets the same parts (a run asked 33 times)."""
    return urllib.parse.urlsplit(text)


def default_port(scheme: str) -> int:
    """The port a URL of ``scheme`` means when it names none (80 for anything but https)."""
    return DEFAULT_PORTS.get(scheme.lower(), 80)


class InvalidUrl(ValueError):
    pass


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)@")


def why_malformed(exc: ValueError) -> str:
    """urllib's reason, without the netloc it may quote (userinfo and password included)."""
    return re.sub(r"netloc '.*' contains", "the host part contains", str(exc), flags=re.DOTALL)[:200]


def masked(url: str) -> str:
    """The URL with its userinfo's password masked, by text alone (it works on URLs urllib refuses)."""
    match = _USERINFO.match(url)
    if not match:
        return url
    user, sep, _ = match.group(2).partition(":")
    return (
        f"{match.group(1)}{user}{':***' if sep else ''}@{url[match.end() :]}"
        if sep
        else f"{match.group(1)}***@{url[match.end() :]}"
    )


@dataclass(frozen=True)
class JiraUrl:
    """A URL reduced to what a signature or a Base URL compares: scheme, host, port, path."""

    scheme: str
    host: str
    port: int
    path: str = ""

    @classmethod
    def parse(cls, text: str) -> "JiraUrl":
        """Raises :class:`InvalidUrl` (never a bare ValueError) for anything that is not an http(s) URL."""
        raw = str(text).strip()
        shown = clip(raw, 201, masked)  # masked first: a cut before the "@" would leave the password unmasked
        try:
            parts = split(raw)
            hostname = parts.hostname
        except ValueError as exc:  # "http://[…", characters that change under NFKC
            raise InvalidUrl(f"malformed URL ({why_malformed(exc)}): {shown!r}") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise InvalidUrl(f"not an http(s) URL: {shown!r}")
        if not hostname:
            raise InvalidUrl(f"no host in URL: {shown!r}")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError:
            raise InvalidUrl(f"bad port in URL: {shown!r}") from None
        host = hostname.lower()
        if ":" in host:
            host = f"[{host}]"
        return cls(scheme, host, port, parts.path.rstrip("/"))

    def __str__(self) -> str:
        port = "" if DEFAULT_PORTS.get(self.scheme) == self.port else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.path}"

    def differences(self, other: "JiraUrl") -> list[str]:
        """Which of scheme, host, port, path differ, in that order."""
        return [name for name in ("scheme", "host", "port", "path") if getattr(self, name) != getattr(other, name)]

    def join(self, path: str) -> str:
        return f"{self}{path if path.startswith('/') else '/' + path}"


def same_site(a: str, b: str) -> bool:
    """The one rule for "the same Jira": scheme, host (case-insensitive) and port (the default port
    filled in) agree; the path, a trailing slash and user info do not count. ``https://Jira.example.com``
    and ``https://jira.example.com:443/`` are the same site. Text that is not a URL is compared as text."""
    try:
        left, right = JiraUrl.parse(a.strip()), JiraUrl.parse(b.strip())
    except InvalidUrl:
        return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()
    return (left.scheme, left.host, left.port) == (right.scheme, right.host, right.port)
