"""--debug traces every request and answer with secrets masked; --quiet, --verbose, --color/--no-color;
the flags work before or after the command."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.terminal import hoist
from jiradoctor_lab import LabServer
from jiradoctor_lab.invocation import CustomerFiles, doctor_invocation


def _run(scenario: str, *extra: str) -> tuple[object, LabServer]:
    with LabServer(scenario) as lab:
        invocation = doctor_invocation(lab, CustomerFiles())
        result = CliRunner().invoke(main, [*invocation.argv[1:], "--timeout", "3", *extra], env=invocation.env)
    return result, lab


def _encodings(secret: str) -> list[str]:
    return [secret, urllib.parse.quote(secret, safe=""), base64.b64encode(secret.encode()).decode()[:-2]]


def test_debug_traces_requests_and_answers_without_a_secret() -> None:
    result, lab = _run("healthy-email-user", "--debug")
    trace = result.stderr
    assert "> GET http://127.0.0.1:" in trace and "/rest/api/2/myself" in trace
    assert "< 200 in " in trace and "  authorization: Basic ********" in trace
    assert '"baseUrl"' in trace or "| {" in trace  # answer bodies are shown (cut short)
    for secret in (lab.client.password, f"{lab.client.user}:{lab.client.password}"):
        for encoded in _encodings(secret):
            assert encoded not in trace and encoded not in result.stdout
    quiet_run, _ = _run("healthy-email-user")
    assert "> GET" not in quiet_run.stderr  # no trace without --debug


def test_debug_with_a_pat_masks_the_bearer_token() -> None:
    result, lab = _run("healthy-pat", "--debug")
    assert "authorization: Bearer ********" in result.stderr
    for encoded in _encodings(lab.client.pat):
        assert encoded not in result.stderr


def test_quiet_prints_nothing_but_the_files_and_the_exit_code(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result, _ = _run("healthy-email-user", "--quiet", "-o", str(out))
    assert result.stdout == "" and "wrote" not in result.stderr
    assert json.loads(out.read_text())["summary"]["status"] == "pass" and result.exit_code == 0
    loud, _ = _run("healthy-email-user", "-o", str(out))
    assert "Overall:" in loud.stdout and "wrote" in loud.stderr


def test_verbose_shows_every_finding_and_colour_is_asked_for() -> None:
    plain, _ = _run("healthy-email-user")
    verbose, _ = _run("healthy-email-user", "-v")
    assert "auth/ok" not in plain.stdout and "      pass  auth/" in verbose.stdout
    coloured, _ = _run("healthy-email-user", "--color")
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout  # CliRunner's stdout is not a terminal
    never, _ = _run("healthy-email-user", "--no-color")
    assert "\x1b[" not in never.stdout


def test_the_flags_may_follow_the_command_but_never_eat_a_value() -> None:
    assert hoist(["doctor", "--url", "u", "--debug"]) == ["--debug", "doctor", "--url", "u"]
    assert hoist(["doctor", "--deep", "-q"]) == ["-q", "doctor", "--deep"]
    assert hoist(["doctor", "--password", "--debug"]) == ["doctor", "--password", "--debug"]  # a value
    assert hoist(["doctor", "--", "--debug"]) == ["doctor", "--", "--debug"]
    both = CliRunner().invoke(main, ["doctor", "--quiet", "--debug", "--url", "https://x"])
    assert both.exit_code == 2 and "--quiet cannot go with" in both.output
