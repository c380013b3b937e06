"""Markdown for a ticket comment (GitHub, GitLab, Jira's markdown-aware editors).

Text from the inputs and from servers is escaped so it cannot become markup; commands go in
fenced blocks whose fence is longer than any backtick run inside them.
"""

from __future__ import annotations

import json
import re

from jiradoctor.model import Report, Status

# ``&`` would start an entity (``&lt;`` shown as ``<``), ``$`` GitHub's math
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&$])")
ICONS = {Status.PASS: "✅", Status.INFO: "ℹ️", Status.WARN: "⚠️", Status.FAIL: "❌", Status.ERROR: "💥", Status.SKIP: "⏭️"}


def escape(text: str) -> str:
    # any line ending (CR too, in CommonMark) would end a table row or start a block
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def fence(body: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


def render(report: Report) -> str:
    out = [f"### jiradoctor: {ICONS[report.status]} {report.status.value.upper()}", ""]
    target = report.target
    out.append(f"Target: {escape(target.url or 'offline inputs')} · integration {escape(target.integration)} · "
               f"auth {escape(target.auth)} · jiradoctor {escape(report.tool_version)} · {escape(report.started_at)}")
    out += ["", "| Check | Status | Summary |", "|---|---|---|"]
    for check in report.checks:
        out.append(f"| {escape(check.id)} | {ICONS[check.status]} {check.status.value} | {escape(check.summary)} |")
    problems = [(c, f) for c, f in report.findings() if f.status.rank >= Status.WARN.rank]
    if problems:
        out += ["", "#### Problems and fixes"]
    for _, finding in problems:
        out += ["", f"**{ICONS[finding.status]} {escape(finding.code)}** — {escape(finding.message)}"]
        for step in finding.remediation:
            out.append(f"- {escape(step)}")
        for command in finding.commands:
            out += ["", fence(command, "")]
        if finding.evidence:
            out += ["", "<details><summary>Evidence</summary>", "", fence(json.dumps(finding.evidence, indent=2, ensure_ascii=False, default=str), "json"), "", "</details>"]
    return "\n".join(out) + "\n"
