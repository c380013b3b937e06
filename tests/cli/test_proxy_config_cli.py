"""--proxy-config through the CLI: cache, Apache, broken and hostile files.

The nginx files of the Tomcat matrix are judged against real Tomcat in tests/realparts/test_tomcat_matrix.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main


def _doctor(server_xml: Path, proxy_config: Path, base_url: str) -> dict:
    result = CliRunner().invoke(
        main,
        [
            "doctor",
            "--offline",
            "--only",
            "base-url",
            "--server-xml",
            str(server_xml),
            "--proxy-config",
            str(proxy_config),
            "--base-url",
            base_url,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _base_url_findings(report: dict) -> list[dict]:
    (check,) = [c for c in report["checks"] if c["id"] == "base-url"]
    return check["findings"]


def test_proxy_cache_on_jiras_location_fails(tmp_path: Path) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text(
        '<Server><Service name="C"><Connector port="8080" proxyName="jira.example.test" proxyPort="443" '
        'scheme="https" secure="true"/><Engine name="C" defaultHost="localhost"><Host name="localhost">'
        '<Context path=""/></Host></Engine></Service></Server>'
    )
    conf = tmp_path / "nginx.conf"
    main_conf = "events {}\nhttp {\n  proxy_cache_path /tmp/c keys_zone=jira:1m;\n  include sites/*.conf;\n}\n"
    conf.write_text(main_conf)
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "jira.conf").write_text(
        "server { listen 443 ssl; server_name jira.example.test;\n"
        "  location / { proxy_pass http://127.0.0.1:8080; proxy_cache jira; } }\n"
    )
    codes = {f["code"]: f for f in _base_url_findings(_doctor(xml, conf, "https://jira.example.test"))}
    assert (
        codes["base-url/proxy-cache"]["status"] == "fail"
        and "proxy_cache off;" in codes["base-url/proxy-cache"]["remediation"][-1]
        or "proxy_cache off;" in json.dumps(codes["base-url/proxy-cache"])
    )
    assert "base-url/ok" in codes  # the URL itself is right: the cache alone is the fault
    (conf.parent / "sites" / "jira.conf").write_text(
        "server { listen 443 ssl; server_name jira.example.test;\n  location / { proxy_pass http://127.0.0.1:8080; } "
        "}\n"
    )
    assert {f["code"] for f in _base_url_findings(_doctor(xml, conf, "https://jira.example.test"))} == {"base-url/ok"}


@pytest.mark.parametrize(
    "text", ["http { server { location / { proxy_pass http://x:1; } ", "\x00\xff{{{{", "include self.conf;\n"]
)
def test_broken_or_hostile_proxy_config_is_a_clear_finding(tmp_path: Path, text: str) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text('<Server><Service name="C"><Connector port="8080"/></Service></Server>')
    conf = tmp_path / "self.conf"
    conf.write_text(text)
    findings = _base_url_findings(_doctor(xml, conf, "https://jira.example.test"))
    bad = [f for f in findings if f["code"] == "base-url/invalid-proxy-config" and f["status"] == "fail"]
    assert bad, findings


def test_apache_virtualhost_without_preserve_host_sends_the_upstream_address(tmp_path: Path) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text(
        '<Server><Service name="C"><Connector port="8080"/><Engine name="C" defaultHost="h"><Host name="h">'
        '<Context path="/jira"/></Host></Engine></Service></Server>'
    )
    conf = tmp_path / "jira-vhost.conf"
    conf.write_text(
        "<VirtualHost *:443>\n  ServerName jira.example.test\n  SSLEngine on\n  ProxyPass /jira "
        "http://localhost:8080/jira\n  ProxyPassReverse /jira http://localhost:8080/jira\n</VirtualHost>\n"
    )
    findings = _base_url_findings(_doctor(xml, conf, "https://jira.example.test/jira"))
    (bad,) = [f for f in findings if f["code"] == "base-url/proxy-mismatch"]
    assert bad["evidence"]["jira_sees"] == "http://localhost:8080/jira"
    assert any("ProxyPreserveHost On" in c for c in bad["commands"])
    conf.write_text(
        conf.read_text().replace(
            "  SSLEngine on\n",
            '  SSLEngine on\n  ProxyPreserveHost On\n  RequestHeader set X-Forwarded-Proto "https"\n',
        )
    )
    xml.write_text(
        xml.read_text().replace('<Connector port="8080"/>', '<Connector port="8080" proxyPort="443" scheme="https"/>')
    )
    assert {f["code"] for f in _base_url_findings(_doctor(xml, conf, "https://jira.example.test/jira"))} == {
        "base-url/ok"
    }
