"""REST resources in the shapes JIRA-FACTS §3 records, answered from scenario data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.lab.helpers import client_for

pytestmark = pytest.mark.timeout(30)

SVC = ("piplanning-svc", "lab-svc-password")
PIPLANNING = "BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES,LINK_ISSUES,SCHEDULE_ISSUES,MODIFY_REPORTER"


def cloud_auth(lab) -> tuple[str, str]:
    return lab.client.user, lab.client.token


def call(lab, method, path, **kw) -> httpx.Response:
    with client_for(lab) as http:
        return http.request(method, lab.url + path, **kw)


def test_server_info_server(make_lab):
    lab = make_lab("healthy")
    info = call(lab, "GET", "/rest/api/2/serverInfo").json()
    assert set(info) >= {
        "baseUrl",
        "version",
        "versionNumbers",
        "deploymentType",
        "buildNumber",
        "buildDate",
        "scmInfo",
        "serverTitle",
        "databaseBuildNumber",
    }
    assert "serverTime" not in info  # anonymous serverInfo on Server has none (JIRA-FACTS §3)
    authed = call(lab, "GET", "/rest/api/2/serverInfo", auth=SVC).json()
    assert "serverTime" in authed
    assert info["baseUrl"] == lab.base_url
    assert info["deploymentType"] == "Server"
    assert info["versionNumbers"] == [9, 12, 2] and info["buildNumber"] == 912002
    assert call(lab, "GET", "/rest/api/latest/serverInfo").status_code == 200
    assert call(lab, "GET", "/rest/api/3/serverInfo").status_code == 404  # no v3 on Server


def test_server_info_cloud_and_clock(make_lab):
    lab = make_lab("healthy-cloud")
    for version in ("2", "3"):
        info = call(lab, "GET", f"/rest/api/{version}/serverInfo").json()
        assert info["deploymentType"] == "Cloud"
    skewed = make_lab("clock-skew")
    server_time = call(skewed, "GET", "/rest/api/2/serverInfo", auth=SVC).json()["serverTime"]
    parsed = dt.datetime.strptime(server_time, "%Y-%m-%dT%H:%M:%S.%f%z")
    offset = (parsed - dt.datetime.now(dt.timezone.utc)).total_seconds()
    assert 590 <= offset <= 610


def test_myself_shapes(make_lab):
    server = call(make_lab("healthy"), "GET", "/rest/api/2/myself", auth=SVC).json()
    assert {"name", "key", "displayName", "emailAddress", "active"} <= set(server)
    assert "accountId" not in server
    cloud_lab = make_lab("healthy-cloud")
    cloud = call(cloud_lab, "GET", "/rest/api/3/myself", auth=cloud_auth(cloud_lab)).json()
    assert {"accountId", "displayName", "emailAddress", "active"} <= set(cloud)
    assert "name" not in cloud and "key" not in cloud


def test_mypermissions_shape_and_project_scope(make_lab):
    lab = make_lab("permissions-gaps")
    resp = call(
        lab, "GET", "/rest/api/2/mypermissions", params={"projectKey": "ART", "permissions": PIPLANNING}, auth=SVC
    )
    perms = resp.json()["permissions"]
    # Server ignores permissions= and answers every key, legacy aliases included (JIRA-FACTS §3)
    assert set(perms) > set(PIPLANNING.split(",")) | {"ADMINISTER", "BROWSE"}
    assert perms["BROWSE"]["deprecatedKey"] is True and "deprecatedKey" not in perms["BROWSE_PROJECTS"]
    entry = perms["EDIT_ISSUES"]
    assert entry == {
        "id": "12",
        "key": "EDIT_ISSUES",
        "name": "Edit Issues",
        "type": "PROJECT",
        "description": entry["description"],
        "havePermission": True,
    }
    assert perms["LINK_ISSUES"]["havePermission"] is False
    assert perms["SCHEDULE_ISSUES"]["havePermission"] is False
    ops = call(
        lab,
        "GET",
        "/rest/api/2/mypermissions",
        params={"projectKey": "OPS", "permissions": "DELETE_ISSUES,MANAGE_SPRINTS_PERMISSION,LINK_ISSUES"},
        auth=SVC,
    ).json()["permissions"]
    assert [ops[k]["havePermission"] for k in ("DELETE_ISSUES", "MANAGE_SPRINTS_PERMISSION", "LINK_ISSUES")] == [
        False,
        False,
        True,
    ]
    hidden = call(
        lab,
        "GET",
        "/rest/api/2/mypermissions",
        params={"projectKey": "SEC", "permissions": "BROWSE_PROJECTS"},
        auth=SVC,
    )
    assert hidden.status_code == 404 and hidden.json()["errorMessages"] == ["No project could be found with key 'SEC'."]


def test_mypermissions_legacy_unknown_and_global(make_lab):
    lab = make_lab("healthy")
    legacy = call(lab, "GET", "/rest/api/2/mypermissions", params={"permissions": "BROWSE,ADMINISTER"}, auth=SVC).json()
    assert legacy["permissions"]["BROWSE"]["deprecatedKey"] is True
    assert legacy["permissions"]["BROWSE"]["id"] == "10"
    assert legacy["permissions"]["ADMINISTER"]["type"] == "GLOBAL"
    assert legacy["permissions"]["ADMINISTER"]["havePermission"] is False
    unknown = call(lab, "GET", "/rest/api/2/mypermissions", params={"permissions": "BROWSE_PROJECT"}, auth=SVC)
    assert unknown.status_code == 200 and "BROWSE_PROJECT" not in unknown.json()["permissions"]  # filter ignored
    everything = call(lab, "GET", "/rest/api/2/mypermissions", auth=SVC).json()["permissions"]
    assert len(everything) > 30  # Server: no 'permissions' = all of them


def test_mypermissions_without_jira_software(make_lab):
    lab = make_lab("no-jira-software")
    resp = call(
        lab,
        "GET",
        "/rest/api/2/mypermissions",
        params={"permissions": "BROWSE_PROJECTS,MANAGE_SPRINTS_PERMISSION"},
        auth=SVC,
    )
    assert resp.status_code == 200  # Server answers what it knows and leaves the unknown key out
    assert "MANAGE_SPRINTS_PERMISSION" not in resp.json()["permissions"]
    assert "BROWSE_PROJECTS" in resp.json()["permissions"]


def test_mypermissions_cloud_requires_permissions(make_lab):
    lab = make_lab("healthy-cloud")
    resp = call(lab, "GET", "/rest/api/3/mypermissions", auth=cloud_auth(lab))
    assert resp.status_code == 400 and resp.json()["errorMessages"]
    ok = call(lab, "GET", "/rest/api/3/mypermissions", params={"permissions": "BROWSE_PROJECTS"}, auth=cloud_auth(lab))
    assert ok.json()["permissions"]["BROWSE_PROJECTS"]["havePermission"] is True


def test_project_list_and_get(make_lab):
    lab = make_lab("healthy")
    projects = call(lab, "GET", "/rest/api/2/project", auth=SVC).json()
    assert [p["key"] for p in projects] == ["PIP", "ART"]
    assert {"id", "key", "name", "self"} <= set(projects[0])
    admin = call(lab, "GET", "/rest/api/2/project", auth=("alice", "lab-alice-password")).json()
    assert {p["key"] for p in admin} == {"PIP", "ART", "SEC"}
    one = call(lab, "GET", "/rest/api/2/project/PIP", auth=SVC)
    assert one.json()["key"] == "PIP"
    assert call(lab, "GET", "/rest/api/2/project/10000", auth=SVC).json()["key"] == "PIP"
    missing = call(lab, "GET", "/rest/api/2/project/SEC", auth=SVC)
    assert missing.status_code == 404
    assert missing.json() == {"errorMessages": ["No project could be found with key 'SEC'."], "errors": {}}


def test_many_projects_server(make_lab):
    lab = make_lab("many-projects")
    assert len(call(lab, "GET", "/rest/api/2/project", auth=SVC).json()) == 502


def test_cloud_project_search_pages(make_lab):
    lab = make_lab("many-projects-cloud")
    auth = cloud_auth(lab)
    first = call(lab, "GET", "/rest/api/3/project/search", auth=auth).json()
    assert first["startAt"] == 0 and first["maxResults"] == 50
    assert len(first["values"]) == 50 and first["isLast"] is False and first["total"] == 502
    keys, start = [], 0
    while True:
        page = call(
            lab, "GET", "/rest/api/3/project/search", params={"startAt": start, "maxResults": 100}, auth=auth
        ).json()
        keys += [p["key"] for p in page["values"]]
        if page["isLast"]:
            break
        start += page["maxResults"]
    assert len(keys) == len(set(keys)) == 502
    assert call(lab, "GET", "/rest/api/3/project/search", params={"keys": "PIP,P0007"}, auth=auth).json()["total"] == 2
    assert call(lab, "GET", "/rest/api/3/project/search", params={"startAt": "x"}, auth=auth).status_code == 400
    server = make_lab("healthy")
    assert call(server, "GET", "/rest/api/2/project/search", auth=SVC).status_code == 404


def test_cloud_bulk_permission_check(make_lab):
    lab = make_lab("many-projects-cloud")
    auth = cloud_auth(lab)
    ids = [10000, 10001, 10002] + list(range(20001, 20101))
    body = {
        "projectPermissions": [{"projects": ids, "permissions": ["EDIT_ISSUES", "ADMINISTER_PROJECTS"]}],
        "globalPermissions": ["ADMINISTER", "BULK_CHANGE"],
    }
    resp = call(lab, "POST", "/rest/api/3/permissions/check", json=body, auth=auth)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    by_key = {e["permission"]: e for e in out["projectPermissions"]}
    assert sorted(by_key["EDIT_ISSUES"]["projects"]) == [10000, 10001] + list(range(20001, 20101))
    assert by_key["ADMINISTER_PROJECTS"]["projects"] == []
    assert out["globalPermissions"] == ["BULK_CHANGE"]
    too_many = {"projectPermissions": [{"projects": list(range(1001)), "permissions": ["EDIT_ISSUES"]}]}
    assert call(lab, "POST", "/rest/api/3/permissions/check", json=too_many, auth=auth).status_code == 400
    assert call(lab, "POST", "/rest/api/3/permissions/check", json=body).status_code == 401
    assert (
        call(
            lab,
            "POST",
            "/rest/api/3/permissions/check",
            content=b"{not json",
            auth=auth,
            headers={"Content-Type": "application/json"},
        ).status_code
        == 400
    )


def test_global_missing_scenario(make_lab):
    lab = make_lab("global-missing")
    out = call(
        lab, "POST", "/rest/api/3/permissions/check", json={"globalPermissions": ["ADMINISTER"]}, auth=cloud_auth(lab)
    ).json()
    assert out["globalPermissions"] == []


def test_applinks_manifest(make_lab):
    lab = make_lab("healthy")
    resp = call(lab, "GET", "/rest/applinks/1.0/manifest")
    assert resp.status_code == 200 and "xml" in resp.headers["content-type"]
    root = ET.fromstring(resp.text)
    assert root.tag == "manifest"
    assert {"id", "name", "typeId", "version", "buildNumber"} <= {child.tag for child in root}
    assert root.findtext("typeId") == "jira" and root.findtext("url") == lab.base_url


def test_unknown_rest_resource(make_lab):
    lab = make_lab("healthy")
    resp = call(lab, "GET", "/rest/api/2/nothing-here")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("application/json")
    assert call(lab, "POST", "/rest/api/2/serverInfo").status_code == 405
