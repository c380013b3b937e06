"""Each command imports only what it uses (issue 14): not a timing, the modules a real process loaded.

Every command runs in its own Python process through ``jiradoctor.__main__.run`` (the console
entry); a tiny wrapper prints ``sys.modules`` when it ends. A command that must not touch the
network stack may not load httpx, cryptography, oauthlib, dnspython, authlib, asyncio, ssl or the
lab; jinja2 only when HTML is written; the lab only for ``lab`` and ``demo``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

NETWORK = ("httpx", "httpcore", "cryptography", "oauthlib", "dns", "authlib", "certifi")
RUNTIME = ("asyncio", "ssl")
LAB = ("jiradoctor_lab",)
WATCHED = NETWORK + RUNTIME + LAB + ("jinja2",)

WRAPPER = textwrap.dedent("""
    import json, sys
    sys.argv = ["jiradoctor", *sys.argv[1:]]
    try:
        from jiradoctor.__main__ import run
        run()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    finally:
        print(json.dumps(sorted(sys.modules)), file=sys.stderr)
""")


def loaded(*args: str, cwd: Path) -> tuple[set[str], str]:
    """The watched top-level packages the command loaded (and its stdout)."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    found = {w for w in WATCHED if any(m == w or m.startswith(w + ".") for m in modules)}
    return found, done.stdout


@pytest.fixture(scope="module")
def saved_report(tmp_path_factory) -> Path:
    """A real JSON report from an offline doctor run, for render and diff."""
    folder = tmp_path_factory.mktemp("lazy")
    out = folder / "report.json"
    subprocess.run(
        [sys.executable, "-m", "jiradoctor", "doctor", "--offline", "--consumer-key", "abc", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=folder,
    )
    assert out.exists() and json.loads(out.read_text())["schema_version"] == 1
    return out


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("checks",),
        ("explain", "tls"),
        ("profiles",),
        ("profiles", "--toml"),
        ("doctor", "--help"),
        ("fleet", "--help"),
        ("fleet", "run", "--help"),
    ],
)
def test_light_commands_load_no_network_stack_no_lab_no_jinja(args, tmp_path) -> None:
    found, stdout = loaded(*args, cwd=tmp_path)
    assert stdout.strip(), f"{args} printed nothing"
    assert found == set(), f"`jiradoctor {' '.join(args)}` loaded {sorted(found)}"


def test_render_and_diff_load_jinja_only_for_html(saved_report, tmp_path) -> None:
    text_found, text_out = loaded("render", str(saved_report), cwd=tmp_path)
    assert "consumer-key" in text_out and text_found == set()
    diff_found, _ = loaded("diff", str(saved_report), str(saved_report), cwd=tmp_path)
    assert diff_found == set()
    html = tmp_path / "r.html"
    html_found, _ = loaded("render", str(saved_report), "-o", str(html), cwd=tmp_path)
    assert html.read_text().lstrip().lower().startswith("<!doctype html")
    assert html_found == {"jinja2"}


def test_the_lab_is_loaded_for_lab_and_the_network_stack_when_something_runs(tmp_path) -> None:
    """The other direction: the lazy parts are really loaded where they are used."""
    lab_found, lab_out = loaded("lab", "scenarios", cwd=tmp_path)
    assert "healthy" in lab_out and "jiradoctor_lab" in lab_found
    help_found, help_out = loaded("--help", cwd=tmp_path)
    assert "lab" in help_out and "broken-Jira lab" in help_out and "jiradoctor_lab" not in help_found
    doctor_found, _ = loaded(
        "doctor", "--url", "http://127.0.0.1:9/", "--only", "reachability", "--timeout", "1", cwd=tmp_path
    )
    assert {"httpx", "asyncio"} <= doctor_found


def test_the_fact_index_names_the_module_of_every_probe() -> None:
    """FACT_MODULES lets a run import only the probes it uses; it must match what the modules declare."""
    import importlib
    import pkgutil

    import jiradoctor.probes as probes

    declared = {}
    for info in pkgutil.iter_modules(probes.__path__):
        module = importlib.import_module(f"jiradoctor.probes.{info.name}")
        declared.update({fact: info.name for fact in getattr(module, "FACTS", {})})
    assert probes.FACT_MODULES == declared
    lazy = probes.LazyProbes()
    assert set(lazy) == set(declared) and all(lazy[f] is probes.PROBES[f] for f in declared)
    assert "no-such-fact" not in lazy


def test_doctor_only_tls_imports_only_the_probes_it_uses(tmp_path) -> None:
    args = ("doctor", "--url", "https://127.0.0.1:9/", "--only", "tls", "--timeout", "1", "--format", "json")
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert json.loads(done.stdout)["checks"][0]["id"] == "tls"
    assert "jiradoctor.probes.tls" in modules
    assert (
        not {
            "jiradoctor.probes.permissions",
            "jiradoctor.probes.applinks",
            "jiradoctor.checks.permissions",
            "oauthlib",
            "dns",
            "jinja2",
        }
        & modules
    )
