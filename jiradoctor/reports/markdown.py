"""Markdown for a ticket comment (GitHub, GitLab, Jira's markdown-aware editors).

Text from the inputs and from servers is escaped so it cannot become markup; commands go in
fenced blocks whose fence is longer than any backtick run inside them.
"""

from __future__ import annotations

import json
import re

from jiradoctor.model import Report, Status
from jiradoctor.reports.order import fix_first
from jiradoctor.visible import visible

# ``&`` would start an entity (``&lt;`` shown as ``<``), ``$`` GitHub's math
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$])")
ICONS = {Status.PASS: "✅", Status.INFO: "ℹ️", Status.WARN: "⚠️", Status.FAIL: "❌", Status.ERROR: "💥", Status.SKIP: "⏭️"}


def escape(text: str) -> str:
    # any line ending (CR too, in CommonMark) would end a table row or start a block; hidden
    # characters (ESC, bidi overrides) are shown as ⟨U+…⟩ escapes
    one_line = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", visible(one_line))


def fence(body: str, lang: str = "") -> str:
    # CommonMark reads CR and CRLF as line ends anyway; every other hidden character is shown
    body = visible(body.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


def render(report: Report) -> str:
    out = [f"### jiradoctor: {ICONS[report.status]} {report.status.value.upper()}", ""]
    target = report.target
    out.append(
        f"Target: {escape(target.url or 'offline inputs')} · integration {escape(target.integration)} · "
        f"auth {escape(target.auth)} · jiradoctor {escape(report.tool_version)} · {escape(report.started_at)}"
    )
    if report.note:
        out += ["", f"**Not healthy:** {escape(report.note)}."]
    causes = fix_first(report)
    if causes:
        out += ["", "#### Fix first"]
    for n, cause in enumerate(causes, 1):
        finding = cause.finding
        out += ["", f"**{n}\\. {ICONS[finding.status]} {escape(finding.code)}** — {escape(finding.message)}", ""]
        if cause.blocks:
            out.append(f"- root cause: {escape(', '.join(cause.blocks))} could not run until this is fixed")
        for symptom in cause.symptoms:
            out.append(f"- also seen as {escape(symptom.code)}: {escape(symptom.message)}")
        for step in finding.remediation:
            out.append(f"- {escape(step)}")
        for command in finding.commands:
            out += ["", fence(command, "")]
        for key, value in cause.paste:
            out += ["", f"Paste exactly ({escape(key)}):", "", fence(value, "")]
    out += ["", "| Check | Status | Summary |", "|---|---|---|"]
    for check in report.checks:
        out.append(f"| {escape(check.id)} | {ICONS[check.status]} {check.status.value} | {escape(check.summary)} |")
    if causes:
        out += ["", "#### Evidence"]
    for cause in causes:
        finding = cause.finding
        if finding.evidence:
            out += ["", f"**{escape(finding.code)}**"]
            out += [
                "",
                "<details><summary>Evidence</summary>",
                "",
                fence(json.dumps(finding.evidence, indent=2, ensure_ascii=False, default=str), "json"),
                "",
                "</details>",
            ]
    return "\n".join(out) + "\n"
