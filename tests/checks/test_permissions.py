"""permissions: the plan and Jira's answers (jira/permissions), the probe over a fake transport, the check."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from jiradoctor.checks import permissions as permissions_check
from jiradoctor.checks.permissions import judge_permissions
from jiradoctor.context import Facts
from jiradoctor.probes import LazyProbes
from jiradoctor.jira import permissions as jp
from jiradoctor.jira.integrations import get_profile
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes import permissions as probe
from jiradoctor.probes.auth import LoginAttempt, login_for
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.permissions import PermissionFacts
from jiradoctor.probes.server_info import ServerInfo
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.conftest import codes, run_checks

URL = "https://jira.example.com"
PIP = get_profile("piplanning")
PIP_PLAN = jp.plan_for(PIP)


# ------------------------------------------------------------------------------- the plan ---


def test_piplanning_plan_normalises_the_guides_spelling():
    assert PIP_PLAN.required == (
        "BROWSE_PROJECTS",
        "CREATE_ISSUES",
        "EDIT_ISSUES",
        "LINK_ISSUES",
        "SCHEDULE_ISSUES",
        "MODIFY_REPORTER",
    )
    assert PIP_PLAN.optional == ("DELETE_ISSUES", "MANAGE_SPRINTS_PERMISSION")
    assert PIP_PLAN.global_ == ()
    [note] = PIP_PLAN.normalisation_notes()
    assert note.startswith("BROWSE_PROJECT → BROWSE_PROJECTS")


def test_extra_permissions_join_required_and_globals_go_global():
    plan = jp.plan_for(PIP, ["comment_issue", "ADMINISTER", "delete_issues", "BROWSE"])
    assert plan.required[-2:] == ("ADD_COMMENTS", "DELETE_ISSUES")  # DELETE_ISSUES promoted from optional
    assert "DELETE_ISSUES" not in plan.optional and plan.global_ == ("ADMINISTER",)
    assert plan.required.count("BROWSE_PROJECTS") == 1
    assert any(n.startswith("comment_issue → ADD_COMMENTS") for n in plan.normalisation_notes())


def test_jira_align_needs_administer_on_cloud_only():
    align = get_profile("jira-align")
    assert jp.plan_for(align, deployment="Cloud").global_ == ("ADMINISTER",)
    assert jp.plan_for(align, deployment="Server").global_ == ()


# ------------------------------------------------------------------------- Jira's answers ---


def test_parse_mypermissions_maps_legacy_keys():
    body = {
        "permissions": {
            "EDIT_ISSUES": {"id": "12", "key": "EDIT_ISSUES", "havePermission": True},
            "BROWSE": {"id": "10", "key": "BROWSE", "havePermission": False, "deprecatedKey": True},
            "BROKEN": {"key": "BROKEN"},
        }
    }
    assert jp.parse_mypermissions(json.dumps(body)) == {"EDIT_ISSUES": True, "BROWSE_PROJECTS": False, "BROWSE": False}
    assert jp.parse_mypermissions("[]") is None and jp.parse_mypermissions("<html>") is None


def test_parse_bulk_check():
    body = {
        "projectPermissions": [{"permission": "EDIT_ISSUES", "projects": [10001, 10002], "issues": []}],
        "globalPermissions": ["ADMINISTER"],
    }
    granted, globals_ = jp.parse_bulk_check(json.dumps(body))
    assert granted == {"EDIT_ISSUES": {"10001", "10002"}} and globals_ == {"ADMINISTER"}
    assert jp.parse_bulk_check('{"projectPermissions": 3}') is None


def test_keys_named_in_error_messages():
    messages = ["Permission with key 'MANAGE_SPRINTS_PERMISSION' does not exist.", "Something about EDIT_ISSUES"]
    assert jp.keys_named(messages, ["MANAGE_SPRINTS_PERMISSION", "EDIT_ISSUES", "LINK_ISSUES"]) == {
        "MANAGE_SPRINTS_PERMISSION",
        "EDIT_ISSUES",
    }
    assert jp.keys_named(["no project 'ABC'"], ["EDIT_ISSUES"]) == set()


def test_project_listings():
    assert jp.ProjectListReader.read('[{"id": "10000", "key": "PIP"}, {"key": 3}, {"id": 7, "key": "ART"}]') == [
        jp.ProjectRef("PIP", "10000"),
        jp.ProjectRef("ART", "7"),
    ]
    page = jp.parse_project_page(
        json.dumps({"startAt": 0, "maxResults": 50, "total": 120, "isLast": False, "values": [{"id": "1", "key": "A"}]})
    )
    assert page == jp.ProjectPage((jp.ProjectRef("A", "1"),), 0, 50, 120, False)
    inferred = jp.parse_project_page('{"startAt": 100, "total": 101, "values": [{"key": "Z"}]}')
    assert inferred is not None and inferred.is_last


@given(st.text(max_size=300))
def test_parsers_never_raise(text):
    jp.parse_mypermissions(text), jp.parse_bulk_check(text)
    jp.ProjectListReader.read(text), jp.parse_project_page(text)
    jp.keys_named([text], ["EDIT_ISSUES"])


def test_matrix_puts_gaps_first_and_is_bounded():
    plan = jp.PermissionPlan(("BROWSE_PROJECTS", "EDIT_ISSUES"), ("DELETE_ISSUES",))
    rows = [
        jp.ProjectGrants("OK1", {"BROWSE_PROJECTS": True, "EDIT_ISSUES": True, "DELETE_ISSUES": True}),
        jp.ProjectGrants("GAP", {"BROWSE_PROJECTS": True, "EDIT_ISSUES": False, "DELETE_ISSUES": False}),
        jp.ProjectGrants("ERR", problem="HTTP 500"),
    ]
    matrix = jp.build_matrix(plan, rows, max_rows=2)
    assert matrix["permissions"] == ["BROWSE_PROJECTS", "EDIT_ISSUES", "DELETE_ISSUES"]
    assert [r["project"] for r in matrix["rows"]] == ["GAP", "ERR"] and matrix["rows_omitted"] == 1
    assert matrix["rows"][0]["cells"] == {
        "BROWSE_PROJECTS": "ok",
        "EDIT_ISSUES": "missing",
        "DELETE_ISSUES": "missing-optional",
    }
    assert set(matrix["rows"][1]["cells"].values()) == {"unknown"}


# ---------------------------------------------------------------------------- the check ---


def grants(key: str, missing: tuple[str, ...] = (), plan: jp.PermissionPlan = PIP_PLAN) -> jp.ProjectGrants:
    return jp.ProjectGrants(key, {k: k not in missing for k in plan.project_keys})


def facts(**kw) -> PermissionFacts:
    base = dict(plan=PIP_PLAN, login_method="basic", deployment="Server", source="requested", requests=5)
    return PermissionFacts(**{**base, **kw})


def judged(pf: PermissionFacts, integration: str = "piplanning", user: str | None = "svc"):
    return judge_permissions(pf, get_profile(integration), URL, user)


def by_code(findings, code):
    return [f for f in findings if f.code == code]


def test_ok_carries_the_matrix_and_the_normalisation():
    [f] = judged(facts(projects=(grants("PIP"), grants("ART"))))
    assert f.code == "permissions/ok" and f.status == Status.PASS and "2 project(s)" in f.message
    assert [r["project"] for r in f.evidence["matrix"]["rows"]] == ["PIP", "ART"]
    assert f.evidence["normalised"][0].startswith("BROWSE_PROJECT → BROWSE_PROJECTS")
    assert f.evidence["requests"] == 5


def test_missing_one_finding_per_project_and_the_first_has_the_matrix():
    findings = judged(
        facts(
            projects=(grants("PIP"), grants("ART", ("LINK_ISSUES", "SCHEDULE_ISSUES")), grants("OPS", ("EDIT_ISSUES",)))
        )
    )
    missing = by_code(findings, "permissions/missing")
    assert [f.subject for f in missing] == ["ART", "OPS"] and all(f.status == Status.FAIL for f in missing)
    assert missing[0].evidence["missing"] == ["LINK_ISSUES", "SCHEDULE_ISSUES"]
    assert findings[0] is missing[0] and "matrix" in missing[0].evidence and "matrix" not in missing[1].evidence
    assert "/plugins/servlet/project-config/ART/permissions" in missing[0].remediation[0]
    assert not by_code(findings, "permissions/ok")


def test_missing_optional_is_a_warning_and_not_a_missing():
    findings = judged(facts(projects=(grants("OPS", ("DELETE_ISSUES", "MANAGE_SPRINTS_PERMISSION")),)))
    assert {f.code for f in findings} == {"permissions/missing-optional"}
    assert findings[0].status == Status.WARN and "matrix" in findings[0].evidence
    cells = findings[0].evidence["matrix"]["rows"][0]["cells"]
    assert cells["DELETE_ISSUES"] == "missing-optional" and cells["EDIT_ISSUES"] == "ok"


def test_project_not_found():
    findings = judged(facts(projects=(grants("PIP"),), not_found=("SEC",)))
    [f] = by_code(findings, "permissions/project-not-found")
    assert f.subject == "SEC" and f.status == Status.FAIL and "matrix" in f.evidence
    assert not by_code(judged(facts(projects=(grants("PIP"),))), "permissions/project-not-found")


def test_global_missing_only_when_jira_says_no():
    align = jp.plan_for(get_profile("jira-align"), deployment="Cloud")
    pf = facts(
        plan=align, deployment="Cloud", projects=(grants("PIP", plan=align),), global_granted={"ADMINISTER": False}
    )
    [f] = by_code(judged(pf, "jira-align"), "permissions/global-missing")
    assert f.subject == "ADMINISTER" and "Cloud" in f.message
    granted = facts(
        plan=align, deployment="Cloud", projects=(grants("PIP", plan=align),), global_granted={"ADMINISTER": True}
    )
    assert {f.code for f in judged(granted, "jira-align")} == {"permissions/ok"}


def test_unknown_permission_warns_for_optional_and_fails_for_required():
    pf = facts(
        projects=(jp.ProjectGrants("PIP", {k: True for k in PIP_PLAN.required + ("DELETE_ISSUES",)}),),
        unknown={"MANAGE_SPRINTS_PERMISSION": "Jira answered HTTP 400"},
    )
    findings = judged(pf)
    [f] = by_code(findings, "permissions/unknown-permission")
    assert f.status == Status.WARN and "Jira Software" in f.message
    assert {x.code for x in findings} == {"permissions/unknown-permission"}  # its cell is unknown, not missing
    plan = jp.plan_for(PIP, ["FLY_TO_MOON"])
    pf = facts(plan=plan, projects=(grants("PIP", plan=plan),), unknown={"FLY_TO_MOON": "left out"})
    [f] = by_code(judged(pf), "permissions/unknown-permission")
    assert f.status == Status.FAIL and "spelling" in f.remediation[0]


def test_no_projects_no_answer_and_not_tested():
    assert {f.code for f in judged(facts(source="listed"))} == {"permissions/no-projects"}
    assert {f.code for f in judged(facts(problem="listing projects failed: HTTP 500"))} == {"permissions/no-answer"}
    failed = judged(facts(projects=(grants("PIP"), jp.ProjectGrants("ART", problem="HTTP 502"))))
    assert {f.code for f in failed} == {"permissions/no-answer"} and "ART" in failed[0].message
    with pytest.raises(NotObserved):  # nothing asked: skip, never a green tick
        judged(facts(login_method="none", problem="no credentials"))
    with pytest.raises(NotObserved) as exc:  # a refused login is the auth check's finding, not repeated here
        judged(facts(problem="the login did not succeed (see the auth check), so no permission was asked"))
    assert exc.value.blocked_by == ("auth",)


def test_through_the_runner_with_preset_facts():
    target = Target(url=URL, integration="piplanning", user="svc", password=Secret("pw-secret"))
    pf = facts(projects=(grants("ART", ("LINK_ISSUES",)),), not_found=("SEC",))
    report = run_checks([permissions_check.CHECK], target, preset={"permission_matrix": pf})
    assert codes(report) == {"permissions/missing", "permissions/project-not-found"}
    assert report.checks[0].status == Status.FAIL


# ------------------------------------------------------------- the probe, fake transport ---


@dataclass
class FakeJira:
    """A small Jira behind httpx.MockTransport, to drive the probe's branches the lab has no switch for."""

    cloud: bool = False
    projects: dict[str, str] = field(default_factory=lambda: {"PIP": "10000", "ART": "10001"})
    denied: dict[str, set[str]] = field(default_factory=dict)  # project -> keys not granted
    unknown: set[str] = field(default_factory=set)
    unknown_style: str = "named"  # named | silent | omitted
    bulk_status: int = 200
    page_total: bool = True
    seen: list[tuple[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def granted(self, project: str, key: str) -> bool:
        return key not in self.denied.get(project, set())

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.002)
            return self.answer(request)
        finally:
            self.in_flight -= 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        path, q = request.url.path, dict(urllib.parse.parse_qsl(request.url.query.decode()))
        self.seen.append((request.method, path))
        assert request.headers["authorization"].startswith("Basic ")
        if path.endswith("/mypermissions"):
            keys = q["permissions"].split(",")
            bad = [k for k in keys if k in self.unknown]
            if bad and self.unknown_style == "named":
                return httpx.Response(
                    400, json={"errorMessages": [f"Permission with key '{k}' does not exist." for k in bad]}
                )
            if bad and self.unknown_style == "silent":
                return httpx.Response(400, json={"errorMessages": ["Bad request"]})
            project = q.get("projectKey")
            if project and project not in self.projects:
                return httpx.Response(404, json={"errorMessages": [f"No project could be found with key '{project}'."]})
            answered = {k: {"key": k, "havePermission": self.granted(project or "", k)} for k in keys if k not in bad}
            return httpx.Response(200, json={"permissions": answered})
        if path == "/rest/api/2/project" and not self.cloud:
            return httpx.Response(200, json=[{"id": i, "key": k} for k, i in self.projects.items()])
        if path == "/rest/api/3/project/search" and self.cloud:
            start, size = int(q.get("startAt", 0)), min(int(q.get("maxResults", 50)), 2)
            items = list(self.projects.items())
            page = {
                "startAt": start,
                "maxResults": size,
                "values": [{"id": i, "key": k} for k, i in items[start : start + size]],
                "isLast": start + size >= len(items),
            }
            if self.page_total:
                page["total"] = len(items)
            return httpx.Response(200, json=page)
        if path == "/rest/api/3/permissions/check" and self.cloud:
            if self.bulk_status != 200:
                return httpx.Response(self.bulk_status, json={"errorMessages": ["nope"]})
            body = json.loads(request.content)
            entry = body["projectPermissions"][0]
            ids = {str(i): k for k, i in self.projects.items()}
            return httpx.Response(
                200,
                json={
                    "projectPermissions": [
                        {
                            "permission": key,
                            "projects": [int(p) for p in entry["projects"] if self.granted(ids[str(p)], key)],
                        }
                        for key in entry["permissions"]
                    ],
                    "globalPermissions": [],
                },
            )
        return httpx.Response(404, json={"message": "null for uri"})


def proven_login(target: Target) -> LoginAttempt:
    """The auth probe's fact for a login that worked (/myself named the user)."""
    myself = HttpAnswer("GET", URL + "/rest/api/2/myself", 200, {}, '{"name": "svc", "key": "svc"}')
    return LoginAttempt(login_for(target), "Server", myself)


def run_probe(fake: FakeJira, **target_kw) -> PermissionFacts:
    target = Target(**{"url": URL, "integration": "piplanning", "user": "svc", "password": Secret("pw"), **target_kw})
    served = HttpAnswer("GET", URL, 200, {}, "{}")
    info = ServerInfo(served, served, base_url=URL, deployment="Cloud" if fake.cloud else "Server")

    async def go() -> PermissionFacts:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as client:
            f = Facts(
                target,
                LazyProbes(),
                preset={"http_client": client, "server_info": info, "auth_login": proven_login(target)},
            )
            return await f.get("permission_matrix")

    return asyncio.run(go())


def test_server_costs_one_listing_and_one_call_per_project():
    """The key check is read from the projects' answers on Server (issue 14): no separate request."""
    fake = FakeJira(projects={f"P{i}": str(20000 + i) for i in range(60)}, denied={"P7": {"LINK_ISSUES"}})
    pf = run_probe(fake)
    assert pf.requests == 61 == len(fake.seen) and pf.via == "mypermissions" and pf.source == "listed"
    assert fake.max_in_flight <= probe.CONCURRENCY
    [p7] = [g for g in pf.projects if g.key == "P7"]
    assert p7.missing(pf.plan.required) == ["LINK_ISSUES"]


def test_requested_projects_skip_the_listing_and_find_the_missing_one():
    fake = FakeJira()
    pf = run_probe(fake, projects=("pip", "SEC"))
    assert ("GET", "/rest/api/2/project") not in fake.seen
    assert [g.key for g in pf.projects] == ["PIP"] and pf.not_found == ("SEC",) and pf.source == "requested"


@pytest.mark.parametrize("style", ["named", "silent", "omitted"])
def test_unknown_keys_are_found_however_jira_says_it(style):
    fake = FakeJira(unknown={"MANAGE_SPRINTS_PERMISSION"}, unknown_style=style)
    pf = run_probe(fake, projects=("PIP",))
    assert set(pf.unknown) == {"MANAGE_SPRINTS_PERMISSION"} and pf.problem is None
    [pip] = pf.projects
    assert "MANAGE_SPRINTS_PERMISSION" not in pip.granted and pip.granted["EDIT_ISSUES"] is True


def test_cloud_pages_then_one_bulk_call():
    fake = FakeJira(cloud=True, projects={f"C{i}": str(10000 + i) for i in range(7)}, denied={"C3": {"EDIT_ISSUES"}})
    pf = run_probe(fake)
    assert pf.via == "bulk" and [g.key for g in pf.projects] == [f"C{i}" for i in range(7)]
    assert [g.key for g in pf.projects if g.missing(pf.plan.required)] == ["C3"]
    assert fake.seen.count(("POST", "/rest/api/3/permissions/check")) == 1
    assert fake.seen.count(("GET", "/rest/api/3/project/search")) == 4  # pages of 2: first, then 3 at once


def test_cloud_paging_without_total_follows_is_last():
    fake = FakeJira(cloud=True, page_total=False, projects={f"C{i}": str(10000 + i) for i in range(5)})
    pf = run_probe(fake)
    assert len(pf.projects) == 5 and fake.seen.count(("GET", "/rest/api/3/project/search")) == 3


@pytest.mark.parametrize("status", [404, 405])
def test_cloud_bulk_missing_falls_back_to_per_project(status):
    fake = FakeJira(cloud=True, bulk_status=status, denied={"ART": {"SCHEDULE_ISSUES"}})
    pf = run_probe(fake)
    assert pf.via == "mypermissions"
    assert [g.missing(pf.plan.required) for g in pf.projects] == [[], ["SCHEDULE_ISSUES"]]


def test_a_refused_key_check_is_a_problem_not_a_pass():
    class Refusing(FakeJira):
        def answer(self, request):
            self.seen.append((request.method, request.url.path))
            return httpx.Response(401, json={"errorMessages": ["You are not authenticated."]})

    pf = run_probe(Refusing(), projects=("PIP",))
    assert pf.problem and "401" in pf.problem and not pf.projects
    assert {f.code for f in judged(pf)} == {"permissions/no-answer"}


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "errorMessages",
                        "errors",
                        "message",
                        "projectPermissions",
                        "projects",
                        "permission",
                        "globalPermissions",
                        "values",
                        "isLast",
                        "total",
                        "startAt",
                        "maxResults",
                        "permissions",
                        "havePermission",
                        "key",
                        "id",
                        "name",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_jira_json_parsers_never_crash_on_hostile_shapes(value) -> None:
    from jiradoctor.jira.auth_signals import error_messages, read_identity
    from jiradoctor.jira.permissions import (
        parse_bulk_check,
        parse_mypermissions,
        ProjectListReader,
        parse_project_page,
    )

    body = json.dumps(value)
    assert isinstance(error_messages(body), list)
    for parse in (parse_bulk_check, parse_mypermissions, ProjectListReader.read, parse_project_page, read_identity):
        parse(body)


class Recording(FakeJira):
    """Remembers whether each mypermissions named a project."""

    def answer(self, request):
        self.asked = getattr(self, "asked", [])
        self.asked.append("projectKey" in request.url.query.decode())
        return super().answer(request)


def test_server_folds_the_key_check_and_global_keys_into_each_project_answer():
    fake = Recording(unknown={"MANAGE_SPRINTS_PERMISSION"}, unknown_style="omitted")
    pf = run_probe(fake, projects=("PIP", "ART"), permissions=("ADMINISTER",))
    assert fake.asked == [True, True] and pf.requests == 2  # each project once, nothing else
    assert set(pf.unknown) == {"MANAGE_SPRINTS_PERMISSION"} and pf.problem is None
    assert pf.global_granted == {"ADMINISTER": True}
    assert all("ADMINISTER" not in g.granted and g.granted["EDIT_ISSUES"] for g in pf.projects)


def test_a_project_answer_that_refuses_a_key_falls_back_to_the_separate_key_check():
    """The other direction: a 400 naming a key is not read as grants; the key check decides, as before."""
    fake = Recording(unknown={"MANAGE_SPRINTS_PERMISSION"}, unknown_style="named", denied={"ART": {"EDIT_ISSUES"}})
    pf = run_probe(fake, projects=("PIP", "ART"))
    assert False in fake.asked  # the key check without a project ran
    assert set(pf.unknown) == {"MANAGE_SPRINTS_PERMISSION"} and pf.problem is None
    assert [g.missing(pf.plan.required) for g in pf.projects] == [[], ["EDIT_ISSUES"]]
    assert all("MANAGE_SPRINTS_PERMISSION" not in g.granted for g in pf.projects)
