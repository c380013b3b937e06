"""`jiradoctor demo` is the product: it runs the real command line, prints it, reports exactly what
`lab scenarios` claims for every scenario, and the fix it shows removes the cause when applied."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.serverxml import parse_server_xml
from jiradoctor_lab import LabServer
from jiradoctor_lab.catalogue import every_name, find
from tests.conftest import assert_valid_report

SCENARIOS = every_name()  # the OAuth 2.0 scenarios too: each is listed, served and demoed


def demo(tmp_path: Path, scenario: str) -> tuple[dict, str]:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(out), "--scenario", scenario], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert_valid_report(report)
    return report, result.stderr


def problems(report: dict) -> set[str]:
    return {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail", "error")}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_demo_reports_exactly_what_the_scenario_claims(scenario: str, tmp_path: Path) -> None:
    report, _ = demo(tmp_path, scenario)
    claimed = find(scenario).demo_codes
    assert problems(report) == claimed
    if not claimed:
        assert report["summary"]["status"] == "pass"


def test_the_demo_prints_the_command_it_runs_with_secrets_kept_out(tmp_path: Path) -> None:
    report, stderr = demo(tmp_path, "url-mismatch-proxy-host")
    line = next(x.strip() for x in stderr.splitlines() if "jiradoctor doctor " in x)
    words = shlex.split(line)
    assert words[0] == "JIRADOCTOR_ACCESS_TOKEN=…"  # the secret travels in the environment, not argv
    argv = words[words.index("jiradoctor"):]
    assert argv[:2] == ["jiradoctor", "doctor"] and report["target"]["url"] in argv
    for option in ("--server-xml", "--public-key", "--private-key", "--base-url", "--consumer-key"):
        assert option in argv
    assert {"oauth-signature/url-mismatch", "base-url/server-xml-mismatch"} == problems(report)


def test_the_demo_fix_applied_to_the_lab_removes_the_cause(tmp_path: Path) -> None:
    """Apply the corrected <Connector> the demo prints to the lab's Tomcat (the lab builds its URL the way
    Tomcat does; real Tomcat proves that model in test_base_url_fixes_realparts) and run the command again."""
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(out), "--scenario", "url-mismatch-proxy-host"])
    report = json.loads((out / "report.json").read_text())
    fix = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "base-url/server-xml-mismatch")
    (connector_xml,) = fix["commands"]
    assert "…" not in connector_xml and "..." not in connector_xml  # paste-ready: no placeholder
    corrected = parse_server_xml(f"<Server><Service>{connector_xml}</Service></Server>").connectors[0]
    server_xml = (out / "server.xml").read_text()
    start, end = server_xml.index("<Connector"), server_xml.index("/>", server_xml.index("<Connector")) + 2
    (out / "server.xml").write_text(server_xml[:start] + connector_xml + server_xml[end:])
    line = next(x.strip() for x in result.stderr.splitlines() if "jiradoctor doctor " in x)
    argv = shlex.split(line)
    argv = argv[argv.index("doctor"):]
    argv = [a for a in argv if a != "-o"]
    argv = [a for a in argv if not a.endswith((".html", ".json"))] + ["--format", "json"]
    with LabServer("url-mismatch-proxy-host", port=corrected.port, connector=corrected) as lab:
        env = {"JIRADOCTOR_ACCESS_TOKEN": lab.client.access_token}
        again = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    after = json.loads(again.stdout)
    assert problems(after) == set(), problems(after)
    assert {f["code"] for c in after["checks"] for f in c["findings"]} >= {"oauth-signature/ok", "base-url/ok"}
    assert again.exit_code == 0


def test_lab_scenarios_lists_every_scenario_the_demo_serves() -> None:
    """`lab scenarios` lists the OAuth 2.0 scenarios too (they lived in a file only tests read)."""
    listed = CliRunner().invoke(main, ["lab", "scenarios", "--format", "json"])
    names = [s["name"] for s in json.loads(listed.stdout)]
    assert names == SCENARIOS and "oauth2-dc-healthy" in names and "oauth2-cloud-healthy" in names
    served = CliRunner().invoke(main, ["lab", "serve", "--scenario", "oauth2-dc-healthy", "--duration", "0.2"])
    assert served.exit_code == 0 and "--client-id" in served.output
