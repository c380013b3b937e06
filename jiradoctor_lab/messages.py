"""The lab's request and response values, independent of the HTTP server that carries them.

Why: the Jira behaviour (OAuth provider, auth, REST) is plain functions from a :class:`Request`
to a :class:`Response`, so it can be replayed (the ``nonce-reused`` scenario sends a request
twice) and read without the socket plumbing of ``server.py``.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from jiradoctor.jira.urls import JiraUrl

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
XML_TYPE = "application/xml;charset=UTF-8"
TEXT_TYPE = "text/plain;charset=UTF-8"


@dataclass(frozen=True)
class Request:
    """A request as Jira sees it: after the simulated front proxy and Tomcat's URL rebuild.

    ``path`` is the path inside Jira's webapp (context path removed), ``query`` the raw query
    string Jira received, ``jira_url`` the URL Tomcat rebuilt (context path included, no query).
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    jira_url: JiraUrl

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    @property
    def query_params(self) -> list[tuple[str, str]]:
        return urllib.parse.parse_qsl(self.query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query_params if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query_params if k == name]

    @property
    def is_form(self) -> bool:
        ctype = (self.header("content-type") or "").split(";")[0].strip().lower()
        return ctype == FORM_TYPE

    @property
    def form(self) -> list[tuple[str, str]]:
        if not self.is_form:
            return []
        return urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json_body(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def url_with_query(self) -> str:
        return str(self.jira_url) + (f"?{self.query}" if self.query else "")


@dataclass
class Response:
    """An answer: status, ordered headers, body bytes. Mutable so layers can add headers."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    jira_headers: bool = True  # False for answers that must not look like Jira's (not-jira)
    login_page: bool = False  # a login page (an SSO app's, Jira's own): not Jira's API answering, even with its headers

    def add(self, name: str, value: str) -> "Response":
        self.headers.append((name, value))
        return self

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    @classmethod
    def json(cls, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> "Response":
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return cls(status, body, [("Content-Type", JSON_TYPE), *headers])

    @classmethod
    def text(cls, status: int, text: str, content_type: str = TEXT_TYPE) -> "Response":
        return cls(status, text.encode("utf-8"), [("Content-Type", content_type)])

    @classmethod
    def html(cls, status: int, html: str) -> "Response":
        return cls.text(status, html, HTML_TYPE)

    @classmethod
    def form(cls, status: int, pairs: Iterable[tuple[str, str]]) -> "Response":
        body = urllib.parse.urlencode(list(pairs), quote_via=urllib.parse.quote)
        return cls.text(status, body, FORM_TYPE)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> "Response":
        resp = cls.html(status, f'<html><body>Moved to <a href="{location}">{location}</a></body></html>')
        return resp.add("Location", location)


def error_body(*messages: str, errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Jira's REST error shape (JIRA-FACTS §3)."""
    return {"errorMessages": list(messages), "errors": dict(errors or {})}


def status_body(status: int, message: str) -> dict[str, Any]:
    """The other REST error shape, seen on Server 10.3 and Cloud 401s (JIRA-FACTS §3, §4)."""
    return {"message": message, "status-code": status}
