"""Each target against the previous run, with the logic of ``jiradoctor diff`` (reports/baseline.py).

A target *broke* when its report has a regression at fail level (a new failing finding, a finding
or check that got worse), or when it now ends in an error (a hang, a crash) after a run that did
not; it is *fixed* when it failed before and does not now; *still broken* when it fails as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from jiradoctor.model import Report

BROKEN = ("fail", "error", "skip")  # skip: nothing was observed, never a working connection
MAX_LISTED = 20
MAX_PREVIOUS_FLEET_BYTES = 512 * 1024 * 1024
MAX_REPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Before:
    """What the previous run said of one target (kept small: one per target)."""

    status: str
    last_success: str | None


class Previous:
    """A previous fleet's directory: its row per target (status, last success) and its reports."""

    def __init__(self, folder: Path | None, rows: Mapping[str, Before]) -> None:
        self.folder = folder
        self.rows = rows

    @classmethod
    def none(cls) -> "Previous":
        return cls(None, {})

    @classmethod
    def load(cls, folder: Path) -> "Previous":
        """From the rows file, streamed (a row at a time); else from fleet.json, parsed within bounds."""
        from jiradoctor.fleet import rows as fleet_rows

        path = folder / fleet_rows.ROWS
        if not path.is_file():
            return cls.load_fleet_json(folder)
        found: dict[str, Before] = {}
        for row in fleet_rows.read_rows(path):
            last = row.get("last_success")
            found[row["name"]] = Before(str(row.get("status")), last if isinstance(last, str) else None)
        return cls(folder, found)

    @classmethod
    def load_fleet_json(cls, folder: Path) -> "Previous":
        from jiradoctor.net import bounded_json

        path = folder / "fleet.json"
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PREVIOUS_FLEET_BYTES + 1)
        data = bounded_json.loads(raw, max_depth=64, max_size=MAX_PREVIOUS_FLEET_BYTES, what=str(path))
        targets = data.get("targets") if isinstance(data, dict) else None
        if not isinstance(targets, list):
            raise ValueError(f"{path}: not a fleet.json (no targets list)")
        rows: dict[str, Before] = {}
        for row in targets:
            if isinstance(row, dict) and isinstance(row.get("name"), str) and isinstance(row.get("status"), str):
                last = row.get("last_success")
                rows[row["name"]] = Before(row["status"], last if isinstance(last, str) else None)
        return cls(folder, rows)

    def report(self, name: str) -> "Report | None":
        """The previous run's report of this target, when it wrote a readable one."""
        if self.folder is None:
            return None
        from jiradoctor.reports import json_report

        path = self.folder / "targets" / f"{name}.json"
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_REPORT_BYTES + 1)
            if len(raw) > MAX_REPORT_BYTES:
                return None
            return json_report.load(raw.decode("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def change(previous: Previous, name: str, status: str, report: "Report | None") -> dict[str, Any]:
    """The ``change`` of a fleet row: state and, from the reports, the finding codes that moved."""
    before = previous.rows.get(name)
    if before is None:
        return {"state": "new" if previous.folder is not None else "none", "regressions": [], "fixed": []}
    regressions: list[str] = []
    fixed: list[str] = []
    old = previous.report(name)
    if old is not None and report is not None:
        from jiradoctor.model import Status
        from jiradoctor.reports import baseline

        comparison = baseline.compare(old, report, Status.FAIL)
        regressions = sorted({c.code or c.check_id for c in comparison.regressions})
        fixed = sorted({c.code or c.check_id for c in comparison.fixed})
    if not regressions and status in BROKEN and before.status not in BROKEN:  # e.g. now skipped, or Jira unseen
        regressions = [f"status {before.status} -> {status}"]
    if regressions:
        state = "broke"
    elif status in BROKEN:
        state = "still-broken"
    elif before.status in BROKEN:
        state = "fixed"
    else:
        state = "unchanged"
    return {"state": state, "regressions": regressions[:MAX_LISTED], "fixed": fixed[:MAX_LISTED]}


def last_success(previous: Previous, name: str, status: str, finished_at: str) -> str | None:
    """When the target last ran without a failure: now, or what the previous run carried."""
    if status not in BROKEN:
        return finished_at
    before = previous.rows.get(name)
    return before.last_success if before else None
