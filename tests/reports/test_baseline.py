"""Baselines: CI fails on regressions only, through the real CLI (``python -m jiradoctor``).

Findings are matched by (check id, code, subject), never by message text. ``doctor --baseline``
and ``diff OLD NEW`` give the same comparison and the same exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jiradoctor.model import CheckResult, Finding, Report, Status, TargetSummary
from jiradoctor.reports import baseline, render
from tests.conftest import assert_valid_report

DATA = Path(__file__).parent.parent / "data"
BASE = "https://jira.example.com"


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run(
        [sys.executable, "-m", "jiradoctor", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=cwd,
        timeout=60,
    )


@pytest.fixture
def keys(tmp_path: Path, rsa_pair, other_rsa_pair) -> dict[str, Path]:
    paths = {"public": tmp_path / "public.pem", "private": tmp_path / "private.pem", "other": tmp_path / "other.pem"}
    paths["public"].write_text(rsa_pair.public_spki)
    paths["private"].write_text(rsa_pair.private_pkcs8)
    paths["other"].write_text(other_rsa_pair.private_pkcs8)
    return paths


def known_problems(keys: dict[str, Path], private: str = "private", jira_key: str = "abc$def") -> list[str]:
    """Offline inputs with an accepted fail (base-url) and accepted warns (consumer-key, both sides)."""
    return [
        "doctor",
        "--offline",
        "--consumer-key",
        "abc$def",
        "--jira-consumer-key",
        jira_key,
        "--server-xml",
        str(DATA / "server_proxy_without_proxyname.xml"),
        "--base-url",
        BASE,
        "--url",
        BASE,
        "--public-key",
        str(keys["public"]),
        "--private-key",
        str(keys[private]),
    ]


@pytest.fixture
def old(tmp_path: Path, keys) -> Path:
    result = run_cli(*known_problems(keys), "-o", "old.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # without a baseline the known failure fails the run
    data = json.loads((tmp_path / "old.json").read_text())
    assert_valid_report(data)
    statuses = {c["id"]: c["status"] for c in data["checks"]}
    assert statuses["base-url"] == "fail" and statuses["consumer-key"] == "warn" and statuses["public-key"] == "pass"
    return tmp_path / "old.json"


def test_same_run_against_its_baseline_passes(tmp_path: Path, keys, old: Path) -> None:
    result = run_cli(*known_problems(keys), "--baseline", str(old), "-o", "new.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 regression(s)" in result.stderr
    assert "Overall: fail" in result.stdout  # the report itself still shows the known failure
    # with --fail-on warn the known warnings are still not regressions
    result = run_cli(*known_problems(keys), "--baseline", str(old), "--fail-on", "warn", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_planted_new_failure_fails_and_is_named(tmp_path: Path, keys, old: Path) -> None:
    result = run_cli(
        *known_problems(keys, private="other"), "--baseline", str(old), "-o", "new.json", "-o", "new.xml", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert "1 regression(s)" in result.stderr
    assert "Regressions:\n  public-key/pair-mismatch: - -> fail" in result.stderr
    assert "base-url" not in result.stderr.split("Regressions:")[1]  # the known failure is not one
    assert (tmp_path / "new.json").exists() and (tmp_path / "new.xml").exists()  # reports are written anyway

    # diff OLD NEW: the same comparison, the same exit code, as text and as JSON
    diff = run_cli("diff", str(old), "new.json", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout == result.stderr[result.stderr.index("Compared with the baseline") :]
    diff_json = run_cli("diff", str(old), "new.json", "--format", "json", cwd=tmp_path)
    assert diff_json.returncode == 1
    data = json.loads(diff_json.stdout)
    assert [(c["check"], c["code"], c["old"], c["new"]) for c in data["regressions"]] == [
        ("public-key", "public-key/pair-mismatch", None, "fail")
    ]
    assert data["fixed"] == [] and data["stale"] == [] and data["unchanged"] == 3  # public-key/ok became pair-mismatch


def test_a_new_warning_is_a_regression_only_at_fail_on_warn(tmp_path: Path, keys) -> None:
    base = ["doctor", "--offline", "--consumer-key", "abc", "--jira-consumer-key", "abc"]
    assert run_cli(*base, "-o", "old.json", cwd=tmp_path).returncode == 0
    warned = ["doctor", "--offline", "--consumer-key", "abc$def", "--jira-consumer-key", "abc$def"]
    assert run_cli(*warned, "--baseline", "old.json", cwd=tmp_path).returncode == 0
    result = run_cli(*warned, "--baseline", "old.json", "--fail-on", "warn", "-o", "new.json", cwd=tmp_path)
    assert result.returncode == 1 and "consumer-key/unusual-character [in the integration]" in result.stderr
    assert run_cli("diff", "old.json", "new.json", "--fail-on", "warn", cwd=tmp_path).returncode == 1
    assert run_cli("diff", "old.json", "new.json", cwd=tmp_path).returncode == 0
    assert run_cli("diff", "old.json", "new.json", "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_same_code_with_a_new_subject_is_a_regression(tmp_path: Path, keys) -> None:
    """The integration side's warning is accepted; the same code about Jira's side is new."""
    one_side = ["doctor", "--offline", "--consumer-key", "abc$def", "--fail-on", "warn"]
    assert run_cli(*one_side, "-o", "old.json", cwd=tmp_path).returncode == 1
    assert run_cli(*one_side, "--baseline", "old.json", cwd=tmp_path).returncode == 0
    result = run_cli(*one_side, "--jira-consumer-key", "abc$def", "--baseline", "old.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    regressions = result.stderr.split("Regressions:")[1]
    assert "consumer-key/unusual-character [in Jira]" in regressions
    assert "[in the integration]" not in regressions


def test_reworded_messages_and_new_evidence_are_not_regressions(tmp_path: Path, keys, old: Path) -> None:
    data = json.loads(old.read_text())
    for check in data["checks"]:
        check["summary"] = "reworded summary"
        for finding in check["findings"]:
            finding["message"] = "an entirely reworded message"
            finding["evidence"] = {"timestamp": "2099-01-01T00:00:00Z"}
            finding["remediation"] = ["other words"]
    reworded = tmp_path / "reworded.json"
    reworded.write_text(json.dumps(data))
    result = run_cli(*known_problems(keys), "--baseline", str(reworded), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 regression(s), 0 fixed, 0 stale, 4 unchanged" in result.stderr  # public-key/ok too


def test_fixed_findings_and_stale_entries_are_reported_and_do_not_fail(tmp_path: Path, keys, old: Path) -> None:
    # fixed: the server.xml now has the proxy attributes; stale: consumer-key is not run this time
    result = run_cli(
        "doctor",
        "--offline",
        "--server-xml",
        str(DATA / "server_proxy_ok.xml"),
        "--base-url",
        BASE,
        "--url",
        BASE,
        "--public-key",
        str(keys["public"]),
        "--private-key",
        str(keys["private"]),
        "--consumer-key",
        "abc$def",
        "--skip",
        "consumer-key",
        "--baseline",
        str(old),
        "-o",
        "new.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "0 regression(s), 1 fixed, 2 stale" in err
    assert "Fixed:\n  base-url/proxy-attributes-missing [Connector port=8080]: fail -> -" in err
    stale = err.split("Stale (not checked this time):")[1]
    assert "consumer-key/unusual-character [in the integration]: warn -> -" in stale
    assert "consumer-key/unusual-character [in Jira]: warn -> -" in stale
    diff = run_cli("diff", str(old), "new.json", "--format", "json", cwd=tmp_path)
    assert diff.returncode == 0
    data = json.loads(diff.stdout)
    assert [c["code"] for c in data["fixed"]] == ["base-url/proxy-attributes-missing"]
    assert {c["subject"] for c in data["stale"]} == {"in the integration", "in Jira"}
    assert data["regressions"] == []


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_another_schema_version_is_refused(tmp_path: Path, keys, old: Path, version) -> None:
    data = json.loads(old.read_text())
    data["schema_version"] = version
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    for args in (
        [*known_problems(keys), "--baseline", str(other), "-o", "not-written.json"],
        ["diff", str(other), str(old)],
        ["diff", str(old), str(other)],
        ["diff", str(other), str(old), "--format", "json"],
    ):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert f"schema_version {version!r}" in result.stderr and "reads schema_version 1" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "not-written.json").exists()  # refused before running anything


def test_a_baseline_that_is_not_a_report_is_a_usage_error(tmp_path: Path, keys) -> None:
    (tmp_path / "junk.json").write_text("[1, 2]")
    result = run_cli(*known_problems(keys), "--baseline", "junk.json", cwd=tmp_path)
    assert result.returncode == 2 and "not a jiradoctor report" in result.stderr
    assert run_cli(*known_problems(keys), "--baseline", "missing.json", cwd=tmp_path).returncode == 2


# --- compare() on hand-made reports: the matching rules one by one ----------------------------------


def report(*checks: CheckResult) -> Report:
    return Report("0.1.0", TargetSummary(BASE, "generic", "basic"), "2024-05-01T10:00:00+00:00", 0.1, checks)


def perms(*findings: tuple[str, Status, str | None]) -> CheckResult:
    return CheckResult.from_findings(
        "permissions",
        "Permissions",
        [Finding(code, status, f"{code} {subject}", subject=subject) for code, status, subject in findings],
    )


def test_a_finding_that_got_worse_in_an_already_failing_check_is_a_regression(tmp_path: Path) -> None:
    """ART's missing permission was accepted as fail; OPS's optional gap was an accepted warn.
    OPS now lacks a required permission (same code, same subject, warn -> fail): the check was
    already fail, so only the finding's own status shows the regression."""
    old = report(
        perms(
            ("permissions/missing", Status.FAIL, "ART"),
            ("permissions/missing-optional", Status.WARN, "OPS"),
            ("permissions/note", Status.WARN, "OPS"),
        )
    )
    new = report(
        perms(
            ("permissions/missing", Status.FAIL, "ART"),
            ("permissions/missing-optional", Status.WARN, "OPS"),
            ("permissions/note", Status.FAIL, "OPS"),
        )
    )
    comparison = baseline.compare(old, new)
    assert [(c.code, c.subject, c.old, c.new) for c in comparison.regressions] == [
        ("permissions/note", "OPS", Status.WARN, Status.FAIL)
    ]
    (tmp_path / "old.json").write_text(render(old, "json"))
    (tmp_path / "new.json").write_text(render(new, "json"))
    result = run_cli("diff", "old.json", "new.json", cwd=tmp_path)
    assert result.returncode == 1 and "permissions/note [OPS]: warn -> fail" in result.stdout
    # and the other way round is not a regression
    assert run_cli("diff", "new.json", "old.json", cwd=tmp_path).returncode == 0


