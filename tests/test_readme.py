"""Every command the README shows works: the wheel the CI recipes install (built without warnings,
with its console script and package data), and each `jiradoctor …` line, parsed by the real command
line in a folder holding the files it names; the offline ones are run for real."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jiradoctor.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDERS = {"…": "placeholder", "...": "placeholder"}


VARIABLES: dict[str, tuple[str, ...]] = {}  # command -> the JIRADOCTOR_* variables the README sets for it


def readme_commands() -> list[str]:
    """Each `jiradoctor …` line of the README's sh and yaml blocks, continuation lines joined,
    environment assignments, `run:`/`-` prefixes and comments dropped."""
    found = []
    for body in re.findall(r"```(?:sh|bash|yaml)\n(.*?)```", README, re.S):
        for line in re.sub(r"\\\n\s*", " ", body).splitlines():
            line = re.sub(r"^\s*(- run:|-)\s*", "", line).strip()
            words = shlex.split(line, comments=True)
            variables = []
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                variables.append(words.pop(0).split("=", 1)[0])
            for i, word in enumerate(words):  # a shell redirection or pipe ends the command
                if word in (">", ">>", "|", "&&", ";"):
                    words = words[:i]
                    break
            if words and words[0] in ("jiradoctor", ".venv/bin/jiradoctor"):
                found.append(shlex.join(words))
                VARIABLES[shlex.join(words)] = tuple(variables)
    return found



COMMANDS = readme_commands()


def test_the_readme_shows_the_commands_this_test_reads() -> None:
    assert len(COMMANDS) >= 10
    assert any(c.startswith("jiradoctor merge ") for c in COMMANDS)
    assert "pip install jiradoctor\n" not in README  # not on PyPI: the CI recipes install the wheel


@pytest.mark.parametrize("command", COMMANDS)
def test_every_readme_command_is_accepted_by_the_command_line(command: str, tmp_path: Path) -> None:
    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(command)[1:]]
    # an absolute path (Jira's cacerts) is made under the test's folder
    words = [str(tmp_path / w.lstrip("/")) if w.startswith("/") else w for w in words]
    for word in words:  # the files it names exist, as they would for the reader
        # every word that may name a file (a name with an extension, a path); an extra empty file harms nothing
        if re.fullmatch(r"[\w][\w./-]*\.[\w.-]+|.*/cacerts", word) and "://" not in word:
            path = tmp_path / word
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}" if word.endswith(".json") else "x")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        ctx = click.Context(main, info_name="jiradoctor")
        with ctx:
            if not words:  # `jiradoctor` alone (shell completion's source line)
                return
            sub = main.get_command(ctx, words[0])
            assert sub is not None, command
            try:  # every option exists, every choice is one, every file it names is readable
                sub.make_context(words[0], words[1:], parent=ctx)
            except click.exceptions.Exit:
                pass
    finally:
        os.chdir(old)


def test_the_offline_support_engineer_command_runs(tmp_path: Path) -> None:
    """The README's offline command on real files: the lab's server.xml, a pasted key, the private key."""
    from jiradoctor_lab import LabServer
    from jiradoctor_lab.invocation import write_customer_files

    with LabServer("url-mismatch-proxy-host") as lab:
        files = write_customer_files(lab, tmp_path)
    (tmp_path / "pasted.txt").write_text(files.public_key.read_text() if files.public_key else "")
    (tmp_path / "jira_privatekey.pcks8").write_text(files.private_key.read_text() if files.private_key else "")
    command = next(c for c in COMMANDS if "--offline" in c and "--private-key" in c)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output  # the customer's files hold the lab's wrong connector
    assert (tmp_path / "report.html").is_file() and (tmp_path / "report.json").is_file()
    assert "base-url/server-xml-mismatch" in (tmp_path / "report.json").read_text()


def test_the_wheel_the_ci_recipes_install_builds_cleanly_and_runs(tmp_path: Path) -> None:
    """`pip wheel --no-deps -w dist .` with no warning; installed, its `jiradoctor` runs the demo (the
    scenarios, templates and schema are in the wheel)."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
         str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    warnings = [line for line in (built.stdout + built.stderr).splitlines()
                if re.search(r"warning|deprecat", line, re.I) and "pip version" not in line]
    assert not warnings, warnings
    (wheel,) = (tmp_path / "dist").glob("jiradoctor-*.whl")
    site = tmp_path / "site"
    # the wheel with its own dependencies only (pip's cache or the registry), never the test extras: the
    # README's first command installs `.` alone, so the demo must run without them
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    script = site / "bin" / "jiradoctor"
    assert script.is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}
    plain = [sys.executable, "-S"]  # -S: none of this virtualenv's packages, only the wheel's install
    for scenario in ("url-mismatch-proxy-host", "oauth2-dc-healthy"):
        demo = subprocess.run([*plain, str(script), "demo", "--scenario", scenario, "--dir", str(tmp_path / scenario)],
                              capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
        assert demo.returncode == 0, demo.stderr
    found = subprocess.run([*plain, "-c", "import jiradoctor, pytest"], capture_output=True, text=True, env=env,
                           timeout=60, cwd=tmp_path)
    assert "No module named 'pytest'" in found.stderr  # the test extras were out of reach
    assert str(site) in subprocess.run(
        [*plain, "-c", "import jiradoctor; print(jiradoctor.__file__)"], capture_output=True, text=True,
        env=env, timeout=60, cwd=tmp_path,
    ).stdout  # the wheel's copy ran, not this checkout
    assert (tmp_path / "url-mismatch-proxy-host" / "report.html").read_text().lower().startswith("<!doctype html>")


# README commands that need a service of the integration's own: its TLS server and Jira's truststore.
# Parsed above like every other; tests/network/test_outgoing_tls.py runs the same command against local
# TLS servers and keytool truststores.
NEEDS_ANOTHER_SERVICE = ("--integration-url",)
SITE_URLS = ("https://jira.example.com", "https://example.atlassian.net", "https://acme.atlassian.net")
CAPTURED_LOG_LINE = (
    "2024-03-05 10:15:22,123+0000 http-nio-8080-exec-7 WARN anonymous 615x1x1 - 10.0.0.1 "
    "/plugins/servlet/oauth/request-token [c.a.oauth.serviceprovider.internal.AuthenticatorImpl] "
    "oauth_problem=signature_invalid\n"
)


def _evidence_files(folder: Path) -> None:
    """The files the README's commands name, real enough to be read: a HAR, Jira's logs, a support zip."""
    import gzip
    import json as _json
    import zipfile

    entry = {"startedDateTime": "2026-01-01T00:00:00Z", "time": 1,
             "request": {"method": "GET", "url": "https://jira.example.com/rest/api/2/myself", "httpVersion": "1.1",
                         "headers": [{"name": "Authorization", "value": "Basic c3ZjOnMzY3JldA=="}],
                         "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
             "response": {"status": 200, "statusText": "OK", "httpVersion": "1.1", "headers": [], "cookies": [],
                          "content": {"size": 2, "mimeType": "application/json", "text": '{"name":"svc"}'},
                          "redirectURL": "", "headersSize": -1, "bodySize": 2},
             "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}
    (folder / "session.har").write_text(_json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
                                                             "entries": [entry]}}))
    (folder / "atlassian-jira.log").write_text(CAPTURED_LOG_LINE)
    (folder / "atlassian-jira.log.1.gz").write_bytes(gzip.compress(CAPTURED_LOG_LINE.encode()))
    (folder / "atlassian-jira-security.log").write_text("")
    (folder / "catalina.out").write_text("")
    with zipfile.ZipFile(folder / "Jira_support_2024-03-05.zip", "w") as archive:
        archive.writestr("application-logs/atlassian-jira.log", CAPTURED_LOG_LINE)


