"""A plain http->https redirect through real nginx (issue 25 item 12): named as such, never single sign-on.

nginx answers http://127.0.0.1:P/... with ``301 https://127.0.0.1:Q/...`` (``return 301 https://...$request_uri``,
the usual rule), and the lab's Jira answers over TLS at Q (scenario healthy-https, its connector knows it is https).
The twin, the https URL itself, passes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from tests.realparts import fixtures_plugin
from tests.realparts.nginx import NginxServer, Site

pytest_plugins = fixtures_plugin()
pytestmark = [pytest.mark.realparts, pytest.mark.timeout(120)]


def doctor(lab: LabServer, url: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    ca = tmp_path / "lab-ca.pem"
    ca.write_text(lab.ca_pem or "")
    client = lab.client
    result = CliRunner().invoke(
        main,
        ["doctor", "--url", url, "--user", client.user, "--ca-bundle", str(ca), "--timeout", "5",
         "--integration-hosting", "on-premises", "--only", "reachability,auth,clock-skew,permissions",
         "--projects", ",".join(client.projects), "--format", "json"],
        env={"JIRADOCTOR_PASSWORD": client.password}, catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict[str, Any]) -> dict[str, str]:
    return {f["code"]: f["status"] for c in report["checks"] for f in c["findings"]}


def test_http_to_https_redirect_is_named_and_the_login_judged_over_tls(
    nginx_factory: Callable[[Sequence[Site]], NginxServer], tmp_path: Path
) -> None:
    with LabServer("healthy-https") as lab:
        port = lab.url.rsplit(":", 1)[1].rstrip("/")
        nginx = nginx_factory([Site("upgrade", f"location / {{ return 301 https://127.0.0.1:{port}$request_uri; }}")])
        code, report = doctor(lab, nginx.url_of("upgrade"), tmp_path)
        twin_code, twin = doctor(lab, lab.url, tmp_path)
    seen = findings(report)
    assert seen.get("reachability/https-redirect") == "warn", seen
    assert seen.get("auth/ok") == "pass", seen  # the login followed the upgrade once, over TLS
    assert {c["id"]: c["status"] for c in report["checks"]}["permissions"] == "pass"  # and the calls after it
    assert "auth/sso-redirect" not in seen and not any("single sign-on owns" in f["message"]
                                                       for c in report["checks"] for f in c["findings"])
    redirect = next(f for c in report["checks"] for f in c["findings"] if f["code"] == "reachability/https-redirect")
    assert f"https://127.0.0.1:{port}" in redirect["remediation"][0]
    assert code == 0 and report["summary"]["status"] == "warn" and report["target"]["jira"]["identified"] is True
    # the twin: the https URL itself
    assert twin_code == 0 and twin["summary"]["status"] == "pass", findings(twin)
    assert "reachability/https-redirect" not in findings(twin)
