"""A printed curl goes the way the run went: `-k` under --insecure, --cacert, the proxy without its password."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.model import Finding, Status
from jiradoctor.shell_commands import curl_like_the_run
from jiradoctor.target import Target
from tests.realparts.nginx import NginxServer
from tests.realparts.pki import Pki


def _curls(report: dict) -> list[str]:
    return [c for check in report["checks"] for f in check["findings"] for c in f["commands"] if c.startswith("curl ")]


def test_the_printed_curl_reaches_a_self_signed_jira_under_insecure(
    realparts_pki: Pki, tls_servers: NginxServer
) -> None:
    """nginx with a self-signed certificate answers 200 text: not Jira. The curl printed under --insecure
    reaches it (without -k, curl stops at the certificate: exit 60)."""
    case = realparts_pki.cases["self_signed"]
    url = f"https://{case.hostname}:{tls_servers.ports['self_signed']}"
    argv = ["doctor", "--url", url, "--insecure", "--only", "reachability", "--timeout", "5", "--format", "json"]
    report = json.loads(CliRunner().invoke(main, argv).stdout)
    (curl, *_) = _curls(report)
    assert curl.startswith("curl -k ")
    resolve = f"--resolve {case.hostname}:{tls_servers.ports['self_signed']}:127.0.0.1"
    ran = subprocess.run(curl.replace("curl ", f"curl {resolve} ", 1), shell=True, capture_output=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    strict = subprocess.run(
        curl.replace("curl -k ", f"curl {resolve} ", 1), shell=True, capture_output=True, timeout=30
    )
    assert strict.returncode == 60  # the other direction: the certificate, not the problem shown


def test_ca_bundle_and_proxy_are_carried_and_the_proxy_password_is_not() -> None:
    finding = Finding("reachability/x", Status.FAIL, "m", commands=("curl -sS 'https://jira/'", "echo x"))
    target = Target(url="https://jira", ca_bundle="/etc/ca b.pem", proxy="http://bob:s3cret@proxy.lan:3128")
    commands = curl_like_the_run(finding, target).commands
    assert commands[0] == "curl --cacert '/etc/ca b.pem' --proxy http://proxy.lan:3128 --proxy-user bob -sS 'https://jira/'"
    assert commands[1] == "echo x" and "s3cret" not in " ".join(commands)
    plain = curl_like_the_run(finding, Target(url="https://jira"))
    assert plain.commands == finding.commands
