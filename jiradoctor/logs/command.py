"""Read the given logs and support zips once, and build the same Report a doctor run builds.

Each source is streamed (``records.scan``) with the needles of its kind; each matched record is
classified by the catalogue, tallied per cause, and the tallies become findings (``findings``).
ERROR records no signature explains are counted by logger. Reading problems (a binary file, a
decompression bomb, a hostile zip member name, a line of megabytes) are findings of the ``logs``
check, never a crash. The report is scrubbed of every value the redactor masked on the way.
"""

from __future__ import annotations

import datetime as dt
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import replace
from typing import Any, Iterable

from jiradoctor import __version__
from jiradoctor.logs import signatures as sig
from jiradoctor.logs.findings import IntegrationView, Tally, classify, to_finding
from jiradoctor.logs.records import MAX_LINE, Record, ScanStats, Stamp, scan, scan_file
from jiradoctor.logs.redact import LogRedactor
from jiradoctor.logs.sources import DecompressionBomb, LogSource, SourceProblem, find_sources
from jiradoctor.model import CheckResult, Finding, Report, Status, TargetSummary
from jiradoctor.secrets import Redactor

CHECK_TITLES = {
    "logs": "Jira's logs",
    "oauth-signature": "OAuth 1.0a refusals in Jira's log",
    "consumer-key": "Consumer key (from Jira's log)",
    "outgoing-tls": "Jira's outgoing TLS (from its log)",
    "auth": "Logins in Jira's security log",
}
MAX_TALLIES = 200  # distinct causes (users, links, problems) kept; more are counted
MAX_LOGGERS = 10


class Analysis:
    """Tallies across every source of one run."""

    def __init__(self, view: IntegrationView) -> None:
        self.view = view
        self.redactor = LogRedactor()
        self.tallies: dict[tuple[str, str], Tally] = {}
        self.overflow = 0
        self.errors = 0
        self.error_loggers: Counter[str] = Counter()
        self.error_first: Stamp | None = None
        self.error_last: Stamp | None = None
        self.read: list[dict[str, Any]] = []
        self.problems: list[Finding] = []

    def record(self, record: Record, source: LogSource) -> None:
        for signature in sig.CATALOGUE:
            if source.kind not in signature.kinds or signature.needle.decode() not in record.text:
                continue
            found = classify(record, signature)
            if found is None:
                continue
            key, values = found
            tally = self.tallies.get((signature.id, key))
            if tally is None:
                if len(self.tallies) >= MAX_TALLIES:
                    self.overflow += 1
                    return
                tally = self.tallies[(signature.id, key)] = Tally(signature, key)
            tally.add(record, source.label, source.node, self.redactor)
            for name, value in values.items():
                # every value shown is masked as the lines are; base strings keep their structure
                masked = self.redactor.base_string if name == "base_string" else self.redactor.value
                tally.note(name, masked(value) if value else None)
            return
        if record.level in ("ERROR", "FATAL", "SEVERE"):
            self.errors += 1
            logger = record.logger or "(no logger named)"
            if logger in self.error_loggers or len(self.error_loggers) < 50:
                self.error_loggers[logger] += 1
            if record.stamp:
                if self.error_first is None or record.stamp.when < self.error_first.when:
                    self.error_first = record.stamp
                if self.error_last is None or record.stamp.when > self.error_last.when:
                    self.error_last = record.stamp

    def read_source(self, source: LogSource) -> None:
        stats = ScanStats()
        needles = sig.needles_for(source.kind)
        try:
            per_line = source.kind == "access"
            if source.plain_path is not None:
                for record in scan_file(source.plain_path, needles, stats, per_line):
                    self.record(record, source)
            else:
                with source.opener() as stream:
                    for record in scan(stream, needles, stats, per_line):
                        self.record(record, source)
        except DecompressionBomb as exc:
            self.problem(SourceProblem("bomb", source.label, str(exc)))
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            # a truncated gzip, a CRC error, an encrypted member: what was read so far still counts
            self.problem(SourceProblem("unreadable", source.label, f"reading stopped: {type(exc).__name__}: "
                                       f"{str(exc).splitlines()[0][:200] if str(exc) else ''}"))
        if stats.not_text:
            self.problem(SourceProblem("not-text", source.label, "binary data, not a text log; not read"))
        if stats.long_lines:
            self.problems.append(Finding(
                "logs/huge-line", Status.WARN,
                f"{source.label} holds a line of more than {MAX_LINE // 1024} KB: not a normal Jira log line (a "
                f"binary or a mangled file); it was read in pieces and only its first part can be shown.",
                evidence={"file": source.label}, subject=source.label,
            ))
        if stats.skipped_hits:
            self.problems.append(Finding(
                "logs/flood", Status.INFO,
                f"{stats.skipped_hits} more matching lines in {source.label} were counted but not parsed (a flood "
                f"of the same line).",
                evidence={"file": source.label, "not_parsed": stats.skipped_hits}, subject=source.label,
            ))
        if not stats.not_text:
            self.read.append({
                "file": source.label, "kind": source.kind, "node": source.node, "bytes": stats.bytes,
                "from": stats.first.text() if stats.first else None,
                "to": stats.last.text() if stats.last else None,
            })

    def problem(self, p: SourceProblem) -> None:
        codes = {"bomb": "logs/decompression-bomb", "unsafe-name": "logs/unsafe-archive-name",
                 "no-logs": "logs/no-log-files", "not-text": "logs/not-text"}
        code = codes.get(p.kind, "logs/unreadable")
        fix = {
            "logs/decompression-bomb": "Send the logs as they are (a support zip, or the .log/.gz files): this "
            "archive inflates far beyond any real log.",
            "logs/unsafe-archive-name": "Create the support zip again from Jira (Administration > System > "
            "Troubleshooting and support tools > Create support zip).",
            "logs/no-log-files": "Give atlassian-jira.log (and atlassian-jira-security.log, catalina.out) from "
            "Jira's home log folder, or a support zip made by Jira.",
        }.get(code, "Give Jira's log files as written (plain text or .gz) or a support zip.")
        self.problems.append(Finding(code, Status.FAIL if code != "logs/unsafe-archive-name" else Status.WARN,
                                     f"{p.where}: {p.message}.", evidence={"file": p.where},
                                     remediation=(fix,), subject=p.where))

    def logs_findings(self) -> list[Finding]:
        findings = list(self.problems)
        if self.errors:
            top = self.error_loggers.most_common(MAX_LOGGERS)
            findings.append(Finding(
                "logs/unrecognised-errors", Status.INFO,
                f"{self.errors} ERROR record(s) that no known signature explains (counted, not guessed at); most "
                f"from {', '.join(f'{name} ({n})' for name, n in top[:3])}.",
                evidence={"count": self.errors, "by_logger": dict(top),
                          "first_seen": self.error_first.text() if self.error_first else None,
                          "last_seen": self.error_last.text() if self.error_last else None},
                remediation=("Look at these loggers' lines in the log; if one explains a broken connection, send "
                             "the line (redacted) so it can become a signature.",),
                subject="unrecognised-errors",
            ))
        if self.overflow:
            findings.append(Finding("logs/flood", Status.INFO, f"{self.overflow} more matching records name "
                                    f"other causes (users, links) beyond the {MAX_TALLIES} listed.",
                                    evidence={"not_listed": self.overflow}, subject="causes"))
        if self.read:
            size = sum(r["bytes"] for r in self.read)
            matched = sum(t.count for t in self.tallies.values())
            findings.append(Finding(
                "logs/read", Status.PASS,
                f"Read {len(self.read)} log file(s), {_size(size)}; {matched} record(s) match a known signature.",
                evidence={"files": self.read[:100], "files_read": len(self.read), "bytes": size,
                          "signature_matches": matched},
                subject="read",
            ))
        return findings


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def _check_of(code: str) -> str:
    return code.split("/", 1)[0]


