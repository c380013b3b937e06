"""Real nginx with proxy_cache in front of the lab Jira: HEAD becomes GET, and the suggested fix cures it.

Atlassian KB 720406720: signature_invalid on HEAD only, because nginx's proxy_cache passes a HEAD
upstream as GET (``proxy_cache_convert_head`` is on by default). The lab here is the plain healthy
Jira (no simulated HEAD rewriting): only the real nginx changes the method.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jiradoctor_lab import LabServer
from tests.labrun import oauth_target, run_doctor
from tests.realparts.nginx import NginxServer, Site, render_conf
from tests.realparts.procs import LOOPBACK, ManagedProcess, free_port, require_binary, start_on_free_port

pytestmark = pytest.mark.timeout(120)
CHECKS = ("reachability", "oauth-signature", "auth", "can-work")


def start_caching_proxy(directory: Path, upstream: str, convert_head: bool) -> NginxServer:
    """nginx with a cache zone in front of upstream; with ``convert_head`` False, the fix the finding names."""
    binary = require_binary("nginx")
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    (directory / "cache").mkdir(exist_ok=True)
    fix = (
        "proxy_cache_convert_head off; proxy_cache_key $scheme$request_method$proxy_host$request_uri; "
        if not convert_head
        else ""
    )
    site = Site(
        "cache",
        f"location / {{ proxy_pass {upstream}; proxy_http_version 1.1; proxy_set_header Host $http_host; "
        f"proxy_cache jira; {fix}proxy_connect_timeout 5s; proxy_read_timeout 30s; }}",
    )

    def attempt() -> NginxServer:
        ports = {"cache": free_port()}
        conf = directory / "nginx.conf"
        text = render_conf(directory, [site], ports)
        conf.write_text(
            text.replace("http {\n", f"http {{\n  proxy_cache_path {directory}/cache keys_zone=jira:1m;\n", 1)
        )
        proc = ManagedProcess([binary, "-e", "stderr", "-p", str(directory), "-c", str(conf)], directory / "nginx.log")
        server = NginxServer(directory, proc, ports)
        try:
            proc.wait_for_port(LOOPBACK, ports["cache"], 10.0)
        except BaseException:
            server.stop()
            raise
        return server

    return start_on_free_port(attempt)


def doctor_through_cache(tmp_path: Path, convert_head: bool):
    lab_port = free_port()
    with start_caching_proxy(tmp_path / "nginx", f"http://127.0.0.1:{lab_port}", convert_head) as nginx:
        public = f"http://127.0.0.1:{nginx.port}"
        with LabServer("healthy", port=lab_port, base_url=public, url=public) as lab:
            report = run_doctor(oauth_target(lab, tmp_path, url=public), only=CHECKS)
            seen = [s.method for s in lab.seen if s.path.endswith("/myself")]
            return report, seen, lab.writes


def test_proxy_cache_turns_head_into_get_and_can_work_names_it(tmp_path: Path) -> None:
    report, seen, writes = doctor_through_cache(tmp_path, convert_head=True)
    finding = next(f for _, f in report.findings() if f.code.startswith("can-work/head"))
    assert finding.code == "can-work/head-rewritten" and finding.evidence["jira_saw_method"] == "GET"
    assert "HEAD" not in seen  # the lab never received a HEAD: nginx sent GET
    assert writes == 0


def test_the_suggested_nginx_fix_makes_head_work(tmp_path: Path) -> None:
    report, seen, writes = doctor_through_cache(tmp_path, convert_head=False)
    finding = next(f for _, f in report.findings() if f.code.startswith("can-work/head"))
    assert finding.code == "can-work/head-ok"
    assert "HEAD" in seen and writes == 0
