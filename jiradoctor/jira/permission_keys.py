"""Jira permission keys: today's names, the legacy ones vendor guides still print, and near-misses.

Source: JIRA-FACTS.md §5 (Jira's ``LegacyProjectPermissionKeyMapping`` and the Cloud spec).
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_PERMISSIONS = frozenset({
    "ADMINISTER_PROJECTS", "BROWSE_PROJECTS", "MANAGE_SPRINTS_PERMISSION", "SERVICEDESK_AGENT", "VIEW_DEV_TOOLS",
    "VIEW_READONLY_WORKFLOW", "ASSIGNABLE_USER", "ASSIGN_ISSUES", "CLOSE_ISSUES", "CREATE_ISSUES", "DELETE_ISSUES",
    "EDIT_ISSUES", "LINK_ISSUES", "MODIFY_REPORTER", "MOVE_ISSUES", "RESOLVE_ISSUES", "SCHEDULE_ISSUES",
    "SET_ISSUE_SECURITY", "TRANSITION_ISSUES", "MANAGE_WATCHERS", "VIEW_VOTERS_AND_WATCHERS", "ADD_COMMENTS",
    "DELETE_ALL_COMMENTS", "DELETE_OWN_COMMENTS", "EDIT_ALL_COMMENTS", "EDIT_OWN_COMMENTS", "CREATE_ATTACHMENTS",
    "DELETE_ALL_ATTACHMENTS", "DELETE_OWN_ATTACHMENTS", "DELETE_ALL_WORKLOGS", "DELETE_OWN_WORKLOGS",
    "EDIT_ALL_WORKLOGS", "EDIT_OWN_WORKLOGS", "WORK_ON_ISSUES",
})
GLOBAL_PERMISSIONS = frozenset({"ADMINISTER", "SYSTEM_ADMIN", "BULK_CHANGE", "CREATE_SHARED_OBJECTS",
                                "MANAGE_GROUP_FILTER_SUBSCRIPTIONS", "USER_PICKER", "USE"})

LEGACY = {
    "PROJECT_ADMIN": "ADMINISTER_PROJECTS", "BROWSE": "BROWSE_PROJECTS", "CREATE_ISSUE": "CREATE_ISSUES",
    "EDIT_ISSUE": "EDIT_ISSUES", "TRANSITION_ISSUE": "TRANSITION_ISSUES", "SCHEDULE_ISSUE": "SCHEDULE_ISSUES",
    "MOVE_ISSUE": "MOVE_ISSUES", "ASSIGN_ISSUE": "ASSIGN_ISSUES", "RESOLVE_ISSUE": "RESOLVE_ISSUES",
    "CLOSE_ISSUE": "CLOSE_ISSUES", "DELETE_ISSUE": "DELETE_ISSUES", "LINK_ISSUE": "LINK_ISSUES",
    "MANAGE_WATCHER_LIST": "MANAGE_WATCHERS", "COMMENT_ISSUE": "ADD_COMMENTS", "COMMENT_EDIT_ALL": "EDIT_ALL_COMMENTS",
    "COMMENT_EDIT_OWN": "EDIT_OWN_COMMENTS", "COMMENT_DELETE_ALL": "DELETE_ALL_COMMENTS",
    "COMMENT_DELETE_OWN": "DELETE_OWN_COMMENTS", "CREATE_ATTACHMENT": "CREATE_ATTACHMENTS",
    "ATTACHMENT_DELETE_ALL": "DELETE_ALL_ATTACHMENTS", "ATTACHMENT_DELETE_OWN": "DELETE_OWN_ATTACHMENTS",
    "WORK_ISSUE": "WORK_ON_ISSUES", "WORKLOG_EDIT_OWN": "EDIT_OWN_WORKLOGS", "WORKLOG_EDIT_ALL": "EDIT_ALL_WORKLOGS",
    "WORKLOG_DELETE_OWN": "DELETE_OWN_WORKLOGS", "WORKLOG_DELETE_ALL": "DELETE_ALL_WORKLOGS",
}
# Spellings seen in vendor guides that are neither current nor legacy keys (seed 000: BROWSE_PROJECT).
NEAR_MISSES = {"BROWSE_PROJECT": "BROWSE_PROJECTS", "MANAGE_SPRINTS": "MANAGE_SPRINTS_PERMISSION",
               "ASSIGNABLE_USERS": "ASSIGNABLE_USER", "ADD_COMMENT": "ADD_COMMENTS"}


@dataclass(frozen=True)
class NormalisedKey:
    given: str
    key: str
    reason: str | None  # None when the key was already current

    @property
    def changed(self) -> bool:
        return self.reason is not None


def normalise(given: str) -> NormalisedKey:
    """Today's key for a key as written in a guide; says why when it had to change it."""
    key = given.strip().upper().replace(" ", "_").replace("-", "_")
    if key in LEGACY:
        return NormalisedKey(given, LEGACY[key], f"{key} is Jira's legacy name for {LEGACY[key]}")
    if key in NEAR_MISSES:
        return NormalisedKey(given, NEAR_MISSES[key], f"{key} is not a Jira key; the guide means {NEAR_MISSES[key]}")
    if key != given:
        return NormalisedKey(given, key, f"{given!r} written as {key}")
    return NormalisedKey(given, key, None)


def normalise_all(keys: tuple[str, ...] | list[str]) -> list[NormalisedKey]:
    seen: set[str] = set()
    out = []
    for given in keys:
        n = normalise(given)
        if n.key not in seen:
            seen.add(n.key)
            out.append(n)
    return out
