"""What a format for people (HTML, Markdown, text, JUnit, Jira wiki) shows of a report: every text
cut at :data:`MAX_CHARS`, every list of texts or evidence object at :data:`MAX_ITEMS`, saying how
much is left out (checks and findings are all shown, each cut).

Why: a saved report may come from anywhere (``render``, ``merge``); one 30 MB evidence value made
the HTML renderer peak at ~500 MB, since each layer (JSON, escaping, hidden-character marking)
copies it. No real value comes near these bounds (a certificate chain is a few KB); the JSON
format keeps everything, and the cut says so.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Mapping, TypeVar

MAX_CHARS = 64 * 1024
MAX_ITEMS = 1000

T = TypeVar("T")


def cut_text(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters: see the JSON report]"


def _shown(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return cut_text(value)
    if isinstance(value, (bool, int, float, Enum)) or value is None:
        return value
    if depth > 64:  # a loaded report is nested at most 256 deep (json_report); evidence rarely past 5
        return "… [nested deeper: see the JSON report]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _shown(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        items = list(value.items())
        out = {cut_text(str(k), 200): _shown(v, depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["…"] = f"{len(items) - MAX_ITEMS:,} more entries: see the JSON report"
        return out
    if isinstance(value, (list, tuple)):
        if any(dataclasses.is_dataclass(v) for v in value[:1]):  # checks, findings: all shown, each cut
            return type(value)(_shown(v, depth + 1) for v in value)
        kept = [_shown(v, depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            kept.append(f"… {len(value) - MAX_ITEMS:,} more: see the JSON report")
        return type(value)(kept) if isinstance(value, tuple) else kept
    return value


def shown(report: T) -> T:
    """``report`` (or any of its parts) as people see it: long texts and lists cut, saying so."""
    result: T = _shown(report, 0)
    return result