def test_subject_matching_by_project_key() -> None:
    old = report(perms(("permissions/missing", Status.FAIL, "ART")))
    same_reworded = report(
        CheckResult.from_findings(
            "permissions",
            "Permissions",
            [Finding("permissions/missing", Status.FAIL, "completely different words", subject="ART")],
        )
    )
    other_project = report(
        perms(("permissions/missing", Status.FAIL, "ART"), ("permissions/missing", Status.FAIL, "OPS"))
    )
    assert not baseline.compare(old, same_reworded).has_regressions
    comparison = baseline.compare(old, other_project)
    assert [(c.code, c.subject) for c in comparison.regressions] == [("permissions/missing", "OPS")]
    assert comparison.unchanged == 1


def test_a_check_that_crashes_after_being_skipped_is_a_regression() -> None:
    old = report(CheckResult.skipped("auth", "Auth", "not run: needs --password"))
    new = report(CheckResult.from_findings("auth", "Auth", [Finding("auth/check-error", Status.ERROR, "crashed")]))
    assert [c.code for c in baseline.compare(old, new).regressions] == ["auth/check-error"]


def test_a_new_check_failing_is_a_regression_and_a_removed_one_is_stale() -> None:
    old = report(CheckResult.from_findings("gone", "Gone", [Finding("gone/bad", Status.FAIL, "x")]))
    new = report(CheckResult.from_findings("plugin", "Plugin", [Finding("plugin/bad", Status.FAIL, "y")]))
    comparison = baseline.compare(old, new)
    assert [c.code for c in comparison.regressions] == ["plugin/bad"]
    assert [c.code for c in comparison.stale] == ["gone/bad"] and comparison.fixed == ()


