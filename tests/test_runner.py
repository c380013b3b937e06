"""The runner: concurrency, time limits, crashes, skips, prerequisites, selection, shared probes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest

from jiradoctor.context import CheckContext, Facts
from jiradoctor.model import Finding, Report, Status
from jiradoctor.registry import Check
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.secrets import MASK, Secret
from jiradoctor.target import Target
from tests.conftest import codes, run_checks

TARGET = Target(url="https://jira.example.com", consumer_key="abc")


def make(check_id: str, judge, **kwargs: Any) -> Check:
    return Check(id=check_id, title=f"Check {check_id}", explanation="test check", judge=judge, **kwargs)


def returning(*statuses: Status):
    async def judge(ctx: CheckContext):
        return [Finding(f"x/s{i}", s, f"finding {i}") for i, s in enumerate(statuses)]
    return judge


def result(report: Report, check_id: str):
    return next(c for c in report.checks if c.id == check_id)


def run(checks, target: Target = TARGET, facts: Facts | None = None, **options: Any) -> Report:
    facts = facts or Facts(target, probes={})
    return asyncio.run(Runner(checks, target, RunOptions(**options), facts=facts).run())


# --- concurrency ---------------------------------------------------------------------------------

def test_checks_run_concurrently_handshake() -> None:
    """Each check waits for the other's signal: only concurrent execution lets both pass."""
    events: dict[str, asyncio.Event] = {}  # created lazily, inside the run's event loop

    def waiter(mine: str, theirs: str):
        async def judge(ctx: CheckContext):
            events.setdefault(mine, asyncio.Event()).set()
            await asyncio.wait_for(events.setdefault(theirs, asyncio.Event()).wait(), timeout=5)
            return [Finding(f"{mine}/met", Status.PASS, f"{mine} met {theirs}")]
        return judge

    report = run([make("a", waiter("a", "b")), make("b", waiter("b", "a"))], time_limit_s=10)
    assert [c.status for c in report.checks] == [Status.PASS, Status.PASS]
    assert codes(report) == {"a/met", "b/met"}


def test_sleeping_checks_overlap() -> None:
    spans: dict[str, tuple[float, float]] = {}

    def sleeper(name: str):
        async def judge(ctx: CheckContext):
            start = time.perf_counter()
            await asyncio.sleep(0.3)
            spans[name] = (start, time.perf_counter())
            return []
        return judge

    t0 = time.perf_counter()
    report = run([make("a", sleeper("a")), make("b", sleeper("b"))])
    elapsed = time.perf_counter() - t0
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1, "the two checks did not overlap"
    assert elapsed < 0.6 + 0.5  # sequential would be >= 0.6 plus overhead; generous for slow CI
    assert all(c.status == Status.PASS for c in report.checks)


# --- time limit, crash ---------------------------------------------------------------------------

def test_time_limit_makes_an_error_and_the_run_goes_on() -> None:
    async def slow(ctx: CheckContext):
        await asyncio.sleep(30)
        return []

    report = run([make("slow", slow), make("fast", returning(Status.PASS))], time_limit_s=0.2)
    slow_result = result(report, "slow")
    assert slow_result.status == Status.ERROR
    (finding,) = slow_result.findings
    assert finding.code == "slow/check-error"
    assert "did not finish within 0.2 s" in finding.message
    assert result(report, "fast").status == Status.PASS
    assert report.status == Status.ERROR
    assert report.duration_s < 10


def test_crash_becomes_an_error_with_the_secret_masked() -> None:
    password = "CrashCanary-Pa55w0rd"
    target = Target(url="https://jira.example.com", user="svc", password=Secret(password))

    async def crash(ctx: CheckContext):
        raise RuntimeError(f"login failed for svc:{ctx.target.password.reveal()} at {ctx.target.url}")

    report = run([make("crash", crash), make("fine", returning(Status.WARN))], target=target)
    crashed = result(report, "crash")
    assert crashed.status == Status.ERROR
    (finding,) = crashed.findings
    assert finding.code == "crash/check-error"
    assert "RuntimeError" in finding.message and MASK in finding.message
    assert password not in finding.message
    assert password not in str(report.to_json())
    assert result(report, "fine").status == Status.WARN


