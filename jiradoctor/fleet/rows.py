"""A fleet row: what fleet.json, junit.xml, metrics.prom and index.html say of one target.

Rows are appended to ``DIR/rows.jsonl`` as targets finish (one JSON line each), so memory does
not grow with the fleet; the outputs are written from that file at the end, one pass at a time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from jiradoctor.model import Report

ROWS = "rows.jsonl"
TARGETS = "targets"
MAX_ROW_BYTES = 1024 * 1024


def expiries(report: "Report") -> list[dict[str, str]]:
    """Certificate (tls: the served leaf's not_after) and PAT (pat-expiry: the latest token's) expiry."""
    found: list[dict[str, str]] = []
    for check, finding in report.findings():
        if check.id == "tls" and not any(e["kind"] == "certificate" for e in found):
            chain = finding.evidence.get("chain")
            if isinstance(chain, list) and chain and isinstance(chain[0], dict):
                at = chain[0].get("not_after")
                if isinstance(at, str) and at:
                    found.append({"kind": "certificate", "at": at, "subject": str(chain[0].get("subject") or "")})
        if check.id == "pat-expiry" and not any(e["kind"] == "pat" for e in found):
            tokens = finding.evidence.get("tokens")
            dates = [t["expires"] for t in tokens if isinstance(t, dict) and isinstance(t.get("expires"), str)] \
                if isinstance(tokens, list) else []
            if dates:
                found.append({"kind": "pat", "at": max(dates), "subject": "personal access token"})
    return found


def first_fix(report: "Report") -> dict[str, str] | None:
    from jiradoctor.reports.order import fix_first

    causes = fix_first(report)
    if not causes:
        return None
    cause = causes[0]
    return {"check": cause.check.id, "code": cause.finding.code, "message": cause.finding.message[:500]}


def report_status(report: "Report") -> str:
    """The report's status, except that a run in which Jira never answered as Jira is never a pass
    (the doctor exits 5 for it whatever --fail-on says): ``fail``."""
    status = report.status.value
    return "fail" if report.jira_unseen and status in ("pass", "info", "warn") else status


def report_row(name: str, url: str, report: "Report") -> dict[str, Any]:
    return {
        "name": name,
        "url": report.target.url or url,
        "integration": report.target.integration,
        "status": report_status(report),
        "jira_unseen": report.jira_unseen,
        "counts": report.counts,
        "first_fix": first_fix(report),
        "duration_s": report.duration_s,
        "checks": {c.id: c.status.value for c in report.checks},
        "expires": expiries(report),
        "message": report.note,
    }


def error_row(name: str, url: str, integration: str, message: str, duration_s: float) -> dict[str, Any]:
    """A target whose run could not finish or start: its own error, never the fleet's."""
    return {
        "name": name,
        "url": url,
        "integration": integration,
        "status": "error",
        "jira_unseen": False,
        "counts": {},
        "first_fix": None,
        "duration_s": round(duration_s, 3),
        "checks": {},
        "expires": [],
        "message": message[:2000],
    }


class RowSink:
    """Appends rows to DIR/rows.jsonl, flushed per row (a killed fleet keeps what finished)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ROWS
        self._fh = open(self.path, "w", encoding="utf-8")
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=True, separators=(",", ":"), default=str) + "\n")
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        self._fh.close()


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows one at a time (a line too long or not a JSON object is skipped: not ours)."""
    with open(path, encoding="utf-8") as fh:
        while line := fh.readline(MAX_ROW_BYTES + 1):
            if len(line) > MAX_ROW_BYTES or not line.endswith("\n"):
                continue
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("name"), str):
                yield row


def sorted_offsets(path: Path) -> list[int]:
    """The rows' byte offsets in name order: one int per target held, not the rows."""
    index: list[tuple[str, int]] = []
    with open(path, "rb") as fh:
        offset = 0
        for line in fh:
            try:
                name = json.loads(line).get("name")
            except (ValueError, AttributeError):
                name = None
            if isinstance(name, str):
                index.append((name, offset))
            offset += len(line)
    index.sort()
    return [o for _, o in index]


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
