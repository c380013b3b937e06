"""Issue 19 end to end: every new cause is a lab scenario the CLI reports, its twin passes, nothing is written.

Three layers: (1) an independent observer (plain httpx, no jiradoctor code) proves each scenario shows
the evidence its ``can-work/`` code names; (2) the real CLI reports the code; (3) the lab's write
counter stays at zero for every run, and counts a real write when one is sent (so zero means something).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from oauthlib.oauth1 import SIGNATURE_RSA, Client

from jiradoctor.cli import main
from jiradoctor_lab import LabServer, get_scenario
from jiradoctor_lab.can_work import is_write
from tests.conftest import assert_valid_report

pytestmark = pytest.mark.timeout(90)

ISSUE_19 = [
    "xsrf-browser-agent",
    "xsrf-browser-agent-404",
    "search-removed-cloud",
    "webhooks-moved-jira10",
    "head-to-get",
    "cluster-not-sticky",
    "cluster-sticky",
    "ip-allowlist-cloud",
    "cloudflare-block",
    "corporate-proxy-page",
    "cloud-applink-port",
    "jira-align-on-premises",
    "token-expired",
    "permission-unknown",
    "additional-authorization-required",
]
TWINS = ["healthy", "healthy-cloud", "cluster-sticky", "jira-align-on-premises", "applink-zephyr"]
LOOPBACK_CODES = {"dns/private-address"}


def run_cli(lab: LabServer, tmp_path: Path, *extra: str) -> tuple[dict, int]:
    key = tmp_path / "consumer.pem"
    key.write_text(lab.private_key_pem)
    env, argv = lab.doctor_command(str(key))
    result = CliRunner().invoke(
        main, argv[1:] + ["--timeout", "2", "--format", "json", *extra], env=env, catch_exceptions=False
    )
    report = json.loads(result.stdout)
    assert_valid_report(report)
    return report, result.exit_code


def problems(report: dict) -> set[str]:
    return {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail", "error")}


@pytest.mark.parametrize("scenario", ISSUE_19)
def test_cli_reports_the_cause_and_writes_nothing(scenario: str, tmp_path: Path) -> None:
    with LabServer(scenario) as lab:
        report, code = run_cli(lab, tmp_path)
        writes = lab.writes
    expected = set(lab.scenario.expect)
    got = problems(report)
    assert expected <= got, f"{scenario}: expected {sorted(expected)}, got {sorted(got)}"
    if not expected:
        assert got <= LOOPBACK_CODES, f"twin {scenario} reported {sorted(got - LOOPBACK_CODES)}"
    assert code == (1 if expected else 0)
    assert writes == 0, f"{scenario}: the doctor sent {writes} request(s) that would change Jira"


@pytest.mark.parametrize("scenario", TWINS)
def test_healthy_twins_observe_the_integrations_requests_and_pass(scenario: str, tmp_path: Path) -> None:
    with LabServer(scenario) as lab:
        report, code = run_cli(lab, tmp_path)
        writes = lab.writes
    check = next(c for c in report["checks"] if c["id"] == "can-work")
    assert check["status"] == "pass", check
    codes = {f["code"] for f in check["findings"]}
    assert "can-work/write-accepted" in codes and "can-work/endpoints-ok" in codes and "can-work/sessions-ok" in codes
    if lab.client.auth == "oauth1":
        assert "can-work/head-ok" in codes
    assert code == 0 and writes == 0


def test_user_agent_option_decides_the_xsrf_verdict(tmp_path: Path) -> None:
    """The same Jira: a browser User-Agent is refused on writes, the integration's own is not."""
    browser = get_scenario("xsrf-browser-agent").client.user_agent
    with LabServer("healthy") as lab:
        refused, _ = run_cli(
            lab, tmp_path, "--user-agent", browser, "--only", "reachability,auth,oauth-signature,can-work"
        )
        accepted, _ = run_cli(
            lab,
            tmp_path,
            "--user-agent",
            "piplanning-connector/4.2",
            "--only",
            "reachability,auth,oauth-signature,can-work",
        )
    assert "can-work/xsrf-refused" in problems(refused)
    assert "can-work/xsrf-refused" not in problems(accepted)


def test_cookies_and_tokens_stay_out_of_the_sticky_evidence(tmp_path: Path) -> None:
    with LabServer("cluster-not-sticky") as lab:
        report, _ = run_cli(lab, tmp_path)
    text = json.dumps(report)
    finding = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "can-work/not-sticky")
    assert set(finding["evidence"]["x_anodeid"]) == {"node1", "node2"}
    assert "JSESSIONID" in finding["evidence"]["cookie_names"]
    assert "JSESSIONID=" not in text and lab.access_token not in text


# ----------------------------------------------------------------------------- write counter ---


def test_the_write_counter_counts_real_writes_and_not_reads() -> None:
    with LabServer("healthy") as lab:
        auth = ("piplanning-svc", "lab-svc-password")
        with httpx.Client(timeout=5) as http:
            http.post(lab.url + "/rest/api/2/search", json={"jql": "", "maxResults": 0}, auth=auth)
            http.get(lab.url + "/rest/api/2/project", auth=auth)
            assert lab.writes == 0
            http.post(lab.url + "/rest/api/2/issue", json={"fields": {"summary": "x"}}, auth=auth)
            http.delete(lab.url + "/rest/api/2/issue/PIP-1", auth=auth)
            assert lab.writes == 2
    assert is_write("PUT", "/rest/api/2/issue/PIP-1") and not is_write("POST", "/rest/api/3/search/jql")


# ------------------------------------------------------------------------ independent observer ---


