"""The command-line contract: commands, exit codes, option sources, output routing.

The issue's acceptance run goes through a real subprocess; the rest uses click's CliRunner
(in-process, and every report it makes is schema-validated by conftest).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor import cli
from jiradoctor.cli import main
from jiradoctor.registry import load_checks
from jiradoctor.secrets import MASK
from tests.conftest import assert_valid_report

DATA = Path(__file__).parent.parent / "data"
BASE = "https://jira.example.com"
CORE = ("base-url", "consumer-key", "public-key")


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def finding_codes(data: dict) -> set[str]:
    return {f["code"] for c in data["checks"] for f in c["findings"]}


@pytest.fixture
def keyfiles(tmp_path: Path, rsa_pair, other_rsa_pair) -> dict[str, Path]:
    files = {
        "public": rsa_pair.public_spki,
        "private": rsa_pair.private_pkcs8,
        "other_private": other_rsa_pair.private_pkcs8,
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.pem"
        paths[name].write_text(text)
    return paths


# --- the acceptance run (real subprocess) ------------------------------------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run(
        [sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_acceptance_broken_set_names_each_planted_problem(tmp_path: Path, keyfiles) -> None:
    result = run_cli(
        "doctor",
        "--offline",
        "--server-xml",
        str(DATA / "server_proxy_without_proxyname.xml"),
        "--public-key",
        str(keyfiles["public"]),
        "--private-key",
        str(keyfiles["other_private"]),
        "--consumer-key",
        "abc ",
        "--jira-consumer-key",
        "abc",
        "--base-url",
        BASE,
        "--url",
        BASE,
        "-o",
        "r.html",
        "-o",
        "r.json",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert_valid_report(data)
    assert {
        "base-url/proxy-attributes-missing",
        "public-key/pair-mismatch",
        "consumer-key/whitespace",
        "consumer-key/mismatch",
    } <= finding_codes(data)
    statuses = {c["id"]: c["status"] for c in data["checks"]}
    assert all(statuses[c] == "fail" for c in CORE)
    assert data["summary"]["status"] == "fail"
    assert data["target"]["auth"] == "oauth1"
    html = (tmp_path / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "public-key/pair-mismatch" in html
    assert "wrote r.json" in result.stderr and "wrote r.html" in result.stderr


def test_acceptance_healthy_set_passes(tmp_path: Path, keyfiles) -> None:
    result = run_cli(
        "doctor",
        "--offline",
        "--server-xml",
        str(DATA / "server_proxy_ok.xml"),
        "--public-key",
        str(keyfiles["public"]),
        "--private-key",
        str(keyfiles["private"]),
        "--consumer-key",
        "abc",
        "--jira-consumer-key",
        "abc",
        "--base-url",
        BASE,
        "--url",
        BASE,
        "-o",
        "r.html",
        "-o",
        "r.json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert_valid_report(data)
    statuses = {c["id"]: c["status"] for c in data["checks"]}
    assert all(statuses[c] == "pass" for c in CORE), statuses
    # every other check needs the network: under --offline it is skipped, never failed
    others = {i: s for i, s in statuses.items() if i not in CORE}
    assert set(others.values()) <= {"skip"}, others
    assert data["summary"]["status"] == "pass"
    assert {"base-url/ok", "public-key/ok", "consumer-key/ok"} <= finding_codes(data)


# --- checks / explain ----------------------------------------------------------------------------


def test_checks_lists_every_check() -> None:
    result = invoke("checks")
    assert result.exit_code == 0
    for check_id in load_checks().ids:
        assert check_id in result.stdout


@pytest.mark.parametrize("check_id", load_checks(include_plugins=False).ids)
def test_explain_every_check(check_id: str) -> None:
    result = invoke("explain", check_id)
    assert result.exit_code == 0
    check = load_checks().get(check_id)
    assert check is not None and check.codes, f"{check_id} declares no finding codes"
    assert len(result.stdout.strip()) > 100
    assert check.title in result.stdout
    for code in check.codes:
        assert code in result.stdout
    assert ("--deep" in result.stdout) == check.deep  # a deep check says how to run it; no other check does


def test_explain_unknown_check_is_a_usage_error() -> None:
    result = invoke("explain", "no-such-check")
    assert result.exit_code == 2
    assert "unknown check" in result.stderr and "public-key" in result.stderr


# --- doctor: output routing and exit codes -------------------------------------------------------


def test_format_json_puts_only_the_report_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = invoke("doctor", "--offline", "--consumer-key", "abc ", "--format", "json", "-o", str(out))
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # nothing else on stdout
    assert_valid_report(data)
    assert "consumer-key/whitespace" in finding_codes(data)
    assert f"wrote {out}" in result.stderr and "wrote" not in result.stdout
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_default_stdout_is_the_text_summary() -> None:
    result = invoke("doctor", "--offline", "--consumer-key", "abc")
    assert result.exit_code == 0
    assert "consumer-key" in result.stdout and "Overall: pass" in result.stdout


@pytest.mark.parametrize("name", ["r.pdf", "report", "r.yaml"])
def test_unknown_output_extension_is_a_usage_error(tmp_path: Path, name: str) -> None:
    result = invoke("doctor", "--offline", "--consumer-key", "abc", "-o", str(tmp_path / name))
    assert result.exit_code == 2
    assert "extension" in result.stderr
    assert not (tmp_path / name).exists()


def test_fail_on_levels() -> None:
    warn_only = ["doctor", "--offline", "--consumer-key", "abc$def"]  # unusual-character: warn
    assert invoke(*warn_only).exit_code == 0
    assert invoke(*warn_only, "--fail-on", "warn").exit_code == 1
    assert invoke(*warn_only, "--fail-on", "fail").exit_code == 0
    failing = ["doctor", "--offline", "--consumer-key", "abc "]
    assert invoke(*failing).exit_code == 1
    assert invoke(*failing, "--fail-on", "never").exit_code == 0
    assert invoke(*failing, "--fail-on", "bogus").exit_code == 2


def test_nothing_to_check_is_a_usage_error() -> None:
    result = invoke("doctor", "--offline")
    assert result.exit_code == 2 and "nothing to check" in result.stderr


def test_missing_input_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    result = invoke("doctor", "--offline", "--public-key", str(missing))
    assert result.exit_code == 2
    assert "cannot read public key file" in result.stderr and "nope.pem" in result.stderr


def test_only_and_skip(tmp_path: Path) -> None:
    args = ["doctor", "--offline", "--consumer-key", "abc", "--base-url", BASE, "--format", "json"]
    only = json.loads(invoke(*args, "--only", "consumer-key").stdout)
    assert [c["id"] for c in only["checks"]] == ["consumer-key"]
    both = json.loads(invoke(*args, "--only", "consumer-key,base-url").stdout)
    assert {c["id"] for c in both["checks"]} == {"consumer-key", "base-url"}
    skipped = json.loads(invoke(*args, "--skip", "consumer-key", "--skip", "public-key").stdout)
    ids = {c["id"] for c in skipped["checks"]}
    assert "consumer-key" not in ids and "public-key" not in ids and "base-url" in ids
    unknown = invoke(*args, "--only", "consumer-kee")
    assert unknown.exit_code == 2 and "consumer-kee" in unknown.stderr


# --- option sources: config file and environment -------------------------------------------------


def test_config_file_gives_defaults_and_the_command_line_wins(tmp_path: Path) -> None:
    config = tmp_path / "jd.toml"
    config.write_text(
        '[doctor]\nconsumer-key = "abc "\njira_consumer_key = "abc"\noffline = true\nonly = ["consumer-key"]\n'
    )
    data = json.loads(invoke("doctor", "--config", str(config), "--format", "json").stdout)
    assert {"consumer-key/whitespace", "consumer-key/mismatch"} <= finding_codes(data)
    assert [c["id"] for c in data["checks"]] == ["consumer-key"]
    overridden = invoke("doctor", "--config", str(config), "--consumer-key", "abc", "--format", "json")
    assert overridden.exit_code == 0
    assert finding_codes(json.loads(overridden.stdout)) == {"consumer-key/ok"}


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "jd.toml"
    config.write_text('consumer-key = "abc\u200b"\noffline = true\n')
    result = invoke("doctor", "--format", "json", env={"JIRADOCTOR_CONFIG": str(config)})
    assert "consumer-key/invisible-character" in finding_codes(json.loads(result.stdout))


def test_unreadable_config_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("consumer-key = = 1\n")
    assert invoke("doctor", "--config", str(bad)).exit_code == 2
    assert invoke("doctor", "--config", str(tmp_path / "missing.toml")).exit_code == 2


def test_config_file_format_key(tmp_path: Path) -> None:
    """TOML keys are named like the options: ``format`` feeds the parameter ``fmt``."""
    config = tmp_path / "jd.toml"
    config.write_text('format = "json"\nconsumer-key = "abc"\noffline = true\nfail-on = "never"\n')
    result = invoke("doctor", "--config", str(config))
    assert result.exit_code == 0
    assert finding_codes(json.loads(result.stdout)) >= {"consumer-key/ok"}


def test_unknown_config_key_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "jd.toml"
    config.write_text('consumer_kee = "abc"\n')
    result = invoke("doctor", "--config", str(config), "--offline", "--consumer-key", "abc")
    assert result.exit_code == 2 and "consumer_kee" in result.stderr


def test_environment_gives_defaults() -> None:
    env = {
        "JIRADOCTOR_CONSUMER_KEY": "abc ",
        "JIRADOCTOR_OFFLINE": "1",
        "JIRADOCTOR_FORMAT": "json",
        "JIRADOCTOR_INTEGRATION": "jira-align",
    }
    result = invoke("doctor", env=env)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["target"]["integration"] == "jira-align"
    assert "consumer-key/whitespace" in finding_codes(data)


def test_command_line_beats_environment() -> None:
    result = invoke(
        "doctor",
        "--consumer-key",
        "abc",
        "--format",
        "json",
        env={"JIRADOCTOR_CONSUMER_KEY": "abc ", "JIRADOCTOR_OFFLINE": "1"},
    )
    assert result.exit_code == 0
    assert finding_codes(json.loads(result.stdout)) == {"consumer-key/ok"}


def test_fail_on_from_environment() -> None:
    result = invoke("doctor", "--offline", "--consumer-key", "abc$", env={"JIRADOCTOR_FAIL_ON": "warn"})
    assert result.exit_code == 1


def test_output_from_environment(tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    result = invoke("doctor", "--offline", "--consumer-key", "abc", env={"JIRADOCTOR_OUTPUT": str(out)})
    assert result.exit_code == 0
    assert_valid_report(json.loads(out.read_text()))


# --- exit code 3 ---------------------------------------------------------------------------------


def test_internal_failure_exits_3_with_a_redacted_message(monkeypatch: pytest.MonkeyPatch) -> None:
    password = "ExitThreeCanary-Pw-91"

    def explode(target, options, progress=None, facts=None):
        raise RuntimeError(f"renderer broke while holding {target.password.reveal()}")

    from jiradoctor.cli import doctor as doctor_module

    monkeypatch.setattr(doctor_module, "run_doctor", explode)
    result = CliRunner().invoke(
        main, ["doctor", "--offline", "--url", BASE, "--user", "svc"], env={"JIRADOCTOR_PASSWORD": password}
    )
    assert result.exit_code == 3
    assert "jiradoctor failed: RuntimeError" in result.stderr
    assert MASK in result.stderr
    assert password not in result.output and password not in result.stderr


# --- render --------------------------------------------------------------------------------------


def make_report(tmp_path: Path) -> Path:
    path = tmp_path / "r.json"
    result = invoke("doctor", "--offline", "--consumer-key", "abc ", "--jira-consumer-key", "abc", "-o", str(path))
    assert result.exit_code == 1
    return path


def test_render_json_to_markdown_and_html(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    result = invoke("render", str(report), "-o", str(md), "-o", str(html))
    assert result.exit_code == 0, result.output
    text = md.read_text()
    assert text.startswith("### jiradoctor:") and "consumer\\-key/mismatch" in text
    assert "consumer-key/mismatch" in html.read_text()
    assert result.stdout == ""  # files only: no summary on stdout


def test_render_to_stdout(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    result = invoke("render", str(report), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(report.read_text())
    assert "Overall: fail" in invoke("render", str(report)).stdout


def test_render_refuses_another_schema_version(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    data = json.loads(report.read_text())
    data["schema_version"] = 2
    future = tmp_path / "future.json"
    future.write_text(json.dumps(data))
    result = invoke("render", str(future), "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 2
    assert "schema_version 2" in result.stderr and "schema_version 1" in result.stderr
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1, 2]",
        "{}",
        '{"schema_version": 1, "target": "x"}',
        '{"schema_version": 1, "checks": [{"id": "a"}]}',
    ],
)
def test_render_refuses_what_is_not_a_report(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    result = invoke("render", str(path))
    assert result.exit_code == 2, result.output
    assert "jiradoctor failed" not in result.stderr


def test_render_unknown_extension(tmp_path: Path) -> None:
    assert invoke("render", str(make_report(tmp_path)), "-o", str(tmp_path / "x.pdf")).exit_code == 2


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and "jiradoctor" in result.stdout


def test_a_crashed_check_exits_3_and_the_report_is_still_written(monkeypatch, tmp_path) -> None:
    from jiradoctor import cli as cli_module
    from jiradoctor.cli import shared
    from jiradoctor.registry import Check, LoadedChecks

    async def boom(ctx):
        raise RuntimeError("plugin bug")

    crashing = Check(id="crashy", title="Crashy", explanation="x", judge=boom, inputs_any=("consumer_key",))
    real = cli_module.load_checks()
    monkeypatch.setattr(
        shared, "load_checks", lambda include_plugins=True: LoadedChecks(real.checks + (crashing,), ())
    )
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli_module.main, ["doctor", "--offline", "--consumer-key", "abc", "-o", str(out)])
    assert result.exit_code == 3
    data = json.loads(out.read_text())
    assert [c["status"] for c in data["checks"] if c["id"] == "crashy"] == ["error"]


def test_a_secret_on_the_command_line_draws_a_warning_and_the_environment_none() -> None:
    args = ["doctor", "--offline", "--consumer-key", "abc", "--user", "svc"]
    on_argv = CliRunner().invoke(main, args + ["--password", "ArgvPw-1"])
    assert "--password on the command line" in on_argv.stderr and "ArgvPw-1" not in on_argv.stderr
    from_env = CliRunner().invoke(main, args, env={"JIRADOCTOR_PASSWORD": "EnvPw-2"})
    assert "on the command line" not in from_env.stderr


def test_an_output_in_a_new_folder_is_written(tmp_path) -> None:
    out = tmp_path / "ci" / "baseline.json"
    result = CliRunner().invoke(
        main, ["doctor", "--offline", "--consumer-key", "abc", "--fail-on", "never", "-o", str(out)]
    )
    assert result.exit_code == 0 and json.loads(out.read_text())["schema_version"] == 1


def test_end_of_input_at_a_secret_prompt_is_a_usage_error_not_an_interrupt() -> None:
    """`--password -` with nothing on standard input once exited 130 as if Ctrl-C had been pressed."""
    argv = [sys.executable, "-m", "jiradoctor", "doctor", "--offline", "--url", "https://jira.example.com",
            "--user", "u", "--password", "-"]
    ended = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert ended.returncode == 2 and "standard input ended" in ended.stderr and "interrupted" not in ended.stderr
    piped = subprocess.run(argv, input="s3cret-canary\n", capture_output=True, text=True, timeout=60)
    assert piped.returncode in (0, 1, 4) and "s3cret-canary" not in piped.stdout + piped.stderr


def test_option_defaults_come_from_the_xdg_config_file_when_it_exists(tmp_path: Path) -> None:
    """$XDG_CONFIG_HOME/jiradoctor/config.toml is read without --config; --config and its variable win."""
    (tmp_path / "xdg" / "jiradoctor").mkdir(parents=True)
    (tmp_path / "xdg" / "jiradoctor" / "config.toml").write_text('integration = "kendis"\noffline = true\n')
    (tmp_path / "other.toml").write_text('integration = "zephyr-enterprise"\noffline = true\n')
    xml = tmp_path / "server.xml"
    xml.write_text('<Server><Service><Connector port="8080"/></Service></Server>')
    args = ["doctor", "--server-xml", str(xml), "--format", "json"]
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    read = CliRunner().invoke(cli.main, args, env=env)
    assert json.loads(read.stdout)["target"]["integration"] == "kendis"
    chosen = CliRunner().invoke(cli.main, ["doctor", "--config", str(tmp_path / "other.toml"), *args[1:]], env=env)
    assert json.loads(chosen.stdout)["target"]["integration"] == "zephyr-enterprise"
    elsewhere = CliRunner().invoke(cli.main, [*args, "--offline"], env={"XDG_CONFIG_HOME": str(tmp_path / "none")})
    assert json.loads(elsewhere.stdout)["target"]["integration"] == "generic"
