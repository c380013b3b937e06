"""OAuth 2.0 end to end: the CLI against the lab's Authlib provider, Data Center and Cloud shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from jiradoctor_lab.invocation import oauth2_invocation
from jiradoctor_lab.oauth2_provider import lab_for, oauth2_scenario, oauth2_scenarios, spec_for
from tests.conftest import assert_valid_report

SCENARIOS = oauth2_scenarios()


def doctor_args(lab: LabServer, name: str, **override: object) -> tuple[list[str], dict[str, str]]:
    """The options and environment an engineer would give for this integration (secrets in the env):
    the lab's one translation (jiradoctor_lab/invocation.py), without its --only, which the tests choose."""
    invocation = oauth2_invocation(lab, **override)
    assert invocation is not None, name
    argv = invocation.argv[1:]
    at = argv.index("--only")
    return [*argv[:at], *argv[at + 2:], "--timeout", "2", "--format", "json"], invocation.env


def run(lab: LabServer, name: str, only: str = "oauth2", **override: object) -> tuple[dict, int, str]:
    args, env = doctor_args(lab, name, **override)
    result = CliRunner().invoke(main, args + ["--only", only], env=env, catch_exceptions=False)
    report = json.loads(result.stdout)
    assert_valid_report(report)
    return report, result.exit_code, result.stderr


def codes(report: dict, statuses: tuple[str, ...] = ("warn", "fail", "error")) -> set[str]:
    return {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in statuses}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_gives_its_code_through_the_cli(name: str) -> None:
    with LabServer(oauth2_scenario(name)) as lab:
        report, exit_code, _ = run(lab, name)
    expected = set(lab.scenario.expect)
    problems = codes(report)
    assert problems == expected, f"{name}: expected {sorted(expected)}, got {sorted(problems)}"
    oauth2 = next(c for c in report["checks"] if c["id"] == "oauth2")
    if expected:
        assert exit_code == 1 or oauth2["status"] == "warn"
    else:
        assert oauth2["status"] == "pass" and exit_code == 0
        assert "oauth2/token-ok" in codes(report, ("pass",))
        assert "oauth2/redirect-not-refused" in codes(report, ("info",))
    # a made-up code proves no secret (JIRA-FACTS §10: Data Center checks the grant first): client-ok
    # only where an exchange issued a token (client credentials, a permitted refresh)
    issued = "oauth2/refresh-rotated" in expected
    assert ("oauth2/client-ok" in codes(report, ("pass",))) is issued
    if not expected:
        assert "oauth2/client-unproven" in codes(report, ("info",))


def test_healthy_data_center_passes_auth_with_the_oauth2_bearer_token() -> None:
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        report, exit_code, _ = run(lab, "oauth2-dc-healthy", only="oauth2,auth")
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {"oauth2": "pass", "auth": "pass"} and exit_code == 0
    assert report["target"]["auth"] == "oauth2"
    auth = next(c for c in report["checks"] if c["id"] == "auth")
    assert auth["findings"][0]["evidence"]["jira_user"]["name"] == "piplanning-svc"


def test_healthy_cloud_names_the_site_and_the_gateway() -> None:
    with LabServer(oauth2_scenario("oauth2-cloud-healthy")) as lab:
        report, _, _ = run(lab, "oauth2-cloud-healthy")
    findings = {f["code"]: f for c in report["checks"] for f in c["findings"]}
    assert findings["oauth2/token-ok"]["evidence"]["cloud_id"] == spec_for("oauth2-cloud-healthy").cloud_id
    assert findings["oauth2/scopes-ok"]["status"] == "pass"
    assert "oauth2/site-url-not-gateway" not in findings  # the integration calls the gateway: nothing to say