def analyse(paths: list[str], view: IntegrationView | None = None, source: str | None = None) -> Report:
    """The report for these files and zips; ``view``: the integration's URL and key (--url, --consumer-key)."""
    view = view or IntegrationView()
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    analysis = Analysis(view)
    sources, problems = find_sources(paths)
    for p in problems:
        analysis.problem(p)
    for s in sources:
        analysis.read_source(s)
    by_check: dict[str, list[Finding]] = {}
    for tally in sorted(analysis.tallies.values(), key=lambda t: (-t.count, t.signature.id, t.key)):
        finding = to_finding(tally, view, analysis.redactor)
        by_check.setdefault(_check_of(finding.code), []).append(finding)
    for finding in analysis.logs_findings():
        by_check.setdefault("logs", []).append(finding)
    return report(by_check, analysis.redactor.c.found, view, time.perf_counter() - t0, started, source)


def report(by_check: dict[str, list[Finding]], masked: Iterable[str], view: IntegrationView, duration_s: float,
           started: dt.datetime, source: str | None) -> Report:
    """Every finding scrubbed of what the redactor masked anywhere (a token seen in one line and
    echoed in another), then grouped into the checks a doctor report has."""
    scrub = Redactor(masked)
    checks = []
    for check_id in sorted(by_check, key=lambda c: (c == "logs", c)):
        safe = [replace(f, message=scrub.text(f.message), evidence=scrub.value(dict(f.evidence)),
                        remediation=tuple(scrub.text(r) for r in f.remediation),
                        subject=scrub.text(f.subject) if f.subject else None) for f in by_check[check_id]]
        checks.append(CheckResult.from_findings(check_id, CHECK_TITLES.get(check_id, check_id), safe))
    return Report(
        tool_version=__version__,
        target=TargetSummary(url=view.url or source, integration="generic", auth="none"),
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(duration_s, 3),
        checks=tuple(checks),
    )
