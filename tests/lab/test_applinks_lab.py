"""The admin probes against the lab over real sockets: GET only, admin detected (never assumed),
the seed integrations' healthy links pass through the CLI, and each scenario's admin codes are
what an independent reader of the raw REST answers sees.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira import applinks as al
from jiradoctor.jira.integrations import get_profile
from jiradoctor_lab import LabServer, list_scenarios
from jiradoctor_lab.applinks import admin_data
from jiradoctor.model import Status
from jiradoctor.secrets import Secret
from tests.labrun import oauth_target, run_doctor
from tests.lab.helpers import client_for

pytestmark = pytest.mark.timeout(120)

ADMIN_CHECKS = ("applink", "webhooks", "pat-expiry")
ADMIN_PREFIXES = tuple(c + "/" for c in ADMIN_CHECKS)
ADMIN_PATHS = (
    "/rest/applinks",
    "/rest/webhooks",
    "/rest/jira-webhook",
    "/rest/pat",
    "/rest/oauth2-provider",
)
ADMIN = {"admin_user": "alice", "admin_password": Secret("lab-alice-password")}


def by_method(lab: LabServer, paths: tuple[str, ...] = ("/",)) -> collections.Counter:
    return collections.Counter(s.method for s in lab.seen if s.path.startswith(paths))


def check(report, check_id):
    return next(c for c in report.checks if c.id == check_id)


def cli(lab: LabServer, tmp_path: Path, *extra: str) -> tuple[dict, int]:
    key = tmp_path / "consumer.pem"
    key.write_text(lab.private_key_pem)
    env, argv = lab.doctor_command(str(key))
    result = CliRunner().invoke(
        main, argv[1:] + ["--timeout", "2", "--format", "json", *extra], env=env, catch_exceptions=False
    )
    return json.loads(result.stdout), result.exit_code


def test_admin_probes_send_only_get(tmp_path):
    """Counted on the lab side: every request of a run of the admin checks is a GET."""
    with LabServer("applink-zephyr") as lab:
        report = run_doctor(oauth_target(lab, tmp_path, **ADMIN), only=("applink", "webhooks"))
        admin_requests = by_method(lab, ADMIN_PATHS)
        everything = by_method(lab)
    assert check(report, "applink").status == Status.PASS
    assert check(report, "webhooks").status == Status.PASS
    assert admin_requests["GET"] >= 4, admin_requests  # listing, status, consumer, webhooks
    assert set(admin_requests) == {"GET"}, admin_requests
    assert set(everything) == {"GET"}, everything


def test_lab_refuses_writes_to_the_admin_resources():
    with LabServer("applink-zephyr") as lab, client_for(lab) as http:
        auth = ("alice", "lab-alice-password")
        for method in ("POST", "PUT", "DELETE"):
            resp = http.request(method, lab.url + "/rest/webhooks/1.0/webhook", auth=auth, json={})
            assert resp.status_code == 405, (method, resp.status_code)


def test_integration_credentials_are_used_when_jira_says_they_administer(tmp_path):
    """No --admin-*: the integration's own login is used once Jira confirms ADMINISTER."""
    with LabServer("applink-piplanning") as lab:
        target = oauth_target(
            lab,
            tmp_path,
            consumer_key="piplanning.io",
            private_key=None,
            access_token=None,
            user="alice",
            password=Secret("lab-alice-password"),
        )
        report = run_doctor(target, only=("applink",))
    ok = [f for f in check(report, "applink").findings if f.code == "applink/ok"]
    assert ok and ok[0].evidence["read_as"] == "the integration's credentials"


def test_non_admin_is_skipped_with_the_enabling_options_and_reads_nothing(tmp_path):
    with LabServer("applink-non-admin") as lab:
        report, _ = cli(lab, tmp_path)
        sent = by_method(lab, ("/rest/applinks",))
    applink = next(c for c in report["checks"] if c["id"] == "applink")
    assert applink["status"] == "skip"
    assert "does not hold the global ADMINISTER" in applink["skip_reason"]
    assert "--admin-user" in applink["skip_reason"] and "--admin-pat" in applink["skip_reason"]
    assert not sent, "a non-administrator's login must not be used to read the links"


