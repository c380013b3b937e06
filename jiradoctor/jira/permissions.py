"""Which permissions an integration needs, how Jira answers about them, and the project matrix.

Pure helpers: the permission probe asks Jira, the permission check judges, and both agree on
what was asked through :class:`PermissionPlan`. Keys are Jira's current names; vendor spellings
are normalised (``permission_keys.normalise_all``) and the normalisation is kept for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.jira.permission_keys import GLOBAL_PERMISSIONS, LEGACY, NormalisedKey, normalise, normalise_all
from jiradoctor.net import bounded_json

OK = "ok"
MISSING = "missing"
MISSING_OPTIONAL = "missing-optional"
UNKNOWN = "unknown"
MAX_MATRIX_ROWS = 1000  # evidence stays readable and bounded on a Jira with thousands of projects

_QUOTED_KEY = re.compile(r"['\"‘’“”]?([A-Z][A-Z0-9_]{2,})['\"‘’“”]?")


@dataclass(frozen=True)
class PermissionPlan:
    """What to ask Jira: project keys (required, then optional) and global keys."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    global_: tuple[str, ...] = ()
    normalised: tuple[NormalisedKey, ...] = ()  # only the keys whose spelling had to change

    @property
    def project_keys(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def all_keys(self) -> tuple[str, ...]:
        return self.project_keys + self.global_

    def is_required(self, key: str) -> bool:
        return key in self.required or key in self.global_

    def normalisation_notes(self) -> list[str]:
        return [f"{n.given} → {n.key} ({n.reason})" for n in self.normalised]


def plan_for(profile: IntegrationProfile, extra: Sequence[str] = (), deployment: str | None = None) -> PermissionPlan:
    """The profile's permissions plus ``--permissions`` (required), normalised and de-duplicated.

    A global key (ADMINISTER ...) given among project keys is asked as global. On Cloud the
    profile's ``global_permissions_cloud`` are added (Jira Align needs Jira Administration there).
    """
    globals_given = list(profile.global_permissions)
    if deployment == "Cloud":
        globals_given += list(profile.global_permissions_cloud)
    normalised = normalise_all(
        list(profile.required_permissions) + list(extra) + list(profile.optional_permissions) + globals_given
    )
    optional_keys = {normalise(k).key for k in profile.optional_permissions}
    required_keys = {normalise(k).key for k in list(profile.required_permissions) + list(extra)}
    required, optional, global_ = [], [], []
    for n in normalised:
        if n.key in GLOBAL_PERMISSIONS or n.key in {normalise(g).key for g in globals_given}:
            global_.append(n.key)
        elif n.key in required_keys:
            required.append(n.key)
        elif n.key in optional_keys:
            optional.append(n.key)
    return PermissionPlan(tuple(required), tuple(optional), tuple(global_), tuple(n for n in normalised if n.changed))


# ------------------------------------------------------------------------- Jira's answers ---


def _json(body: str) -> Any:
    return bounded_json.loads_or_none(body)  # depth and size bounded: never RecursionError


def parse_mypermissions(body: str) -> dict[str, bool] | None:
    """``{"permissions": {KEY: {"key": ..., "havePermission": bool}}}`` as {current key: bool}.

    An entry answered under a legacy key (``deprecatedKey: true``) is mapped to today's key.
    None when the body is not that shape.
    """
    data = _json(body)
    perms = data.get("permissions") if isinstance(data, dict) else None
    if not isinstance(perms, dict):
        return None
    out: dict[str, bool] = {}
    aliases: dict[str, bool] = {}
    for name, entry in perms.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("havePermission"), bool):
            continue
        key = str(entry.get("key") or name)
        have = entry["havePermission"]
        if entry.get("deprecatedKey") is True or key in LEGACY:
            # Server answers every key, legacy aliases too (JIRA-FACTS §3): today's entry wins
            aliases.setdefault(LEGACY.get(key, key), have)
        else:
            out[key] = have
        aliases.setdefault(str(name), have)
    for key, have in aliases.items():
        out.setdefault(key, have)
    return out


def parse_bulk_check(body: str) -> tuple[dict[str, set[str]], set[str]] | None:
    """Cloud ``POST /rest/api/3/permissions/check``: {permission: project ids granted}, global keys granted."""
    data = _json(body)
    if not isinstance(data, dict) or not isinstance(data.get("projectPermissions", []), list):
        return None
    granted: dict[str, set[str]] = {}
    for entry in data.get("projectPermissions") or []:
        if isinstance(entry, dict) and isinstance(entry.get("permission"), str):
            projects = entry.get("projects")
            granted.setdefault(entry["permission"], set()).update(
                str(p) for p in (projects if isinstance(projects, list) else [])
            )
    global_keys = data.get("globalPermissions")
    globals_granted = {k for k in global_keys if isinstance(k, str)} if isinstance(global_keys, list) else set()
    return granted, globals_granted


