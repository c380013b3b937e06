"""Jira's REST resources that jiradoctor reads, answered from the scenario's data (JIRA-FACTS §3).

Why a route table: each resource states whether it allows anonymous callers (Seraph's silent
fallback makes that the difference between a 200 and a 401) and on which deployment it exists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable
from xml.sax.saxutils import escape as xml_escape

from jiradoctor_lab import permissions as perms
from jiradoctor_lab.messages import Request, Response, XML_TYPE, error_body
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.scenarios import CLOUD, SERVER, Project, User

Handler = Callable[[Request, LabRuntime, "User | None", re.Match[str]], Response]

SEARCH_DEFAULT_MAX = 50
SEARCH_MAX = 100  # UNCONFIRMED: Cloud's cap on maxResults for project/search
BULK_MAX_PROJECTS = 1000


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: tuple[str, ...]
    handler: Handler
    anonymous: bool  # resource answers anonymous callers (Seraph falls back to anonymous)
    deployments: tuple[str, ...] = (SERVER, CLOUD)
    sso_exempt: bool = False  # still anonymous behind an SSO plugin


def _jira_time(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def _version_numbers(version: str) -> list[int]:
    core = version.split("-")[0]
    return [int(x) for x in core.split(".")[:3] if x.isdigit()]


def _api(rt: LabRuntime) -> str:
    return "3" if rt.is_cloud else "2"


# ------------------------------------------------------------------------------ resources ---

def server_info(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    numbers = _version_numbers(rt.scenario.version)
    if rt.is_cloud:
        build_number, build_date = 100250, "2024-05-06T00:00:00.000+0000"
    else:
        major, minor, patch = (numbers + [0, 0, 0])[:3]
        build_number = major * 100000 + minor * 1000 + patch  # 8.5.3 -> 805003, as real Jira
        build_date = "2023-12-05T00:00:00.000+0000"
    body: dict[str, Any] = {
        "baseUrl": rt.base_url,
        "version": rt.scenario.version,
        "versionNumbers": numbers,
        "deploymentType": rt.scenario.deployment,
        "buildNumber": build_number,
        "buildDate": build_date,
        "scmInfo": "4f1e2cba6b3a0c2d1f9e8d7c6b5a4f3e2d1c0b9a",
        "serverTitle": rt.scenario.server_title,
    }
    if user is not None or rt.is_cloud:
        # Server leaves serverTime out of the anonymous answer (measured, JIRA-FACTS §3).
        # UNCONFIRMED for Cloud: the lab keeps it there.
        body["serverTime"] = _jira_time(rt.now_datetime())
    if rt.is_cloud:
        body["defaultLocale"] = {"locale": "en_US"}
    else:
        body["databaseBuildNumber"] = build_number
    for name in rt.scenario.behaviour.server_info_omit:
        body.pop(name, None)
    return Response.json(200, body)


def _avatar_urls(rt: LabRuntime, kind: str, ident: str) -> dict[str, str]:
    return {f"{n}x{n}": f"{rt.base_url}/secure/{kind}avatar?size={s}&avatarId={ident}"
            for n, s in ((48, "large"), (24, "small"), (16, "xsmall"), (32, "medium"))}


def myself(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    assert user is not None
    groups = {"size": len(user.groups), "items": []}
    roles = {"size": 1, "items": []}
    if rt.is_cloud:
        body = {
            "self": f"{rt.base_url}/rest/api/{m['v']}/user?accountId={user.account_id}",
            "accountId": user.account_id, "accountType": "atlassian", "emailAddress": user.email,
            "avatarUrls": _avatar_urls(rt, "user", "10122"), "displayName": user.display_name,
            "active": user.active, "timeZone": "Etc/UTC", "locale": "en_US",
            "groups": groups, "applicationRoles": roles, "expand": "groups,applicationRoles",
        }
    else:
        body = {
            "self": f"{rt.base_url}/rest/api/2/user?username={user.name}",
            "key": user.key or user.name, "name": user.name, "emailAddress": user.email,
            "avatarUrls": _avatar_urls(rt, "user", "10122"), "displayName": user.display_name,
            "active": user.active, "deleted": False, "timeZone": "Etc/UTC", "locale": "en_UK",
            "groups": groups, "applicationRoles": roles, "expand": "groups,applicationRoles",
        }
    return Response.json(200, body)


def _visible(rt: LabRuntime, project: Project, user: User | None) -> bool:
    return perms.has_project_permission(rt.grants(project), "BROWSE_PROJECTS", rt.subject(user))


def _project_json(rt: LabRuntime, p: Project, version: str, full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": f"{rt.base_url}/rest/api/{version}/project/{p.id}",
        "id": str(p.id), "key": p.key, "name": p.name,
        "avatarUrls": _avatar_urls(rt, "project", "10324"),
        "projectTypeKey": p.project_type,
    }
    if rt.is_cloud:
        body.update({"simplified": False, "style": "classic", "isPrivate": False, "properties": {}})
    else:
        body["archived"] = False
    if full:
        body.update({"description": "", "components": [], "issueTypes": [], "assigneeType": "UNASSIGNED",
                     "versions": [], "roles": {}})
    return body


def _not_found_project(ident: str, by: str = "key") -> Response:
    return Response.json(404, error_body(f"No project could be found with {by} '{ident}'."))


def _find_project(rt: LabRuntime, ident: str) -> Project | None:
    return rt.projects_by_key.get(ident) or rt.projects_by_id.get(ident)


def project_list(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    """Server: every visible project, one unpaged list."""
    visible = [_project_json(rt, p, m["v"]) for p in rt.projects if _visible(rt, p, user)]
    return Response.json(200, visible)


def project_get(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    ident = m["key"]
    project = _find_project(rt, ident)
    if project is None or not _visible(rt, project, user):
        return _not_found_project(ident, "id" if ident.isdigit() else "key")
    return Response.json(200, _project_json(rt, project, m["v"], full=True))


def _int_param(req: Request, name: str, default: int) -> int:
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    return int(raw)  # ValueError -> 400 in the caller


def project_search(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    """Cloud: paged project search (``startAt``, ``maxResults`` default 50, ``isLast``, ``values``)."""
    try:
        start = _int_param(req, "startAt", 0)
        max_results = _int_param(req, "maxResults", SEARCH_DEFAULT_MAX)
    except ValueError:
        return Response.json(400, error_body("startAt and maxResults must be numbers."))
    if start < 0 or max_results < 0:
        return Response.json(400, error_body("startAt and maxResults must not be negative."))
    max_results = min(max_results, SEARCH_MAX)
    keys = {k.strip() for raw in req.params("keys") for k in raw.split(",") if k.strip()}
    query = (req.param("query") or "").lower()
    matches = [
        p for p in rt.projects
        if _visible(rt, p, user)
        and (not keys or p.key in keys or str(p.id) in keys)
        and (not query or query in p.key.lower() or query in p.name.lower())
    ]
    page = matches[start:start + max_results]
    is_last = start + max_results >= len(matches)
    self_url = req.url_with_query()
    body: dict[str, Any] = {
        "self": self_url, "maxResults": max_results, "startAt": start, "total": len(matches),
        "isLast": is_last, "values": [_project_json(rt, p, m["v"]) for p in page],
    }
    if not is_last:
        body["nextPage"] = (f"{rt.base_url}/rest/api/{m['v']}/project/search?"
                            f"startAt={start + max_results}&maxResults={max_results}")
    return Response.json(200, body)


def _resolve(rt: LabRuntime, key: str) -> tuple[perms.PermissionDef, str | None] | None:
    found = perms.resolve(key)
    if found is None or found[0].key not in rt.permissions:
        return None
    return found


def _unknown_permissions(keys: list[str]) -> Response:
    # UNCONFIRMED: the status and wording Jira uses for an unknown permission key.
    return Response.json(400, error_body(*(f"Permission with key '{k}' does not exist." for k in keys)))


def _every_key(rt: LabRuntime) -> list[str]:
    """Server's answer set: every key it knows, then the legacy aliases of those (JIRA-FACTS §3)."""
    return list(rt.permissions) + [k for k, v in perms.LEGACY_KEYS.items() if v in rt.permissions]