def _oauth_get(lab: LabServer, http: httpx.Client, method: str, path: str) -> httpx.Response:
    client = Client(
        lab.client.consumer_key,
        resource_owner_key=lab.access_token,
        signature_method=SIGNATURE_RSA,
        rsa_key=lab.private_key_pem,
    )
    uri, headers, _ = client.sign(lab.url + path, http_method=method)
    return http.request(method, uri, headers=headers)


def observe(lab: LabServer) -> set[str]:
    """What a plain client sees, named with the can-work codes."""
    codes: set[str] = set()
    c = lab.client
    auth = (c.user, c.token) if c.auth == "token" else (c.user, c.password)
    with httpx.Client(timeout=5) as http:
        ua = c.user_agent or "observer/1.0"
        post = http.post(
            lab.url + ("/rest/api/3/search/jql" if lab.scenario.is_cloud else "/rest/api/2/search"),
            json={"jql": "", "maxResults": 0},
            auth=auth,
            headers={"User-Agent": ua},
        )
        if post.status_code in (403, 404) and "XSRF check failed" in post.text:
            codes.add("can-work/xsrf-refused")
        if c.integration == "tenable":
            if http.get(lab.url + "/rest/api/3/search?jql=&maxResults=0", auth=auth).status_code == 410:
                codes.add("can-work/endpoint-removed")
        if c.integration == "zephyr-enterprise":
            if http.get(lab.url + "/rest/webhooks/1.0/webhook", auth=auth).status_code == 404:
                codes.add("can-work/endpoint-removed")
        if c.auth == "oauth1":
            get, head = (
                _oauth_get(lab, http, "GET", "/rest/api/2/myself"),
                _oauth_get(lab, http, "HEAD", "/rest/api/2/myself"),
            )
            if (
                get.status_code == 200
                and head.status_code == 401
                and "signature_invalid" in head.headers.get("www-authenticate", "")
            ):
                codes.add("can-work/head-rewritten")
        nodes, cookie = [], None
        for _ in range(4):
            resp = http.get(lab.url + "/rest/api/2/myself", auth=auth, headers={"Cookie": cookie} if cookie else {})
            nodes.append(resp.headers.get("x-anodeid"))
            if resp.headers.get("set-cookie"):
                cookie = resp.headers["set-cookie"].split(";")[0]
            http.cookies.clear()
        if len({n for n in nodes[1:] if n}) > 1:
            codes.add("can-work/not-sticky")
    return codes


@pytest.mark.parametrize(
    "scenario",
    [
        s
        for s in ISSUE_19
        if get_scenario(s).client.auth != "none"
        and not get_scenario(s).behaviour.misbehave
        and not get_scenario(s).behaviour.access_token_problem
    ],
)
def test_the_lab_shows_what_each_can_work_scenario_expects(scenario: str) -> None:
    with LabServer(scenario) as lab:
        observed = observe(lab)
    assert observed == {c for c in lab.scenario.expect if c.startswith("can-work/")}


def test_head_to_get_shows_jira_saw_a_get() -> None:
    with LabServer("head-to-get") as lab, httpx.Client(timeout=5) as http:
        head = _oauth_get(lab, http, "HEAD", "/rest/api/2/myself")
    challenge = head.headers["www-authenticate"]
    assert (
        "oauth_signature_base_string=%22GET%26" in challenge.replace('"', "%22")
        or 'oauth_signature_base_string="GET%26' in challenge
    )


# ------------------------------------------------------------------- the printed curl, run for real ---


@pytest.mark.parametrize("scenario", ["xsrf-browser-agent", "xsrf-browser-agent-404"])
def test_printed_curl_commands_reproduce_the_refusal_and_the_fix(scenario: str, tmp_path: Path) -> None:
    """JIRA-FACTS §10: the refusal comes as 403 or 404; the printed commands are whole (the browser
    User-Agent uncut) and, run by real curl against the lab on loopback, the first is refused and the
    fixed one (a non-browser User-Agent) is accepted."""
    import shutil
    import subprocess

    curl = shutil.which("curl")
    assert curl, "curl is needed (Debian package curl)"
    with LabServer(scenario) as lab:
        report, _ = run_cli(lab, tmp_path, "--only", "reachability,auth,oauth-signature,can-work")
        finding = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "can-work/xsrf-refused")
        ua = lab.client.user_agent
        assert ua in finding["message"] and ua in finding["commands"][0]  # whole, not "…(KHTML, like )"
        assert "User-Agent of its own" in finding["remediation"][0]  # the fix that works leads
        env = {"PATH": "/usr/bin:/bin", "JIRA_USER": "piplanning-svc:lab-svc-password"}  # no proxy variables
        seen = [
            subprocess.run(["sh", "-c", cmd], env=env, capture_output=True, text=True, timeout=20).stdout.strip()
            for cmd in finding["commands"]
        ]
    assert seen == [str(lab.scenario.behaviour.xsrf_status), "200"], (seen, finding["commands"])


def test_lab_xsrf_filter_ignores_no_check_while_the_user_agent_looks_like_a_browser() -> None:
    """JIRA-FACTS §10: with a browser-looking User-Agent, X-Atlassian-Token: no-check did not help in three
    reports; a non-browser User-Agent is what works (with or without the header)."""
    browser = get_scenario("xsrf-browser-agent").client.user_agent
    body = {"jql": "", "maxResults": 0}
    with LabServer("healthy") as lab, httpx.Client(timeout=5) as http:
        url, auth = lab.url + "/rest/api/2/search", ("piplanning-svc", "lab-svc-password")
        no_check = {"User-Agent": browser, "X-Atlassian-Token": "no-check"}
        with_header = http.post(url, json=body, auth=auth, headers=no_check)
        own_agent = http.post(url, json=body, auth=auth, headers={"User-Agent": "zephyr-connector/7.1"})
    assert (with_header.status_code, with_header.text) == (403, "XSRF check failed")
    assert own_agent.status_code == 200