def test_lab_permissions_another_project_key_is_a_regression(tmp_path: Path) -> None:
    """Against the lab (real HTTP): the accepted gaps in ART and OPS stay quiet; asking about SEC
    too brings the same check's findings for a new subject, which fails the run."""
    from jiradoctor_lab import LabServer

    with LabServer("permissions-gaps") as lab:
        client = lab.client
        env = {}
        args = [
            "doctor",
            "--url",
            lab.url,
            "--integration",
            client.integration,
            "--timeout",
            "5",
            "--only",
            "auth,permissions",
        ]
        if getattr(client, "user", None):
            args += ["--user", client.user]
        for attr, var in (
            ("password", "JIRADOCTOR_PASSWORD"),
            ("token", "JIRADOCTOR_TOKEN"),
            ("pat", "JIRADOCTOR_PAT"),
        ):
            if getattr(client, attr, None):
                env[var] = str(getattr(client, attr))
        assert env, f"the lab client gives no credentials: {client!r}"
        first = run_cli(*args, "--projects", "ART,OPS", "-o", "old.json", cwd=tmp_path, env=env)
        assert first.returncode == 1, first.stdout + first.stderr
        again = run_cli(*args, "--projects", "ART,OPS", "--baseline", "old.json", cwd=tmp_path, env=env)
        more = run_cli(
            *args, "--projects", "ART,OPS,SEC", "--baseline", "old.json", "-o", "new.json", cwd=tmp_path, env=env
        )
    assert again.returncode == 0, again.stderr
    assert more.returncode == 1, more.stderr
    regressions = more.stderr.split("Regressions:")[1]
    assert "SEC" in regressions and "ART" not in regressions and "OPS" not in regressions
    old_data = json.loads((tmp_path / "old.json").read_text())
    assert any(f["subject"] for c in old_data["checks"] for f in c["findings"])  # subjects are filled in