def test_a_token_sent_to_the_site_url_is_a_warning_naming_the_gateway_url() -> None:
    """Issue 25, item 9: what the integration sees at the site URL (401), with the URL to use; the
    healthy twin (the gateway URL) is test_healthy_cloud_names_the_site_and_the_gateway."""
    with LabServer(oauth2_scenario("oauth2-cloud-site-url")) as lab:
        report, exit_code, _ = run(lab, "oauth2-cloud-site-url")
    findings = {f["code"]: f for c in report["checks"] for f in c["findings"]}
    gateway = f"{lab.url}/ex/jira/{spec_for('oauth2-cloud-site-url').cloud_id}"
    finding = findings["oauth2/site-url-not-gateway"]
    assert finding["status"] == "warn" and report["summary"]["status"] == "warn"
    assert finding["evidence"]["gateway"] == gateway and gateway in finding["remediation"][0]
    assert finding["evidence"]["site_status"] == 401


def test_a_site_the_token_does_not_reach_still_names_its_gateway_from_tenant_info() -> None:
    with LabServer(oauth2_scenario("oauth2-cloud-site-not-accessible")) as lab:
        report, _, _ = run(lab, "oauth2-cloud-site-not-accessible", url="site")
    finding = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "oauth2/site-not-accessible")
    assert finding["evidence"]["cloud_id_from"] == "tenant_info"
    assert finding["evidence"]["cloud_id"] == spec_for("oauth2-cloud-site-not-accessible").cloud_id


def test_no_refresh_token_is_sent_without_the_explicit_option() -> None:
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        report, _, stderr = run(lab, "oauth2-dc-healthy")
        provider = lab_for(lab.runtime)
        assert provider is not None and provider.token_requests >= 1  # the provider was asked, for other things
        assert provider.refresh_grants == 0
        assert "oauth2/refresh-not-used" in codes(report, ("info",))
        assert "rotates" not in stderr
        run(lab, "oauth2-dc-healthy", allow_rotation=True)
        assert provider.refresh_grants == 1  # the counter counts: the option makes exactly one use


def test_the_rotation_option_warns_on_stderr() -> None:
    with LabServer(oauth2_scenario("oauth2-dc-refresh-rotated")) as lab:
        report, _, stderr = run(lab, "oauth2-dc-refresh-rotated")
    assert "rotates it" in stderr and "oauth2/refresh-rotated" in codes(report)


def test_client_credentials_flow_gets_a_token_and_reads_its_scopes() -> None:
    name = "oauth2-dc-service-account"
    with LabServer(oauth2_scenario(name)) as lab:
        args, env = doctor_args(lab, name, token="")
        env.pop("JIRADOCTOR_OAUTH2_TOKEN", None)
        env.pop("JIRADOCTOR_OAUTH2_REFRESH_TOKEN", None)
        result = CliRunner().invoke(main, args + ["--only", "oauth2", "--oauth2-flow", "client-credentials",
                                                  "--scopes", "READ WRITE"], env=env, catch_exceptions=False)
        provider = lab_for(lab.runtime)
        assert provider is not None and provider.token_requests == 1  # that grant only: no made-up code
        authorize = [s for s in lab.seen if s.path.endswith("/authorize")]
    assert not authorize
    report = json.loads(result.stdout)
    passes = codes(report, ("pass",))
    assert {"oauth2/token-ok", "oauth2/scopes-ok", "oauth2/client-ok"} <= passes  # an issued token proves it
    token_ok = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "oauth2/token-ok")
    assert "client-credentials" in token_ok["message"]


def test_client_credentials_with_a_wrong_secret_is_invalid_client() -> None:
    name = "oauth2-dc-service-account"
    with LabServer(oauth2_scenario(name)) as lab:
        args, env = doctor_args(lab, name, token="", client_secret="lab-zephyr-client-secret-retyped")
        env.pop("JIRADOCTOR_OAUTH2_TOKEN", None)
        env.pop("JIRADOCTOR_OAUTH2_REFRESH_TOKEN", None)
        result = CliRunner().invoke(main, args + ["--only", "oauth2", "--oauth2-flow", "client-credentials"],
                                    env=env, catch_exceptions=False)
    report = json.loads(result.stdout)
    assert codes(report) == {"oauth2/invalid-client"} and "oauth2/client-ok" not in codes(report, ("pass",))


def _token(lab: LabServer, **form: str):
    import httpx

    return httpx.post(lab.url + "/rest/oauth2/latest/token", data=form, timeout=5)


