"""``--debug``: each request and its answer as a support engineer reads them, with secrets masked.

Credentials travel in headers (Authorization, Cookie, Proxy-Authorization: only the scheme word is
kept) and in request bodies (OAuth 2.0 forms, passwords: only their size is told); everything else
goes through the run's redactor, which knows every secret the user gave and every one found on
the way. Answer bodies were redacted when they were read; here they are cut short as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from jiradoctor.secrets import MASK
from jiradoctor.visible import visible


class _Failure(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def message(self) -> str: ...


class Exchange(Protocol):
    """What of an answer the trace shows (``probes.http.HttpAnswer`` has it; the trace does not
    import the HTTP layer that calls it)."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> str: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def error(self) -> _Failure | None: ...


CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
BODY_SHOWN = 600
HEADERS_SHOWN = 40


def _header(name: str, value: str, redact: Callable[[str], str]) -> str:
    if name.lower() in CREDENTIAL_HEADERS or "token" in name.lower() or "secret" in name.lower():
        scheme = value.split(" ", 1)[0] if " " in value and name.lower().endswith("authorization") else ""
        value = f"{scheme} {MASK}".strip() if scheme and len(scheme) < 20 else MASK
    return f"  {visible(name)}: {visible(redact(value))[:300]}"


def describe_exchange(
    answer: Exchange,
    request_headers: Mapping[str, str] | None,
    request_size: int,
    redact: Callable[[str], str],
) -> str:
    """The request sent and the answer received, as lines of text."""
    lines = [f"> {answer.method} {visible(redact(answer.url))}"]
    for name, value in list((request_headers or {}).items())[:HEADERS_SHOWN]:
        lines.append(_header(name, value, redact))
    if request_size:
        lines.append(f"  ({request_size} bytes of request body, not shown: it may carry credentials)")
    if answer.error is not None:
        lines.append(f"< no answer after {answer.elapsed_s * 1000:.0f} ms: {visible(redact(answer.error.message))} "
                     f"({answer.error.kind})")
        return "\n".join(lines)
    lines.append(f"< {answer.status} in {answer.elapsed_s * 1000:.0f} ms")
    for name, value in list(answer.headers.items())[:HEADERS_SHOWN]:
        lines.append(_header(name, value, redact))
    if answer.body:
        body = answer.body[:BODY_SHOWN]
        more = f" … ({len(answer.body) - BODY_SHOWN} more characters kept)" if len(answer.body) > BODY_SHOWN else ""
        lines.append("  | " + visible(redact(body)).replace("\n", "\n  | ") + more)
    return "\n".join(lines)
