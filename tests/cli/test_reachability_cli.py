"""reachability through the CLI against real local servers: each way a URL can fail to be Jira
gets its own code, and no check is ``pass`` on a fact it could not see (issue 9).

Real parts: a closed port, a socket that resets, one that never answers, the lab Jira, real nginx
(502, a static HTML page, an SSO login page, Jira's 404 page) and tinyproxy's own block page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

import pytest

from jiradoctor_lab import LabServer
from tests.conftest import assert_valid_report
from tests.realparts.forward_proxy import start_tinyproxy
from tests.realparts.nginx import NginxServer, Site, _quote
from tests.realparts.procs import free_port
from tests.realparts.raw_servers import start_raw_server

pytestmark = pytest.mark.realparts

# checks that judge what Jira answers: never pass when Jira did not answer
LIVE_JUDGES = ("base-url", "clock-skew", "auth", "permissions", "oauth-signature", "tls")
FORMATS = ("r.json", "r.html", "r.md", "r.xml")


def doctor(
    tmp_path: Path, url: str, *extra: str, password: bool = True, timeout: float = 2.0
) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_") and "proxy" not in k.lower()}
    args = [
        sys.executable,
        "-m",
        "jiradoctor",
        "doctor",
        "--url",
        url,
        "--timeout",
        str(timeout),
        "--integration-hosting",
        "on-premises",
        *extra,
    ]
    if password:
        env["JIRADOCTOR_PASSWORD"] = "not-the-password"
        args += ["--user", "svc"]
    args += [a for f in FORMATS for a in ("-o", str(tmp_path / f))]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert_valid_report(report)
    for name in FORMATS:
        assert (tmp_path / name).stat().st_size > 0
    return proc.returncode, report, proc.stdout


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def codes(report: dict[str, Any], check: str) -> list[str]:
    return [f["code"] for c in report["checks"] if c["id"] == check for f in c["findings"]]


def assert_down(report: dict[str, Any], code: str) -> None:
    """The reachability code is the cause; nothing that needed Jira's answer claims health."""
    assert codes(report, "reachability") == [code], report
    seen = statuses(report)
    assert seen["reachability"] == "fail"
    for check in LIVE_JUDGES:
        assert seen.get(check) != "pass", (check, seen)
    assert report["summary"]["status"] == "fail"