def test_with_a_baseline_stdout_still_holds_the_report_alone(tmp_path: Path, keys, old: Path) -> None:
    """--format json with --baseline: the comparison goes to stderr, so stdout parses as the report."""
    result = run_cli(*known_problems(keys, private="other"), "--baseline", str(old), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert_valid_report(data)
    assert "public-key/pair-mismatch" in result.stderr and "Compared with the baseline" not in result.stdout


def test_a_project_missing_one_more_permission_is_a_regression() -> None:
    from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
    from jiradoctor.reports.baseline import compare

    def report(missing: list[str]) -> Report:
        finding = Finding(
            "permissions/missing",
            Status.FAIL,
            f"ART misses {missing}",
            subject="ART",
            evidence={"project": "ART", "missing": missing},
        )
        check = CheckResult.from_findings("permissions", "Permissions", [finding])
        return Report(
            "0", TargetSummary("https://j", "generic", "basic", JiraFacts()), "2026-01-01T00:00:00+00:00", 0.0, (check,)
        )

    worse = compare(report(["EDIT_ISSUES"]), report(["EDIT_ISSUES", "LINK_ISSUES"]))
    assert [c.message.split(":")[0] for c in worse.regressions] == ["now also missing LINK_ISSUES"]
    better = compare(report(["EDIT_ISSUES", "LINK_ISSUES"]), report(["EDIT_ISSUES"]))
    assert not better.regressions


def test_a_baseline_from_another_site_is_named(tmp_path) -> None:
    """Comparing against a baseline of another Jira says so; the same site in another spelling does not."""
    import json

    from click.testing import CliRunner

    from jiradoctor.cli import main
    from jiradoctor.jira.urls import same_site

    assert same_site("https://Jira.example.com", "https://jira.example.com:443/")
    assert not same_site("https://jira.example.com", "http://jira.example.com")
    assert not same_site("https://jira.example.com", "https://jira.example.com:8443")
    assert not same_site("https://jira.example.com", "https://jira.example.org")

    def report(url: str) -> str:
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps({
            "schema_version": 1, "tool": {"name": "jiradoctor", "version": "0.1.0"},
            "target": {"url": url, "integration": "generic", "auth": "none",
                       "jira": {"deployment": None, "version": None, "base_url": None}},
            "started_at": "2026-01-01T00:00:00+00:00", "duration_s": 0.1,
            "summary": {"status": "pass",
                        "counts": {"pass": 1, "info": 0, "warn": 0, "fail": 0, "error": 0, "skip": 0}},
            "checks": [{"id": "dns", "title": "DNS", "status": "pass", "summary": "ok", "duration_s": 0.0,
                        "skip_reason": None, "blocked_by": [], "findings": []}],
        }))
        return str(path)

    other = CliRunner().invoke(main, ["diff", report("https://jira.example.org"), report("https://jira.example.com")])
    assert "the baseline was recorded against https://jira.example.org" in other.stderr
    same = CliRunner().invoke(main, ["diff", report("https://Jira.example.com"), report("https://jira.example.com:443/")])
    assert "recorded against" not in same.stderr
