"""Runs checks concurrently, in dependency order, each under a time limit.

A crash or a timeout becomes that check's ``error`` result (flutter doctor's rule: a validator
that raises is a result, not an aborted run); missing inputs make it ``skip``; a failed
prerequisite makes it ``skip`` with ``blocked_by`` so the report shows the root cause once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

from jiradoctor import __version__
from jiradoctor.context import CheckContext, Facts, OfflineError
from jiradoctor.model import CheckResult, Finding, JiraFacts, NotObserved, Report, Status, TargetSummary
from jiradoctor.registry import Check
from jiradoctor.secrets import Redactor
from jiradoctor.shell_commands import curl_like_the_run
from jiradoctor.target import Target, describe_inputs

DEFAULT_CHECK_TIME_LIMIT_S = 60.0
SEQUENTIAL_REQUESTS = 8  # serverInfo follows up to 5 redirects; auth may retry once
_BLOCKING = (Status.FAIL, Status.ERROR)

ProgressFn = Callable[[CheckResult], None]


@dataclass(frozen=True)
class RunOptions:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    time_limit_s: float | None = None
    deep: bool = False  # also the checks that cost more requests (Check.deep)


def select_checks(checks: Iterable[Check], options: RunOptions) -> list[Check]:
    """The checks a doctor run judges: ``--only``/``--skip`` applied, and never a check that only
    declares the codes another command reports (``logs``: a doctor run reads no logs)."""
    chosen = [
        c
        for c in checks
        if c.in_doctor_run and (not options.only or c.id in options.only) and c.id not in options.skip
    ]
    return chosen


def find_cycles(checks: Iterable[Check]) -> dict[str, str]:
    """Checks whose ``after`` chain leads back to themselves, each with the cycle as text.

    Such checks would wait on each other forever; they are skipped instead.
    """
    after = {c.id: [*c.after, *c.waits_for] for c in checks}
    cyclic: dict[str, str] = {}
    for start in after:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for dep in after.get(node, ()):
                if dep == start:
                    cyclic[start] = " -> ".join(path + [start])
                    stack.clear()
                    break
                if dep in after and dep not in seen:
                    seen.add(dep)
                    stack.append((dep, path + [dep]))
    return cyclic


def deep_left_out(check: Check, options: RunOptions) -> str | None:
    """Why a deep check does not run in this run (None when it does)."""
    if not check.deep or options.deep or check.id in options.only:
        return None
    cost = f": it sends {check.deep_cost}" if check.deep_cost else ""
    return f"not run: a deep check{cost}; add --deep (or --only {check.id}) to run it"


def time_limit_for(check: Check, target: Target, options: RunOptions) -> float:
    if options.time_limit_s is not None:
        return options.time_limit_s
    # a check with facts may wait for a chain of requests (redirects, a retry), each bounded by
    # fetch's budget of twice --timeout plus a second: allow SEQUENTIAL_REQUESTS of them
    if check.live or check.facts:
        return max(DEFAULT_CHECK_TIME_LIMIT_S, (target.timeout * 2 + 1) * SEQUENTIAL_REQUESTS)
    return DEFAULT_CHECK_TIME_LIMIT_S


def redact_finding(finding: Finding, redactor: Redactor) -> Finding:
    """Always, also in a run with no secret input: the redactor masks URL userinfo and Authorization
    values wherever they sit, and secrets the run's files carry (a proxy config's headers)."""
    return Finding(
        code=finding.code,
        status=finding.status,
        message=redactor.text(finding.message),
        evidence=redactor.value(dict(finding.evidence)),
        remediation=tuple(redactor.text(r) for r in finding.remediation),
        commands=tuple(redactor.text(c) for c in finding.commands),
        docs=finding.docs,
        subject=redactor.text(finding.subject) if finding.subject else None,
    )


CHECK_ERROR_SUFFIX = "/check-error"


def error_result(check: Check, message: str, redactor: Redactor, duration_s: float) -> CheckResult:
    finding = Finding(
        code=f"{check.id}{CHECK_ERROR_SUFFIX}",
        status=Status.ERROR,
        message=redactor.text(message),
        remediation=(
            "This is a fault in jiradoctor or in the check's plugin, not in Jira: please report it with this "
            "report attached.",
        ),
    )
    return CheckResult.from_findings(check.id, check.title, [finding], duration_s)


class Runner:
    def __init__(
        self,
        checks: Iterable[Check],
        target: Target,
        options: RunOptions = RunOptions(),
        facts: Facts | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.checks = select_checks(checks, options)
        self.target = target
        self.options = options
        if facts is None:
            from jiradoctor.probes import LazyProbes  # the probe table: each module imported on first use

            facts = Facts(target, LazyProbes())
        self.facts = facts
        self.progress = progress
        self._roots: dict[str, tuple[str, ...]] = {}  # blocked check -> the failed checks behind it
        self._now = datetime.now(timezone.utc)  # reset when the run starts; what every check sees as now

    async def run(self) -> Report:
        started = self._now = datetime.now(timezone.utc)
        t0 = time.perf_counter()
        by_id = {c.id: c for c in self.checks}
        tasks: dict[str, asyncio.Task[CheckResult]] = {}

        cyclic = find_cycles(self.checks)

        async def run_one(check: Check) -> CheckResult:
            if check.id in cyclic:
                return CheckResult.skipped(
                    check.id, check.title, f"not run: prerequisites form a cycle: {cyclic[check.id]}"
                )
            prerequisites = [tasks[dep] for dep in check.after if dep in tasks and dep not in cyclic]
            # waited for, never blocking (the ids are checked against cycles with ``after``'s)
            prerequisites += [tasks[dep] for dep in check.waits_for if dep in tasks and dep not in cyclic]
            if prerequisites:
                await asyncio.gather(*prerequisites)
            result = await self._run_check(
                check, {dep: tasks[dep].result() for dep in check.after if dep in tasks and dep not in cyclic}
            )
            if self.progress:
                self.progress(result)
            return result

        try:
            self.facts.expected = self._expected_facts()
            self._prefetch()
            for check in self.checks:
                tasks[check.id] = asyncio.ensure_future(run_one(check))
            results = await asyncio.gather(*tasks.values())
        finally:
            await self.facts.aclose()
        ordered = sorted(results, key=lambda r: (by_id[r.id].order, r.id))
        return Report(
            tool_version=__version__,
            target=TargetSummary(
                url=self.facts.redactor.text(self.target.url) if self.target.url else None,
                integration=self.target.integration,
                auth=self.target.auth,
                jira=await self._jira_facts(),
            ),
            started_at=started.isoformat(timespec="seconds"),
            duration_s=round(time.perf_counter() - t0, 3),
            checks=tuple(ordered),
        )

    async def _run_check(self, check: Check, prerequisites: Mapping[str, CheckResult]) -> CheckResult:
        blocked = [dep for dep, result in prerequisites.items() if self._blocks(result)]
        if blocked:
            # name the failed checks at the top of the chain, not the skipped ones in between
            roots = sorted({root for dep in blocked for root in self._roots.get(dep, (dep,))})
            self._roots[check.id] = tuple(roots)
            return CheckResult.skipped(
                check.id, check.title, f"blocked: {', '.join(roots)} failed first; fix that and run again", blocked
            )
        missing = deep_left_out(check, self.options) or self._missing_inputs(check)
        if missing:
            return CheckResult.skipped(check.id, check.title, missing)
        if check.live and self.target.offline:
            return CheckResult.skipped(check.id, check.title, "not run: needs the network (--offline)")
        redactor = self.facts.redactor
        t0 = time.perf_counter()
        limit = time_limit_for(check, self.target, self.options)
        try:
            context = CheckContext(self.facts, declared=check.declared_facts, now=self._now)
            findings = await asyncio.wait_for(check.judge(context), timeout=limit)
            if not isinstance(findings, (list, tuple)) or not all(isinstance(f, Finding) for f in findings):
                raise TypeError(f"the check returned {type(findings).__name__}, not a list of findings")
            cleaned = [redact_finding(curl_like_the_run(f, self.target), redactor) for f in findings]
            return CheckResult.from_findings(check.id, check.title, cleaned, time.perf_counter() - t0)
        except asyncio.TimeoutError:
            return error_result(
                check, f"the check did not finish within {limit:g} s", redactor, time.perf_counter() - t0
            )
        except OfflineError as exc:
            return CheckResult.skipped(check.id, check.title, f"not run: {exc}")
        except NotObserved as exc:
            behind = tuple(r for r in exc.blocked_by if r != check.id)
            if behind:
                self._roots[check.id] = behind
            reason = redactor.text(exc.reason)
            return CheckResult.skipped(check.id, check.title, f"not observed: {reason}", behind)
        except Exception as exc:
            return error_result(
                check, f"the check crashed: {type(exc).__name__}: {exc}", redactor, time.perf_counter() - t0
            )

    def _expected_facts(self) -> frozenset[str]:
        """The facts the checks that can run declare: what probes may count on being asked for."""
        if self.target.offline:
            return frozenset()
        return frozenset(name for check in self.checks
                         if self._missing_inputs(check) is None and deep_left_out(check, self.options) is None
                         for name in check.declared_facts)

    def _prefetch(self) -> None:
        """Start the facts of prefetch checks now, so their round trips overlap the prerequisites'."""
        if self.target.offline:
            return
        for check in self.checks:
            if check.prefetch and self._missing_inputs(check) is None and not deep_left_out(check, self.options):
                for name in check.facts:
                    if self.facts.gathered_by_probe(name):
                        self.facts.start(name)

    def _missing_inputs(self, check: Check) -> str | None:
        """Why the check cannot run with the given inputs, or None."""
        if check.inputs_any and not any(self.target.given(name) for name in check.inputs_any):
            return f"not run: needs {describe_inputs(check.inputs_any)}"
        missing = [name for name in check.inputs_all if not self.target.given(name)]
        if missing:
            return f"not run: needs {describe_inputs(tuple(missing), ' and ')}"
        return None

    def _blocks(self, result: CheckResult) -> bool:
        """A failed prerequisite blocks, unless every failing finding is one its check marks
        non-blocking; so does a prerequisite that was itself blocked (the cause is further up)."""
        if result.status == Status.SKIP:
            return bool(result.blocked_by)
        if result.status not in _BLOCKING:
            return False
        check = next((c for c in self.checks if c.id == result.id), None)
        exempt = set(check.nonblocking_codes) if check else set()
        return any(f.status in _BLOCKING and f.code not in exempt for f in result.findings) or not result.findings

    async def _jira_facts(self) -> JiraFacts:
        """Jira's identity for the report header, when a probe already fetched it."""
        info: Any = self.facts.peek("server_info")
        seen = self.facts.jira_seen
        identified = True if seen else False if self.facts.asked_jira else None
        by = self.facts.redactor.text(seen) if seen else None
        if info is None:
            return JiraFacts(identified=identified, identified_by=by)
        return JiraFacts(
            deployment=getattr(info, "deployment", None),
            version=getattr(info, "version", None),
            base_url=getattr(info, "base_url", None),
            identified=identified,
            identified_by=by,
        )
