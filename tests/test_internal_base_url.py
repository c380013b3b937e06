"""A private or internal Base URL for a cloud-hosted integration (issue 25, item 8), through the CLI.

The first fix is Jira's Base URL (the public address), never the internal address typed into an
integration that runs in the cloud. Healthy twins: a matching public Base URL passes, and an
on-premises integration keeps the old advice (enter Jira's Base URL in it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.net.addresses import internal_host
from jiradoctor_lab import LabServer

pytestmark = pytest.mark.timeout(60)


def doctor(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["doctor", "--only", "base-url", "--format", "json", *args],
                                env={"JIRADOCTOR_PASSWORD": None}, catch_exceptions=False)
    return result.exit_code, dict(json.loads(result.stdout))


def base_url_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return list(next(c for c in report["checks"] if c["id"] == "base-url")["findings"])


@pytest.mark.parametrize("host", ["10.1.2.3", "192.168.0.9", "172.20.0.1", "jira.corp.internal", "jira.local",
                                  "localhost", "jira", "[fd00::1]"])
def test_an_internal_base_url_for_a_cloud_integration_asks_for_the_public_base_url_first(host: str) -> None:
    code, report = doctor("--offline", "--integration", "piplanning", "--url", "https://jira.example.com",
                          "--base-url", f"http://{host}:8080")
    assert code == 1
    [finding] = base_url_findings(report)
    assert finding["code"] == "base-url/scheme-mismatch"  # the first part that differs names it
    first, second = finding["remediation"][:2]
    assert first.startswith("Set Jira's Base URL to the public address https://jira.example.com")
    assert second.startswith(f"Do not enter http://{host}:8080 in piplanning.io")
    assert not any(r.startswith(f"Enter http://{host}") for r in finding["remediation"])
    assert finding["evidence"]["base_url_internal"]


def test_healthy_twin_a_public_base_url_that_matches_passes() -> None:
    code, report = doctor("--offline", "--integration", "piplanning", "--url", "https://jira.example.com",
                          "--base-url", "https://jira.example.com")
    assert code == 0
    assert [f["code"] for f in base_url_findings(report)] == ["base-url/ok"]


def test_an_on_premises_integration_is_still_told_to_enter_the_base_url() -> None:
    code, report = doctor("--offline", "--integration", "piplanning", "--integration-hosting", "on-premises",
                          "--url", "https://jira.example.com", "--base-url", "http://10.1.2.3:8080")
    [finding] = base_url_findings(report)
    assert finding["remediation"][0].startswith("Enter http://10.1.2.3:8080 as the Jira URL in the integration")
    assert "base_url_internal" not in finding["evidence"]


def test_a_public_base_url_for_a_cloud_integration_keeps_the_usual_advice() -> None:
    _, report = doctor("--offline", "--integration", "piplanning", "--url", "https://jira.example.com",
                       "--base-url", "https://jira.example.org")
    [finding] = base_url_findings(report)
    assert finding["remediation"][0].startswith("Enter https://jira.example.org as the Jira URL")


def test_live_the_lab_reports_an_internal_base_url_to_a_cloud_integration() -> None:
    """The lab Jira reports http://jira.internal:8080 as its Base URL; the integration (Kendis, cloud)
    has the lab's URL: the fix is to publish Jira and set its Base URL, never to type jira.internal."""
    with LabServer("healthy", base_url="http://jira.internal:8080") as lab:
        code, report = doctor("--integration", "kendis", "--url", lab.url, "--timeout", "5")
    assert code == 1
    finding = next(f for f in base_url_findings(report) if f["code"] == "base-url/host-mismatch")
    assert finding["remediation"][0].startswith("Publish Jira on a public address, set Jira's Base URL to it")
    assert finding["remediation"][1].startswith("Do not enter http://jira.internal:8080 in Kendis")
    with LabServer("healthy") as lab:  # healthy twin: the Base URL is the URL
        code, report = doctor("--integration", "kendis", "--url", lab.url, "--timeout", "5")
    assert [f["code"] for f in base_url_findings(report)] == ["base-url/ok"]


def test_internal_host_names_why_and_leaves_public_names_alone() -> None:
    assert internal_host("jira.example.com") is None and internal_host("8.8.8.8") is None
    assert "single-label" in (internal_host("jira") or "")
    assert "RFC 1918" in (internal_host("10.0.0.1") or "")
    assert ".internal" in (internal_host("jira.corp.internal") or "")