def my_permissions(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    raw = req.param("permissions")
    if rt.is_cloud and not raw:
        # UNCONFIRMED wording; the 400 is documented (JIRA-FACTS §3).
        return Response.json(400, error_body("The 'permissions' query parameter is required."))
    if rt.is_cloud:
        requested = [k.strip() for k in (raw or "").split(",") if k.strip()]
    else:
        # Server/DC ignores ``permissions=`` and answers every key, legacy aliases included with
        # ``deprecatedKey: true`` (measured on real Server answers, JIRA-FACTS §3).
        requested = _every_key(rt)
    resolved = {k: _resolve(rt, k) for k in requested}
    unknown = [k for k, v in resolved.items() if v is None]
    if unknown:
        return _unknown_permissions(unknown)

    project: Project | None = None
    ident, by = req.param("projectKey"), "key"
    if not ident and req.param("projectId"):
        ident, by = req.param("projectId"), "id"
    if ident:
        project = _find_project(rt, ident)
        if project is None or not _visible(rt, project, user):
            return _not_found_project(ident, by)
    if req.param("issueKey") or req.param("issueId"):
        return Response.json(404, error_body("Issue Does Not Exist"))  # the lab has no issues

    who = rt.subject(user)
    scope = [project] if project else list(rt.projects)
    out: dict[str, Any] = {}
    for key, found in resolved.items():
        assert found is not None
        definition, legacy = found
        if definition.type == perms.GLOBAL:
            have = perms.has_global_permission(definition.key, who)
        else:  # without a project, Jira says whether the user has it in any project
            have = any(perms.has_project_permission(rt.grants(p), definition.key, who) for p in scope)
        out[key] = definition.to_json(have, legacy)
    return Response.json(200, {"permissions": out})


def permissions_check(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    """Cloud bulk check: ``POST /rest/api/3/permissions/check`` for up to 1,000 projects."""
    assert user is not None
    if rt.scenario.behaviour.bulk_check_refused:
        # Captured from Cloud for some callers (JIRA-FACTS §3); then ask per project.
        return Response.json(403, error_body("Only Jira administrators can perform this operation."))
    try:
        body = req.json_body()
        entries = body.get("projectPermissions") or []
        global_keys = body.get("globalPermissions") or []
        if not isinstance(entries, list) or not isinstance(global_keys, list):
            raise ValueError
    except (ValueError, AttributeError):
        return Response.json(400, error_body("Invalid request payload. Refer to the REST API documentation and try "
                                             "again."))
    account_id = body.get("accountId")
    who_user: User | None = user
    if account_id and account_id != user.account_id:
        if not perms.has_global_permission("ADMINISTER", rt.subject(user)):
            return Response.json(403, error_body("You must have Administer Jira global permission to check another "
                                                 "user's permissions."))
        who_user = next((u for u in rt.scenario.users if u.account_id == account_id), None)
        if who_user is None:
            return Response.json(400, error_body(f"User with accountId '{account_id}' does not exist."))
    who = rt.subject(who_user)

    total = sum(len(e.get("projects") or []) for e in entries if isinstance(e, dict))
    if total > BULK_MAX_PROJECTS:
        # UNCONFIRMED wording.
        return Response.json(400, error_body(f"You can check permissions for up to {BULK_MAX_PROJECTS} projects."))
    keys = [k for e in entries if isinstance(e, dict) for k in (e.get("permissions") or [])] + list(global_keys)
    unknown = [k for k in dict.fromkeys(keys) if _resolve(rt, str(k)) is None]
    if unknown:
        return _unknown_permissions([str(k) for k in unknown])

    granted: dict[str, dict[str, Any]] = {}
    for entry in entries:
        project_ids = [str(p) for p in (entry.get("projects") or [])]
        for key in entry.get("permissions") or []:
            definition, _ = _resolve(rt, key)  # type: ignore[misc]
            slot = granted.setdefault(key, {"permission": key, "issues": [], "projects": []})
            for pid in project_ids:
                project = rt.projects_by_id.get(pid)
                if project and perms.has_project_permission(rt.grants(project), definition.key, who):
                    if int(pid) not in slot["projects"]:
                        slot["projects"].append(int(pid))
    global_granted = [k for k in global_keys if perms.has_global_permission(_resolve(rt, k)[0].key, who)]  # type: ignore[index]
    return Response.json(200, {"projectPermissions": list(granted.values()), "globalPermissions": global_granted})


def applinks_manifest(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    """Server/DC: the anonymous application-links manifest (XML)."""
    numbers = _version_numbers(rt.scenario.version)
    major, minor, patch = (numbers + [0, 0, 0])[:3]
    fields = [
        ("id", f"lab-{rt.port:05d}-0000-0000-0000-000000000000"),
        ("name", rt.scenario.server_title),
        ("typeId", "jira"),
        ("version", rt.scenario.version),
        ("buildNumber", str(major * 100000 + minor * 1000 + patch)),
        ("applinksVersion", "9.1.2"),
        ("inboundAuthenticationTypes", "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"),
        ("outboundAuthenticationTypes", "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"),
        ("publicSignup", "false"),
        ("url", rt.base_url),
        ("iconUrl", f"{rt.base_url}/images/fav-jira.png"),
    ]
    xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><manifest>' + "".join(
        f"<{k}>{xml_escape(v)}</{k}>" for k, v in fields) + "</manifest>"
    return Response.text(200, xml, XML_TYPE)


# ---------------------------------------------------------------------------------- routing ---

_V = r"/rest/api/(?P<v>2|3|latest)"
ROUTES: tuple[Route, ...] = (
    Route(re.compile(_V + r"/serverInfo"), ("GET",), server_info, anonymous=True, sso_exempt=True),
    Route(re.compile(_V + r"/myself"), ("GET",), myself, anonymous=False),
    Route(re.compile(_V + r"/mypermissions"), ("GET",), my_permissions, anonymous=True),
    Route(re.compile(_V + r"/project/search"), ("GET",), project_search, anonymous=True, deployments=(CLOUD,)),
    Route(re.compile(_V + r"/project"), ("GET",), project_list, anonymous=True),
    Route(re.compile(_V + r"/project/(?P<key>[^/]+)"), ("GET",), project_get, anonymous=True),
    Route(re.compile(_V + r"/permissions/check"), ("POST",), permissions_check, anonymous=False, deployments=(CLOUD,)),
    Route(re.compile(r"/rest/applinks/1\.0/manifest"), ("GET",), applinks_manifest, anonymous=True,
          deployments=(SERVER,), sso_exempt=True),
)


def match(req: Request, rt: LabRuntime, routes: tuple[Route, ...] = ROUTES) -> tuple[Route, re.Match[str]] | None:
    """The route for ``req`` among ``routes``; ``/rest/api/3`` exists on Cloud only."""
    path = req.path.rstrip("/") or "/"
    for route in routes:
        m = route.pattern.fullmatch(path)
        if m is None or rt.scenario.deployment not in route.deployments:
            continue
        if m.groupdict().get("v") == "3" and not rt.is_cloud:
            continue
        return route, m
    return None


def not_found(req: Request) -> Response:
    # UNCONFIRMED: Jersey's answer for an unknown resource under /rest.
    return Response.json(404, {"message": f"null for uri: {req.url_with_query()}", "status-code": 404})


def method_not_allowed(route: Route) -> Response:
    resp = Response.json(405, error_body("Method Not Allowed"))
    return resp.add("Allow", ",".join(route.methods + (("HEAD",) if "GET" in route.methods else ())))
