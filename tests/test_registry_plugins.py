"""Plugins through the real entry-point machinery: a dist-info on a tmp path, in-process and via the CLI."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from jiradoctor.model import Status
from jiradoctor.context import Facts
from jiradoctor.registry import ENTRY_POINT_GROUP, builtin_checks, load_checks
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.target import Target
from tests.conftest import assert_valid_report

BUILTIN_IDS = {"base-url", "consumer-key", "public-key"}

GOOD_MODULE = '''
from jiradoctor.model import Finding, Status
from jiradoctor.registry import Check

async def judge(ctx):
    key = ctx.target.consumer_key
    return [Finding("plugin-hello/greeting", Status.WARN, f"hello from a plugin; consumer key length {len(key or '')}")]

CHECK = Check(id="plugin-hello", title="A plugin check", explanation="Says hello.\\nCodes: plugin-hello/greeting",
              judge=judge, inputs_any=("consumer_key",), order=90, codes=("plugin-hello/greeting",))

def make_check():
    async def judge2(ctx):
        return []
    return Check(id="plugin-factory", title="Made by a factory", explanation="x", judge=judge2)

NOT_A_CHECK = "just a string"

DUPLICATE = Check(id="public-key", title="Impostor", explanation="x", judge=judge)
'''

BROKEN_MODULE = '''
raise ImportError("plugin exploded while importing")
'''


def make_site(root: Path) -> tuple[Path, str, str]:
    """A site dir with two distributions: a good plugin module and one whose import raises."""
    suffix = uuid.uuid4().hex[:8]
    good, broken = f"jdplugin_good_{suffix}", f"jdplugin_broken_{suffix}"
    site = root / "site"
    (site / good).mkdir(parents=True)
    (site / good / "__init__.py").write_text(GOOD_MODULE)
    (site / broken).mkdir()
    (site / broken / "__init__.py").write_text(BROKEN_MODULE)
    for dist, entries in (
        (good, f"plugin-hello = {good}:CHECK\nplugin-factory = {good}:make_check\n"
               f"not-a-check = {good}:NOT_A_CHECK\nduplicate = {good}:DUPLICATE\n"),
        (broken, f"broken = {broken}:CHECK\n"),
    ):
        info = site / f"{dist}-1.0.dist-info"
        info.mkdir()
        info.joinpath("METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        info.joinpath("entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entries}")
    return site, good, broken


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site, good, broken = make_site(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    for name in list(sys.modules):
        if name.startswith((good, broken)):
            del sys.modules[name]


def test_builtin_checks_are_found_without_plugins() -> None:
    loaded = load_checks(include_plugins=False)
    assert BUILTIN_IDS <= set(loaded.ids)
    assert loaded.warnings == ()
    assert {c.id for c in builtin_checks()} >= BUILTIN_IDS


def test_plugin_check_is_found_and_broken_plugins_become_warnings(plugin_site: Path) -> None:
    loaded = load_checks()
    assert "plugin-hello" in loaded.ids
    assert "plugin-factory" in loaded.ids  # a callable entry point is called to get the Check
    assert BUILTIN_IDS <= set(loaded.ids)
    warnings = "\n".join(loaded.warnings)
    assert "'broken'" in warnings and "plugin exploded while importing" in warnings
    assert "'not-a-check'" in warnings and "not a jiradoctor Check" in warnings
    assert "'public-key' ignored" in warnings
    impostor = loaded.get("public-key")
    assert impostor is not None and impostor.title != "Impostor"  # the built-in wins


def test_plugin_check_runs_in_process(plugin_site: Path) -> None:
    loaded = load_checks()
    target = Target(consumer_key="abcd", offline=True)
    report = asyncio.run(Runner(loaded.checks, target, RunOptions(only=("plugin-hello", "consumer-key")),
                                facts=Facts(target, probes={})).run())
    hello = next(c for c in report.checks if c.id == "plugin-hello")
    assert hello.status == Status.WARN
    assert hello.findings[0].code == "plugin-hello/greeting"
    assert "length 4" in hello.findings[0].message
    assert next(c for c in report.checks if c.id == "consumer-key").status == Status.PASS


# --- through the CLI, as a user would install a plugin -------------------------------------------

def cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    env = {k: v for k, v in env.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run([sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, env=env,
                          timeout=60, cwd=site.parent)


def test_cli_lists_explains_and_runs_a_plugin(tmp_path: Path) -> None:
    site, _, _ = make_site(tmp_path)

    listed = cli(site, "checks")
    assert listed.returncode == 0, listed.stderr
    assert "plugin-hello" in listed.stdout and "public-key" in listed.stdout
    assert "warning: plugin check 'broken'" in listed.stderr
    assert "plugin exploded while importing" in listed.stderr

    explained = cli(site, "explain", "plugin-hello")
    assert explained.returncode == 0, explained.stderr
    assert "plugin-hello/greeting" in explained.stdout

    ran = cli(site, "doctor", "--offline", "--consumer-key", "abc", "--format", "json")
    assert ran.returncode == 0, ran.stderr  # the plugin warns; --fail-on defaults to fail
    assert "warning: plugin check 'broken'" in ran.stderr
    data = json.loads(ran.stdout)
    assert_valid_report(data)
    by_id = {c["id"]: c for c in data["checks"]}
    assert by_id["plugin-hello"]["status"] == "warn"
    assert by_id["plugin-hello"]["findings"][0]["code"] == "plugin-hello/greeting"
    assert by_id["consumer-key"]["status"] == "pass"
    assert by_id["public-key"]["title"] != "Impostor"

    gated = cli(site, "doctor", "--offline", "--consumer-key", "abc", "--fail-on", "warn", "--only", "plugin-hello")
    assert gated.returncode == 1, gated.stderr


def test_the_old_unversioned_group_is_still_read_with_a_deprecation_warning(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    name = "jdoc_old_group_plugin"
    site = tmp_path / "site-old"
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(
        "from jiradoctor.model import Finding, Status\n"
        "from jiradoctor.registry import Check\n"
        "async def judge(ctx):\n"
        "    return [Finding('old-hello/hi', Status.INFO, 'hi')]\n"
        "CHECK = Check(id='old-hello', title='Old', explanation='x', judge=judge, codes=('old-hello/hi',))\n")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    info.joinpath("METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    info.joinpath("entry_points.txt").write_text(f"[jiradoctor.checks]\nold-hello = {name}:CHECK\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    try:
        loaded = load_checks()
    finally:
        sys.modules.pop(name, None)
    assert ENTRY_POINT_GROUP == "jiradoctor.checks.v1"
    assert "old-hello" in loaded.ids
    assert any("'old-hello'" in w and "deprecated" in w and "jiradoctor.checks.v1" in w for w in loaded.warnings)

