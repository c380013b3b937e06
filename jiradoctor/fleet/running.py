"""Targets run concurrently in one process and one event loop, each result streamed to disk.

A bounded pool of ``jobs`` workers pulls targets from one iterator (no task per target is created
ahead, no report is held after it is written); at most ``per_host`` targets run against one host
at a time; each target has its own Facts and Runner and a deadline. A crash, a hang or a hostile
answer ends as that target's ``error`` row, with its message redacted; never as the fleet's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from jiradoctor.fleet import compare, rows
from jiradoctor.fleet.build import make_target
from jiradoctor.fleet.inventory import TargetEntry, TargetProblem
from jiradoctor.registry import Check

CANCEL_GRACE_S = 5.0  # after the deadline, how long a cancelled run may take to unwind
# the key under which a run's probes keep their verifying SSL context (jiradoctor/probes/http.py)
SSL_CONTEXT_KEY = "ssl_context:verify"
MAX_SSL_CONTEXTS = 64


@dataclass(frozen=True)
class FleetOptions:
    jobs: int = 8
    per_host: int = 2
    target_timeout_s: float = 300.0


@dataclass
class Tally:
    statuses: Counter[str]
    broke: int = 0
    total: int = 0


def host_key(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    except ValueError:
        return url


class SSLContexts:
    """One verifying SSL context per CA bundle, shared by the fleet's runs: building one reads the
    whole bundle (~30 ms of CPU, the largest cost of a target on loopback); a context holds only
    settings, so runs can share it as one run's clients already do."""

    def __init__(self) -> None:
        self._contexts: dict[str, Any] = {}

    def seed(self, facts: Any) -> None:
        from jiradoctor.probes.http import ssl_context

        key = facts.target.ca_bundle or ""
        if key not in self._contexts:
            if len(self._contexts) >= MAX_SSL_CONTEXTS:
                self._contexts.clear()
            self._contexts[key] = ssl_context(facts.target.ca_bundle, False)
        facts.shared[SSL_CONTEXT_KEY] = self._contexts[key]


class HostSlots:
    """At most ``limit`` runs per host at once; a host's semaphore is dropped when nobody holds it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    async def acquire(self, host: str) -> None:
        sem, users = self._slots.get(host, (asyncio.Semaphore(self.limit), 0))
        self._slots[host] = (sem, users + 1)
        await sem.acquire()

    def release(self, host: str) -> None:
        sem, users = self._slots[host]
        sem.release()
        if users <= 1:
            del self._slots[host]
        else:
            self._slots[host] = (sem, users - 1)


def write_report(folder: Path, name: str, text: str | None) -> None:
    path = folder / rows.TARGETS / f"{name}.json"
    if text is None:
        path.unlink(missing_ok=True)  # a stale report from an earlier run in this directory is not this run's
    else:
        rows.write_atomic(path, text)


async def run_target(
    entry: TargetEntry,
    checks: list[Check],
    options: FleetOptions,
    environ: Mapping[str, str],
    known: frozenset[str],
    contexts: SSLContexts | None = None,
) -> tuple[dict[str, Any], Any]:
    """(row, report or None) for one target; never raises for the target's own faults."""
    from jiradoctor.context import Facts
    from jiradoctor.probes import LazyProbes
    from jiradoctor.runner import Runner

    t0 = time.perf_counter()
    integration = str(entry.params.get("integration") or "generic")
    try:
        target, run_options = make_target(entry, environ, known)
    except TargetProblem as exc:
        return rows.error_row(entry.name, entry.url, integration, f"cannot run: {exc}", time.perf_counter() - t0), None
    facts = Facts(target, LazyProbes())
    if contexts is not None and not target.offline:
        with contextlib.suppress(OSError, ValueError):  # an unreadable CA bundle: the run's probes will say so
            contexts.seed(facts)
    task = asyncio.ensure_future(Runner(checks, target, run_options, facts=facts).run())
    try:
        done, _ = await asyncio.wait({task}, timeout=options.target_timeout_s)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_GRACE_S)
        message = f"did not finish within {options.target_timeout_s:g} s (--target-timeout)"
        return rows.error_row(entry.name, entry.url, integration, message, time.perf_counter() - t0), None
    try:
        report = task.result()
    except Exception as exc:  # the runner itself failed for this target: its error, redacted
        message = facts.redactor.text(f"jiradoctor failed on this target: {type(exc).__name__}: {exc}")
        return rows.error_row(entry.name, entry.url, integration, message, time.perf_counter() - t0), None
    return rows.report_row(entry.name, entry.url, report), report


async def run_fleet(
    entries: Iterable[TargetEntry],
    folder: Path,
    checks: list[Check],
    previous: compare.Previous,
    options: FleetOptions,
    environ: Mapping[str, str] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> Tally:
    """Run every entry; DIR/targets/NAME.json and DIR/rows.jsonl are written as each finishes."""
    from jiradoctor.reports import json_report
    from jiradoctor.reports.junit import render as junit_render

    from jiradoctor.fleet.junit import suite_fragment, error_fragment

    env = dict(os.environ if environ is None else environ)
    known = frozenset(c.id for c in checks)
    (folder / rows.TARGETS).mkdir(parents=True, exist_ok=True)
    sink = rows.RowSink(folder)
    slots = HostSlots(options.per_host)
    contexts = SSLContexts()
    tally = Tally(Counter())
    pending = iter(entries)

    async def worker() -> None:
        for entry in pending:  # one shared iterator: each entry goes to one worker
            host = host_key(entry.url)
            await slots.acquire(host)
            try:
                row, report = await run_target(entry, checks, options, env, known, contexts)
            finally:
                slots.release(host)
            finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
            row["finished_at"] = finished
            try:
                row["change"] = compare.change(previous, entry.name, row["status"], report)
            except Exception:  # a previous report that reads but cannot be compared: judge by status alone
                row["change"] = compare.change(previous, entry.name, row["status"], None)
            row["last_success"] = compare.last_success(previous, entry.name, row["status"], finished)
            write_report(folder, entry.name, json_report.render(report) if report is not None else None)
            fragment = (suite_fragment(entry.name, junit_render(report)) if report is not None
                        else error_fragment(entry.name, row["message"] or "error"))
            rows.write_atomic(folder / rows.TARGETS / f"{entry.name}.junit.xml", fragment)
            sink.write(row)
            tally.total += 1
            tally.statuses[row["status"]] += 1
            tally.broke += row["change"]["state"] == "broke"
            if on_row is not None:
                on_row(row)
            del report, row

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, options.jobs))))
    finally:
        sink.close()
    return tally
