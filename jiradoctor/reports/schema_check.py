"""A saved report checked against the package's JSON Schema, naming the first field that is wrong.

Why: ``render``, ``merge``, ``diff`` and ``--baseline`` read reports people send; one wrong-typed
field deep inside must be a usage error that says where (``checks[2].findings[0].evidence``), not a
crash later in a renderer. Why our own validator and not ``jsonschema``: the report schema uses a
dozen keywords, and importing jsonschema (with referencing, rpds, attrs) costs ~55 ms, more than the
rest of ``render``'s imports. tests/reports/test_report_schema_check.py holds it to jsonschema's verdicts on
mutated reports, and fails when the schema starts using a keyword this module does not know.

Beyond the schema, every number must fit a double (``1e400`` parses as infinity, a 4,000-digit
integer does not convert): a report is data for this tool, and it must be able to print it.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Mapping

ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "format", "$defs"})  # no verdict of their own
KEYWORDS = frozenset(
    {"type", "required", "additionalProperties", "properties", "enum", "const", "$ref", "pattern", "items", "minimum"}
)
_TYPES: dict[str, str] = {
    "dict": "an object",
    "list": "an array",
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "NoneType": "null",
}


class SchemaProblem(ValueError):
    """The first place where a report breaks its schema: ``path`` (``summary.counts``) and why."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path or 'the report'}: {why}")
        self.path = path
        self.why = why


def _is(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):  # JSON's true is no number, although Python's bool is an int
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float))
    raise ValueError(f"the report schema names an unknown type {kind!r}")


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _shown(value: Any) -> str:
    what = _TYPES.get(type(value).__name__, type(value).__name__)
    if isinstance(value, (bool, int, float)) or value is None:
        return f"{what} ({str(value)[:40]})"
    if isinstance(value, str):
        return f"{what} ({value[:40]!r})"
    return what


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else repr(key[:60])
    return f"{path}.{name}" if path else name


@lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _fits(value: Any) -> bool:
    """A number this tool can print and compute with (a double, finite)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def validate(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, path: str = "") -> None:
    """Raise :class:`SchemaProblem` at the first place ``instance`` breaks ``schema``."""
    root = schema if root is None else root
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise ValueError(f"the report schema uses {sorted(unknown)}, which schema_check does not know")
    if "$ref" in schema:
        validate(instance, _resolve(root, schema["$ref"]), root, path)
    if isinstance(instance, (int, float)) and not isinstance(instance, bool) and not _fits(instance):
        raise SchemaProblem(path, "a number too large to use")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(instance, k) for k in kinds):
            raise SchemaProblem(path, f"expected {' or '.join(kinds)}, got {_shown(instance)}")
    if "const" in schema and not _same(instance, schema["const"]):
        raise SchemaProblem(path, f"must be {schema['const']!r}, got {_shown(instance)}")
    if "enum" in schema and not any(_same(instance, option) for option in schema["enum"]):
        raise SchemaProblem(path, f"must be one of {', '.join(map(str, schema['enum']))}; got {_shown(instance)}")
    if isinstance(instance, str) and "pattern" in schema and not _pattern(schema["pattern"]).search(instance):
        raise SchemaProblem(path, f"{_shown(instance)} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if instance < schema["minimum"]:
            raise SchemaProblem(path, f"must be at least {schema['minimum']}, got {_shown(instance)}")
    if isinstance(instance, dict):
        _object(instance, schema, root, path)
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            validate(item, schema["items"], root, _child(path, index))


def _object(instance: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str) -> None:
    for name in schema.get("required", ()):
        if name not in instance:
            raise SchemaProblem(_child(path, name), "missing")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, value in instance.items():
        if key in properties:
            validate(value, properties[key], root, _child(path, key))
        elif extra is False:
            raise SchemaProblem(_child(path, key), "not a field of a jiradoctor report")
        elif isinstance(extra, dict):
            validate(value, extra, root, _child(path, key))


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"the report schema refers outside itself ({ref})")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    resolved: Mapping[str, Any] = node
    return resolved
