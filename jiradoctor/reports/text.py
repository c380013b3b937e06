"""The terminal summary: one line per check, then the problems with their first fix."""

from __future__ import annotations

import re

from jiradoctor.model import Report, Status

# C0/C1 control characters (ESC, CR, CSI...) from inputs or servers must not drive the terminal
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)

SYMBOLS = {Status.PASS: "✔", Status.INFO: "ℹ", Status.WARN: "!", Status.FAIL: "✘", Status.ERROR: "✘", Status.SKIP: "-"}


def render(report: Report) -> str:
    lines = [f"jiradoctor {report.tool_version} — {report.target.url or 'offline inputs'} "
             f"({report.target.integration}, auth: {report.target.auth})", ""]
    for check in report.checks:
        summary = check.summary if len(check.summary) <= 90 else check.summary[:89] + "…"
        lines.append(f" {SYMBOLS[check.status]} {check.status.value:<5} {check.id:<15} {summary}")
    problems = [(c, f) for c, f in report.findings() if f.status.rank >= Status.WARN.rank]
    if problems:
        lines += ["", "Problems:"]
        for check, finding in problems:
            lines.append(f"  [{finding.status.value}] {finding.code}: {finding.message}")
            if finding.remediation:
                lines.append(f"      fix: {finding.remediation[0]}")
            for command in finding.commands[:3]:
                for i, part in enumerate(command.splitlines()):
                    lines.append(("      $ " if i == 0 else "        ") + part)
    counts = ", ".join(f"{n} {s}" for s, n in report.counts.items() if n)
    lines += ["", f"Overall: {report.status.value} ({counts}) in {report.duration_s:.2f} s"]
    if report.note:
        lines.append(f"Not healthy: {report.note}.")
    return _printable("\n".join(lines)) + "\n"