@pytest.fixture(scope="module")
def nginx_sites(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.realparts.nginx import start_nginx

    closed = free_port()
    html = "<!doctype html><html><head><title>Welcome to nginx!</title></head><body>It works.</body></html>"
    login = (
        "<!doctype html><html><head><title>Sign In - Example SSO</title></head><body><form method=post>"
        "<input name=username><input type=password name=password></form></body></html>"
    )
    jira404 = (
        "<html><head><title>Oops, you&#39;ve found a dead link. - Jira</title></head>"
        "<body>Oops, you've found a dead link.</body></html>"
    )
    sites = [
        Site("bad-gateway", f"location / {{ proxy_pass http://127.0.0.1:{closed}; }}"),
        Site("html", f"location / {{ default_type text/html; return 200 {_quote(html)}; }}"),
        Site("sso", f"location / {{ default_type text/html; return 200 {_quote(login)}; }}"),
        Site(
            "cloud-404",
            "location / { default_type text/html; add_header X-Seraph-LoginReason OK always; "
            "add_header X-AREQUESTID 42x1x1 always; add_header atl-traceid 0a1b2c always; "
            f"return 404 {_quote(jira404)}; }}",
        ),
    ]
    with start_nginx(tmp_path_factory.mktemp("reach-nginx"), sites) as server:
        yield server


def site(server: NginxServer, name: str) -> str:
    return f"http://127.0.0.1:{server.ports[name]}"


@pytest.mark.parametrize("password", [True, False], ids=["with-credentials", "anonymous"])
def test_closed_port_is_refused(tmp_path: Path, password: bool) -> None:
    rc, report, out = doctor(tmp_path, f"http://127.0.0.1:{free_port()}", password=password)
    assert_down(report, "reachability/refused")
    assert rc == 1 and "refused" in out


def test_reset_connection(tmp_path: Path) -> None:
    with start_raw_server("reset") as server:
        rc, report, _ = doctor(tmp_path, server.url)
    assert_down(report, "reachability/reset")


def test_silent_server_names_the_timeout(tmp_path: Path) -> None:
    with start_raw_server("silent") as server:
        rc, report, _ = doctor(tmp_path, server.url, timeout=0.5)
    assert_down(report, "reachability/timeout")
    finding = next(f for c in report["checks"] if c["id"] == "reachability" for f in c["findings"])
    assert "--timeout 0.5" in finding["message"]


def test_nginx_502_names_nginx(tmp_path: Path, nginx_sites: NginxServer) -> None:
    _, report, _ = doctor(tmp_path, site(nginx_sites, "bad-gateway"))
    assert_down(report, "reachability/server-error")
    finding = next(f for c in report["checks"] if c["id"] == "reachability" for f in c["findings"])
    assert "502" in finding["message"] and "nginx" in finding["message"]


@pytest.mark.parametrize("password", [True, False], ids=["with-credentials", "anonymous"])
def test_static_html_page_is_not_jira(tmp_path: Path, nginx_sites: NginxServer, password: bool) -> None:
    _, report, _ = doctor(tmp_path, site(nginx_sites, "html"), password=password)
    assert_down(report, "reachability/not-jira")


def test_cloud_404_under_a_path_is_a_wrong_context_path(tmp_path: Path, nginx_sites: NginxServer) -> None:
    _, report, _ = doctor(tmp_path, site(nginx_sites, "cloud-404") + "/jira")
    assert_down(report, "reachability/wrong-context-path")


def test_sso_login_page_with_200_is_named(tmp_path: Path, nginx_sites: NginxServer) -> None:
    _, report, _ = doctor(tmp_path, site(nginx_sites, "sso"))
    assert codes(report, "reachability") == ["reachability/login-page"]
    seen = statuses(report)
    assert seen["reachability"] == "warn"
    for check in LIVE_JUDGES:
        assert seen.get(check) != "pass", (check, seen)


def test_proxy_block_page(tmp_path: Path) -> None:
    lab_host = "jira.blocked.test"
    with start_tinyproxy(tmp_path / "proxy", blocked_hosts=[lab_host]) as proxy:
        _, report, _ = doctor(tmp_path, f"http://{lab_host}", "--proxy", proxy.url)
    seen = statuses(report)
    for check in LIVE_JUDGES:
        assert seen.get(check) != "pass", (check, seen)
    # the block is named once: by reachability, or by the proxy check that comes first
    named = codes(report, "reachability") + codes(report, "proxy")
    assert "reachability/proxy-block-page" in named or any(
        c.startswith("proxy/") and seen["proxy"] == "fail" for c in named
    ), report


def test_lab_under_a_wrong_path_names_the_path_that_works(tmp_path: Path) -> None:
    with LabServer("healthy") as lab:
        _, report, _ = doctor(tmp_path, lab.url + "/jira")
        assert_down(report, "reachability/wrong-context-path")
        finding = next(f for c in report["checks"] if c["id"] == "reachability" for f in c["findings"])
        assert finding["evidence"]["jira_answers_at"] == lab.url


@pytest.mark.parametrize("password", [True, False], ids=["with-credentials", "anonymous"])
def test_healthy_lab_passes(tmp_path: Path, password: bool) -> None:
    with LabServer("healthy") as lab:
        env_password = lab.client.password if password else None
        args: Sequence[str] = ()
        if password:
            os.environ["JIRADOCTOR_PASSWORD"] = env_password or ""
        try:
            env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
            cmd = [
                sys.executable,
                "-m",
                "jiradoctor",
                "doctor",
                "--url",
                lab.url,
                "--integration",
                lab.client.integration,
                "--integration-hosting",
                "on-premises",
                "-o",
                str(tmp_path / "r.json"),
            ]
            if password:
                cmd += ["--user", lab.client.user]
            proc = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=60)
        finally:
            os.environ.pop("JIRADOCTOR_PASSWORD", None)
    report = json.loads((tmp_path / "r.json").read_text())
    seen = statuses(report)
    assert seen["reachability"] == "pass" and codes(report, "reachability") == ["reachability/ok"]
    if password:
        assert seen["auth"] == "pass" and seen["clock-skew"] == "pass"
        assert proc.returncode == 0, proc.stdout
    else:
        assert seen["auth"] == "skip"
