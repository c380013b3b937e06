"""Baselines: what got worse since a previous report, so CI fails on regressions only.

Findings are matched by (check id, code, subject), never by message text, so a reworded message
or a new timestamp in the evidence is not a change. A regression is a finding at or above the
fail-on level that the baseline did not have or had at a lower status, or a check whose status got
worse.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass

from jiradoctor.model import CheckResult, Finding, Report, Status
from jiradoctor.visible import visible

FindingKey = tuple[str, str, str]


def finding_key(check: CheckResult, finding: Finding) -> FindingKey:
    return (check.id, finding.code, finding.subject or "")


@dataclass(frozen=True)
class Change:
    check_id: str
    code: str | None
    subject: str | None
    old: Status | None
    new: Status | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check_id,
            "code": self.code,
            "subject": self.subject,
            "old": self.old.value if self.old else None,
            "new": self.new.value if self.new else None,
            "message": self.message,
        }


@dataclass(frozen=True)
class Comparison:
    regressions: tuple[Change, ...]
    fixed: tuple[Change, ...]
    stale: tuple[Change, ...]
    unchanged: int

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)

    def to_json(self) -> dict[str, Any]:
        return {
            "regressions": [c.to_json() for c in self.regressions],
            "fixed": [c.to_json() for c in self.fixed],
            "stale": [c.to_json() for c in self.stale],
            "unchanged": self.unchanged,
        }

    def render_text(self) -> str:
        lines = [
            f"Compared with the baseline: {len(self.regressions)} regression(s), {len(self.fixed)} fixed, "
            f"{len(self.stale)} stale, {self.unchanged} unchanged."
        ]
        for title, changes in (
            ("Regressions", self.regressions),
            ("Fixed", self.fixed),
            ("Stale (not checked this time)", self.stale),
        ):
            if changes:
                lines.append(f"{title}:")
                lines += [
                    f"  {_line(c.code or c.check_id)}{' [' + _line(c.subject) + ']' if c.subject else ''}: "
                    f"{c.old.value if c.old else '-'} -> {c.new.value if c.new else '-'}  {_line(c.message)}"
                    for c in changes
                ]
        return "\n".join(lines) + "\n"


def _line(text: str) -> str:
    """Text from the reports on one terminal line: ESC, CR, BEL and bidi overrides shown, never acted on."""
    return visible(" ".join(text.split("\n")), keep="")


LISTED_EVIDENCE = ("missing",)  # evidence lists whose growth is a regression of a known finding


def newly_listed(old: Finding, new: Finding) -> list[str]:
    """Items a known finding lists now that it did not (``missing``: permissions of a project)."""
    grown: list[str] = []
    for name in LISTED_EVIDENCE:
        before, after = old.evidence.get(name), new.evidence.get(name)
        if isinstance(before, list) and isinstance(after, list):
            grown += [f"{name} {item}" for item in after if item not in before]
    return grown


def compare(old: Report, new: Report, threshold: Status = Status.FAIL) -> Comparison:
    old_checks = {c.id: c for c in old.checks}
    new_checks = {c.id: c for c in new.checks}
    old_findings = {finding_key(c, f): f for c, f in old.findings()}
    new_findings = {finding_key(c, f): f for c, f in new.findings()}
    regressions: list[Change] = []
    fixed: list[Change] = []
    stale: list[Change] = []
    for key, finding in new_findings.items():
        if finding.status.rank < threshold.rank:
            continue
        before = old_findings.get(key)
        if before is None:
            regressions.append(Change(key[0], key[1], key[2] or None, None, finding.status, f"new: {finding.message}"))
        elif finding.status.rank > before.status.rank:  # a known finding got worse (its check may already fail)
            regressions.append(
                Change(key[0], key[1], key[2] or None, before.status, finding.status, f"got worse: {finding.message}")
            )
        elif grown := newly_listed(before, finding):  # e.g. a project now misses one permission more
            regressions.append(
                Change(
                    key[0],
                    key[1],
                    key[2] or None,
                    before.status,
                    finding.status,
                    f"now also {', '.join(grown)}: {finding.message}",
                )
            )
    flagged_checks = {c.check_id for c in regressions}
    for check_id, check in new_checks.items():
        old_check = old_checks.get(check_id)
        was = old_check.status if old_check else None
        worse = (
            was is not None
            and was != Status.SKIP
            and check.status.rank > was.rank
            and check.status.rank >= threshold.rank
        )
        if worse and check_id not in flagged_checks:
            regressions.append(Change(check_id, None, None, was, check.status, f"check got worse: {check.summary}"))
    for key, finding in old_findings.items():
        if key in new_findings or finding.status.rank < Status.WARN.rank:
            continue
        now = new_checks.get(key[0])
        change = Change(key[0], key[1], key[2] or None, finding.status, None, finding.message)
        (stale if now is None or now.status == Status.SKIP else fixed).append(change)
    unchanged = len(set(old_findings) & set(new_findings))
    return Comparison(tuple(regressions), tuple(fixed), tuple(stale), unchanged)
