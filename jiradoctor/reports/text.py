"""The terminal summary: what to fix first (with the exact text to paste), then one line per check.

Colour only when asked (the CLI asks on a TTY without ``NO_COLOR``); text from outside goes
through :func:`jiradoctor.visible.visible`, so ESC, CR and bidi overrides cannot drive the terminal.
"""

from __future__ import annotations

from jiradoctor.model import Report, Status
from jiradoctor.reports.order import fix_first, is_shell_command
from jiradoctor.visible import visible

SYMBOLS = {Status.PASS: "✔", Status.INFO: "ℹ", Status.WARN: "!", Status.FAIL: "✘", Status.ERROR: "✘", Status.SKIP: "-"}
_SGR = {
    Status.PASS: "32",
    Status.INFO: "34",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.ERROR: "1;31",
    Status.SKIP: "2",
}


def _v(text: str) -> str:
    return visible(text, keep="\n")


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def status(self, status: Status, text: str) -> str:
        return f"\x1b[{_SGR[status]}m{text}\x1b[0m" if self.colour else text

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if self.colour else text


def _block(text: str, indent: str) -> list[str]:
    return [indent + line for line in _v(text).splitlines()] or [indent]


def render(report: Report, colour: bool = False, verbose: bool = False) -> str:
    """``colour``: ANSI colours (our own escapes only; outside text is made visible first);
    ``verbose``: every finding of every check under its line, passes and infos too."""
    paint = _Paint(colour)
    lines = [
        f"jiradoctor {_v(report.tool_version)} — {_v(report.target.url or 'offline inputs')} "
        f"({_v(report.target.integration)}, auth: {_v(report.target.auth)})",
        "",
    ]
    causes = fix_first(report)
    if causes:
        lines.append(paint.bold("Fix first:"))
        for n, cause in enumerate(causes, 1):
            f = cause.finding
            lines.append(f"  {n}. {paint.status(f.status, '[' + f.status.value + ']')} {_v(f.code)}: {_v(f.message)}")
            if cause.blocks:
                lines.append(f"      root cause: {_v(', '.join(cause.blocks))} could not run until this is fixed")
            for symptom in cause.symptoms:
                lines.append(f"      also seen as {_v(symptom.code)}: {_v(symptom.message)}")
            for step in f.remediation:
                lines.append(f"      fix: {_v(step)}")
            for command in f.commands:
                if is_shell_command(command):
                    lines.append(f"      $ {_v(command)}")
                else:
                    lines.append("      paste exactly (between the lines):")
                    lines += ["      ----8<----", *_block(command, "      "), "      ----8<----"]
            for key, value in cause.paste:
                lines.append(f"      paste exactly ({_v(key)}, between the lines):")
                lines += ["      ----8<----", *_block(value, "      "), "      ----8<----"]
        lines.append("")
    lines.append(paint.bold("Checks:"))
    for check in report.checks:
        summary = _v(check.summary).replace("\n", " ")
        summary = summary if len(summary) <= 90 else summary[:89] + "…"
        mark = paint.status(check.status, f"{SYMBOLS[check.status]} {check.status.value:<5}")
        lines.append(f" {mark} {_v(check.id):<15} {summary}")
        if verbose:
            for finding in check.findings:
                lines.append(f"      {finding.status.value:<5} {_v(finding.code)}: {_v(finding.message)}")
            if check.skip_reason and not check.findings:
                lines.append(f"      skip  {_v(check.skip_reason)}")
    counts = ", ".join(f"{n} {s}" for s, n in report.counts.items() if n)
    lines += [
        "",
        f"Overall: {paint.status(report.status, report.status.value)} ({counts}) in {report.duration_s:.2f} s",
    ]
    if report.note:
        lines.append(f"Not healthy: {visible(report.note)}.")
    return "\n".join(lines) + "\n"
