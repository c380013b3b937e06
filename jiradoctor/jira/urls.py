"""Jira URLs normalised for comparison: default ports, trailing slashes and host case."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidUrl(ValueError):
    pass


@dataclass(frozen=True)
class JiraUrl:
    """A URL reduced to what a signature or a Base URL compares: scheme, host, port, path."""

    scheme: str
    host: str
    port: int
    path: str = ""

    @classmethod
    def parse(cls, text: str) -> "JiraUrl":
        raw = text.strip()
        parts = urllib.parse.urlsplit(raw)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise InvalidUrl(f"not an http(s) URL: {raw!r}")
        if not parts.hostname:
            raise InvalidUrl(f"no host in URL: {raw!r}")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError as exc:
            raise InvalidUrl(f"bad port in URL: {raw!r}") from exc
        host = parts.hostname.lower()
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
