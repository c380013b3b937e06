"""auth and permissions end to end: the real Runner and probes against the lab Jira over loopback HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from collections import Counter
from typing import Any, Callable

import pytest

from jiradoctor_lab import LabServer, get_scenario
from jiradoctor_lab.scenarios import Scenario
from jiradoctor.model import Report, Status
from jiradoctor.registry import load_checks
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

pytestmark = pytest.mark.timeout(60)

MINE = ("auth", "permissions")
PROFILES = ("generic", "piplanning", "jira-align", "zephyr-enterprise", "kendis")


@pytest.fixture
def lab(make_lab: Callable[..., LabServer]) -> Callable[..., LabServer]:
    """Start lab servers on loopback (tests/conftest.py's make_lab stops them)."""
    return make_lab


def target_for(server: LabServer, **override: Any) -> Target:
    """The target the scenario's client hints describe: the integration's own credentials."""
    c = server.client
    kw: dict[str, Any] = {
        "url": server.url,
        "integration": c.integration,
        "projects": tuple(c.projects),
        "timeout": 10.0,
    }
    if c.auth == "oauth1":
        kw.update(
            consumer_key=server.consumer_key,
            private_key=Secret(server.private_key_pem),
            access_token=Secret(c.access_token),
        )
    elif c.auth == "basic":
        kw.update(user=c.user, password=Secret(c.password))
    elif c.auth == "token":
        kw.update(user=c.user, token=Secret(c.token))
    elif c.auth == "pat":
        kw.update(pat=Secret(c.pat))
    kw.update(override)
    return Target(**kw)


def doctor(target: Target) -> Report:
    return asyncio.run(Runner(load_checks(include_plugins=False).checks, target, RunOptions(only=MINE)).run())


def problems(report: Report) -> set[str]:
    """warn/fail codes of this issue's checks, the way scenarios.toml ``expect`` lists them."""
    return {f.code for _, f in report.findings() if f.status in (Status.WARN, Status.FAIL)}


def expected(name: str) -> set[str]:
    return {c for c in get_scenario(name).expect if c.split("/")[0] in MINE}


def statuses(report: Report) -> dict[str, str]:
    return {c.id: c.status.value for c in report.checks}


# ------------------------------------------------------------------- every scenario's code ---


@pytest.mark.parametrize(
    "name",
    [
        "wrong-password",
        "captcha",
        "anonymous-fallback",
        "sso-redirect",
        "pat-as-password",
        "cloud-password",
        "permissions-gaps",
        "no-jira-software",
        "global-missing",
    ],
)
def test_scenario_produces_exactly_its_codes(lab, name):
    server = lab(name)
    report = doctor(target_for(server))
    assert problems(report) == expected(name), json.dumps([f.to_json() for _, f in report.findings()], indent=1)[:3000]
    # read-only: GET everywhere, POST only for Cloud's bulk permission check
    assert {(s.method, s.path) for s in server.seen if s.method != "GET"} <= {("POST", "/rest/api/3/permissions/check")}


def test_failed_login_blocks_permissions(lab):
    report = doctor(target_for(lab("wrong-password")))
    permissions = next(c for c in report.checks if c.id == "permissions")
    assert permissions.status == Status.SKIP and permissions.blocked_by == ("auth",)


def test_captcha_finding_names_the_login_page(lab):
    server = lab("captcha")
    [f] = [f for _, f in doctor(target_for(server)).findings() if f.code == "auth/captcha-required"]
    assert f.evidence["login_url"] == f"{server.base_url}/login.jsp" and f.subject == "piplanning-svc"


def test_pat_as_password_tries_bearer_once_and_leaks_nothing(lab):
    server = lab("pat-as-password")
    report = doctor(target_for(server))
    [f] = [f for _, f in report.findings() if f.code == "auth/pat-as-password"]
    assert f.evidence["bearer_status"] == 200 and f.evidence["jira_user_with_bearer"]["name"] == "piplanning-svc"
    assert Counter(s.path for s in server.seen)["/rest/api/2/myself"] <= 3  # serverInfo's challenge, Basic, one Bearer
    assert server.client.password not in json.dumps(report.to_json())


def test_permission_gaps_matrix(lab):
    report = doctor(target_for(lab("permissions-gaps")))
    findings = [f for _, f in report.findings() if f.code.startswith("permissions/")]
    assert {(f.code, f.subject) for f in findings} == {
        ("permissions/missing", "ART"),
        ("permissions/missing-optional", "OPS"),
        ("permissions/project-not-found", "SEC"),
    }
    matrix = findings[0].evidence["matrix"]
    cells = {row["project"]: row["cells"] for row in matrix["rows"]}
    assert set(cells) == {"PIP", "ART", "OPS"}
    assert cells["ART"]["LINK_ISSUES"] == "missing" and cells["OPS"]["DELETE_ISSUES"] == "missing-optional"
    assert set(cells["PIP"].values()) == {"ok"}
    assert findings[0].evidence["normalised"][0].startswith("BROWSE_PROJECT → BROWSE_PROJECTS")


# ---------------------------------------------------------------- healthy, every profile ---


def zephyr_ready(base: Scenario) -> Scenario:
    """``healthy`` whose piplanning scheme also grants what Zephyr Enterprise needs.

    The packaged scheme lacks MOVE_ISSUES, CREATE_ATTACHMENTS and Zephyr's optional comment and
    attachment keys, so zephyr-enterprise is (rightly) not healthy on it.
    """
    extra = ("MOVE_ISSUES", "CREATE_ATTACHMENTS", "EDIT_OWN_COMMENTS", "DELETE_OWN_COMMENTS", "DELETE_OWN_ATTACHMENTS")
    schemes = dict(base.schemes)
    schemes["piplanning"] = {**base.schemes["piplanning"], **{k: ("group:piplanning",) for k in extra}}
    return dataclasses.replace(base, name="healthy-zephyr", schemes=schemes)


@pytest.mark.parametrize("integration", PROFILES)
def test_healthy_passes_for_every_profile(lab, integration):
    scenario = zephyr_ready(get_scenario("healthy")) if integration == "zephyr-enterprise" else "healthy"
    report = doctor(target_for(lab(scenario), integration=integration))
    assert statuses(report) == {"auth": "pass", "permissions": "pass"}, problems(report)
    codes = {f.code for _, f in report.findings()}
    assert codes == {"auth/ok", "permissions/ok"}


def test_zephyr_on_the_packaged_healthy_scheme_misses_its_permissions(lab):
    report = doctor(target_for(lab("healthy"), integration="zephyr-enterprise"))
    missing = {f.subject: f.evidence["missing"] for _, f in report.findings() if f.code == "permissions/missing"}
    assert missing == {"PIP": ["MOVE_ISSUES", "CREATE_ATTACHMENTS"], "ART": ["MOVE_ISSUES", "CREATE_ATTACHMENTS"]}


@pytest.mark.parametrize(
    "name,integration",
    [
        ("healthy", "piplanning"),
        ("healthy-pat", "generic"),
        ("healthy-cloud", "generic"),
        ("many-projects", "piplanning"),
    ],
)
def test_healthy_logins_pass(lab, name, integration):
    report = doctor(target_for(lab(name), integration=integration))
    assert problems(report) == set() and statuses(report) == {"auth": "pass", "permissions": "pass"}


def test_method_unsupported_pat_for_piplanning(lab):
    report = doctor(target_for(lab("healthy-pat"), integration="piplanning"))
    assert problems(report) == {"auth/method-unsupported"}
    assert statuses(report) == {"auth": "warn", "permissions": "pass"}


def test_oauth_without_access_token_falls_back_to_the_password(lab):
    server = lab("healthy")
    target = target_for(server, access_token=None, user="piplanning-svc", password=Secret("lab-svc-password"))
    report = doctor(target)
    assert {f.code for _, f in report.findings()} == {"auth/ok", "auth/method-fallback", "permissions/ok"}


# -------------------------------------------------------------------- cost in round trips ---


def test_many_projects_server_costs_one_request_per_project(lab):
    server = lab("many-projects")
    report = doctor(target_for(server, projects=()))
    [ok] = [f for _, f in report.findings() if f.code == "permissions/ok"]
    visible = ok.evidence["projects_checked"]
    assert visible == 502  # 500 generated + PIP + ART; SEC is not visible
    assert ok.evidence["requests"] == visible + 1  # one listing; the key check is read from the projects' answers
    seen = Counter(s.path for s in server.seen)
    assert seen["/rest/api/2/project"] == 1 and seen["/rest/api/2/mypermissions"] == visible


def test_many_projects_cloud_uses_the_bulk_check(lab):
    server = lab("many-projects-cloud")
    report = doctor(target_for(server, projects=(), integration="generic"))
    [ok] = [f for _, f in report.findings() if f.code == "permissions/ok"]
    assert ok.evidence["via"] == "bulk" and ok.evidence["projects_checked"] == 502
    assert ok.evidence["requests"] <= 8  # pages of 100 + one key check + one bulk call
    assert Counter((s.method, s.path) for s in server.seen)[("POST", "/rest/api/3/permissions/check")] == 1


# ------------------------------------------------------------------------------ the CLI ---


def test_cli_json_for_permission_gaps(lab):
    server = lab("permissions-gaps")
    c = server.client
    env = {**os.environ, "JIRADOCTOR_PASSWORD": c.password, "NO_PROXY": "127.0.0.1,localhost"}
    args = [
        sys.executable,
        "-m",
        "jiradoctor",
        "doctor",
        "--url",
        server.url,
        "--integration",
        c.integration,
        "--user",
        c.user,
        "--projects",
        ",".join(c.projects),
        "--only",
        "auth,permissions",
        "--format",
        "json",
    ]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    found = {f["code"] for check in data["checks"] for f in check["findings"] if f["status"] in ("warn", "fail")}
    assert found == expected("permissions-gaps")
    assert data["target"]["auth"] == "basic" and c.password not in done.stdout + done.stderr


@pytest.mark.parametrize("scenario", ["wrong-password", "anonymous-fallback"])
def test_a_refused_login_is_tried_once_per_run(lab, scenario: str) -> None:
    """Jira locks a user behind CAPTCHA after 3 failed logins: one doctor run may cost one."""
    server = lab(scenario)
    report = doctor(target_for(server))
    assert {f.code for _, f in report.findings()} & {"auth/invalid-credentials", "auth/anonymous-fallback"}
    assert server.runtime.state.failed_logins == {server.client.user: 1}
    assert not [s for s in server.seen if "projectKey=" in s.jira_url], "no per-project question with a refused login"


def test_permissions_alone_never_repeats_a_refused_login(lab) -> None:
    server = lab("anonymous-fallback")
    report = asyncio.run(
        Runner(load_checks(include_plugins=False).checks, target_for(server), RunOptions(only=("permissions",))).run()
    )
    (check,) = report.checks
    assert check.status != Status.PASS, "anonymous answers must not pass as the user's permissions"
    assert server.runtime.state.failed_logins == {server.client.user: 1}


def test_insecure_never_sends_a_password_over_an_unverified_connection(lab) -> None:
    """--insecure turns certificate checks off for what the integration does anonymously; a
    credential still needs a verified connection, so against an untrusted certificate it stays home."""
    from jiradoctor_lab.tls import lab_tls

    server = lab("healthy", ssl_context=lab_tls().server_context())
    target = Target(
        url=server.url,
        integration="generic",
        user=server.client.user,
        password=Secret(server.client.password),
        insecure=True,
        timeout=5.0,
    )
    report = asyncio.run(
        Runner(load_checks(include_plugins=False).checks, target, RunOptions(only=("auth", "permissions", "tls"))).run()
    )
    assert not [s for s in server.seen if s.path.startswith("/rest/api/2/myself") and s.status == 200]
    assert not [s for s in server.seen if "mypermissions" in s.path]
    auth = next(c for c in report.checks if c.id == "auth")
    assert auth.status in (Status.FAIL, Status.ERROR, Status.SKIP)
    assert "tls/verification-disabled" in {f.code for _, f in report.findings()}


def test_insecure_still_logs_in_when_the_certificate_does_verify(lab, tmp_path) -> None:
    from jiradoctor_lab.tls import lab_tls

    tls = lab_tls()
    ca = tmp_path / "ca.pem"
    ca.write_text(tls.ca_pem)
    server = lab("healthy", ssl_context=tls.server_context())
    target = Target(
        url=server.url,
        integration="generic",
        user=server.client.user,
        password=Secret(server.client.password),
        insecure=True,
        ca_bundle=str(ca),
        timeout=5.0,
    )
    report = asyncio.run(
        Runner(load_checks(include_plugins=False).checks, target, RunOptions(only=("auth", "permissions"))).run()
    )
    assert "auth/ok" in {f.code for _, f in report.findings()}
    # the permission fan-out's own clients (http.lanes) verify with the same CA bundle
    assert [s for s in server.seen if "mypermissions" in s.path and s.status == 200]
    assert next(c for c in report.checks if c.id == "permissions").status == Status.PASS
