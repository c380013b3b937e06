"""The fix first, in every format; Jira wiki markup read back; JUnit with a baseline; the terminal.

Reports here are made by the real checks (public-key, base-url) on real keys, plus a hand-made
report for the cause order (a skipped check blocked by a root cause; an info about loopback).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from jiradoctor.checks.base_url import CHECK as BASE_URL
from jiradoctor.checks.public_key import CHECK as PUBLIC_KEY
from jiradoctor.cli import main
from jiradoctor.model import CheckResult, Finding, Report, Status, TargetSummary
from jiradoctor.progress import ProgressLine
from jiradoctor.reports import html, jira_wiki, junit, render, text
from jiradoctor.reports.order import fix_first, is_shell_command
from jiradoctor.target import Target
from tests.conftest import run_checks

DATA = Path(__file__).parent.parent / "data"


def cause_report() -> Report:
    """dns has only an info (loopback); reachability is the root cause that blocks auth; a warn later."""
    checks = (
        CheckResult.from_findings("dns", "DNS", [Finding("dns/private-address", Status.INFO, "127.0.0.1 is private")]),
        CheckResult.from_findings("base-url", "Base URL", [Finding("base-url/x", Status.WARN, "a warning")]),
        CheckResult.from_findings(
            "reachability",
            "Reachability",
            [
                Finding(
                    "reachability/refused",
                    Status.FAIL,
                    "connection refused",
                    remediation=("Start Jira.",),
                    commands=("systemctl start jira",),
                )
            ],
        ),
        CheckResult.from_findings(
            "public-key",
            "Public key",
            [
                Finding(
                    "public-key/pair-mismatch", Status.FAIL, "not the pair", evidence={"paste_into_jira": "MIIBpaste"}
                )
            ],
        ),
        CheckResult.skipped("auth", "Auth", "blocked", ("reachability",)),
    )
    return Report(
        "0.1.0", TargetSummary("https://jira.example.com", "generic", "basic"), "2024-05-01T10:00:00+00:00", 0.5, checks
    )


def test_fix_first_puts_root_causes_first_and_never_an_info() -> None:
    causes = fix_first(cause_report())
    assert [c.finding.code for c in causes] == ["reachability/refused", "public-key/pair-mismatch", "base-url/x"]
    assert causes[0].root and causes[0].blocks == ("auth",)
    assert causes[1].paste == [("paste_into_jira", "MIIBpaste")]


def test_every_format_shows_the_fix_first_in_the_same_order() -> None:
    report = cause_report()
    order = ["reachability/refused", "public-key/pair-mismatch", "base-url/x"]
    for fmt in ("text", "md", "html", "jira"):
        out = render(report, fmt).replace("\\", "")  # Markdown and wiki escape the dash of a code
        positions = [out.index(code) for code in order]
        assert positions == sorted(positions), fmt
        assert "MIIBpaste" in out and "systemctl start jira" in out, fmt
        assert out.index("MIIBpaste") < out.index("base-url/x"), fmt  # the paste text sits with its cause
        assert "dns/private-address" not in out.split("base-url/x")[0] or fmt == "html", fmt
    xml = junit.render(report)
    failure = ET.fromstring(xml).find(".//testcase[@name='reachability']/failure")
    assert "root cause: auth could not run" in failure.text and "$ systemctl start jira" in failure.text


def test_html_opens_with_the_fix_before_the_summary() -> None:
    out = html.render(cause_report())
    assert out.index('id="problems"') < out.index('aria-label="Summary"') < out.index('id="details"')
    assert '<pre class="code fixtext">MIIBpaste</pre>' in out


def test_text_shows_the_paste_text_and_no_dollar_before_it(rsa_pair, other_rsa_pair) -> None:
    from jiradoctor.secrets import Secret

    report = run_checks(
        [PUBLIC_KEY],
        Target(
            public_key=other_rsa_pair.public_spki,
            offline=True,
            private_key=Secret(rsa_pair.private_pkcs8),
            integration="zephyr-enterprise",
        ),
    )
    out = text.render(report)
    finding = next(f for _, f in report.findings() if f.code == "public-key/pair-mismatch")
    paste = finding.evidence["paste_into_jira"]
    assert paste in out
    assert "$ MII" not in out and "$ -----" not in out
    whitespace = run_checks([PUBLIC_KEY], Target(public_key="  " + rsa_pair.public_spki, offline=True))
    out = text.render(whitespace)
    assert "Paste the text below exactly" in out
    assert "-----BEGIN PUBLIC KEY-----" in out.split("Paste the text below exactly")[1]  # the text does follow


def test_is_shell_command() -> None:
    assert is_shell_command("openssl rsa -in k.pem -pubout")
    assert is_shell_command("(openssl x509 -inform der -in a || openssl pkey -pubin -inform der -in a) | tr -d x")
    assert not is_shell_command("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    assert not is_shell_command("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")
    assert not is_shell_command('<Connector port="8080"/>')


# --- Jira wiki markup ------------------------------------------------------------------------

HOSTILE = ("a|b||c *bold* _it_ {code}x{code} [link|javascript:x] !img.png! h1. {noformat} "
           "\\ \\\\ & &lt; (x) -del- ^s^ ~t~ \x1b[2J \u202e")


def hostile_report() -> Report:
    finding = Finding(
        "x/evil",
        Status.FAIL,
        HOSTILE,
        evidence={"body": HOSTILE},
        remediation=(HOSTILE,),
        commands=(f"echo '{HOSTILE}'", "line1\n{noformat}\nafter"),
    )
    return Report(
        "0.1.0",
        TargetSummary(f"https://jira.example.com/{HOSTILE}", "generic", "none"),
        "2024-05-01T10:00:00+00:00",
        0.1,
        (CheckResult.from_findings("x", "X", [finding]), CheckResult.skipped("y", "Y", HOSTILE)),
    )


def split_row(line: str) -> list[str]:
    """Cells of a wiki table row: split on pipes that no backslash escapes."""
    return re.split(r"(?<!\\)\|", line.strip("|"))


def noformat_blocks(wiki: str) -> list[str]:
    return re.findall(r"^\{noformat\}\n(.*?)\n\{noformat\}$", wiki, re.S | re.M)


def test_jira_wiki_structure_reads_back() -> None:
    report = hostile_report()
    wiki = jira_wiki.render(report)
    lines = wiki.splitlines()
    assert lines[0].startswith("h3. jiradoctor: (x) {color:#c9372c}*FAIL*{color}")
    header = lines.index("||Check||Status||Summary||")
    rows = [split_row(line) for line in lines[header + 1 : header + 3]]
    assert all(len(r) == 3 for r in rows), rows
    assert [jira_wiki.unescape(r[0]) for r in rows] == ["x", "y"]
    expected = jira_wiki.visible(HOSTILE.replace("\n", " "), keep="\t")
    assert jira_wiki.unescape(rows[1][2]) == expected  # the hostile summary is one cell, read back whole
    assert "{color:#626f86}*SKIP*{color}" in rows[1][1]
    blocks = noformat_blocks(wiki)
    assert blocks[0] == jira_wiki.visible(f"echo '{HOSTILE}'").replace("{noformat", "\\{noformat")
    assert blocks[1] == "line1\n\\{noformat}\nafter"  # cannot close the block early
    # outside blocks, every special is escaped: no live markup from the input
    prose = re.sub(r"^\{noformat\}\n.*?\n\{noformat\}$", "", wiki, flags=re.S | re.M)
    for live in ("*bold*", "{code}", "[link", "!img.png!", "(x) -del-", "\x1b", "\u202e"):
        # each special character of the input arrives with a backslash before it (or, for ESC/RLO, as ⟨U+…⟩)
        assert not re.search(r"(?<!\\)" + re.escape(live), prose.replace("(x) {color", "")), live
    assert "&#92;" in prose and "&amp;lt\\;" in prose


def test_jira_wiki_from_the_cli(tmp_path: Path, rsa_pair) -> None:
    (tmp_path / "k.pem").write_text("  " + rsa_pair.public_spki)
    result = CliRunner().invoke(
        main,
        [
            "doctor",
            "--offline",
            "--public-key",
            str(tmp_path / "k.pem"),
            "-o",
            str(tmp_path / "comment.jira"),
            "--format",
            "jira",
        ],
    )
    assert result.exit_code == 0, result.output  # a warn under the generic profile
    wiki = (tmp_path / "comment.jira").read_text()
    assert wiki == result.stdout
    assert "h4. What to fix first" in wiki and "public\\-key/whitespace" in wiki
    assert rsa_pair.public_spki.strip() in noformat_blocks(wiki)[-2] or any(
        rsa_pair.public_spki.strip() in b for b in noformat_blocks(wiki)
    )


# --- JUnit with a baseline -------------------------------------------------------------------


def test_junit_with_a_baseline_fails_only_regressions(tmp_path: Path, rsa_pair) -> None:
    accepted = run_checks(
        [BASE_URL], Target(url="https://jira.example.com:8443", base_url="https://jira.example.com", offline=True)
    )
    both = run_checks(
        [BASE_URL, PUBLIC_KEY],
        Target(
            url="https://jira.example.com:8443",
            base_url="https://jira.example.com",
            public_key="  " + rsa_pair.public_spki,
            offline=True,
            integration="zephyr-enterprise",
        ),
    )
    root = ET.fromstring(junit.render(both, baseline=accepted))
    base_case = root.find(".//testcase[@name='base-url']")
    assert base_case.find("failure") is None  # accepted in the baseline: not a failure
    assert "accepted in the baseline" in base_case.find("system-out").text
    assert base_case.find("properties/property").get("value") == "accepted"
    failure = root.find(".//testcase[@name='public-key']/failure")
    assert failure is not None and failure.get("message").startswith("regression: ")
    assert "REGRESSION [fail] public-key/" in failure.text
    assert root.get("failures") == "1"
    # without a baseline both fail, as before
    assert ET.fromstring(junit.render(both)).get("failures") == "2"


def test_cli_junit_with_baseline(tmp_path: Path) -> None:
    args = ["doctor", "--offline", "--url", "https://jira.example.com:8443", "--base-url", "https://jira.example.com"]
    runner = CliRunner()
    first = runner.invoke(main, [*args, "-o", str(tmp_path / "base.json")])
    assert first.exit_code == 1
    again = runner.invoke(main, [*args, "--baseline", str(tmp_path / "base.json"), "-o", str(tmp_path / "r.xml")])
    assert again.exit_code == 0, again.output  # no regression: green, and the test tab agrees
    assert ET.parse(tmp_path / "r.xml").getroot().get("failures") == "0"


# --- the terminal ----------------------------------------------------------------------------


def test_colour_on_a_tty_and_never_with_no_color_or_a_pipe(rsa_pair, tmp_path: Path) -> None:
    import pty

    (tmp_path / "k.pem").write_text("  " + rsa_pair.public_spki)
    cmd = [sys.executable, "-m", "jiradoctor", "doctor", "--offline", "--public-key", str(tmp_path / "k.pem")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_") and k != "NO_COLOR"}

    def on_tty(extra_env: dict) -> bytes:
        main_fd, child_fd = pty.openpty()
        proc = subprocess.Popen(cmd, stdout=child_fd, stderr=subprocess.DEVNULL, env={**env, **extra_env})
        os.close(child_fd)
        out = b""
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
        os.close(main_fd)
        return out

    coloured = on_tty({})
    assert b"\x1b[33m[warn]" in coloured and b"Fix first" in coloured
    assert b"\x1b[" not in on_tty({"NO_COLOR": "1"})
    piped = subprocess.run(cmd, capture_output=True, env=env, timeout=60)
    assert b"\x1b[" not in piped.stdout and b"Fix first" in piped.stdout


def test_progress_line_names_the_waiting_checks_after_a_delay() -> None:
    stream = io.StringIO()
    line = ProgressLine(["dns", "tls", "auth"], stream=stream, delay=0.2, every=0.05)
    with line:
        line(CheckResult.skipped("dns", "DNS", "x"))
        time.sleep(0.45)
        shown = stream.getvalue()
    assert "waiting for tls, auth" in shown and "dns" not in shown
    assert stream.getvalue().endswith("\r\x1b[K")  # cleared at the end
    quick = io.StringIO()
    with ProgressLine(["dns"], stream=quick, delay=0.5) as fast:
        fast(CheckResult.skipped("dns", "DNS", "x"))
    assert quick.getvalue() == ""  # nothing for a run that was done within the delay


def test_progress_never_reaches_stdout_or_a_non_tty(rsa_pair, tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_text(rsa_pair.public_spki)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiradoctor",
            "doctor",
            "--offline",
            "--public-key",
            str(tmp_path / "k.pem"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "waiting for" not in done.stdout + done.stderr
    assert done.stdout.lstrip().startswith("{")


def test_help_mentions_completion() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    assert "_JIRADOCTOR_COMPLETE=bash_source" in out


def test_no_raw_control_or_bidi_character_reaches_any_format() -> None:
    """ESC, SOH and a right-to-left override from a server arrive as visible escapes, in every format."""
    sly = "evil\x1b[2J\x01 \u202egnp.exe\u200b"
    finding = Finding(
        "s/sly", Status.FAIL, sly, evidence={"body": sly}, remediation=(sly,), commands=(f"echo {sly}",), subject=sly
    )
    report = Report(
        "0.1.0",
        TargetSummary(f"https://jira.example.com/{sly}", "generic", "none"),
        "2024-05-01T10:00:00+00:00",
        0.1,
        (CheckResult.from_findings("s", sly, [finding]),),
    )
    for fmt in ("text", "md", "html", "jira", "junit"):
        out = render(report, fmt)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202e\u200b]", out), (fmt, out)
        assert "⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩" in out.replace("\\", ""), fmt
        assert "ESCAPE⟩[2J" in out.replace("\\", "").replace("&#92;", ""), fmt


def symptom_report() -> Report:
    """The clocks are apart (the cause) and Jira refuses the timestamp (its symptom, which blocks auth);
    tls warns beside its own failure."""
    checks = (
        CheckResult.from_findings(
            "tls",
            "TLS",
            [
                Finding("tls/self-signed", Status.FAIL, "self-signed"),
                Finding("tls/expiring-soon", Status.WARN, "expires in 9 days"),
            ],
        ),
        CheckResult.from_findings(
            "oauth-signature",
            "OAuth signature",
            [Finding("oauth-signature/timestamp-refused", Status.FAIL, "Jira refused the timestamp")],
        ),
        CheckResult.from_findings(
            "clock-skew",
            "Clock",
            [Finding("clock-skew/exceeds-tolerance", Status.FAIL, "Jira's clock is 9 minutes ahead")],
        ),
        CheckResult.skipped("auth", "Auth", "blocked", ("oauth-signature",)),
        CheckResult.skipped("can-work", "Can work", "blocked", ("tls",)),
    )
    target = TargetSummary("https://jira.example.com", "generic", "oauth1")
    return Report("0.1.0", target, "2026-01-01T00:00:00Z", 0.1, checks)


def test_a_symptom_is_told_under_its_cause_which_comes_first_and_unblocks() -> None:
    causes = fix_first(symptom_report())
    codes = [c.finding.code for c in causes]
    assert "oauth-signature/timestamp-refused" not in codes  # one item per cause
    clock = next(c for c in causes if c.finding.code == "clock-skew/exceeds-tolerance")
    assert [s.code for s in clock.symptoms] == ["oauth-signature/timestamp-refused"]
    assert clock.root and clock.blocks == ("auth",)
    assert codes.index("clock-skew/exceeds-tolerance") < codes.index("tls/expiring-soon")
    terminal = text.render(symptom_report())
    assert "also seen as oauth-signature/timestamp-refused" in terminal
    # JUnit reports check by check: the symptom stays under its own check there
    assert "timestamp-refused" in junit.render(symptom_report())


def test_a_warning_beside_a_failure_is_not_a_root_cause() -> None:
    causes = {c.finding.code: c for c in fix_first(symptom_report())}
    assert causes["tls/self-signed"].root and causes["tls/self-signed"].blocks == ("can-work",)
    assert not causes["tls/expiring-soon"].root


def test_without_its_cause_a_symptom_is_its_own_item() -> None:
    report = symptom_report()
    without_clock = tuple(c for c in report.checks if c.id != "clock-skew")
    report = Report("0.1.0", report.target, report.started_at, 0.1, without_clock)
    causes = {c.finding.code: c for c in fix_first(report)}
    assert causes["oauth-signature/timestamp-refused"].blocks == ("auth",)


def test_the_progress_line_fits_the_terminal() -> None:
    """A line wider than the terminal wraps, and each redraw then leaves a stale row (80 columns, ~140 chars)."""
    import fcntl
    import struct
    import termios

    from jiradoctor.progress import terminal_width

    ids = ["dns", "tls", "outgoing-tls", "proxy", "reachability", "base-url", "oauth-signature", "permissions",
           "can-work", "webhooks", "applink"]
    line = ProgressLine(ids, stream=io.StringIO())
    for width in (40, 80, 120):
        shown = line.line(width)
        assert len(shown) <= width - 1 and shown.startswith("… waiting for dns")
    assert "+" in line.line(40) and "more" in line.line(40)
    assert line.line(400).startswith("… waiting for " + ", ".join(ids))  # room for all: nothing cut
    main_fd, tty_fd = os.openpty()
    try:
        fcntl.ioctl(tty_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 52, 0, 0))
        with os.fdopen(os.dup(tty_fd), "w") as tty:
            assert terminal_width(tty) == 52
            assert len(ProgressLine(ids, stream=tty).line()) <= 51
    finally:
        os.close(main_fd)
        os.close(tty_fd)
