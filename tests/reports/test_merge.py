"""`jiradoctor merge`: the customer's run and the vendor's run as one report (issue 19).

Unit cases from built reports (skip + verdict, both skipped, a difference with and without a finding
that already names it), then the real thing: a customer-side --offline run and a vendor-side live run
of the same lab scenario, merged by the CLI, naming the cause once, with no secret in any format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from jiradoctor.merge import merge, merge_check
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from tests.conftest import assert_valid_report

pytestmark = pytest.mark.timeout(90)


def report(*checks: CheckResult, url: str | None = "https://jira.example.com", base_url: str | None = None) -> Report:
    return Report(
        "0",
        TargetSummary(url, "generic", "none", JiraFacts(None, None, base_url)),
        "2026-11-30T10:00:00Z",
        1.0,
        tuple(checks),
    )


def check(cid: str, *findings: Finding) -> CheckResult:
    return CheckResult.from_findings(cid, cid.title(), findings)


def skipped(cid: str, reason: str, blocked: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult.skipped(cid, cid.title(), reason, blocked)


def pk(code: str, status: Status, **evidence: str) -> Finding:
    return Finding(code, status, code, evidence=evidence)


def test_a_verdict_beats_a_skip_from_either_side() -> None:
    verdict = check("tls", pk("tls/ok", Status.PASS))
    for customer, vendor, side in (
        (skipped("tls", "--offline"), verdict, "vendor"),
        (verdict, skipped("tls", "--offline"), "customer"),
    ):
        merged = merge_check(customer, vendor)
        assert merged.status == Status.PASS and merged.findings[0].evidence["side"] == side


def test_both_skipped_keeps_both_reasons_and_roots() -> None:
    merged = merge_check(
        skipped("auth", "needs --password"), skipped("auth", "blocked: reachability", ("reachability",))
    )
    assert merged.status == Status.SKIP and "customer side: needs --password" in merged.skip_reason
    assert "vendor side: blocked" in merged.skip_reason and merged.blocked_by == ("reachability",)


def test_the_worst_of_two_verdicts_and_one_finding_when_both_saw_the_same() -> None:
    same = pk("consumer-key/ok", Status.PASS, consumer_key="k")
    merged = merge_check(
        check("consumer-key", same), check("consumer-key", same, pk("consumer-key/whitespace", Status.WARN))
    )
    assert merged.status == Status.WARN
    assert [(f.code, f.evidence["side"]) for f in merged.findings] == [
        ("consumer-key/ok", "both"),
        ("consumer-key/whitespace", "vendor"),
    ]


def test_a_difference_no_check_named_is_a_finding_of_its_own() -> None:
    customer = report(check("public-key", pk("public-key/ok", Status.PASS, fingerprint="SHA256:aaa")))
    vendor = report(check("public-key", pk("public-key/ok", Status.PASS, fingerprint="SHA256:bbb")))
    merged = merge(customer, vendor)
    sides = next(c for c in merged.checks if c.id == "sides")
    (f,) = sides.findings
    assert (f.code, f.status) == ("sides/public-key-differs", Status.FAIL)
    assert f.evidence == {"customer_side_saw": ["SHA256:aaa"], "vendor_side_saw": ["SHA256:bbb"]}
    assert_valid_report(merged.to_json())


def test_a_difference_already_named_is_attached_to_that_finding_once() -> None:
    customer = report(check("public-key", pk("public-key/ok", Status.PASS, fingerprint="SHA256:aaa")))
    vendor = report(
        check(
            "oauth-signature",
            pk("oauth-signature/key-mismatch", Status.FAIL, private_key_public_half_fingerprint="SHA256:bbb"),
        )
    )
    merged = merge(customer, vendor)
    failing = [f for _, f in merged.findings() if f.status.rank >= Status.WARN.rank]
    assert [f.code for f in failing] == ["oauth-signature/key-mismatch"]
    assert failing[0].evidence["customer_side_saw"] == ["SHA256:aaa"] and failing[0].evidence["confirmed_by_both_sides"]


def test_agreeing_sides_pass_and_base_urls_compare_without_a_trailing_slash() -> None:
    merged = merge(report(base_url="https://jira.example.com/"), report(base_url="https://JIRA.example.com"))
    sides = next(c for c in merged.checks if c.id == "sides")
    assert sides.status == Status.PASS and sides.findings[0].code == "sides/agree"


def test_nothing_in_common_is_a_skip_not_a_pass() -> None:
    merged = merge(report(check("dns", pk("dns/ok", Status.PASS))), report())
    assert next(c for c in merged.checks if c.id == "sides").status == Status.SKIP


# ----------------------------------------------------------------------------- the real thing ---


def _two_sides(scenario: str, tmp_path: Path) -> tuple[Path, Path, LabServer]:
    with LabServer(scenario) as lab:
        key = tmp_path / "consumer.pem"
        key.write_text(lab.private_key_pem)
        env, argv = lab.doctor_command(str(key))
        vendor = tmp_path / "vendor.json"
        result = CliRunner().invoke(
            main, argv[1:] + ["--timeout", "2", "-o", str(vendor)], env=env, catch_exceptions=False
        )
        assert result.exit_code in (0, 1), result.output
        # the customer's Jira administrator: what the application link holds, offline
        pasted = tmp_path / "pasted-public-key.txt"
        pasted.write_text(lab.jira_public_key_base64)
        customer = tmp_path / "customer.json"
        result = CliRunner().invoke(
            main,
            [
                "doctor",
                "--offline",
                "--integration",
                lab.client.integration,
                "--public-key",
                str(pasted),
                "--jira-consumer-key",
                lab.jira_consumer_key or "",
                "--base-url",
                lab.base_url,
                "-o",
                str(customer),
            ],
            catch_exceptions=False,
        )
        assert result.exit_code in (0, 1), result.output
        assert lab.writes == 0
    return customer, vendor, lab


def test_merge_of_an_offline_and_a_live_run_names_the_cause_once(tmp_path: Path) -> None:
    customer, vendor, lab = _two_sides("key-mismatch", tmp_path)
    out = tmp_path / "both.html"
    result = CliRunner().invoke(
        main,
        [
            "merge",
            str(customer),
            str(vendor),
            "-o",
            str(out),
            "-o",
            str(tmp_path / "both.md"),
            "-o",
            str(tmp_path / "both.xml"),
            "--format",
            "json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    merged = json.loads(result.stdout)
    assert_valid_report(merged)
    failing = [f for c in merged["checks"] for f in c["findings"] if f["status"] in ("warn", "fail")]
    key_findings = [f for f in failing if "key" in f["code"]]
    assert [f["code"] for f in key_findings] == ["oauth-signature/key-mismatch"]
    evidence = key_findings[0]["evidence"]
    assert evidence["confirmed_by_both_sides"] and evidence["customer_side_saw"] != evidence["vendor_side_saw"]
    html = out.read_text()
    assert "oauth-signature/key-mismatch" in html and html.count("key-mismatch") >= 1
    for text in (html, (tmp_path / "both.md").read_text(), (tmp_path / "both.xml").read_text(), result.stdout):
        assert lab.access_token not in text and "PRIVATE KEY" not in text
    # with -o only, the terminal still tells that the sides hold different public keys (it once said nothing)
    terminal = CliRunner().invoke(main, ["merge", str(customer), str(vendor), "-o", str(out)]).stdout
    assert "oauth-signature/key-mismatch" in terminal and "Both sides confirm it" in terminal
    assert evidence["customer_side_saw"][0] in terminal and evidence["vendor_side_saw"][0] in terminal


def test_merge_of_a_healthy_pair_passes(tmp_path: Path) -> None:
    customer, vendor, _ = _two_sides("healthy", tmp_path)
    result = CliRunner().invoke(main, ["merge", str(customer), str(vendor), "--format", "json"], catch_exceptions=False)
    merged = json.loads(result.stdout)
    assert result.exit_code == 0, [c for c in merged["checks"] if c["status"] not in ("pass", "skip")]
    sides = next(c for c in merged["checks"] if c["id"] == "sides")
    assert sides["status"] == "pass" and "public key" in sides["findings"][0]["message"]


def test_merge_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "checks": "nope"}')
    result = CliRunner().invoke(main, ["merge", str(bad), str(bad)])
    assert result.exit_code == 2 and "CUSTOMER_REPORT" in result.output
