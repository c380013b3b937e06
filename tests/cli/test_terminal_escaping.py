"""Every terminal output escapes what jiradoctor did not write (issue 23): a saved report whose text
holds ESC, BEL, CR, a CSI or a right-to-left override reaches the terminal as visible escapes through
``render``, ``merge``, ``diff`` and ``--baseline``; ordinary non-ASCII text stays as it is.

CliRunner(color=True): click strips ANSI sequences when stdout is no terminal, which would hide an ESC
that a real terminal receives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main

HOSTILE = "\x1b[2J\x1b]0;pwned\x07\rX\u202eY\x9b31m"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\x9b")
KEPT = "Jïra 日本 café"  # healthy non-ASCII text: shown as written
# fields the loader matches on, or that its schema holds to one value (tool.name is "jiradoctor")
UNTOUCHED = ("status", "schema_version", "started_at", "id", "code", "name", "auth")


def _poison(value: object, key: str | None = None) -> object:
    if isinstance(value, str) and key not in UNTOUCHED:
        return f"{value} {KEPT} {HOSTILE}"
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    return value


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(clean report, hostile report, server.xml): a real offline run, then every free text poisoned."""
    folder = tmp_path_factory.mktemp("reports")
    xml = folder / "server.xml"
    xml.write_text(
        '<Server><Service name="C"><Connector port="8080"/><Engine name="C" defaultHost="localhost">'
        '<Host name="localhost"><Context path=""/></Host></Engine></Service></Server>'
    )
    clean = folder / "clean.json"
    result = CliRunner().invoke(
        main, ["doctor", "--offline", "--server-xml", str(xml), "--base-url", "https://jira.example.test",
               "-o", str(clean), "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(clean.read_text())
    for check in data["checks"]:  # hostile blocked-by ids too: shown in fix-first (codes and ids: see below)
        if check["status"] == "skip":
            check["blocked_by"] = ["base-url\x1b[2J"]
    hostile = folder / "hostile.json"
    hostile.write_text(json.dumps(_poison(data)))
    return clean, hostile, xml


def _shown(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), color=True)
    assert result.exit_code in (0, 1), result.output
    return result.stdout + result.stderr


def _assert_escaped(text: str) -> None:
    for ch in RAW:
        assert ch not in text, (repr(ch), text[:2000])
    assert "⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩" in text or "\\u202e" in text  # shown, not dropped
    assert KEPT in text  # ordinary text from the report stays readable


def test_render_as_text_escapes_the_reports_text(reports: tuple[Path, Path, Path]) -> None:
    _assert_escaped(_shown("render", str(reports[1]), "--format", "text"))


@pytest.mark.parametrize("fmt", ["json", "md", "jira", "html", "junit"])
def test_render_in_every_format_to_stdout_escapes(reports: tuple[Path, Path, Path], fmt: str) -> None:
    shown = _shown("render", str(reports[1]), "--format", fmt)
    # HTML and JUnit keep CR on purpose: markup whitespace, normalised by XML parsers and browsers
    for ch in RAW if fmt not in ("html", "junit") else [c for c in RAW if c != "\r"]:
        assert ch not in shown, (fmt, repr(ch))
    if fmt == "json":  # the same JSON value: escapes, not a changed text
        assert json.loads(shown)["target"]["integration"].endswith(HOSTILE)


def test_merge_escapes(reports: tuple[Path, Path, Path]) -> None:
    _assert_escaped(_shown("merge", str(reports[1]), str(reports[0])))


@pytest.mark.parametrize("order", ["hostile-old", "hostile-new"])
def test_diff_escapes(reports: tuple[Path, Path, Path], order: str) -> None:
    clean, hostile, _ = reports
    old, new = (hostile, clean) if order == "hostile-old" else (clean, hostile)
    shown = _shown("diff", str(old), str(new), "--fail-on", "warn")
    for ch in RAW:
        assert ch not in shown, repr(ch)
    assert "⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩" in shown and "⟨U+001B ESCAPE⟩" in shown


def test_the_doctors_baseline_comparison_escapes(reports: tuple[Path, Path, Path]) -> None:
    clean, hostile, xml = reports
    shown = _shown("doctor", "--offline", "--server-xml", str(xml), "--base-url", "https://jira.example.test",
                   "--baseline", str(hostile), "--fail-on", "warn")
    for ch in RAW:
        assert ch not in shown, repr(ch)
    assert "Compared with the baseline" in shown and "⟨U+001B ESCAPE⟩" in shown


def test_a_clean_report_is_shown_unchanged(reports: tuple[Path, Path, Path]) -> None:
    shown = _shown("render", str(reports[0]), "--format", "text")
    assert "⟨U+" not in shown and "base-url" in shown
    assert "Compared with the baseline: 0 regression(s)" in _shown("diff", str(reports[0]), str(reports[0]))


def test_a_report_with_a_hostile_code_is_refused_and_the_refusal_escapes(reports, tmp_path: Path) -> None:
    """Finding codes and check ids have a pattern in the schema: a hostile one is a usage error naming the
    field, and the error shows the bytes escaped."""
    clean, _, _ = reports
    data = json.loads(clean.read_text())
    data["checks"][0]["id"] = "dns" + HOSTILE
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["render", str(bad), "--format", "text"])
    assert result.exit_code == 2 and "checks[0].id" in result.output
    assert not any(raw in result.output for raw in RAW)