def test_secret_in_a_finding_is_redacted() -> None:
    token = "TokenCanary-1234567890"

    async def leaky(ctx: CheckContext):
        return [Finding("leaky/echo", Status.FAIL, f"server said token={token}", evidence={"header": f"Bearer {token}"},
                        remediation=(f"rotate {token}",), commands=(f"curl -H 'Authorization: Bearer {token}'",))]

    report = run([make("leaky", leaky)], target=Target(url="https://j", pat=Secret(token)))
    assert token not in str(report.to_json())
    (finding,) = result(report, "leaky").findings
    assert finding.evidence["header"] == f"Bearer {MASK}"


def test_judge_returning_none_is_an_error_not_a_crashed_run() -> None:
    async def forgot_return(ctx: CheckContext):
        return None

    report = run([make("bad", forgot_return), make("good", returning(Status.PASS))])
    assert result(report, "bad").status == Status.ERROR
    assert result(report, "good").status == Status.PASS


# --- skips ---------------------------------------------------------------------------------------

def test_missing_inputs_skip_with_a_reason() -> None:
    report = run([make("xml", returning(Status.FAIL), inputs_any=("server_xml", "base_url"))],
                 target=Target(url="https://jira.example.com"))
    (skipped,) = report.checks
    assert skipped.status == Status.SKIP
    assert "--server-xml" in skipped.skip_reason and "--base-url" in skipped.skip_reason
    assert skipped.findings == () and skipped.blocked_by == ()


def test_one_given_input_is_enough() -> None:
    report = run([make("xml", returning(Status.WARN), inputs_any=("server_xml", "url"))])
    assert report.checks[0].status == Status.WARN


@pytest.mark.parametrize("first", [Status.FAIL, Status.ERROR])
def test_failed_prerequisite_blocks_with_blocked_by(first: Status) -> None:
    report = run([make("dns", returning(first)), make("tls", returning(Status.PASS), after=("dns",)),
                  make("auth", returning(Status.PASS), after=("tls",))])
    tls = result(report, "tls")
    assert tls.status == Status.SKIP
    assert tls.blocked_by == ("dns",)
    assert "dns" in tls.skip_reason
    # blocking passes down: auth would otherwise run against what tls could not reach
    assert result(report, "auth").status == Status.SKIP
    assert result(report, "auth").blocked_by == ("tls",)


@pytest.mark.parametrize("first", [Status.PASS, Status.WARN, Status.INFO])
def test_passing_prerequisite_lets_the_check_run(first: Status) -> None:
    report = run([make("dns", returning(first)), make("tls", returning(Status.FAIL), after=("dns",))])
    assert result(report, "tls").status == Status.FAIL


def test_prerequisite_finishes_before_the_dependent_starts() -> None:
    order: list[str] = []

    async def slow_dns(ctx: CheckContext):
        await asyncio.sleep(0.05)
        order.append("dns")
        return []

    async def tls(ctx: CheckContext):
        order.append("tls")
        return []

    run([make("tls", tls, after=("dns",)), make("dns", slow_dns)])
    assert order == ["dns", "tls"]


def test_unselected_prerequisite_is_ignored() -> None:
    report = run([make("dns", returning(Status.FAIL)), make("tls", returning(Status.PASS), after=("dns",))],
                 only=("tls",))
    assert [c.id for c in report.checks] == ["tls"]
    assert report.checks[0].status == Status.PASS


CYCLE_SCRIPT = """
import asyncio, os, sys
from jiradoctor.context import Facts
from jiradoctor.model import Finding, Status
from jiradoctor.registry import Check
from jiradoctor.runner import Runner
from jiradoctor.target import Target

async def judge(ctx):
    return [Finding("x/ok", Status.PASS, "ok")]

checks = [Check("a", "A", "x", judge, after=("b",)), Check("b", "B", "x", judge, after=("a",)),
          Check("c", "C", "x", judge, after=("c",))]
target = Target(url="https://jira.example.com")

async def main():
    task = asyncio.ensure_future(Runner(checks, target, facts=Facts(target, probes={})).run())
    done, _ = await asyncio.wait({task}, timeout=1)
    if not done:
        print("deadlocked", flush=True)
        os._exit(1)  # the gather cycle cannot even be cancelled cleanly
    print(sorted((c.id, c.status.value) for c in task.result().checks), flush=True)

asyncio.run(main())
"""


