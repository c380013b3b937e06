"""`jiradoctor logs` through the command line: every report format, exit codes, --baseline, `merge` with a
vendor's live run (each cause named once), `explain logs`, and every code it emits declared."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.registry import builtin_checks
from tests.conftest import assert_valid_report
from tests.logs.logfiles import around, healthy_log, jira_head
from tests.logs.test_signatures import NET_OAUTH

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def failing_log(tmp_path: Path) -> Path:
    path = tmp_path / "atlassian-jira.log"
    path.write_text(around(NET_OAUTH), encoding="utf-8")
    return path


def test_logs_writes_every_report_format(tmp_path: Path) -> None:
    log = failing_log(tmp_path)
    outs = [tmp_path / f"r.{ext}" for ext in ("json", "html", "md", "xml", "jira")]
    result = invoke("logs", str(log), *[a for o in outs for a in ("-o", str(o))])
    assert result.exit_code == 1, result.output
    data = json.loads(outs[0].read_text())
    assert_valid_report(data)
    assert {c["id"] for c in data["checks"]} == {"oauth-signature", "logs"}
    assert outs[1].read_text().lstrip().lower().startswith("<!doctype html")
    assert "signature_invalid" in outs[2].read_text()
    assert "<testsuite" in outs[3].read_text() and "signature_invalid" in outs[4].read_text()
    printed = invoke("logs", str(log), "--format", "json", "--url", "http://travis.atlassian.net")
    assert json.loads(printed.stdout)["checks"][0]["findings"][0]["code"] == "oauth-signature/url-mismatch"


def test_a_healthy_log_exits_0_and_a_bad_url_is_a_usage_error(tmp_path: Path) -> None:
    log = tmp_path / "atlassian-jira.log"
    log.write_text(healthy_log(2000), encoding="utf-8")
    assert invoke("logs", str(log)).exit_code == 0
    assert invoke("logs", str(log), "--url", "http://[::1").exit_code == 2
    assert invoke("logs", str(log), "-o", str(tmp_path / "r.pdf")).exit_code == 2


def test_baseline_fails_only_on_regressions(tmp_path: Path) -> None:
    healthy = tmp_path / "healthy" / "atlassian-jira.log"
    healthy.parent.mkdir()
    healthy.write_text(healthy_log(1000), encoding="utf-8")
    old = tmp_path / "old.json"
    assert invoke("logs", str(healthy), "-o", str(old)).exit_code == 0
    bad = failing_log(tmp_path)
    assert invoke("logs", str(bad), "--baseline", str(old)).exit_code == 1  # new: a regression
    now = tmp_path / "now.json"
    invoke("logs", str(bad), "-o", str(now))
    again = invoke("logs", str(bad), "--baseline", str(now))
    assert again.exit_code == 0, again.output  # the same causes again (other counts, times): no regression


def test_merge_with_the_vendors_live_run_names_the_cause_once(tmp_path: Path) -> None:
    log = failing_log(tmp_path)
    customer = tmp_path / "customer.json"
    invoke("logs", str(log), "--url", "http://travis.atlassian.net", "-o", str(customer))
    logged = next(f for c in json.loads(customer.read_text())["checks"] for f in c["findings"]
                  if f["code"] == "oauth-signature/url-mismatch")
    live = Finding("oauth-signature/url-mismatch", Status.FAIL,
                   "signature_invalid: the integration signed http://travis.atlassian.net/plugins/servlet/oauth/"
                   "request-token but Jira saw https://travis.atlassian.net/plugins/servlet/oauth/request-token "
                   "(scheme, port differ).", evidence={"differs": ["scheme", "port"]}, subject=logged["subject"])
    vendor_report = Report("0", TargetSummary("http://travis.atlassian.net", "generic", "oauth1", JiraFacts()),
                           "2026-12-05T00:00:00Z", 1.0,
                           (CheckResult.from_findings("oauth-signature", "OAuth 1.0a signature (live)", [live]),
                            CheckResult.skipped("logs", "Jira's logs", "not observed: a doctor run")))
    vendor = tmp_path / "vendor.json"
    vendor.write_text(json.dumps(vendor_report.to_json()), encoding="utf-8")
    merged = invoke("merge", str(customer), str(vendor), "--format", "json")
    data = json.loads(merged.stdout)
    assert_valid_report(data)
    named = [f for c in data["checks"] for f in c["findings"] if f["code"] == "oauth-signature/url-mismatch"]
    assert len(named) == 1
    assert named[0]["evidence"]["side"] == "both"
    assert named[0]["evidence"]["seen_in_jira_log"]["count"] == 1
    logs_check = next(c for c in data["checks"] if c["id"] == "logs")
    assert logs_check["status"] == "pass"  # taken from the side that read the logs


def test_explain_logs_lists_its_codes() -> None:
    result = invoke("explain", "logs")
    assert result.exit_code == 0 and "logs/applink-auth-failed" in result.stdout and "jiradoctor logs" in result.stdout


def test_every_code_the_logs_package_emits_is_declared_by_a_check() -> None:
    declared = {code for check in builtin_checks() for code in check.codes}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "jiradoctor" / "logs").glob("*.py"))
    emitted = set(re.findall(r'"((?:logs|auth|consumer-key|outgoing-tls|oauth-signature)/[a-z-]+)"', source))
    assert len(emitted) >= 12
    # codes built from the live checks' own tables (oauth-signature/{slug}) are theirs, declared there
    from jiradoctor.checks.oauth_signature import _PROBLEM_CODES

    emitted |= {f"oauth-signature/{slug}" for slug, _, _ in _PROBLEM_CODES.values()}
    assert emitted <= declared, sorted(emitted - declared)


def test_jira_head_is_the_shape_the_parser_reads() -> None:
    from jiradoctor.logs.records import parse_head

    stamp, thread, level, logger, url = parse_head(jira_head(level="ERROR", logger="c.a.X").rstrip())
    assert (thread, level, logger, url) == ("http-nio-8080-exec-7", "ERROR", "c.a.X", "/rest/api/2/issue")
    assert stamp is not None and stamp.utc


def test_a_doctor_run_never_shows_the_logs_check() -> None:
    """`logs` declares the codes only `jiradoctor logs` reports: listed by `checks`, never in a doctor report."""
    from click.testing import CliRunner

    from jiradoctor.cli import main

    listed = CliRunner().invoke(main, ["checks"])
    assert "logs" in listed.output
    report = CliRunner().invoke(main, ["doctor", "--offline", "--url", "https://jira.example.com", "--format", "json"])
    assert '"id": "logs"' not in report.stdout
    only = CliRunner().invoke(main, ["doctor", "--only", "logs", "--url", "https://jira.example.com"])
    assert only.exit_code == 2 and "jiradoctor logs" in only.output
