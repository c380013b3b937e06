"""Renderers: hostile text from inputs stays text; JSON round-trips; Markdown fences hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jiradoctor.checks.base_url import CHECK as BASE_URL
from jiradoctor.checks.consumer_key import CHECK as CONSUMER_KEY
from jiradoctor.checks.public_key import CHECK as PUBLIC_KEY
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.reports import UnknownFormat, format_for_path, html, json_report, markdown, render, text, write
from jiradoctor.target import Target
from tests.conftest import assert_valid_report, codes, run_checks

DATA = Path(__file__).parent.parent / "data"
SCRIPT_KEY = "<script>alert(1)</script>"


@pytest.fixture
def hostile_report(rsa_pair) -> Report:
    target = Target(
        url="https://jira.example.com/<img src=x onerror=alert(4)>",
        consumer_key=SCRIPT_KEY,
        jira_consumer_key='abc"onmouseover=alert(5)',
        server_xml=(DATA / "server_hostile_attributes.xml").read_text(),
        base_url="https://jira.example.com",
        public_key=rsa_pair.public_spki,
        offline=True,
    )
    report = run_checks([BASE_URL, CONSUMER_KEY, PUBLIC_KEY], target)
    # the hostile text did reach findings (else the escaping tests prove nothing)
    assert {"consumer-key/unusual-character", "consumer-key/mismatch", "base-url/server-xml-mismatch"} <= codes(report)
    assert any(SCRIPT_KEY in str(f.to_json()) for _, f in report.findings())
    assert any("onmouseover=alert(3)" in c for _, f in report.findings() for c in f.commands)
    return report


def hand_made_report() -> Report:
    findings = (
        Finding(
            "x/evil",
            Status.FAIL,
            "message with <b>bold</b> | pipe and `tick` and *star* and [link](http://evil)",
            evidence={"server_said": "<script>alert(6)</script>", "list": ["a", "<i>"], "n": 3},
            remediation=("step <one>", "step | two"),
            commands=("echo ```not a fence end``` && printf '</pre><script>alert(7)</script>'",),
            docs=(
                "https://docs.example.com/page",
                "javascript:alert(8)",
                "http://plain.example.com",
                'https://x.example.com/"onmouseover="alert(9)',
            ),
            subject="<subject>",
        ),
        Finding("x/fine", Status.INFO, "just info"),
    )
    checks = (
        CheckResult.from_findings("x", "Title <with> tags", findings, 0.25),
        CheckResult.skipped("y", "Skipped one", "blocked: x failed first", ("x",)),
        CheckResult.from_findings("z", "Warns", [Finding("z/w", Status.WARN, "a warning\nsecond line")], 0.01),
    )
    return Report(
        tool_version="0.1.0",
        target=TargetSummary(
            "https://jira.example.com", "generic", "oauth1", JiraFacts("Server", "9.12.0", "https://jira.example.com")
        ),
        started_at="2024-05-01T10:00:00+00:00",
        duration_s=1.5,
        checks=checks,
    )


# --- HTML ----------------------------------------------------------------------------------------


def assert_safe_html(page: str) -> None:
    """No script, no external resource, no event handler, no link but in-page anchors and https docs."""
    assert "<script" not in page.lower()
    tags = re.findall(r"<[a-zA-Z][^>]*>", page)
    assert tags
    for tag in tags:
        name = re.match(r"<([a-zA-Z0-9]+)", tag).group(1).lower()
        assert name not in ("script", "img", "iframe", "object", "embed", "link", "form", "svg", "base"), tag
        assert not re.search(r"\ssrc\s*=", tag, re.I), f"src attribute in {tag!r}"
        assert not re.search(r"\son[a-z]+\s*=", tag, re.I), f"event handler attribute in {tag!r}"
    for href in re.findall(r"href\s*=\s*\"([^\"]*)\"", page):
        assert href.startswith("#") or href.startswith("https://"), href


def test_html_escapes_hostile_input(hostile_report: Report) -> None:
    page = html.render(hostile_report)
    assert_safe_html(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert "&#34;onmouseover=alert(3)" in page  # the attribute value is shown, its quote escaped
    assert "&lt;img src=x onerror=alert(4)&gt;" in page


def test_html_of_hand_made_hostile_report(tmp_path: Path) -> None:
    report = hand_made_report()
    page = html.render(report)
    assert_safe_html(page)
    links = re.findall(r"href=\"(https://[^\"]*)\"", page)
    assert links == ["https://docs.example.com/page"]  # only the plain https docs link is clickable
    assert "javascript:alert(8)" in page  # but still shown, as text
    assert "blocked by x" in page
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    write(report, tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text() == page


# --- Markdown ------------------------------------------------------------------------------------


def outside_fences(md: str) -> str:
    """The Markdown with fenced blocks removed (a fence closes only on a run of the same length)."""
    out, fence = [], None
    for line in md.splitlines():
        if fence is None:
            match = re.match(r"^(`{3,})", line)
            if match:
                fence = match.group(1)
                continue
            out.append(line)
        elif line == fence:
            fence = None
    assert fence is None, "unclosed fence"
    return "\n".join(out)


def test_markdown_escapes_hostile_input(hostile_report: Report) -> None:
    md = markdown.render(hostile_report)
    prose = outside_fences(md)
    assert "<script" not in prose.replace("\\<script", "")
    assert "\\<script\\>" in prose
    assert re.sub(r"</?(details|summary)>", "", prose).count("<") == prose.count("\\<")


def test_markdown_fences_outlast_backticks_in_commands() -> None:
    md = markdown.render(hand_made_report())
    assert "````\necho ```not a fence end```" in md  # fence longer than the longest run inside
    prose = outside_fences(md)
    assert "echo" not in prose  # the command stayed inside its fence
    assert (
        "message with \\<b\\>bold\\</b\\> \\| pipe and \\`tick\\` and \\*star\\* and \\[link\\]\\(http://evil\\)"
        in prose
    )
    assert "a warning second line" in prose  # a newline cannot start a new block
    for row in (line for line in prose.splitlines() if line.startswith("| ")):
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row  # cells cannot be split by input text


def test_markdown_escape_and_fence_helpers() -> None:
    assert markdown.escape("a|b<c>*d*\n#e") == "a\\|b\\<c\\>\\*d\\* \\#e"
    assert markdown.fence("x ```` y").startswith("`````\n")
    assert markdown.fence("plain") == "```\nplain\n```"


# --- text ----------------------------------------------------------------------------------------


def test_text_summary() -> None:
    out = text.render(hand_made_report())
    lines = out.splitlines()
    assert lines[0].startswith("jiradoctor 0.1.0 — https://jira.example.com (generic, auth: oauth1)")
    assert any(re.match(r"^ ✘ fail\s+x\s", line) for line in lines)
    assert any(re.match(r"^ - skip\s+y\s+blocked", line) for line in lines)
    assert "  1. [fail] x/evil:" in out and "      fix: step <one>" in out
    assert "      $ echo ```not a fence end```" in out
    assert out.index("Fix first:") < out.index("Checks:")  # the fix comes before the details
    assert "  [info]" not in out  # infos are not problems
    assert lines[-1].startswith("Overall: fail (")


def control_report() -> Report:
    finding = Finding(
        "c/ctl",
        Status.FAIL,
        "server said \x1b[2J\x1b]0;pwned\x07 and\rhidden \x9b31m",
        remediation=("retry\x1b[1A",),
        commands=("echo ok\x1b[8m",),
    )
    return Report(
        "0.1.0",
        TargetSummary("https://jira.example.com/\x1b[5m", "generic", "none"),
        "2024-05-01T10:00:00+00:00",
        0.1,
        (CheckResult.from_findings("c", "Ctl", [finding]),),
    )


def test_text_does_not_pass_terminal_control_characters() -> None:
    out = text.render(control_report())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), repr(out)
    assert "⟨U+001B ESCAPE⟩[2J" in out and "and⟨U+000D CARRIAGE RETURN⟩hidden" in out
    assert "⟨U+009B CONTROL SEQUENCE INTRODUCER⟩31m" in out


def test_markdown_has_no_raw_line_breaks_in_prose() -> None:
    md = markdown.render(control_report())
    assert "\r" not in md
    assert "and hidden" in md


def test_text_truncates_long_summaries() -> None:
    long = CheckResult.from_findings("l", "Long", [Finding("l/x", Status.WARN, "w" * 200)])
    report = Report("0.1.0", TargetSummary(None, "generic", "none"), "2024-05-01T10:00:00+00:00", 0.1, (long,))
    line = next(x for x in text.render(report).splitlines() if " l " in x)
    assert line.endswith("…") and len(line) < 130


# --- JSON ----------------------------------------------------------------------------------------


def test_json_round_trip_of_a_real_run(hostile_report: Report) -> None:
    data = json.loads(json_report.render(hostile_report))
    assert_valid_report(data)
    assert Report.from_json(data) == hostile_report
    assert Report.from_json(hostile_report.to_json()) == hostile_report


def test_json_round_trip_of_every_field() -> None:
    report = hand_made_report()
    data = json.loads(render(report, "json"))
    assert_valid_report(data)
    again = json_report.load(json.dumps(data))
    assert again == report
    assert again.checks[0].findings[0].subject == "<subject>"
    assert again.checks[1].blocked_by == ("x",)
    assert again.target.jira.version == "9.12.0"
    assert data["summary"] == {
        "status": "fail",
        "counts": {"pass": 0, "info": 0, "warn": 1, "fail": 1, "error": 0, "skip": 1},
    }


@pytest.mark.parametrize(
    "bad, message",
    [
        ("[]", "not an object"),
        ("{", "not a JSON report"),
        ('{"schema_version": 2}', "schema_version 2"),
        ('{"checks": []}', "schema_version: missing"),
        ('{"schema_version": 1, "target": "x"}', "tool: missing"),  # the schema names the first field wrong
        ('{"schema_version": 1, "checks": [{"id": "a"}]}', "tool: missing"),
        ('{"schema_version": 1, "checks": 5}', "tool: missing"),
    ],
)
def test_json_load_refuses(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        json_report.load(bad)


# --- model and format selection ------------------------------------------------------------------


def test_overall_status_rules() -> None:
    skip_only = Report("0", TargetSummary(None, "generic", "none"), "t", 0, (CheckResult.skipped("a", "A", "r"),))
    assert skip_only.status == Status.SKIP and not skip_only.observed  # nothing looked: never healthy
    assert CheckResult.from_findings("a", "A", [Finding("a/i", Status.INFO, "i")]).status == Status.PASS
    errored = CheckResult.from_findings("a", "A", [Finding("a/f", Status.FAIL, "f"), Finding("a/e", Status.ERROR, "e")])
    assert errored.status == Status.ERROR
    assert errored.summary == "e (+1 more)"
    with pytest.raises(ValueError):
        Finding("no-slash", Status.FAIL, "x")


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("r.json", "json"),
        ("R.HTML", "html"),
        ("r.htm", "html"),
        ("r.md", "md"),
        ("r.markdown", "md"),
        ("r.txt", "text"),
    ],
)
def test_format_for_path(name: str, fmt: str) -> None:
    assert format_for_path(name) == fmt


@pytest.mark.parametrize("name", ["r.pdf", "r", "r.json.bak"])
def test_format_for_unknown_path(name: str) -> None:
    with pytest.raises(UnknownFormat):
        format_for_path(name)
    with pytest.raises(UnknownFormat):
        render(hand_made_report(), "pdf")


def test_every_command_that_writes_reports_offers_every_format() -> None:
    import click

    from jiradoctor.cli import main
    from jiradoctor.formats import REPORT_FORMATS
    from jiradoctor.reports import RENDERERS

    assert set(REPORT_FORMATS) == set(RENDERERS)
    for name in ("doctor", "render", "merge", "har"):
        command = main.get_command(click.Context(main), name)
        assert command is not None
        (fmt,) = [p for p in command.params if p.name == "fmt"]
        assert isinstance(fmt.type, click.Choice) and tuple(fmt.type.choices) == REPORT_FORMATS, name
