"""What a status promises, through the CLI: empty input is input, a run that observed nothing is
not healthy (exit 4), Ctrl-C exits 130, and the demo's healthy scenario passes (issue 9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.realparts.raw_servers import start_raw_server


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run([sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, cwd=cwd,
                          env={**base, **(env or {})}, timeout=120)


@pytest.mark.parametrize("option, code", [("--server-xml", "base-url/invalid-server-xml"),
                                          ("--public-key", "public-key/empty-file"),
                                          ("--private-key", "public-key/empty-file")])
@pytest.mark.parametrize("content", ["", "  \n\t\n"], ids=["empty", "whitespace"])
def test_an_empty_file_is_a_finding(tmp_path: Path, option: str, code: str, content: str) -> None:
    (tmp_path / "f").write_text(content)
    proc = run("doctor", "--offline", option, "f", "-o", "r.json", cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text())
    found = [f["code"] for c in report["checks"] for f in c["findings"]]
    assert code in found and proc.returncode == 1, proc.stdout
    assert "needs " + option not in proc.stdout


@pytest.mark.parametrize("option", ["--config", "--profile-file"])
def test_an_empty_run_configuration_is_a_usage_error(tmp_path: Path, option: str) -> None:
    (tmp_path / "c.toml").write_text("\n")
    proc = run("doctor", option, "c.toml", "--offline", "--base-url", "https://jira.example.com", cwd=tmp_path)
    assert proc.returncode == 2 and "empty" in proc.stderr


@pytest.mark.parametrize("fail_on", ["fail", "never"])
def test_a_run_that_observed_nothing_is_not_healthy(tmp_path: Path, fail_on: str) -> None:
    proc = run("doctor", "--url", "https://jira.example.com", "--only", "auth", "--fail-on", fail_on,
               "-o", "r.json", cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text())
    assert proc.returncode == 4
    assert report["summary"]["status"] == "skip" and report["summary"]["note"].startswith("nothing was checked")
    assert "nothing was checked" in proc.stdout and "Overall: pass" not in proc.stdout


def test_a_run_that_observed_something_healthy_exits_0(tmp_path: Path) -> None:
    proc = run("doctor", "--offline", "--consumer-key", "piplanning.io", "-o", "r.json", cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text())
    assert proc.returncode == 0 and report["summary"]["status"] == "pass" and "note" not in report["summary"]
    assert "identified" not in report["target"]["jira"]  # --offline never asks Jira: exempt from exit 5


@pytest.mark.parametrize("scenario, code", [("not-jira-html", 5), ("healthy", 0)])
def test_a_live_run_that_never_saw_jira_is_not_green(tmp_path: Path, scenario: str, code: int) -> None:
    """A portal's login page at the URL: only a warning, yet the gate is red whatever --fail-on says (issue 25)."""
    from jiradoctor_lab import LabServer

    with LabServer(scenario) as lab:
        proc = run("doctor", "--url", lab.url, "--only", "reachability", "--fail-on", "never", "-o", "r.json",
                   cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text())
    assert proc.returncode == code, proc.stdout
    assert report["target"]["jira"]["identified"] is (code == 0)
    if code:
        assert report["summary"]["status"] == "warn" and "never answered as Jira" in report["summary"]["note"]
        assert "Not healthy: Jira never answered as Jira" in run("render", "r.json", cwd=tmp_path).stdout
    else:
        assert "X-AREQUESTID" in report["target"]["jira"]["identified_by"] and "note" not in report["summary"]


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    with start_raw_server("silent") as server:
        base = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
        proc = subprocess.Popen([sys.executable, "-m", "jiradoctor", "doctor", "--url", server.url, "--timeout", "60"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=base)
        try:
            deadline = time.monotonic() + 60
            while not server.held and time.monotonic() < deadline:  # wait until the run waits on the server
                time.sleep(0.05)
            assert server.held, "the doctor never connected"
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err


def test_demo_healthy_scenario_passes(tmp_path: Path) -> None:
    proc = run("demo", "--scenario", "healthy", "--dir", "demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "demo" / "report.json").read_text())
    assert report["summary"]["status"] == "pass"
    bad = {c["id"]: c["status"] for c in report["checks"] if c["status"] not in ("pass", "skip")}
    assert not bad, bad


def test_demo_broken_scenario_shows_its_own_cause_only(tmp_path: Path) -> None:
    run("demo", "--scenario", "key-mismatch", "--dir", "demo", cwd=tmp_path)
    report = json.loads((tmp_path / "demo" / "report.json").read_text())
    problems = {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("fail", "warn")}
    assert "oauth-signature/key-mismatch" in problems
    # the pasted key is the one Jira holds: offline it is the pair mismatch, never a pasted certificate
    assert "public-key/certificate" not in problems and not any(p.startswith("dns/") for p in problems)
