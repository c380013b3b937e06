"""The JSON report: the contract (schema_version 1), validated by ``schema/report.schema.json``."""

from __future__ import annotations

import json
from functools import lru_cache
import re
from importlib import resources
from typing import Any

from jiradoctor.model import SCHEMA_VERSION, Report
from jiradoctor.net import bounded_json
from jiradoctor.reports import schema_check
from jiradoctor.visible import is_hidden


def render(report: Report) -> str:
    return json_escaped(json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str)) + "\n"


_NOT_PLAIN_ASCII = re.compile(r"[^\x00-\x7e]")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # outside the BMP: JSON spells it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_escaped(text: str) -> str:
    """JSON text with every hidden character (C1 controls such as U+009B, bidi overrides, zero-width
    and other format characters) written as a ``\\uXXXX`` escape: the same JSON value, readable
    non-ASCII kept, and nothing in it can drive a terminal or turn text around (json.dumps escapes
    only the C0 controls)."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _NOT_PLAIN_ASCII.sub(lambda m: _escape(m.group()) if is_hidden(m.group()) else m.group(), text)


def load(text: str) -> Report:
    try:
        data = bounded_json.loads(
            text, max_depth=256, max_size=64 * 1024 * 1024, what="the file"
        )  # a baseline may come from anywhere
    except bounded_json.JsonProblem as exc:
        raise ValueError(f"not a JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("not a jiradoctor report: the JSON is not an object")
    if "schema_version" not in data:
        raise ValueError("not a jiradoctor report: schema_version: missing")
    if data["schema_version"] != SCHEMA_VERSION or isinstance(data["schema_version"], bool):
        raise ValueError(
            f"this report has schema_version {repr(data['schema_version'])[:40]}; "
            f"jiradoctor reads schema_version {SCHEMA_VERSION}"
        )
    try:
        schema_check.validate(data, schema())
    except schema_check.SchemaProblem as exc:
        raise ValueError(f"not a jiradoctor report: {exc}{_written_by(data)}") from None
    try:
        return Report.from_json(data)
    except KeyError as exc:
        raise ValueError(f"not a jiradoctor report: a required field is missing ({exc})") from None
    except (AttributeError, TypeError) as exc:  # a field of the wrong type ("target": "x")
        raise ValueError(f"not a jiradoctor report: a field has the wrong type ({exc})") from None


def _written_by(data: dict[str, Any]) -> str:
    """A hint when the report comes from another jiradoctor (a newer one may add fields)."""
    from jiradoctor import __version__

    tool = data.get("tool")
    version = tool.get("version") if isinstance(tool, dict) else None
    if isinstance(version, str) and version != __version__:
        return f" (written by jiradoctor {version[:40]!r}; this is {__version__})"
    return ""


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("jiradoctor").joinpath("schema/report.schema.json").read_text("utf-8"))
    return loaded