def keys_named(messages: Iterable[str], asked: Iterable[str]) -> set[str]:
    """The asked keys an error message names (``Permission with key 'X' does not exist.``).

    UNCONFIRMED: the wording of Jira's 400 for an unknown key; matching any asked key that appears
    as a word in the messages does not depend on it.
    """
    asked_set = set(asked)
    found: set[str] = set()
    for message in messages:
        found.update(m for m in _QUOTED_KEY.findall(message) if m in asked_set)
    return found


# ------------------------------------------------------------------------------ the matrix ---


@dataclass(frozen=True)
class ProjectGrants:
    """One project's answers: ``granted[key]`` True/False, absent when Jira did not say."""

    key: str
    granted: Mapping[str, bool] = field(default_factory=dict)
    problem: str | None = None  # why it could not be asked (transport error, HTTP status)
    throttled: bool = False  # the problem is Jira's rate limit (the permissions check says so, not "no answer")

    def cell(self, key: str, plan: PermissionPlan, unknown_keys: Iterable[str] = ()) -> str:
        have = self.granted.get(key)
        if have is None or key in unknown_keys:
            return UNKNOWN
        if have:
            return OK
        return MISSING_OPTIONAL if key in plan.optional else MISSING

    def missing(self, keys: Iterable[str]) -> list[str]:
        return [k for k in keys if self.granted.get(k) is False]


def build_matrix(
    plan: PermissionPlan,
    projects: Sequence[ProjectGrants],
    unknown_keys: Iterable[str] = (),
    max_rows: int = MAX_MATRIX_ROWS,
) -> dict[str, Any]:
    """The report's matrix: rows with a gap first (in project order), then the rest; bounded."""
    unknown = set(unknown_keys)
    rows: list[dict[str, Any]] = [
        {"project": p.key, "cells": {k: p.cell(k, plan, unknown) for k in plan.project_keys}} for p in projects
    ]
    rows.sort(key=lambda r: all(c == OK for c in r["cells"].values()))  # stable: gaps first, order kept
    matrix: dict[str, Any] = {"permissions": list(plan.project_keys), "rows": rows[:max_rows]}
    if len(rows) > max_rows:
        matrix["rows_omitted"] = len(rows) - max_rows
    return matrix


# --------------------------------------------------------------------------- project lists ---


@dataclass(frozen=True)
class ProjectRef:
    key: str
    id: str | None = None


@dataclass(frozen=True)
class ProjectPage:
    """One page of Cloud's ``/rest/api/3/project/search``."""

    projects: tuple[ProjectRef, ...]
    start_at: int
    max_results: int
    total: int | None
    is_last: bool


def _refs(items: Any) -> list[ProjectRef]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            pid = item.get("id")
            out.append(ProjectRef(item["key"], str(pid) if isinstance(pid, (str, int)) else None))
    return out


class ProjectListReader:
    """Server/DC ``GET /rest/api/2/project`` (a JSON list of every project), read as it downloads
    (``fetch``'s sink): each project is parsed when its last byte arrives and only its key and id are
    kept, so memory does not hold the ~29 MB a Server with 50,000 projects sends (nor refuse it for
    being larger than a JSON answer may be)."""

    def __init__(self) -> None:
        from jiradoctor.net.json_stream import ArrayReader

        self._array = ArrayReader()
        self.refs: list[ProjectRef] = []

    def feed(self, data: bytes) -> bool:
        """Read a piece; True once no more is wanted (the array is whole, or it is not one)."""
        self.refs += _refs(self._array.feed(data))
        return self._array.done or self._array.problem is not None

    def close(self) -> list[ProjectRef] | None:
        """Every project, or None when the answer was not a whole JSON array (see ``problem``)."""
        self.refs += _refs(self._array.close())
        return None if self._array.problem else self.refs

    @property
    def problem(self) -> str | None:
        return self._array.problem

    @classmethod
    def read(cls, body: str | bytes) -> list[ProjectRef] | None:
        """A listing already in hand (tests, property runs), through the same reader."""
        reader = cls()
        reader.feed(body.encode() if isinstance(body, str) else body)
        return reader.close()


def parse_project_page(body: str) -> ProjectPage | None:
    data = _json(body)
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        return None
    values = _refs(data["values"])

    def number(name: str, default: int | None) -> int | None:
        value = data.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default

    total = number("total", None)
    start = number("startAt", 0) or 0
    is_last = data.get("isLast")
    if not isinstance(is_last, bool):
        is_last = total is not None and start + len(values) >= total or not values
    return ProjectPage(tuple(values), start, number("maxResults", len(values)) or len(values), total, is_last)
