"""The fleet inventory: ``[defaults]`` and one ``[[target]]`` table per Jira connection.

Keys are the doctor's config-file keys (the one input table, jiradoctor/inputs.py, and the doctor's
own options), so an inventory entry means what ``--config`` means. Secrets never sit in the file:
a secret key comes as ``<key>_env`` (an environment variable's name) or ``<key>_file`` (a file
holding it). A literal secret is a usage error naming the key and the target, never the value. A
missing variable or file is that target's error, found when it runs, not the fleet's.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from jiradoctor import files
from jiradoctor.inputs import SECRET_VALUE_INPUTS

MAX_INVENTORY_BYTES = 64 * 1024 * 1024
MAX_SECRET_FILE_BYTES = 64 * 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# doctor options that say how one run reports, not what it looks at: the fleet decides those
NOT_PER_TARGET = frozenset({"config", "output", "fmt", "fail_on", "baseline", "junit_warn_as"})
SECRET_PARAMS = frozenset(i.param for i in SECRET_VALUE_INPUTS)


class InventoryError(ValueError):
    """The inventory cannot be used (a usage error: exit 2); the text never holds a secret value."""


class TargetProblem(ValueError):
    """One target cannot run (its secret's variable is unset, its file unreadable): that target's error."""


_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TargetEntry:
    """One target as written: its doctor parameters (click names) and where its secrets come from.

    The ``[defaults]`` are one shared mapping, merged when asked: a 10,000-target inventory holds
    each target's own keys only."""

    name: str
    url: str
    own: Mapping[str, Any]
    own_sources: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _NOTHING)  # param -> (env|file, where)
    defaults: Mapping[str, Any] = field(default_factory=lambda: _NOTHING)
    default_sources: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _NOTHING)

    @property
    def params(self) -> dict[str, Any]:
        return {**self.defaults, **self.own}

    @property
    def secret_sources(self) -> dict[str, tuple[str, str]]:
        """A target's own value or source wins over the defaults' source."""
        merged = {k: v for k, v in self.default_sources.items() if k not in self.own}
        merged.update(self.own_sources)
        return merged

    def resolve(self, environ: Mapping[str, str]) -> dict[str, Any]:
        """The doctor parameters with every secret read (TargetProblem when one cannot be)."""
        resolved = self.params
        for param, (kind, where) in self.secret_sources.items():
            value = read_secret(param, kind, where, environ)
            if value == "-":  # the doctor would ask at a prompt; a fleet has none
                raise TargetProblem(f"{param.replace('_', '-')}_{kind} gives '-', which means 'ask at a prompt'")
            resolved[param] = value
        return resolved


def read_secret(param: str, kind: str, where: str, environ: Mapping[str, str]) -> str:
    key = param.replace("_", "-")
    if kind == "env":
        value = environ.get(where)
        if value is None:
            raise TargetProblem(f"{key}_env names the environment variable {where!r}, which is not set")
        if not value:
            raise TargetProblem(f"{key}_env names the environment variable {where!r}, which is empty")
        return value
    try:
        raw = files.read_bounded(where, MAX_SECRET_FILE_BYTES, f"{key}_file")
    except files.FileProblem as exc:
        raise TargetProblem(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TargetProblem(f"{key}_file {where!r} is not UTF-8 text") from None
    text = text[:-1] if text.endswith("\n") else text
    text = text[:-1] if text.endswith("\r") else text
    if not text:
        raise TargetProblem(f"{key}_file {where!r} is empty")
    return text


@dataclass(frozen=True)
class Inventory:
    targets: tuple[TargetEntry, ...]

    def __iter__(self) -> Iterator[TargetEntry]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)


def _table(raw: Any, where: str, names: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    if not isinstance(raw, dict):
        raise InventoryError(f"{where} is not a table")
    params: dict[str, Any] = {}
    sources: dict[str, tuple[str, str]] = {}
    for key, value in raw.items():
        norm = key.replace("-", "_")
        if norm == "name":
            continue
        for suffix in ("_env", "_file"):
            base = norm[: -len(suffix)]
            if norm.endswith(suffix) and base in SECRET_PARAMS:
                if not isinstance(value, str) or not value:
                    raise InventoryError(f"{where}: {key} must be a non-empty string")
                sources[base] = (suffix[1:], value)
                break
        else:
            param = names.get(norm)
            if param is None:
                raise InventoryError(f"{where}: unknown key {key!r} (the keys are the doctor's options)")
            if param in SECRET_PARAMS:
                raise InventoryError(
                    f"{where}: {key} is a secret and must not be written in the inventory; give "
                    f"{norm}_env = \"VARIABLE\" (an environment variable's name) or {norm}_file = \"PATH\""
                )
            if param in NOT_PER_TARGET:
                raise InventoryError(f"{where}: {key} is decided by the fleet (fleet run's options), not per target")
            if isinstance(value, list):
                value = tuple(str(v) for v in value)
            params[param] = value
    return params, sources


def parse(text: str, names: Mapping[str, str], source: str = "the inventory") -> Inventory:
    """``names``: config key (underscored) -> click parameter name, from the doctor command."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InventoryError(f"{source} is not TOML: {exc}") from None
    unknown = set(data) - {"defaults", "target"}
    if unknown:
        raise InventoryError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}; use [defaults] and [[target]]")
    defaults, default_sources = _table(data.get("defaults", {}), "[defaults]", names)
    if "url" in defaults:
        raise InventoryError("[defaults]: url is per target")
    shared_defaults = MappingProxyType(defaults) if defaults else _NOTHING
    shared_sources = MappingProxyType(default_sources) if default_sources else _NOTHING
    raw_targets = data.get("target", [])
    if not isinstance(raw_targets, list) or not raw_targets:
        raise InventoryError(f"{source} has no [[target]] tables")
    seen: set[str] = set()
    targets: list[TargetEntry] = []
    for index, raw in enumerate(raw_targets, 1):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise InventoryError(
                f"target #{index}: name must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or "
                f"digit (it names the target's files)"
            )
        where = f"target {name!r}"
        if name.lower() in seen:
            raise InventoryError(f"{where}: the name is used twice (names are compared ignoring case)")
        seen.add(name.lower())
        params, sources = _table(raw, where, names)
        url = params.get("url")
        if not isinstance(url, str) or not url:
            raise InventoryError(f"{where}: url is required")
        targets.append(TargetEntry(name, url, params, sources or _NOTHING, shared_defaults, shared_sources))
    return Inventory(tuple(targets))


def load(path: str | Path, names: Mapping[str, str]) -> Inventory:
    try:  # the one bounded reader: a FIFO or /dev/zero given as the inventory ends at once
        raw = files.read_bounded(path, MAX_INVENTORY_BYTES, "the inventory")
    except files.FileProblem as exc:
        raise InventoryError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InventoryError(f"the inventory {str(path)!r} is not UTF-8") from None
    return parse(text, names, repr(str(path)))
