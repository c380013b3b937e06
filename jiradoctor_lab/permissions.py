"""Jira's permission catalogue and the lab's permission-scheme evaluation.

Why: ``mypermissions`` and the Cloud bulk check must answer from data (the scenario's schemes),
with the ids, names and legacy keys a real Jira uses (JIRA-FACTS §5). Ids are Jira's classic
``Permissions`` constants; the ids of plugin permissions (MANAGE_SPRINTS_PERMISSION,
SERVICEDESK_AGENT) are UNCONFIRMED.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

PROJECT = "PROJECT"
GLOBAL = "GLOBAL"


@dataclass(frozen=True)
class PermissionDef:
    key: str
    id: str
    name: str
    type: str
    description: str

    def to_json(self, have: bool, legacy_key: str | None = None) -> dict[str, object]:
        body: dict[str, object] = {
            "id": self.id,
            "key": legacy_key or self.key,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "havePermission": have,
        }
        if legacy_key:
            body["deprecatedKey"] = True
        return body


def _p(key: str, pid: int | str, name: str, kind: str = PROJECT, desc: str = "") -> PermissionDef:
    return PermissionDef(key, str(pid), name, kind, desc or f"Ability to {name.lower()}.")


CATALOGUE: dict[str, PermissionDef] = {
    p.key: p
    for p in (
        _p("ADMINISTER_PROJECTS", 23, "Administer Projects"),
        _p("BROWSE_PROJECTS", 10, "Browse Projects"),
        _p("MANAGE_SPRINTS_PERMISSION", -1, "Manage Sprints"),  # UNCONFIRMED id
        _p("SERVICEDESK_AGENT", -2, "Service Desk Agent"),  # UNCONFIRMED id
        _p("VIEW_DEV_TOOLS", 29, "View Development Tools"),
        _p("VIEW_READONLY_WORKFLOW", 45, "View Read-Only Workflow"),
        _p("ASSIGNABLE_USER", 17, "Assignable User"),
        _p("ASSIGN_ISSUES", 13, "Assign Issues"),
        _p("CLOSE_ISSUES", 18, "Close Issues"),
        _p("CREATE_ISSUES", 11, "Create Issues"),
        _p("DELETE_ISSUES", 16, "Delete Issues"),
        _p("EDIT_ISSUES", 12, "Edit Issues"),
        _p("LINK_ISSUES", 21, "Link Issues"),
        _p("MODIFY_REPORTER", 30, "Modify Reporter"),
        _p("MOVE_ISSUES", 25, "Move Issues"),
        _p("RESOLVE_ISSUES", 14, "Resolve Issues"),
        _p("SCHEDULE_ISSUES", 28, "Schedule Issues"),
        _p("SET_ISSUE_SECURITY", 26, "Set Issue Security"),
        _p("TRANSITION_ISSUES", 46, "Transition Issues"),
        _p("MANAGE_WATCHERS", 32, "Manage Watchers"),
        _p("VIEW_VOTERS_AND_WATCHERS", 31, "View Voters and Watchers"),
        _p("ADD_COMMENTS", 15, "Add Comments"),
        _p("DELETE_ALL_COMMENTS", 36, "Delete All Comments"),
        _p("DELETE_OWN_COMMENTS", 37, "Delete Own Comments"),
        _p("EDIT_ALL_COMMENTS", 34, "Edit All Comments"),
        _p("EDIT_OWN_COMMENTS", 35, "Edit Own Comments"),
        _p("CREATE_ATTACHMENTS", 19, "Create Attachments"),
        _p("DELETE_ALL_ATTACHMENTS", 38, "Delete All Attachments"),
        _p("DELETE_OWN_ATTACHMENTS", 39, "Delete Own Attachments"),
        _p("DELETE_ALL_WORKLOGS", 43, "Delete All Worklogs"),
        _p("DELETE_OWN_WORKLOGS", 42, "Delete Own Worklogs"),
        _p("EDIT_ALL_WORKLOGS", 41, "Edit All Worklogs"),
        _p("EDIT_OWN_WORKLOGS", 40, "Edit Own Worklogs"),
        _p("WORK_ON_ISSUES", 20, "Work On Issues"),
        _p("ADMINISTER", 0, "Administer Jira", GLOBAL),
        _p("SYSTEM_ADMIN", 44, "Jira System Administrators", GLOBAL),
        _p("CREATE_SHARED_OBJECTS", 22, "Create Shared Objects", GLOBAL),
        _p("MANAGE_GROUP_FILTER_SUBSCRIPTIONS", 24, "Manage Group Filter Subscriptions", GLOBAL),
        _p("BULK_CHANGE", 33, "Make bulk changes", GLOBAL),
        _p("USER_PICKER", 27, "Browse users and groups", GLOBAL),
    )
}

# Jira's LegacyProjectPermissionKeyMapping (JIRA-FACTS §5): still accepted, answered under the
# legacy key with ``deprecatedKey: true``.
LEGACY_KEYS: dict[str, str] = {
    "PROJECT_ADMIN": "ADMINISTER_PROJECTS", "BROWSE": "BROWSE_PROJECTS",
    "CREATE_ISSUE": "CREATE_ISSUES", "EDIT_ISSUE": "EDIT_ISSUES",
    "TRANSITION_ISSUE": "TRANSITION_ISSUES", "SCHEDULE_ISSUE": "SCHEDULE_ISSUES",
    "MOVE_ISSUE": "MOVE_ISSUES", "ASSIGN_ISSUE": "ASSIGN_ISSUES", "RESOLVE_ISSUE": "RESOLVE_ISSUES",
    "CLOSE_ISSUE": "CLOSE_ISSUES", "DELETE_ISSUE": "DELETE_ISSUES", "LINK_ISSUE": "LINK_ISSUES",
    "MANAGE_WATCHER_LIST": "MANAGE_WATCHERS", "COMMENT_ISSUE": "ADD_COMMENTS",
    "COMMENT_EDIT_ALL": "EDIT_ALL_COMMENTS", "COMMENT_EDIT_OWN": "EDIT_OWN_COMMENTS",
    "COMMENT_DELETE_ALL": "DELETE_ALL_COMMENTS", "COMMENT_DELETE_OWN": "DELETE_OWN_COMMENTS",
    "CREATE_ATTACHMENT": "CREATE_ATTACHMENTS", "ATTACHMENT_DELETE_ALL": "DELETE_ALL_ATTACHMENTS",
    "ATTACHMENT_DELETE_OWN": "DELETE_OWN_ATTACHMENTS", "WORK_ISSUE": "WORK_ON_ISSUES",
    "WORKLOG_EDIT_OWN": "EDIT_OWN_WORKLOGS", "WORKLOG_EDIT_ALL": "EDIT_ALL_WORKLOGS",
    "WORKLOG_DELETE_OWN": "DELETE_OWN_WORKLOGS", "WORKLOG_DELETE_ALL": "DELETE_ALL_WORKLOGS",
}


def resolve(key: str) -> tuple[PermissionDef, str | None] | None:
    """The definition for ``key`` and the legacy key it was asked by (None when current)."""
    if key in CATALOGUE:
        return CATALOGUE[key], None
    if key in LEGACY_KEYS:
        return CATALOGUE[LEGACY_KEYS[key]], key
    return None


@dataclass(frozen=True)
class Subject:
    """Who asks: ``None`` name means anonymous."""

    name: str | None
    groups: tuple[str, ...] = ()
    global_permissions: tuple[str, ...] = ()


def holder_matches(holder: str, who: Subject) -> bool:
    """Grant holders, as scenario data spells them: ``anyone``, ``users``, ``user:N``, ``group:G``."""
    if holder == "anyone":
        return True
    if who.name is None:
        return False
    if holder == "users":
        return True
    kind, _, value = holder.partition(":")
    if kind == "user":
        return value == who.name
    if kind == "group":
        return value in who.groups
    return False


def has_project_permission(grants: Mapping[str, Iterable[str]], key: str, who: Subject) -> bool:
    return any(holder_matches(h, who) for h in grants.get(key, ()))


def has_global_permission(key: str, who: Subject) -> bool:
    if who.name is None:
        return False
    if key in who.global_permissions:
        return True
    # SYSTEM_ADMIN implies ADMINISTER in Jira.
    return key == "ADMINISTER" and "SYSTEM_ADMIN" in who.global_permissions