def test_dependency_cycle_does_not_hang() -> None:
    # in a subprocess: a deadlocked gather cycle cannot be cancelled and would linger in this process
    proc = subprocess.run([sys.executable, "-c", CYCLE_SCRIPT], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[('a', 'skip'), ('b', 'skip'), ('c', 'skip')]" in proc.stdout


def test_live_check_is_skipped_offline() -> None:
    report = run([make("tls", returning(Status.FAIL), live=True), make("keys", returning(Status.PASS))],
                 target=Target(url="https://jira.example.com", offline=True))
    tls = result(report, "tls")
    assert tls.status == Status.SKIP and "--offline" in tls.skip_reason
    assert result(report, "keys").status == Status.PASS


def test_live_check_runs_online() -> None:
    assert run([make("tls", returning(Status.FAIL), live=True)]).checks[0].status == Status.FAIL


def test_fact_needing_the_network_offline_is_a_skip() -> None:
    async def needs_probe(ctx: CheckContext):
        await ctx.fact("server_info")
        return [Finding("p/x", Status.FAIL, "unreachable")]

    async def probe(facts: Facts):
        raise AssertionError("a probe must not run offline")

    target = Target(url="https://jira.example.com", offline=True)
    report = run([make("p", needs_probe, facts=("server_info",))], target=target,
                 facts=Facts(target, probes={"server_info": probe}))
    assert report.checks[0].status == Status.SKIP
    assert "offline" in report.checks[0].skip_reason


# --- selection -----------------------------------------------------------------------------------

def test_only_and_skip_select_checks() -> None:
    checks = [make(i, returning(Status.PASS)) for i in ("a", "b", "c")]
    assert [c.id for c in run(checks, only=("a", "c")).checks] == ["a", "c"]
    assert [c.id for c in run(checks, skip=("b",)).checks] == ["a", "c"]
    assert [c.id for c in run(checks, only=("a", "b"), skip=("a",)).checks] == ["b"]


def test_report_is_ordered_by_order_then_id() -> None:
    checks = [make("z", returning(), order=1), make("b", returning(), order=50), make("a", returning(), order=50)]
    assert [c.id for c in run(checks).checks] == ["z", "a", "b"]


# --- probes --------------------------------------------------------------------------------------

def test_shared_probe_runs_once_for_two_checks() -> None:
    calls: list[float] = []

    async def counting_probe(facts: Facts):
        calls.append(time.perf_counter())
        await asyncio.sleep(0.05)
        return {"version": "9.12.0"}

    def reader(name: str):
        async def judge(ctx: CheckContext):
            info = await ctx.fact("server_info")
            return [Finding(f"{name}/saw", Status.PASS, f"saw {info['version']}")]
        return judge

    facts = Facts(TARGET, probes={"server_info": counting_probe})
    report = run([make(n, reader(n), facts=("server_info",)) for n in ("a", "b", "c")], facts=facts)
    assert len(calls) == 1
    assert codes(report) == {"a/saw", "b/saw", "c/saw"}


def test_failing_probe_runs_once_and_errors_each_reader() -> None:
    calls = []

    async def broken_probe(facts: Facts):
        calls.append(1)
        raise ConnectionError("jira.example.com refused")

    async def judge(ctx: CheckContext):
        await ctx.fact("server_info")
        return []

    facts = Facts(TARGET, probes={"server_info": broken_probe})
    report = run([make("a", judge, facts=("server_info",)), make("b", judge, facts=("server_info",))], facts=facts)
    assert len(calls) == 1
    assert [c.status for c in report.checks] == [Status.ERROR, Status.ERROR]
    assert all("ConnectionError" in c.findings[0].message for c in report.checks)


def test_preset_facts_are_used_and_reach_the_report_header() -> None:
    class Info:
        deployment, version, base_url = "Server", "9.12.0", "https://jira.example.com"

    async def judge(ctx: CheckContext):
        assert (await ctx.fact("server_info")).version == "9.12.0"
        return []

    report = run_checks([make("a", judge, facts=("server_info",))], TARGET, preset={"server_info": Info()})
    assert report.checks[0].status == Status.PASS
    assert report.target.jira.deployment == "Server"
    assert report.target.jira.version == "9.12.0"
    assert report.target.jira.base_url == "https://jira.example.com"


def test_unknown_fact_is_an_error() -> None:
    async def judge(ctx: CheckContext):
        await ctx.fact("nope")
        return []

    (check,) = run([make("a", judge, facts=("nope",))]).checks
    assert check.status == Status.ERROR and "UnknownFact" in check.findings[0].message


def test_a_fact_the_check_does_not_declare_is_refused_as_a_check_error() -> None:
    """What a check reads must show in its metadata (--offline, prefetch and time limits plan by it)."""
    asked = []

    async def probe(facts: Facts):
        asked.append(1)
        return {"version": "9.12.0"}

    async def judge(ctx: CheckContext):
        await ctx.fact("server_info")
        return [Finding("a/saw", Status.PASS, "saw it")]

    facts = Facts(TARGET, probes={"server_info": probe})
    undeclared, declared, read = run([make("a", judge), make("b", judge, facts=("server_info",)),
                                      make("c", judge, reads=("server_info",))], facts=facts).checks
    assert undeclared.status == Status.ERROR and "UndeclaredFact" in undeclared.findings[0].message
    assert "'server_info'" in undeclared.findings[0].message
    assert declared.status == Status.PASS and read.status == Status.PASS
    assert asked == [1]


def test_every_builtin_check_asks_only_for_facts_that_exist() -> None:
    """Each declared fact names a probe's typed key (jiradoctor.probes), so a typo cannot hide."""
    from jiradoctor.probes import PROBES
    from jiradoctor.registry import builtin_checks

    for check in builtin_checks():
        assert check.declared_facts <= set(PROBES), (check.id, sorted(check.declared_facts - set(PROBES)))


def test_progress_is_called_once_per_check() -> None:
    seen = []
    checks = [make(i, returning(Status.PASS)) for i in ("a", "b")]
    asyncio.run(Runner(checks, TARGET, facts=Facts(TARGET, probes={}), progress=seen.append).run())
    assert sorted(r.id for r in seen) == ["a", "b"]


def test_report_summary_and_target() -> None:
    report = run([make("a", returning(Status.WARN)), make("b", returning(Status.INFO)),
                  make("c", returning(Status.PASS), inputs_any=("server_xml",))])
    assert report.counts == {"pass": 1, "info": 0, "warn": 1, "fail": 0, "error": 0, "skip": 1}
    assert report.status == Status.WARN
    assert report.target.url == "https://jira.example.com" and report.target.auth == "none"
    assert result(report, "b").status == Status.PASS  # info alone is a pass


def test_a_nonblocking_failure_does_not_skip_the_checks_after_it() -> None:
    # dns/private-address style: the prerequisite fails for the integration, not for this machine
    checks = [make("net", returning(Status.FAIL), nonblocking_codes=("x/s0",)),
              make("live", returning(Status.PASS), after=("net",))]
    report = run(checks)
    assert result(report, "net").status == Status.FAIL
    assert result(report, "live").status == Status.PASS


def test_a_blocking_failure_beside_a_nonblocking_one_still_blocks() -> None:
    checks = [make("net", returning(Status.FAIL, Status.FAIL), nonblocking_codes=("x/s0",)),
              make("live", returning(Status.PASS), after=("net",))]
    report = run(checks)
    assert result(report, "live").status == Status.SKIP
    assert result(report, "live").blocked_by == ("net",)


def test_blocking_passes_down_a_chain() -> None:
    checks = [make("dns", returning(Status.FAIL)), make("auth", returning(Status.PASS), after=("dns",)),
              make("permissions", returning(Status.PASS), after=("auth",))]
    report = run(checks)
    assert result(report, "auth").blocked_by == ("dns",)
    assert result(report, "permissions").status == Status.SKIP
    assert result(report, "permissions").blocked_by == ("auth",)


def test_a_prerequisite_skipped_for_missing_inputs_does_not_block() -> None:
    checks = [make("keys", returning(Status.FAIL), inputs_any=("public_key",)),
              make("live", returning(Status.PASS), after=("keys",))]
    report = run(checks)
    assert result(report, "keys").status == Status.SKIP
    assert result(report, "live").status == Status.PASS


def test_a_chained_skip_names_the_root_cause() -> None:
    checks = [make("dns", returning(Status.FAIL)), make("auth", returning(Status.PASS), after=("dns",)),
              make("permissions", returning(Status.PASS), after=("auth",))]
    permissions = result(run(checks), "permissions")
    assert permissions.skip_reason.startswith("blocked: dns failed first")
