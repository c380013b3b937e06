"""The user's inputs are parsed once per run: the integration profile file (TOML) and server.xml are
read into the Target, and no check or probe parses them again (--profile-file was parsed up to 22
times a run, server.xml twice). Calls are counted by code object, in every thread (parsing runs off
the event loop), however a module imported the function."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira import integrations, serverxml
from jiradoctor_lab import LabServer
from jiradoctor_lab.invocation import doctor_invocation, write_customer_files

WATCHED = {
    integrations.all_profiles.__code__: "profiles",
    serverxml.parse_server_xml.__code__: "server.xml",
}
PROFILE = """
[acme-planner]
name = "Acme planner"
cloud_hosted = false
auth_server = ["oauth1", "basic"]
auth_cloud = ["oauth1", "token"]
required_permissions = ["BROWSE_PROJECTS", "CREATE_ISSUES"]
"""


def counted_run(argv: list[str], env: dict[str, str]) -> tuple[Counter[str], Any]:
    calls: Counter[str] = Counter()

    def watch(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code in WATCHED:
            calls[WATCHED[frame.f_code]] += 1

    sys.setprofile(watch)
    threading.setprofile(watch)
    try:
        result = CliRunner().invoke(main, argv, env=env, catch_exceptions=False)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return calls, result


def test_a_full_run_parses_the_profile_file_and_server_xml_once(tmp_path: Path) -> None:
    (tmp_path / "profiles.toml").write_text(PROFILE)
    with LabServer("url-mismatch-proxy-host") as lab:
        invocation = doctor_invocation(lab, write_customer_files(lab, tmp_path))
        argv = [*invocation.argv[1:], "--timeout", "3", "--profile-file", str(tmp_path / "profiles.toml"),
                "--format", "json"]
        calls, result = counted_run(argv, invocation.env)
    assert '"oauth-signature/url-mismatch"' in result.stdout  # the run judged: every check asked
    assert calls["server.xml"] == 1, calls
    assert calls["profiles"] == 1, calls  # was 13


def test_a_full_run_takes_the_jira_url_apart_once(tmp_path: Path, monkeypatch) -> None:
    """The URL was taken apart 33 times a healthy run (origin checks, host names, proxy routing, DNS,
    TLS); now the resolution step parses it and everything after gets the same parts."""
    import urllib.parse

    from jiradoctor.jira import urls

    seen: list[str] = []
    real = urllib.parse.urlsplit

    def counting(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real(text, *args, **kwargs)

    with LabServer("healthy") as lab:
        invocation = doctor_invocation(lab, write_customer_files(lab, tmp_path))
        urls.split.cache_clear()
        monkeypatch.setattr(urllib.parse, "urlsplit", counting)
        result = CliRunner().invoke(main, [*invocation.argv[1:], "--timeout", "3", "--format", "json"],
                                    env=invocation.env, catch_exceptions=False)
        monkeypatch.undo()
    assert '"oauth-signature/ok"' in result.stdout  # a whole healthy run, every check asking
    assert seen.count(lab.url) == 1, seen.count(lab.url)


def test_a_run_reads_the_ca_bundle_once(tmp_path: Path, monkeypatch) -> None:
    """--ca-bundle was read up to four times a run (the command line's check, two SSL contexts, the trust
    anchors' names); now once, and the TLS scenario still judges with it."""
    from jiradoctor import files
    from jiradoctor.net import ca_bundle

    reads: list[str] = []
    real = files.read_bounded

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(str(path))
        return real(path, *args, **kwargs)

    with LabServer("url-mismatch-scheme") as lab:  # HTTPS with the lab's own CA, given as --ca-bundle
        invocation = doctor_invocation(lab, write_customer_files(lab, tmp_path))
        ca_bundle._read.cache_clear()
        monkeypatch.setattr(files, "read_bounded", counting)
        result = CliRunner().invoke(main, [*invocation.argv[1:], "--timeout", "3", "--format", "json"],
                                    env=invocation.env, catch_exceptions=False)
        monkeypatch.undo()
    bundle = str(tmp_path / "lab-ca.pem")
    import json

    statuses = {c["id"]: c["status"] for c in json.loads(result.stdout)["checks"]}
    assert statuses["tls"] == "pass"  # the chain was verified with the bundle read once
    assert "--ca-bundle" in invocation.argv and reads.count(bundle) == 1, reads
