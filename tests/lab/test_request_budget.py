"""What a doctor run costs Jira, counted on the lab side (issue 14): a healthy full run is five
requests, each answer is shared by every check that needs it, and the checks that cost more run
only when asked for (``--deep``). Counts, not timings: these hold on any machine.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.model import Status
from jiradoctor.secrets import Secret
from jiradoctor_lab import LabServer
from tests.labrun import oauth_target, run_doctor

pytestmark = pytest.mark.timeout(120)


def full_run(lab: LabServer, tmp_path: Path, *extra: str) -> dict:
    """``jiradoctor doctor`` as benchmarks/bench_requests.py runs it: the integration's OAuth key and
    access token, its Basic login and the scenario's projects; every check that applies."""
    client = lab.client
    key = tmp_path / "private.pem"
    key.write_text(lab.private_key_pem)
    argv = ["doctor", "--url", lab.url, "--integration", "generic", "--consumer-key", client.consumer_key,
            "--private-key", str(key), "--user", client.user, "--projects", ",".join(client.projects),
            "--format", "json", "--timeout", "5", *extra]
    env = {"JIRADOCTOR_PASSWORD": client.password, "JIRADOCTOR_ACCESS_TOKEN": client.access_token}
    result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    return dict(json.loads(result.stdout))


def requests_of(lab: LabServer) -> collections.Counter[str]:
    return collections.Counter(f"{s.method} {s.path}" for s in lab.seen)


def check_of(report: dict, check_id: str) -> dict:
    return dict(next(c for c in report["checks"] if c["id"] == check_id))


def test_a_healthy_full_run_makes_five_requests(tmp_path):
    with LabServer("healthy") as lab:
        report = full_run(lab, tmp_path)
        sent = requests_of(lab)
    assert report["summary"]["status"] == "pass", report["summary"]
    assert sent == collections.Counter({
        "GET /rest/api/2/serverInfo": 1,
        "GET /rest/api/2/myself": 1,  # signed: it serves the OAuth check, the login and Jira's identity
        "POST /plugins/servlet/oauth/request-token": 1,
        "GET /rest/api/2/mypermissions": len(lab.client.projects),  # ADMINISTER read from these answers
    }), sent
    # the applink check still learned the service user's ADMINISTER, from a project's answer
    assert "does not hold the global ADMINISTER permission" in check_of(report, "applink")["skip_reason"]


def test_a_healthy_cluster_costs_the_same_five_requests(tmp_path):
    """Issue 25: the nodes check repeats only calls that failed; on a healthy cluster it sends nothing."""
    with LabServer("cluster-sticky") as lab:
        report = full_run(lab, tmp_path)
        sent = requests_of(lab)
    assert check_of(report, "nodes")["status"] == "pass", check_of(report, "nodes")
    assert sent == collections.Counter({
        "GET /rest/api/2/serverInfo": 1,
        "GET /rest/api/2/myself": 1,
        "POST /plugins/servlet/oauth/request-token": 1,
        "GET /rest/api/2/mypermissions": len(lab.client.projects),
    }), sent


def test_without_a_signed_call_the_one_myself_is_unauthenticated_and_shows_the_realm(tmp_path):
    """Basic login only: Jira's 401 realm is seen, and base-url sets it beside serverInfo's Base URL."""
    with LabServer("healthy") as lab:
        target = oauth_target(lab, tmp_path, consumer_key=None, private_key=None, access_token=None,
                              user=lab.client.user, password=Secret(lab.client.password))
        report = run_doctor(target, only=("reachability", "base-url", "auth"))
        sent = requests_of(lab)
    ok = next(f for c in report.checks if c.id == "base-url" for f in c.findings if f.code == "base-url/ok")
    assert ok.evidence["oauth_realm"] == lab.base_url
    assert sent["GET /rest/api/2/myself"] == 2, sent  # unauthenticated (the realm) and the login


def test_a_healthy_signed_call_leaves_the_realm_unseen_and_says_so(tmp_path):
    with LabServer("healthy") as lab:
        report = run_doctor(oauth_target(lab, tmp_path), only=("reachability", "base-url", "oauth-signature"))
        sent = requests_of(lab)
    base_url = next(c for c in report.checks if c.id == "base-url")
    assert base_url.status == Status.PASS
    assert base_url.findings[0].evidence["oauth_realm"].startswith("not seen")
    assert sent["GET /rest/api/2/myself"] == 1, sent


