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


def readme_commands() -> list[str]:
    """Each `jiradoctor …` line of the README's sh and yaml blocks, continuation lines joined,
    environment assignments, `run:`/`-` prefixes and comments dropped."""
    found = []
    for body in re.findall(r"```(?:sh|bash|yaml)\n(.*?)```", README, re.S):
        for line in re.sub(r"\\\n\s*", " ", body).splitlines():
            line = re.sub(r"^\s*(- run:|-)\s*", "", line).strip()
            words = shlex.split(line, comments=True)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words.pop(0)
            for i, word in enumerate(words):  # a shell redirection or pipe ends the command
                if word in (">", ">>", "|", "&&", ";"):
                    words = words[:i]
                    break
            if words and words[0] in ("jiradoctor", ".venv/bin/jiradoctor"):
                found.append(shlex.join(words))
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
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    script = site / "bin" / "jiradoctor"
    assert script.is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}
    demo = subprocess.run([sys.executable, str(script), "demo", "--dir", str(tmp_path / "demo")],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert str(site) in subprocess.run(
        [sys.executable, "-c", "import jiradoctor; print(jiradoctor.__file__)"], capture_output=True, text=True,
        env=env, timeout=60, cwd=tmp_path,
    ).stdout  # the wheel's copy ran, not this checkout
    assert (tmp_path / "demo" / "report.html").read_text().lower().startswith("<!doctype html>")
