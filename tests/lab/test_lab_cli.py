"""Every lab scenario through the real CLI, all checks on: the doctor reports the scenario's codes.

The command is the one `jiradoctor lab serve` prints for the scenario (secrets in JIRADOCTOR_*
variables). The lab listens on loopback, so `dns/private-address` is expected on top for the
cloud-hosted integrations, and a healthy scenario may warn only about that.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import EXIT_JIRA_UNSEEN, main
from jiradoctor.registry import load_checks
from jiradoctor_lab import LabServer
from jiradoctor_lab.scenarios import list_scenarios
from tests.conftest import assert_valid_report

LOOPBACK_CODES = {"dns/private-address"}
SCENARIOS = [s.name for s in list_scenarios()]
# checks whose pass says something about the network path alone, whoever answers at its end
PATH_CHECKS = {"dns", "tls", "proxy", "outgoing-tls"}
LIVE_CHECKS = {c.id for c in load_checks().checks if c.live} - PATH_CHECKS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_doctor_cli_reports_the_scenario(scenario: str, tmp_path: Path) -> None:
    with LabServer(scenario) as lab:
        key = tmp_path / "consumer.pem"
        key.write_text(lab.private_key_pem)
        ca = tmp_path / "ca.pem"
        if lab.ca_pem:
            ca.write_text(lab.ca_pem)
        env, argv = lab.doctor_command(str(key), str(ca) if lab.ca_pem else None)
        result = CliRunner().invoke(
            main, argv[1:] + ["--timeout", "2", "--format", "json"], env=env, catch_exceptions=False
        )
        writes = lab.writes
        jira_answered = lab.jira_answers > 0  # the lab's own account, not the doctor's reading
        if not jira_answered:  # whatever --fail-on says, a run that never saw Jira is not green (issue 25)
            lenient = CliRunner().invoke(
                main, argv[1:] + ["--timeout", "2", "--format", "json", "--fail-on", "never"], env=env,
                catch_exceptions=False,
            )
            assert lenient.exit_code == EXIT_JIRA_UNSEEN, f"{scenario}: --fail-on never exited {lenient.exit_code}"
    assert writes == 0, (
        f"{scenario}: the doctor sent {writes} request(s) that would change Jira"
    )  # read-only (issue 19)
    report = json.loads(result.stdout)
    assert_valid_report(report)
    problems = {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail", "error")}
    expected = set(lab.scenario.expect)
    assert expected <= problems, f"{scenario}: expected {sorted(expected)}, got {sorted(problems)}"
    identified = report["target"]["jira"].get("identified")
    assert identified is jira_answered, f"{scenario}: the doctor says identified={identified}, the lab {jira_answered}"
    if not jira_answered:  # no check that needs Jira's answer passes when none came (nor after a failed handshake)
        passed = {c["id"] for c in report["checks"] if c["status"] == "pass"}
        assert not passed & LIVE_CHECKS, f"{scenario}: {sorted(passed & LIVE_CHECKS)} passed without Jira"
        assert "never answered as Jira" in report["summary"]["note"]
    if expected:  # a scenario that expects only warnings (pat-expiry/expires-soon) exits 0 under --fail-on fail
        failed = report["summary"]["status"] == "fail"
        assert result.exit_code == (1 if failed else 0 if jira_answered else EXIT_JIRA_UNSEEN), result.exit_code
    else:
        assert problems <= LOOPBACK_CODES, f"healthy {scenario} reported {sorted(problems - LOOPBACK_CODES)}"
        assert all(c["status"] in ("pass", "skip") or c["id"] == "dns" for c in report["checks"])
    assert not any(c["status"] == "error" for c in report["checks"]), "no check may crash"