def test_data_center_provider_checks_the_grant_before_the_client() -> None:
    """JIRA-FACTS §10, seen by a plain client: the lab answers as Data Center's provider does."""
    spec = spec_for("oauth2-dc-healthy")
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        code = {"grant_type": "authorization_code", "code": "made-up", "redirect_uri": spec.redirect_uris[0]}
        right = _token(lab, client_id=spec.client_id, client_secret=spec.client_secret, **code)
        wrong = _token(lab, client_id=spec.client_id, client_secret="not-the-secret", **code)
        assert right.json()["error"] == wrong.json()["error"] == "invalid_request"  # whatever the secret
        unknown = _token(lab, grant_type="refresh_token", refresh_token="made-up", client_id=spec.client_id,
                         client_secret="not-the-secret")
        assert unknown.json()["error"] == "invalid_grant"
        valid = _token(lab, grant_type="refresh_token", refresh_token="lab-oauth2-dc-refresh-token-0001",
                       client_id=spec.client_id, client_secret="not-the-secret")
        assert valid.json()["error"] == "invalid_client"  # only a valid grant reaches the client check


def test_cloud_refuses_an_unknown_refresh_token_403_as_captured() -> None:
    spec = spec_for("oauth2-cloud-healthy")
    with LabServer(oauth2_scenario("oauth2-cloud-healthy")) as lab:
        import httpx

        resp = httpx.post(lab.url + "/oauth/token", timeout=5, json={
            "grant_type": "refresh_token", "refresh_token": "made-up", "client_id": spec.client_id,
            "client_secret": spec.client_secret})
    assert resp.status_code == 403
    assert resp.json() == {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def test_nothing_observable_is_a_skip_never_a_pass(tmp_path: Path) -> None:
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        result = CliRunner().invoke(main, ["doctor", "--url", lab.url, "--client-id", "x", "--only", "oauth2",
                                           "--format", "json", "--timeout", "2"], catch_exceptions=False)
    check = json.loads(result.stdout)["checks"][0]
    assert check["status"] == "skip" and check["skip_reason"]


def test_auth_and_permissions_work_with_the_oauth2_bearer_token() -> None:
    name = "oauth2-dc-healthy"
    with LabServer(oauth2_scenario(name)) as lab:
        report, exit_code, _ = run(lab, name, only="oauth2,auth,permissions", integration="generic")
        args, env = doctor_args(lab, name, integration="generic", token="lab-oauth2-dc-expired-token-0002")
        refused = json.loads(CliRunner().invoke(main, args + ["--only", "auth,permissions"], env=env).stdout)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {"oauth2": "pass", "auth": "pass", "permissions": "pass"} and exit_code == 0
    refused_status = {c["id"]: c["status"] for c in refused["checks"]}
    assert refused_status == {"auth": "fail", "permissions": "skip"}
    assert "auth/invalid-credentials" in codes(refused)


@pytest.mark.parametrize("name", ["oauth2-dc-healthy", "oauth2-cloud-healthy"])
def test_healthy_scenarios_pass_every_check_through_the_cli(name: str) -> None:
    """All checks, not only oauth2: on Cloud, auth and permissions go through the gateway. The Cloud
    run is given the site URL (serverInfo, hence base-url, answers there, not at the gateway): its one
    warning is that an integration sending the token to that URL gets 401 (issue 25)."""
    with LabServer(oauth2_scenario(name)) as lab:
        args, env = doctor_args(lab, name, url="site")
        result = CliRunner().invoke(main, args + ["--projects", "PIP,ART"], env=env, catch_exceptions=False)
    report = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    if lab.scenario.is_cloud:
        assert statuses.pop("oauth2") == "warn" and codes(report) == {"oauth2/site-url-not-gateway"}
        statuses["oauth2"] = "pass" if "oauth2/token-ok" in codes(report, ("pass",)) else "?"
    assert result.exit_code == 0 and set(statuses.values()) <= {"pass", "skip"}, statuses
    assert {k for k, v in statuses.items() if v == "pass"} >= {"oauth2", "auth", "permissions", "base-url"}
    if lab.scenario.is_cloud:
        auth = next(c for c in report["checks"] if c["id"] == "auth")
        assert "/ex/jira/" in auth["findings"][0]["evidence"]["url"]
