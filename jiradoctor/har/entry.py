"""A typed, defensive view of one HAR entry (HAR 1.2 as Chrome, Firefox, Edge and Safari write it).

Any field may be missing or of the wrong type in a hostile file; every accessor falls back to
a neutral value, so one broken entry never stops the analysis of the others.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping

from jiradoctor.probes.http import HttpAnswer

MAX_TEXT = 256 * 1024  # what is kept of a body for analysis (as the live probes keep)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any, limit: int = 8192) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return (
        int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and -1 <= value < 10_000 else None
    )


def header_map(headers: Any) -> dict[str, str]:
    """HAR headers (a list of {name, value}) as lower-cased names; repeated ones joined by ', '."""
    out: dict[str, str] = {}
    for item in _list(headers)[:500]:
        item = _dict(item)
        name, value = _str(item.get("name"), 256).lower(), _str(item.get("value"))
        if name:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


@dataclass(frozen=True)
class HarEntry:
    """One request/response of the recorded session, with its position in the file."""

    index: int
    started: str
    method: str
    url: str
    status: int | None
    request_headers: Mapping[str, str]
    response_headers: Mapping[str, str]
    request_body: str
    response_body: str
    mime_type: str
    error: str | None  # Chrome's _error / a status 0 answer: the request got no response
    blocked: str | None  # why the browser blocked it (CSP, mixed content, client, CORS)
    page_url: str | None = None

    @classmethod
    def from_json(cls, index: int, raw: Any) -> "HarEntry":
        raw = _dict(raw)
        request, response = _dict(raw.get("request")), _dict(raw.get("response"))
        content = _dict(response.get("content"))
        text = _str(content.get("text"), MAX_TEXT * 2)
        if _str(content.get("encoding"), 32).lower() == "base64" and text:
            try:
                text = base64.b64decode(text, validate=False)[:MAX_TEXT].decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                text = ""
        status = _int(response.get("status"))
        error = _str(response.get("_error"), 300) or _str(raw.get("_error"), 300) or None
        blocked = (
            _str(response.get("_blocked_reason"), 300)
            or _str(raw.get("_blocked_reason"), 300)
            or _str(response.get("_blockedReason"), 300)
            or None
        )
        if error and "BLOCKED" in error.upper() and not blocked:
            blocked = error
        if status == 0 and not error:
            error = "no response (status 0)"
        return cls(
            index=index,
            started=_str(raw.get("startedDateTime"), 64),
            method=_str(request.get("method"), 32).upper() or "GET",
            url=_str(request.get("url"), 8192),
            status=status if status and status > 0 else None,
            request_headers=header_map(request.get("headers")),
            response_headers=header_map(response.get("headers")),
            request_body=_str(_dict(request.get("postData")).get("text"), MAX_TEXT),
            response_body=text[:MAX_TEXT],
            mime_type=_str(content.get("mimeType"), 200),
            error=error,
            blocked=blocked,
        )

    @property
    def url_ok(self) -> bool:
        """Whether the URL parses (``https://[::1/x`` does not: urllib raises ValueError)."""
        return _split(self.url) is not None

    @property
    def scheme(self) -> str:
        parts = _split(self.url)
        return parts.scheme.lower() if parts else ""

    @property
    def origin(self) -> str:
        parts = _split(self.url)
        if parts is None:
            return ""
        return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{f':{parts.port}' if _port(parts) else ''}"

    @property
    def path(self) -> str:
        parts = _split(self.url)
        return parts.path if parts else ""

    def answer(self) -> HttpAnswer:
        """The response as the live probes' :class:`HttpAnswer`, so the same parsers read it."""
        headers = dict(self.response_headers)
        if self.mime_type and "content-type" not in headers:
            headers["content-type"] = self.mime_type
        return HttpAnswer(self.method, self.url, self.status, headers, self.response_body)


def _split(url: str) -> urllib.parse.SplitResult | None:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.hostname  # noqa: B018 - the bracketed host is checked when read
    except ValueError:
        return None
    return parts


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None
