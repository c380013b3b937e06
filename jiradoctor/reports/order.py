"""What to fix first, the same for every renderer: root causes before their consequences.

A check that other checks are ``blocked_by`` is a root cause; among the rest, ``fail`` comes before
``warn`` and the report's own order (network, then URL, then keys, then auth) breaks ties, since
that order follows the path a request takes. Only problems (warn and worse) are listed: an
``info`` such as ``dns/private-address`` about loopback never outranks the real cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiradoctor.model import CheckResult, Finding, Report, Status

# evidence keys whose value is text to paste or a corrected configuration, in the order shown
PASTE_KEYS = ("paste_into_jira", "trust_this_pem", "corrected_connector")
_SHELL = re.compile(r"^\(?[a-z][a-z0-9_.+-]*(\s|$)")


@dataclass(frozen=True)
class Cause:
    """One problem finding, where it sits in the fix order, and what it blocks."""

    check: CheckResult
    finding: Finding
    blocks: tuple[str, ...]

    @property
    def root(self) -> bool:
        return bool(self.blocks)

    @property
    def paste(self) -> list[tuple[str, str]]:
        """(evidence key, text) for the text this finding tells the user to paste."""
        return [(k, self.finding.evidence[k]) for k in PASTE_KEYS
                if isinstance(self.finding.evidence.get(k), str) and self.finding.evidence[k]
                and self.finding.evidence[k] not in self.finding.commands]


def blocked_by_map(report: Report) -> dict[str, tuple[str, ...]]:
    """check id -> the checks it blocks (skipped with ``blocked_by`` naming it)."""
    blocks: dict[str, list[str]] = {}
    for check in report.checks:
        for root in check.blocked_by:
            blocks.setdefault(root, []).append(check.id)
    return {k: tuple(v) for k, v in blocks.items()}


def fix_first(report: Report) -> list[Cause]:
    """Every warn/fail/error finding, root causes first."""
    blocks = blocked_by_map(report)
    index = {c.id: i for i, c in enumerate(report.checks)}
    causes, seen = [], set()
    for c, f in report.findings():
        same = (c.id, f.code, f.message, f.commands, tuple(f.remediation))
        if f.status.rank >= Status.WARN.rank and same not in seen:  # one probe or another: one cause, told once
            seen.add(same)
            causes.append(Cause(c, f, blocks.get(c.id, ())))
    return sorted(causes, key=lambda k: (not k.root, -min(k.finding.status.rank, Status.FAIL.rank), index[k.check.id]))


def order_findings(check: CheckResult) -> list[Finding]:
    """One check's findings, worst first (stable otherwise)."""
    return sorted(check.findings, key=lambda f: -f.status.rank)


def is_shell_command(text: str) -> bool:
    """A command to run (one line, starting with a program name), as opposed to text to paste
    (a PEM block, a <Connector/> element, bare base64): the terminal shows ``$ `` only before commands."""
    return "\n" not in text.strip() and bool(_SHELL.match(text))
