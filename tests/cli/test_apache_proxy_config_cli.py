"""``doctor --proxy-config APACHE_FILE`` through the CLI, each verdict proven by real httpd + real Tomcat.

The same VirtualHost file runs in a real Apache httpd in front of a real Tomcat; a request through
it shows the URL Jira would rebuild. The CLI, given that file, the server.xml and the Base URL, must
fail (exit 1, base-url/proxy-mismatch naming that very URL) when Tomcat rebuilt another URL, and pass
(exit 0, base-url/ok) when Tomcat rebuilt the Base URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.urls import JiraUrl
from tests.realparts.apache import Site, start_apache
from tests.realparts.tomcat import ECHO_PATH, TomcatServer, fetch, server_xml, start_tomcat
from tests.tomcat_matrix import PUBLIC_NAME, SHAPES

pytestmark = [pytest.mark.realparts, pytest.mark.tomcat]
BARE = next(s for s in SHAPES if s.name == "bare")  # a connector without proxyName/proxyPort, /jira


@pytest.fixture(scope="module")
def tomcat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TomcatServer, Path]]:
    base = tmp_path_factory.mktemp("apache-cli")
    with start_tomcat(base / "tomcat", [BARE.service()]) as server:
        xml = base / "server.xml"
        xml.write_text(server_xml([BARE.service().render(server.ports[BARE.name], base / "tomcat" / "echo")]))
        yield server, xml


def _vhost(upstream: int, *, before: str = "", inside: str = "") -> Site:
    def render(port: int) -> str:
        return (f"{before}<VirtualHost 127.0.0.1:{port}>\n  ServerName {PUBLIC_NAME}\n{inside}"
                f"  ProxyPass /jira http://127.0.0.1:{upstream}/jira\n"
                f"  ProxyPassReverse /jira http://127.0.0.1:{upstream}/jira\n</VirtualHost>\n")

    return Site("jira", render)


def _doctor(xml: Path, conf: Path, base_url: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["doctor", "--offline", "--only", "base-url", "--server-xml", str(xml),
                                       "--proxy-config", str(conf), "--base-url", base_url, "--format", "json",
                                       "--fail-on", "fail"])
    assert result.exit_code in (0, 1), result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "base-url"]
    return result.exit_code, check["findings"]


def _judge(tmp_path: Path, tomcat: tuple[TomcatServer, Path], site: Site) -> tuple[str, str, int, list]:  # type: ignore[type-arg]
    """(Base URL, what Tomcat rebuilt through real httpd, CLI exit code, findings) for one file."""
    server, xml = tomcat
    with start_apache(tmp_path / "apache", [site], avoid=frozenset(server.ports[BARE.name])) as apache:
        port = apache.ports["jira"]
        public = str(JiraUrl("http", PUBLIC_NAME, port, "/jira"))
        seen = fetch(f"http://127.0.0.1:{port}/jira{ECHO_PATH}", f"{PUBLIC_NAME}:{port}")
        code, findings = _doctor(xml, apache.site_files["jira"], public)
    return public, str(seen["url"]).removesuffix(ECHO_PATH), code, findings


def test_preserve_host_off_is_caught_as_tomcat_shows(tmp_path: Path, tomcat: tuple[TomcatServer, Path]) -> None:
    """httpd's default (ProxyPreserveHost Off) sends the upstream address: Jira rebuilds 127.0.0.1:PORT."""
    server, _ = tomcat
    public, tomcat_says, code, findings = _judge(tmp_path, tomcat, _vhost(server.ports[BARE.name][0]))
    assert tomcat_says == f"http://127.0.0.1:{server.ports[BARE.name][0]}/jira" != public
    (mismatch,) = [f for f in findings if f["code"] == "base-url/proxy-mismatch"]
    evidence = mismatch["evidence"]
    assert code == 1 and mismatch["status"] == "fail"
    assert isinstance(evidence, dict) and evidence["jira_sees"] == tomcat_says
    assert "ProxyPreserveHost On" in json.dumps(mismatch)


def test_preserve_host_on_passes_as_tomcat_shows(tmp_path: Path, tomcat: tuple[TomcatServer, Path]) -> None:
    server, _ = tomcat
    site = _vhost(server.ports[BARE.name][0], inside="  ProxyPreserveHost On\n")
    public, tomcat_says, code, findings = _judge(tmp_path, tomcat, site)
    assert tomcat_says == public
    assert code == 0 and {f["code"] for f in findings} == {"base-url/ok"}


def test_preserve_host_in_the_main_server_is_inherited(tmp_path: Path, tomcat: tuple[TomcatServer, Path]) -> None:
    """ProxyPreserveHost On outside the VirtualHost applies inside it (httpd merges server configs)."""
    server, _ = tomcat
    site = _vhost(server.ports[BARE.name][0], before="ProxyPreserveHost On\n")
    public, tomcat_says, code, findings = _judge(tmp_path, tomcat, site)
    assert tomcat_says == public
    assert code == 0 and {f["code"] for f in findings} == {"base-url/ok"}


@pytest.mark.parametrize(
    ("line", "tls", "sent", "problem"),
    [
        ('RequestHeader set X-Forwarded-Proto "https" env=HTTPS', True, "https", False),
        ('RequestHeader set X-Forwarded-Proto "https" env=HTTPS', False, None, False),
        ('RequestHeader set X-Forwarded-Proto "http" env=!HTTPS', False, "http", False),
        ("RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}", True, "https", False),
        ("RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}", False, "http", False),
        ('RequestHeader set X-Forwarded-Proto "%{HTTPS}s"', True, "%{HTTPS}s", True),
        ('RequestHeader set X-Forwarded-Proto "https" env=BEHIND_LB', False, "https", True),
    ],
)
def test_request_header_values_and_conditions(tmp_path: Path, line: str, tls: bool, sent: str | None,
                                              problem: bool) -> None:
    """What the reader evaluates (conditions on HTTPS, expr variables) and what it says it did not."""
    from jiradoctor.jira.proxy_config import read_proxy_config

    ssl = "  SSLEngine on\n" if tls else ""
    conf = tmp_path / "vhost.conf"
    conf.write_text(f"<VirtualHost *:8000>\n{ssl}  {line}\n  ProxyPass / http://127.0.0.1:8080/\n</VirtualHost>\n")
    config = read_proxy_config(conf)
    (route,) = config.routes
    _, headers = route.upstream_headers("jira.example.test")
    assert headers.get("X-Forwarded-Proto") == sent
    assert headers["X-Forwarded-Host"] == "jira.example.test"  # mod_proxy_http's own, always added
    assert bool(config.problems) is problem, config.problems