def _oauth2_scenario_for(words: list[str]) -> str:
    """The lab's OAuth 2.0 provider that stands in for the README example's."""
    if "--oauth2-flow" in words:
        return "oauth2-dc-service-account"
    return "oauth2-cloud-site-url" if "https://acme.atlassian.net" in words else "oauth2-dc-healthy"


def run_oauth2_example(words: list[str], variables: tuple[str, ...]) -> int:
    """A README OAuth 2.0 command against the lab's provider: its URL, client id, redirect URI and secrets
    the lab's (the README writes `...` for them); on Cloud the lab also plays Atlassian's auth server."""
    from jiradoctor_lab import LabServer
    from jiradoctor_lab.oauth2_provider import oauth2_scenario, spec_for

    name = _oauth2_scenario_for(words)
    spec = spec_for(name)
    assert spec is not None
    client = spec.client
    with LabServer(oauth2_scenario(name)) as lab:
        values = {"--client-id": str(client["client_id"]), "--redirect-uri": str(client["redirect_uri"])}
        argv = [lab.url if w in SITE_URLS else w for w in words]
        argv = [values.get(prev, w) for prev, w in zip(["", *argv], argv, strict=False)]
        env = {"JIRADOCTOR_CLIENT_SECRET": str(client["client_secret"]), "JIRADOCTOR_TIMEOUT": "3"}
        if client.get("token") and "JIRADOCTOR_OAUTH2_TOKEN" in variables:
            env["JIRADOCTOR_OAUTH2_TOKEN"] = str(client["token"])
        if lab.scenario.is_cloud:
            env |= {"JIRADOCTOR_OAUTH2_AUTH_URL": lab.url, "JIRADOCTOR_OAUTH2_API_URL": lab.url}
        result = CliRunner().invoke(main, argv, env=env)
    assert result.exit_code in (0, 1), (argv, result.exit_code, result.output[-800:])
    return result.exit_code


