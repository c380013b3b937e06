"""What Jira's protocol knowledge reads of an HTTP answer: one shape for every parser.

``probes.http.HttpAnswer`` fits, and so does a HAR entry's answer; the members are read-only
(properties), so a frozen dataclass fits too.
"""

from __future__ import annotations

from typing import Protocol


class Answer(Protocol):
    """Status, body text and headers by name (case-insensitive) of one HTTP answer."""

    @property
    def status(self) -> int | None: ...

    @property
    def body(self) -> str: ...

    def header(self, name: str) -> str | None: ...


class TypedAnswer(Answer, Protocol):
    """An answer that also names its media type (``Content-Type`` without parameters)."""

    @property
    def content_type(self) -> str: ...