def test_wrong_admin_password_is_skip_and_never_leaks(tmp_path):
    with LabServer("applink-piplanning") as lab:
        target = oauth_target(lab, tmp_path, admin_user="alice", admin_password=Secret("not-alices-password-42"))
        report = run_doctor(target, only=("applink",))
        sent = by_method(lab, ("/rest/applinks",))
    applink = check(report, "applink")
    assert applink.status == Status.SKIP and "did not succeed" in applink.skip_reason
    assert not sent
    assert "not-alices-password-42" not in json.dumps(report.to_json())


@pytest.mark.parametrize("scenario", ["applink-piplanning", "applink-jira-align", "applink-zephyr", "applink-kendis"])
def test_each_seed_integration_healthy_link_passes_through_the_cli(scenario, tmp_path):
    with LabServer(scenario) as lab:
        report, code = cli(lab, tmp_path)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["applink"] == "pass"
    if get_profile(lab.scenario.client.integration).webhook_events:
        assert statuses["webhooks"] == "pass"
    problems = {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail", "error")}
    assert problems <= {"dns/private-address"}, problems
    assert "lab-alice-password" not in json.dumps(report)


# ---------------------------------------------------------- an independent reader of the lab ---


class RawReader:
    """Reads the lab's admin resources as alice with plain httpx and names what it sees, without
    jiradoctor's parsers, profile matching or checks: scenario data and lab behaviour must agree."""

    def __init__(self, lab: LabServer) -> None:
        self.lab, self.http = lab, client_for(lab)
        self.auth = ("alice", "lab-alice-password")

    def get(self, path: str, auth=None):
        return self.http.get(self.lab.url + path, auth=auth or self.auth)

    def codes(self) -> set[str]:
        c = self.lab.scenario.client
        profile = get_profile(c.integration)
        if not admin_data(self.lab.scenario).admin:
            return set()
        out: set[str] = set()
        if admin_data(self.lab.scenario).admin != "alice":
            return out  # not an administrator: nothing may be read
        answer = self.get("/rest/applinks/3.0/applinks")
        links = (
            answer.json()
            if answer.status_code == 200
            else [item["application"] for item in self.get("/rest/applinks/1.0/listApplicationlinks").json()["list"]]
        )
        def consumers(link_id: str) -> list[dict]:
            answer = self.get(f"/rest/applinks/1.0/applicationlink/{link_id}/authentication/consumer")
            return answer.json()["consumers"] if answer.status_code == 200 else []  # 404: none (§10)

        mine = [l for l in links if any(k["key"] == c.consumer_key for k in consumers(l["id"]))] or [
            l for l in links if profile.name.split(".")[0].lower() in (l["name"] + l["displayUrl"]).lower()
        ]
        if not mine:
            return {"applink/missing"}
        link = mine[0]
        stored = consumers(link["id"])
        if not stored:
            out.add("applink/one-sided")
        elif stored[0]["publicKey"] != self.lab.public_key_pem.replace("-----BEGIN PUBLIC KEY-----", "").replace(
            "-----END PUBLIC KEY-----", ""
        ).replace("\n", ""):
            out.add("applink/public-key-mismatch")
        url = link["displayUrl"]
        if profile.applink_url_kind == "name" and url.startswith("https://"):
            out.add("applink/url-not-name")
        if profile.applink_url_path_suffix and not url.endswith(profile.applink_url_path_suffix):
            out.add("applink/url-rule")
        if profile.webhook_events:
            hooks = self.get("/rest/webhooks/1.0/webhook")
            hooks = hooks.json() if hooks.status_code == 200 else self.get("/rest/jira-webhook/1.0/webhooks").json()
            hooks = [{**h, "on": h["enabled"] if "enabled" in h else h["active"]} for h in hooks]  # §10: both flags
            zephyr_host = url.split("/")[2]
            ours = [h for h in hooks if h["url"].split("/")[2] == zephyr_host]
            if not ours:
                out.add("webhooks/missing")
                svc = self.get("/rest/api/2/mypermissions?permissions=ADMINISTER", auth=(c.user, c.password)).json()
                if not svc["permissions"]["ADMINISTER"]["havePermission"]:
                    out.add("webhooks/service-user-cannot-create")
            elif not any(h["on"] for h in ours):
                out.add("webhooks/disabled")
            elif set(profile.webhook_events) - {e for h in ours if h["on"] for e in h["events"]}:
                out.add("webhooks/events-missing")
        return out


@pytest.mark.parametrize("scenario", [s.name for s in list_scenarios() if s.name.startswith(("applink-", "webhooks-"))])
def test_scenario_admin_codes_agree_with_an_independent_reader(scenario):
    with LabServer(scenario) as lab:
        reader = RawReader(lab)
        try:
            observed = reader.codes()
        finally:
            reader.http.close()
    assert observed == {c for c in lab.scenario.expect if c.startswith(ADMIN_PREFIXES)}


def test_pat_expiring_scenario_lists_a_dated_token():
    with LabServer("pat-expiring") as lab, client_for(lab) as http:
        tokens = http.get(
            lab.url + "/rest/pat/latest/tokens", headers={"Authorization": f"Bearer {lab.client.pat}"}
        ).json()
    (token,) = al.parse_pat_tokens(json.dumps(tokens))
    assert token.expiring_at is not None


@pytest.mark.parametrize(
    "env",
    [
        {"JIRADOCTOR_ADMIN_PASSWORD": "lab-alice-password"},  # the right one: the run reads the link
        {"JIRADOCTOR_ADMIN_PAT": "AdminPatCanary-MzE4NzQ5NTk2OTA4"},  # refused: the run skips
    ],
    ids=["admin-password", "admin-pat"],
)
def test_admin_secrets_never_reach_any_output(env, tmp_path):
    with LabServer("applink-stale-key") as lab:
        key = tmp_path / "consumer.pem"
        key.write_text(lab.private_key_pem)
        _, argv = lab.doctor_command(str(key))
        argv = [a for a in argv if a not in ("--admin-user", "alice")] + (
            ["--admin-user", "alice"] if "JIRADOCTOR_ADMIN_PASSWORD" in env else []
        )
        outputs = [tmp_path / f"r.{ext}" for ext in ("json", "html", "md", "xml")]
        run_env = {"JIRADOCTOR_ACCESS_TOKEN": lab.client.access_token, **env}
        result = CliRunner().invoke(
            main,
            argv[1:] + ["--timeout", "2", "--format", "text"] + [x for o in outputs for x in ("-o", str(o))],
            env=run_env,
            catch_exceptions=False,
        )
    secret = next(iter(env.values()))
    texts = [result.stdout, result.stderr] + [o.read_text() for o in outputs]
    assert all(secret not in t for t in texts)
    report = json.loads(outputs[0].read_text())
    applink = next(c for c in report["checks"] if c["id"] == "applink")
    assert applink["status"] == ("fail" if "JIRADOCTOR_ADMIN_PASSWORD" in env else "skip")


def test_links_are_read_through_the_1_0_listing_when_3_0_is_absent(tmp_path):
    with LabServer("applink-listing-v1") as lab:
        report = run_doctor(oauth_target(lab, tmp_path, **ADMIN), only=("applink",))
        paths = [s.path for s in lab.seen if s.path.startswith("/rest/applinks")]
    assert "/rest/applinks/1.0/listApplicationlinks" in paths
    ok = [f for f in check(report, "applink").findings if f.code == "applink/ok"]
    assert ok and ok[0].evidence["found_by"] == "its consumer key"