def test_every_local_readme_command_runs_in_order(tmp_path: Path) -> None:
    """The README's commands, run in its order in one folder as a reader would: its files made real (the
    lab's server.xml, pasted key and private key; a HAR; Jira's logs), and its example Jira URL and CI
    variables pointing at a lab Jira. None may end in a usage error or a crash."""
    from jiradoctor_lab import LabServer
    from jiradoctor_lab.invocation import write_customer_files

    _evidence_files(tmp_path)
    ran = []
    with LabServer("healthy") as lab:
        files = write_customer_files(lab, tmp_path / "lab")
        assert files.public_key and files.private_key and files.server_xml
        (tmp_path / "pasted.txt").write_text(files.public_key.read_text())
        (tmp_path / "jira_privatekey.pcks8").write_text(files.private_key.read_text())
        (tmp_path / "server.xml").write_text(files.server_xml.read_text())
        (tmp_path / "fleet.toml").write_text(  # the README's fleet: two connections to the lab, a secret by name
            f'[defaults]\nintegration = "generic"\ntimeout = 3\n\n[[target]]\nname = "acme"\nurl = "{lab.url}"\n'
            f'user = "{lab.client.user or "piplanning-svc"}"\npassword_env = "ACME_JIRA_PASSWORD"\n\n'
            f'[[target]]\nname = "globex"\nurl = "{lab.url}"\n'
        )
        env = {  # the README's `export` for CI, with the lab's values
            "JIRADOCTOR_URL": lab.url, "JIRADOCTOR_INTEGRATION": "piplanning", "JIRADOCTOR_CONSUMER_KEY":
            lab.consumer_key, "JIRADOCTOR_PRIVATE_KEY": "jira_privatekey.pcks8",
            "JIRADOCTOR_ACCESS_TOKEN": lab.client.access_token, "JIRADOCTOR_TIMEOUT": "3",
            "ACME_JIRA_PASSWORD": "not-the-password",  # the fleet's secret comes from the variable it names
        }
        old = Path.cwd()
        os.chdir(tmp_path)
        try:
            for command in COMMANDS:
                words = shlex.split(command)[1:]
                if not words or any(flag in words for flag in NEEDS_ANOTHER_SERVICE):
                    continue
                if "--client-id" in words:  # OAuth 2.0: the lab's provider in place of the README's
                    run_oauth2_example(words, VARIABLES[command])
                    ran.append("oauth2")
                    continue
                words = [lab.url if w in SITE_URLS else w for w in words]
                words = [lab.base_url if w == lab.url and prev == "--base-url" else w
                         for prev, w in zip(["", *words], words, strict=False)]
                result = CliRunner().invoke(main, words, env=env)
                assert result.exit_code in (0, 1), (command, result.exit_code, result.output[-800:])
                ran.append(words[0])
        finally:
            os.chdir(old)
    assert {"doctor", "merge", "har", "logs", "fleet", "oauth2"} <= set(ran) and len(ran) >= 19, ran
    assert (tmp_path / "merged" / "fleet.json").is_file() and (tmp_path / "tonight" / "metrics.prom").is_file()
