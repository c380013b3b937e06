"""``jiradoctor lab`` commands."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from jiradoctor_lab.cli import lab

pytestmark = pytest.mark.timeout(30)


def test_scenarios_table_and_json():
    runner = CliRunner()
    table = runner.invoke(lab, ["scenarios"])
    assert table.exit_code == 0
    assert "consumer-key-whitespace" in table.output and "consumer-key/unknown" in table.output
    data = json.loads(runner.invoke(lab, ["scenarios", "--format", "json"]).output)
    assert {"healthy", "never-answers"} <= {d["name"] for d in data}


def test_serve_writes_key_and_prints_command(tmp_path):
    result = CliRunner().invoke(lab, ["serve", "--scenario", "consumer-key-whitespace", "--duration", "0.2",
                                      "--keys-dir", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    key = tmp_path / "keys" / "consumer.pem"
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "http://127.0.0.1:" in result.output
    assert "'piplanning.io '" in result.output
    assert "jiradoctor doctor --url" in result.output
    assert "Lab stopped." in result.output


def test_serve_tls_scenario_writes_ca(tmp_path):
    result = CliRunner().invoke(lab, ["serve", "--scenario", "url-mismatch-scheme", "--duration", "0.1",
                                      "--keys-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lab-ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert "--ca-bundle" in result.output


def test_serve_rejects_unknown_scenario():
    result = CliRunner().invoke(lab, ["serve", "--scenario", "nope", "--duration", "0.1"])
    assert result.exit_code == 2
