"""JSON from a server, parsed within limits on size and nesting depth.

Why: ``json.loads`` recurses once per nesting level, so ``[[[[…`` 100,000 deep raises
RecursionError (a crash that looks like ours), and a huge document costs memory in proportion.
The depth is pre-scanned in one linear pass (strings skipped) before ``json.loads`` runs, so the
decoder never sees a document deeper than :data:`MAX_DEPTH`. Huge integers are refused by
Python's own digit limit (ValueError), which is turned into the same clear problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64  # Jira's answers nest fewer than 10 levels
MAX_SIZE = 4 * 1024 * 1024

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_ESCAPED = re.compile(r"\\.", re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_PAIR = re.compile(r"\[\]|\{\}")  # an innermost pair, once strings and everything else are gone


class JsonProblem(ValueError):
    """Why server text is not usable JSON, in words a report can show (the server's fault)."""


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def nesting_depth(text: str, stop_at: int = MAX_DEPTH) -> int:
    """The deepest ``[``/``{`` nesting outside strings; stops counting once past ``stop_at``.

    Why not a scan token by token: it was a third of the permission fan-out's CPU (issue 14). The
    strings go first (they may hold brackets): escapes removed, what lies between the quotes
    dropped (an unterminated string runs to the end); then everything but brackets. Each pass then
    removes every innermost pair, all in C: a balanced document of depth d is empty after d passes.
    Text that is not JSON may be judged differently from the exact scan (a backslash outside a
    string); json.loads then refuses it, and its RecursionError is caught as well.
    """
    unescaped = _ESCAPED.sub("", text) if "\\" in text else text
    rest = _NOT_BRACKETS.sub("", "".join(unescaped.split('"')[0::2]))
    depth = 0
    while depth <= stop_at:
        if not rest:
            return depth
        peeled = _PAIR.sub("", rest)
        if len(peeled) == len(rest):
            return _scan_depth(text, stop_at)
        rest, depth = peeled, depth + 1
    return depth


def _scan_depth(text: str, stop_at: int) -> int:
    """The exact scan, token by token, for text whose brackets do not pair up."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    return deepest
        elif token in "]}":
            depth = max(depth - 1, 0)
    return deepest


def loads(text: str | bytes, max_depth: int = MAX_DEPTH, max_size: int = MAX_SIZE, what: str = "the answer") -> Any:
    """``json.loads`` with limits; raises :class:`JsonProblem` (never RecursionError/MemoryError).

    ``what`` names the text in the problem ("the answer" from a server, "the file" from a user)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text[: max_size + 1]).decode("utf-8", errors="replace")
    if len(text) > max_size:
        raise JsonProblem(f"{what} is JSON larger than {max_size // (1024 * 1024)} MB")
    if nesting_depth(text, max_depth) > max_depth:
        raise JsonProblem(f"{what} is JSON nesting deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # defence in depth: the pre-scan should have caught it
        raise JsonProblem(f"{what} is JSON nesting deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, or an integer beyond Python's digit limit
        if "digits" in str(exc):
            raise JsonProblem(f"{what} holds a JSON number too large to read") from None
        raise JsonProblem(f"{what} is not JSON ({str(exc)[:120]})") from None


def parse(text: str | bytes, max_depth: int = MAX_DEPTH, max_size: int = MAX_SIZE) -> Parsed:
    """Like :func:`loads`, but the problem is returned, for callers that report it as a fact."""
    try:
        return Parsed(loads(text, max_depth, max_size))
    except JsonProblem as exc:
        return Parsed(None, str(exc))


def loads_or_none(text: str | bytes | None) -> Any:
    """The value, or None for anything that is not bounded, valid JSON."""
    if text is None or not isinstance(text, (str, bytes, bytearray)):
        return None
    return parse(text).value
