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

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from jiradoctor_lab.scenarios import list_scenarios
from tests.conftest import assert_valid_report

LOOPBACK_CODES = {"dns/private-address"}
SCENARIOS = [s.name for s in list_scenarios()]


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
    assert writes == 0, (
        f"{scenario}: the doctor sent {writes} request(s) that would change Jira"
    )  # read-only (issue 19)
    report = json.loads(result.stdout)
    assert_valid_report(report)
    problems = {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail", "error")}
    expected = set(lab.scenario.expect)
    assert expected <= problems, f"{scenario}: expected {sorted(expected)}, got {sorted(problems)}"
    if expected:  # a scenario that expects only warnings (pat-expiry/expires-soon) exits 0 under --fail-on fail
        assert result.exit_code == (1 if report["summary"]["status"] == "fail" else 0)
    else:
        assert problems <= LOOPBACK_CODES, f"healthy {scenario} reported {sorted(problems - LOOPBACK_CODES)}"
        assert all(c["status"] in ("pass", "skip") or c["id"] == "dns" for c in report["checks"])
    assert not any(c["status"] == "error" for c in report["checks"]), "no check may crash"
