"""Jira wiki markup for a comment on a Jira Server/Data Center ticket (``-o comment.jira``).

Many support tickets are Jira issues, whose Server/DC comments read wiki markup, not Markdown: a
pasted Markdown table arrives as pipes and dashes. Here: ``h3.``/``h4.`` headings, ``||`` tables,
``{noformat}`` blocks for commands and text to paste (nothing inside is interpreted), status
words in colour with Jira's own emoticons. Text from outside is escaped: every wiki special
character gets a backslash, a backslash itself and ``&`` become entities, line breaks become spaces
(a table row cannot be split), and ``{noformat}`` inside a block cannot close it.
"""

from __future__ import annotations

import json
import re

from jiradoctor.model import Report, Status
from jiradoctor.reports.order import fix_first
from jiradoctor.visible import visible

# characters that start wiki markup: text effects, tables, macros, links, lists, emoticons, mentions
SPECIAL = set("*_?-+^~|{}[]!#()@:;=<>'\"`")
EMOTICON = {Status.PASS: "(/)", Status.INFO: "(i)", Status.WARN: "(!)", Status.FAIL: "(x)", Status.ERROR: "(x)",
            Status.SKIP: "(off)"}
COLOUR = {Status.PASS: "#1f845a", Status.INFO: "#0055cc", Status.WARN: "#a54800", Status.FAIL: "#c9372c",
          Status.ERROR: "#ae2e24", Status.SKIP: "#626f86"}
_NOFORMAT = re.compile(r"\{noformat", re.I)


def escape(text: str) -> str:
    """Inline text on one line that the wiki renderer shows as itself."""
    one_line = visible(text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "), keep="\t").replace("\t", " ")
    out = []
    for ch in one_line:
        if ch == "\\":
            out.append("&#92;")  # "\\" would be a forced line break
        elif ch == "&":
            out.append("&amp;")  # else "&lt;" would show as "<"
        elif ch in SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def unescape(text: str) -> str:
    """The text a reader sees for an :func:`escape`d run (used by the tests to read it back)."""
    return re.sub(r"\\(.)", r"\1", text).replace("&#92;", "\\").replace("&amp;", "&")


def noformat(body: str) -> str:
    """A block shown verbatim; a ``{noformat`` inside is broken so it cannot end the block early."""
    body = visible(body.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
    return "{noformat}\n" + _NOFORMAT.sub(r"\\{noformat", body) + "\n{noformat}"


def status_word(status: Status) -> str:
    return f"{EMOTICON[status]} {{color:{COLOUR[status]}}}*{status.value.upper()}*{{color}}"


def render(report: Report) -> str:
    t = report.target
    out = [f"h3. jiradoctor: {status_word(report.status)}", "",
           f"Target: {{{{{escape(t.url or 'offline inputs')}}}}} · integration {escape(t.integration)} · auth "
           f"{escape(t.auth)} · jiradoctor {escape(report.tool_version)} · {escape(report.started_at)}"]
    causes = fix_first(report)
    if causes:
        out += ["", "h4. What to fix first"]
    for n, cause in enumerate(causes, 1):
        f = cause.finding
        out += ["", f"*{n}\\. {escape(f.code)}* {status_word(f.status)} — {escape(f.message)}"]
        if cause.blocks:
            out.append(f"Root cause: {escape(', '.join(cause.blocks))} could not run until this is fixed.")
        for symptom in cause.symptoms:
            out.append(f"Also seen as {escape(symptom.code)}: {escape(symptom.message)}")
        for step in f.remediation:
            out.append(f"Fix: {escape(step)}")
        for command in f.commands:
            out.append(noformat(command))
        for key, value in cause.paste:
            out += [f"Paste exactly ({escape(key)}):", noformat(value)]
    out += ["", "h4. Checks", "||Check||Status||Summary||"]
    for check in report.checks:
        out.append(f"|{escape(check.id)}|{status_word(check.status)}|{escape(check.summary) or ' '}|")
    with_evidence = [c for c in causes if c.finding.evidence]
    if with_evidence:
        out += ["", "h4. Evidence"]
    for cause in with_evidence:
        out += ["", f"*{escape(cause.finding.code)}*",
                noformat(json.dumps(cause.finding.evidence, indent=2, ensure_ascii=False, default=str))]
    return "\n".join(out) + "\n"
