"""Markdown for a ticket comment, read back with a real CommonMark parser (markdown-it-py).

The parser is set up as GitHub reads a comment: CommonMark with GFM tables and strikethrough, raw
HTML allowed (GitHub sanitises it later; here any raw HTML token that is not ours is a failure).
Jira Cloud's editor converts pasted Markdown with the same CommonMark rules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.reports import markdown
from jiradoctor.visible import visible

DATA = Path(__file__).parent.parent / "data"
GITHUB = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
OUR_HTML = {"<details><summary>Evidence</summary>", "</details>"}

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="console.error(2)">',
    "[click](javascript:alert(3)) ![i](https://evil.example/x.png) <https://evil.example>",
    "a | b || c \\| d",
    "line one\nline two\r\nline three\rline four",
    "&lt;b&gt; &amp; &#60;i&#62; &copy;",
    "*em* _em_ **strong** ~~strike~~ `code` ``` fence",
    "# heading\n- item\n1. item\n> quote\n---\n===",
    "$x^2$ and $$y$$",
    "<!-- comment --> <?php ?> <![CDATA[x]]>",
    "trailing backslash \\",
]


def inline_text(tokens) -> str:
    """The text a reader sees in an inline run (code spans keep their content)."""
    out = []
    for tok in tokens:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type.endswith("_open") or tok.type.endswith("_close"):
            out.append(f"<<{tok.type}>>")
        else:
            out.append(f"<<{tok.type}:{tok.content}>>")
    return "".join(out)


def one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def hostile_report(text: str) -> Report:
    def finding(code: str, status: Status) -> Finding:
        return Finding(
            code,
            status,
            f"message {text}",
            evidence={"said": text, "nested": [text, {"k": text}]},
            remediation=(f"step {text}", "plain step"),
            commands=(f"echo '{text}'", "echo ``` and ```` done"),
            docs=(f"https://docs.example.com/{text}", f"javascript:{text}"),
            subject=f"subject {text}",
        )

    checks = (
        CheckResult.from_findings("alpha", f"Alpha {text}", [finding("alpha/bad", Status.FAIL)], 0.1),
        CheckResult.from_findings(
            "beta", f"Beta {text}", [finding("beta/careful", Status.WARN), finding("beta/note", Status.INFO)], 0.1
        ),
        CheckResult.skipped("gamma", f"Gamma {text}", f"blocked {text}", ("alpha",)),
        CheckResult.from_findings("delta", "Delta", [finding("delta/check-error", Status.ERROR)], 0.1),
        CheckResult.from_findings("eps", "Eps", [], 0.1),
    )
    return Report(
        f"0.1.0 {text}",
        TargetSummary(
            f"https://jira.example.com/{text}",
            "generic",
            "oauth1",
            JiraFacts("Server", "9.12.0", "https://jira.example.com"),
        ),
        "2024-05-01T10:00:00+00:00",
        1.0,
        checks,
    )


def assert_reads_as_text(md: str, report: Report) -> None:
    """Parse as GitHub would: our HTML only, no link or image, one table row per check, commands intact."""
    tokens = GITHUB.parse(md)
    for tok in tokens:
        if tok.type == "html_block":
            assert {line for line in tok.content.splitlines() if line} <= OUR_HTML, tok.content
        children = tok.children or []
        for child in children:
            assert child.type not in ("html_inline", "link_open", "image"), (child.type, child.content, tok.content)
    assert tok_types(tokens).count("table_open") == 1

    # the table: one body row per check, three cells each, the cells' text is the report's text
    rows, row = [], None
    in_body = False
    for tok in tokens:
        if tok.type == "tbody_open":
            in_body = True
        elif tok.type == "tbody_close":
            in_body = False
        elif in_body and tok.type == "tr_open":
            row = []
        elif in_body and tok.type == "inline" and row is not None:
            row.append(inline_text(tok.children))
        elif in_body and tok.type == "tr_close":
            rows.append(row)
            row = None
    assert len(rows) == len(report.checks)
    for cells, check in zip(rows, report.checks, strict=False):
        assert len(cells) == 3, cells
        assert cells[0] == check.id
        assert cells[1].endswith(check.status.value)
        assert cells[2].strip() == one_line(check.summary).strip()

    # every command of every problem sits in a code block, whole
    fences = [tok.content for tok in tokens if tok.type == "fence"]
    for _, finding in report.findings():
        if finding.status.rank >= Status.WARN.rank:
            for command in finding.commands:
                # a code block keeps every line; CommonMark reads CR and CRLF as line ends like LF
                assert command.replace("\r\n", "\n").replace("\r", "\n") + "\n" in fences, command
            if finding.evidence:
                assert any(
                    json.loads(f) == json.loads(json.dumps(finding.evidence)) for f in fences if f.startswith("{")
                )

    # every problem's message and remediation reads back as the same text
    paragraphs = [inline_text(tok.children) for tok in tokens if tok.type == "inline"]
    for _, finding in report.findings():
        if finding.status.rank >= Status.WARN.rank:
            assert any(p.endswith(one_line(finding.message).strip()) for p in paragraphs), finding.message
            for step in finding.remediation:
                assert one_line(step).strip() in paragraphs, step

    html = GITHUB.render(md)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "<a " not in lowered  # nothing in the comment is a link


def tok_types(tokens) -> list[str]:
    return [t.type for t in tokens]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_reads_back_as_text(text: str) -> None:
    report = hostile_report(text)
    assert_reads_as_text(markdown.render(report), report)


def test_all_hostile_text_at_once() -> None:
    report = hostile_report(" ".join(HOSTILE))
    md = markdown.render(report)
    assert_reads_as_text(md, report)
    assert "<script" not in GITHUB.render(md)


@pytest.mark.parametrize(
    "command",
    [
        "echo `date`",
        "printf '```' && echo ````",
        "```",
        "``` \n````\n`````",
        "~~~\nnot a fence\n~~~",
        "    indented\n\ttabbed",
        "cat <<'EOF'\n<Connector proxyName=\"jira.example.com\"/>\nEOF",
        "trailing backticks ``",
    ],
)
def test_commands_survive_fences(command: str) -> None:
    finding = Finding("c/cmd", Status.FAIL, "run this", commands=(command,))
    report = Report(
        "0.1.0",
        TargetSummary(None, "generic", "none"),
        "2024-05-01T10:00:00+00:00",
        0.1,
        (CheckResult.from_findings("c", "C", [finding]),),
    )
    tokens = GITHUB.parse(markdown.render(report))
    assert [t.content for t in tokens if t.type == "fence"] == [command + "\n"]
    assert all(t.info == "" for t in tokens if t.type == "fence")


SAFE_ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@settings(max_examples=300, deadline=None)
@given(st.text(SAFE_ALPHABET, max_size=60))
def test_escape_reads_back_as_the_same_text(text: str) -> None:
    """Whatever the text, the escaped form is read as that text, on one line, with no markup."""
    escaped = markdown.escape(text)
    assert "\n" not in escaped and "\r" not in escaped
    paragraph = GITHUB.parseInline(f"x{escaped}x")[0].children
    assert [t.type for t in paragraph if t.type != "text"] == [], paragraph
    assert inline_text(paragraph) == f"x{visible(one_line(text))}x"  # hidden characters shown as ⟨U+…⟩


@settings(max_examples=200, deadline=None)
@given(st.text(SAFE_ALPHABET, max_size=40))
def test_a_table_cell_stays_one_cell(text: str) -> None:
    md = f"| a | b |\n|---|---|\n| {markdown.escape(text)} | z |\n"
    tokens = GITHUB.parse(md)
    cells = [inline_text(t.children) for t in tokens if t.type == "inline"]
    assert len(cells) == 4, cells
    assert cells[2].strip() == visible(one_line(text)).strip() and cells[3] == "z"  # cell edges are trimmed


def test_cli_writes_a_comment_for_hostile_inputs(tmp_path: Path, rsa_pair) -> None:
    """The real CLI (-o comment.md) with hostile inputs: server.xml attributes, consumer keys."""
    (tmp_path / "public.pem").write_text(rsa_pair.public_spki)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiradoctor",
            "doctor",
            "--offline",
            "--server-xml",
            str(DATA / "server_hostile_attributes.xml"),
            "--base-url",
            "https://jira.example.com",
            "--url",
            "https://jira.example.com/<img src=x onerror=alert(4)>|x",
            "--consumer-key",
            "<script>alert(1)</script>|`",
            "--jira-consumer-key",
            'abc"onmouseover=alert(5)',
            "--public-key",
            "public.pem",
            "-o",
            "comment.md",
            "-o",
            "r.json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    from jiradoctor.reports.json_report import load

    report = load((tmp_path / "r.json").read_text(encoding="utf-8"))
    md = (tmp_path / "comment.md").read_text(encoding="utf-8")
    assert "<script>alert(1)" in str([f.to_json() for _, f in report.findings()])  # hostile text did arrive
    assert_reads_as_text(md, report)