def test_a_refused_signed_call_still_shows_the_realm_and_jira(tmp_path):
    """The shared /myself answers 401 when the token is refused: the realm and Jira's traces are read from it."""
    with LabServer("healthy") as lab:
        target = oauth_target(lab, tmp_path, access_token=Secret("not-a-token-the-lab-issued"))
        report = run_doctor(target, only=("reachability", "base-url", "oauth-signature"))
        sent = requests_of(lab)
    assert sent["GET /rest/api/2/myself"] == 1, sent
    reachability = next(c for c in report.checks if c.id == "reachability")
    assert reachability.status == Status.PASS
    base_url = next(c for c in report.checks if c.id == "base-url")
    assert base_url.findings[0].evidence["oauth_realm"] == lab.base_url
    assert next(c for c in report.checks if c.id == "oauth-signature").status == Status.FAIL


@pytest.mark.parametrize(("scenario", "user", "password", "administers"), [
    ("applink-piplanning", "alice", "lab-alice-password", True),
    ("applink-non-admin", None, None, False),
])
def test_the_service_users_administer_comes_from_a_project_answer(tmp_path, scenario, user, password, administers):
    """With --projects on Server the first project's answer carries ADMINISTER: no separate ask,
    and the verdict is Jira's in both directions."""
    with LabServer(scenario) as lab:
        login = dict(user=user or lab.client.user, password=Secret(password or lab.client.password))
        target = oauth_target(lab, tmp_path, consumer_key=None, private_key=None, access_token=None,
                              projects=tuple(lab.client.projects), **login)
        report = run_doctor(target, only=("auth", "applink", "permissions"))
        sent = requests_of(lab)
    assert sent["GET /rest/api/2/mypermissions"] == len(lab.client.projects), sent
    applink = next(c for c in report.checks if c.id == "applink")
    if administers:
        assert applink.status == Status.PASS, applink
        read_as = [f.evidence.get("read_as") for f in applink.findings if f.code == "applink/ok"]
        assert read_as == ["the integration's credentials"]
    else:
        assert applink.status == Status.SKIP
        assert "does not hold the global ADMINISTER permission" in (applink.skip_reason or "")


def test_without_the_permissions_check_administer_is_asked_alone(tmp_path):
    with LabServer("applink-piplanning") as lab:
        target = oauth_target(lab, tmp_path, consumer_key=None, private_key=None, access_token=None,
                              user="alice", password=Secret("lab-alice-password"), projects=tuple(lab.client.projects))
        report = run_doctor(target, only=("applink",))
        sent = requests_of(lab)
    assert sent["GET /rest/api/2/mypermissions"] == 1, sent
    assert next(c for c in report.checks if c.id == "applink").status == Status.PASS


def test_deep_checks_run_only_when_asked_for(tmp_path):
    with LabServer("healthy") as lab:
        plain = full_run(lab, tmp_path)
        plain_requests = lab.requests_total
    with LabServer("healthy") as lab:
        deep = full_run(lab, tmp_path, "--deep")
        deep_requests = lab.requests_total
    with LabServer("healthy") as lab:
        only = full_run(lab, tmp_path, "--only", "can-work")
    skipped = check_of(plain, "can-work")
    assert skipped["status"] == "skip"
    assert "--deep" in skipped["skip_reason"] and "--only can-work" in skipped["skip_reason"]
    assert check_of(deep, "can-work")["status"] == "pass"
    assert check_of(only, "can-work")["status"] == "pass"
    assert deep_requests > plain_requests, (deep_requests, plain_requests)


def test_under_insecure_a_signed_call_refused_for_its_certificate_leaves_the_plain_myself(tmp_path):
    """--insecure: the signed /myself carries a token, so it needs a verified certificate and is not
    sent; the plain /myself (no credential, certificate not checked, as the integration would) then
    shows Jira and its realm."""
    from jiradoctor_lab.tls import lab_tls

    with LabServer("healthy", ssl_context=lab_tls().server_context()) as lab:
        target = oauth_target(lab, tmp_path, insecure=True, ca_bundle=None)
        report = run_doctor(target, only=("reachability", "base-url", "oauth-signature"))
        sent = requests_of(lab)
    assert sent["GET /rest/api/2/myself"] == 1, sent  # the plain one; the signed one never left
    assert next(c for c in report.checks if c.id == "reachability").status == Status.PASS
    base_url = next(c for c in report.checks if c.id == "base-url")
    assert base_url.findings[0].evidence["oauth_realm"] == lab.base_url
