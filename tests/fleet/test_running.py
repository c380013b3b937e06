"""The pool in-process: a crash is that target's error (redacted), memory-bounded pulling, host caps."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from jiradoctor.fleet import compare, inventory, outputs
from jiradoctor.fleet.build import config_names
from jiradoctor.fleet.running import FleetOptions, HostSlots, host_key, run_fleet
from jiradoctor.registry import load_checks
from jiradoctor.runner import Runner

SECRET = "CrashCanary-Secret-5521"


def entries(text: str) -> inventory.Inventory:
    return inventory.parse(text, config_names())


def test_a_crashing_runner_is_that_targets_error_with_the_secret_masked(tmp_path: Path, monkeypatch) -> None:
    original = Runner.run

    async def crash_for_one(self: Runner):
        if self.target.url and "crash" in self.target.url:
            raise RuntimeError(f"boom while holding {SECRET}")
        return await original(self)

    monkeypatch.setattr(Runner, "run", crash_for_one)
    inv = entries('[defaults]\nonly = ["dns"]\noffline = true\n'
                  '[[target]]\nname = "crashes"\nurl = "https://crash.invalid/"\nuser = "u"\npassword_env = "P"\n'
                  '[[target]]\nname = "fine"\nurl = "https://fine.invalid/"\n')
    tally = asyncio.run(run_fleet(iter(inv), tmp_path, list(load_checks().checks), compare.Previous.none(),
                                  FleetOptions(jobs=2), environ={"P": SECRET}))
    assert tally.total == 2
    outputs.write_all(tmp_path, None)
    rows = {r["name"]: r for r in json.loads((tmp_path / "fleet.json").read_text())["targets"]}
    assert rows["crashes"]["status"] == "error" and "RuntimeError" in rows["crashes"]["message"]
    assert SECRET not in rows["crashes"]["message"]
    assert rows["fine"]["status"] != "error"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(), path


def test_workers_pull_from_the_iterator_instead_of_taking_every_target_up_front(tmp_path: Path) -> None:
    """With 2 jobs, no more than 2 targets beyond those finished are ever taken from the iterator."""
    inv = entries('[defaults]\noffline = true\nonly = ["dns"]\n'
                  + "".join(f'[[target]]\nname = "t{i}"\nurl = "https://h{i}.invalid/"\n' for i in range(12)))
    finished: list[str] = []
    taken: list[int] = []

    def pulled():
        for entry in inv:
            taken.append(len(finished))
            assert len(taken) - len(finished) <= 2
            yield entry

    asyncio.run(run_fleet(pulled(), tmp_path, list(load_checks().checks), compare.Previous.none(),
                          FleetOptions(jobs=2), on_row=lambda row: finished.append(row["name"])))
    assert len(finished) == 12 and len(taken) == 12


def test_at_most_per_host_runs_hit_one_host() -> None:
    async def scenario() -> tuple[int, int]:
        slots = HostSlots(2)
        busy = {"a": 0}
        peak = 0

        async def one(host: str) -> None:
            nonlocal peak
            await slots.acquire(host)
            try:
                busy[host] = busy.get(host, 0) + 1
                peak = max(peak, busy["a"])
                await asyncio.sleep(0.01)
                busy[host] -= 1
            finally:
                slots.release(host)

        await asyncio.gather(*(one("a") for _ in range(10)), *(one("b") for _ in range(3)))
        return peak, len(slots._slots)

    peak, left = asyncio.run(scenario())
    assert peak == 2 and left == 0  # capped, and no semaphore kept for hosts nobody uses


def test_host_key_folds_default_ports_and_case() -> None:
    assert host_key("https://Jira.Example.com/") == host_key("https://jira.example.com:443/x")
    assert host_key("http://jira.example.com/") != host_key("https://jira.example.com/")


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "\u202eevil\u001b[31m", '" onmouseover="x'])
def test_the_dashboard_escapes_what_it_did_not_write(tmp_path: Path, hostile: str) -> None:
    row = {"name": "t1", "url": f"https://a/{hostile}", "integration": hostile, "status": "fail",
           "counts": {"fail": 1}, "first_fix": {"check": "auth", "code": "auth/x", "message": hostile},
           "duration_s": 1.0, "checks": {"auth": "fail"}, "expires": [], "message": hostile,
           "change": {"state": "broke", "regressions": [hostile], "fixed": []}, "last_success": None}
    (tmp_path / "rows.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "targets").mkdir()
    outputs.write_all(tmp_path, None)
    page = (tmp_path / "index.html").read_text()
    assert "<script>alert" not in page and "\u202e" not in page and "\u001b" not in page
    assert '" onmouseover' not in page and page.count("<script>") == 1
    metrics = (tmp_path / "metrics.prom").read_text()
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    assert list(text_string_to_metric_families(metrics))


def test_runs_share_one_verifying_ssl_context_per_ca_bundle(tmp_path: Path, monkeypatch) -> None:
    """Building a context reads the whole CA bundle; the fleet builds one per bundle, not per target."""
    from jiradoctor.fleet import running
    from jiradoctor.probes import http

    seen: list[object] = []
    original = Runner.run

    async def record(self: Runner):
        seen.append(self.facts.shared.get(running.SSL_CONTEXT_KEY))
        return await original(self)

    built: list[str | None] = []
    real = http.ssl_context
    monkeypatch.setattr(http, "ssl_context", lambda ca, insecure: built.append(ca) or real(ca, insecure))
    monkeypatch.setattr(Runner, "run", record)
    inv = entries('[defaults]\nonly = ["dns"]\n'
                  + "".join(f'[[target]]\nname = "t{i}"\nurl = "https://h{i}.invalid/"\n' for i in range(4)))
    asyncio.run(run_fleet(iter(inv), tmp_path, list(load_checks().checks), compare.Previous.none(),
                          FleetOptions(jobs=2)))
    assert len(seen) == 4 and seen[0] is not None and all(s is seen[0] for s in seen)
    assert built == [None]


def test_previous_reads_the_rows_file_or_else_fleet_json(tmp_path: Path) -> None:
    row = {"name": "a", "status": "fail", "last_success": "2026-01-01T00:00:00+00:00"}
    (tmp_path / "rows.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "targets").mkdir()
    outputs.write_all(tmp_path, None)
    from_rows = compare.Previous.load(tmp_path)
    (tmp_path / "rows.jsonl").unlink()
    from_json = compare.Previous.load(tmp_path)
    assert from_rows.rows == from_json.rows == {"a": compare.Before("fail", "2026-01-01T00:00:00+00:00")}
    assert compare.change(from_rows, "a", "pass", None)["state"] == "fixed"
    assert compare.change(from_rows, "b", "pass", None)["state"] == "new"
    assert compare.change(compare.Previous.none(), "a", "fail", None)["state"] == "none"


def test_a_run_where_jira_never_answered_as_jira_is_never_a_pass() -> None:
    from jiradoctor.fleet.rows import report_row
    from jiradoctor.model import CheckResult, JiraFacts, Report, Status, TargetSummary

    def report(identified: bool | None) -> Report:
        check = CheckResult.from_findings("reachability", "Reachability", [], 0.1)
        return Report("0", TargetSummary("https://sso.example/", "generic", "none",
                                         JiraFacts(identified=identified)), "", 0.1, (check,))

    assert report(True).status == Status.PASS and report_row("a", "u", report(True))["status"] == "pass"
    unseen = report_row("a", "u", report(False))
    assert unseen["status"] == "fail" and unseen["jira_unseen"] is True and "never answered" in unseen["message"]


def test_a_target_that_observed_nothing_fails_the_fail_gate_and_breaks() -> None:
    from jiradoctor.fleet.command import exit_code

    assert exit_code({"statuses": {"skip": 1}}, "fail") == 1 and exit_code({"statuses": {"pass": 2}}, "fail") == 0
    assert exit_code({"statuses": {"skip": 1}}, "never") == 0
    previous = compare.Previous(Path("."), {"a": compare.Before("pass", "2026-01-01T00:00:00+00:00")})
    assert compare.change(previous, "a", "skip", None)["state"] == "broke"
    assert compare.last_success(previous, "a", "skip", "now") == "2026-01-01T00:00:00+00:00"


def test_a_status_that_got_broken_without_a_new_finding_still_broke(tmp_path: Path) -> None:
    """pass -> skip compares to no regression finding (the findings went stale), yet the target broke."""
    from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
    from jiradoctor.reports import json_report

    def report(status: Status) -> Report:
        if status == Status.SKIP:
            check = CheckResult.skipped("auth", "Auth", "not run: needs --user")
        else:
            check = CheckResult.from_findings("auth", "Auth", [Finding("auth/ok", Status.PASS, "ok")], 0.1)
        return Report("0", TargetSummary("https://a/", "generic", "basic", JiraFacts()), "", 0.1, (check,))

    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "a.json").write_text(json_report.render(report(Status.PASS)))
    previous = compare.Previous(tmp_path, {"a": compare.Before("pass", None)})
    assert compare.change(previous, "a", "skip", report(Status.SKIP))["state"] == "broke"
    assert compare.change(previous, "a", "pass", report(Status.PASS))["state"] == "unchanged"
