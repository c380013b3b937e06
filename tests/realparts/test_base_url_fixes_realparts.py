"""The base-url fixes jiradoctor prints, applied to real Tomcat 10.1 behind real nginx.

For each base-url code whose finding carries ``commands`` and needs a proxy to prove
(assumes-proxy-host, connector-choice, proxy-mismatch, proxy-cache): a broken server.xml and nginx
site are served for real and the broken direction is observed (Tomcat's ``getRequestURL()`` is not
the Base URL, or the cache turns HEAD into GET and answers from its store); ``jiradoctor doctor``
reports the code; exactly the printed commands are applied (the <Connector> replaced, the nginx
``location`` replaced, ``proxy_cache off;`` put in place of the cache); Tomcat is restarted and nginx
reloaded once for all cases; then Tomcat must see exactly the Base URL and the doctor must pass.

The observations are taken in the fixtures (broken first, then fixed), so test order cannot mix them.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.urls import JiraUrl
from tests.realparts.nginx import reload_nginx, render_conf
from tests.realparts.pki import self_signed_files
from tests.realparts.tls_client import unverified_context
from tests.realparts.procs import LOOPBACK, ManagedProcess, require_binary
from tests.realparts.tomcat import ECHO_PATH, TomcatServer, fetch, restart_tomcat, server_xml, start_tomcat
from tests.tomcat_matrix import PUBLIC_NAME, Shape

pytestmark = [pytest.mark.realparts, pytest.mark.tomcat]
CODES = ("assumes-proxy-host", "connector-choice", "proxy-mismatch", "proxy-cache")
# every case: its name, and the code it must draw (a code may have more than one case)
CASES = (*CODES, "proxy-mismatch-tls-upstream")
CONTEXT = "/jira"
# a second page beside echo.jsp: what method Tomcat saw, and when it answered (a cache answers without it)
PROBE_PATH = "/probe.jsp"
PROBE_JSP = """<%@ page contentType="text/plain; charset=UTF-8" session="false" %><%
response.setHeader("X-Seen-Method", request.getMethod());
response.setHeader("X-Served", Long.toString(System.nanoTime()));
%>served
"""


@dataclass
class Case:
    """One broken (server.xml shape, nginx site) pair and what was observed of it."""

    name: str
    slug: str
    shape: Shape
    tls: bool  # nginx listens with TLS (the Base URL is https)
    upstream: int = 0  # which of the shape's connectors nginx reaches
    site_extra: str = ""  # directives in nginx's location besides proxy_pass
    with_proxy_config: bool = False  # the doctor is given the nginx site file
    port: int = 0  # nginx's listen port, which is the Base URL's port
    fragment: str = ""  # the shape's <Service>, as rendered for the running Tomcat
    site: Path = Path()
    location: str = ""
    seen: dict[str, JiraUrl] = field(default_factory=dict)  # "broken"/"fixed" -> what Tomcat rebuilt
    doctor: dict[str, list[dict]] = field(default_factory=dict)  # type: ignore[type-arg]
    cache: dict[str, dict[str, object]] = field(default_factory=dict)
    block_only: JiraUrl | None = None  # proxy-mismatch: Tomcat given what the printed nginx block alone sends

    @property
    def code(self) -> str:
        return f"base-url/{self.slug}"

    @property
    def base(self) -> JiraUrl:
        return JiraUrl("https" if self.tls else "http", PUBLIC_NAME, self.port, CONTEXT)


def _cases(ports: dict[str, int]) -> list[Case]:
    a, c, k = ports["assumes-proxy-host"], ports["connector-choice"], ports["proxy-cache"]
    proxied = {"proxyName": PUBLIC_NAME, "proxyPort": str(c), "scheme": "https", "secure": "true"}
    cases = [
        # port and scheme set, name left to the Host header: right only if the proxy sends the name
        Case("assumes-proxy-host", "assumes-proxy-host",
             Shape("fix_assumes", ({"proxyPort": str(a), "scheme": "https", "secure": "true"},)), tls=True),
        # two connectors, the proxy reaches the bare one (and sends Host $host)
        Case("connector-choice", "connector-choice", Shape("fix_choice", ({}, proxied)), tls=True,
             site_extra='    proxy_set_header Host "$host";\n'),
        # a bare connector behind a TLS proxy that sends its upstream address (nginx's default)
        Case("proxy-mismatch", "proxy-mismatch", Shape("fix_mismatch"), tls=True, with_proxy_config=True),
        # the same behind a connector that speaks TLS itself (its certificate in a nested <SSLHostConfig>)
        Case("proxy-mismatch-tls-upstream", "proxy-mismatch", Shape("fix_mismatch_tls", ({"SSLEnabled": "true"},)),
             tls=True, with_proxy_config=True),
        # the URL is right; the proxy caches Jira's location
        Case("proxy-cache", "proxy-cache", Shape("fix_cache", ({"proxyName": PUBLIC_NAME, "proxyPort": str(k)},)),
             tls=False,
             site_extra='    proxy_set_header Host "$host";\n    proxy_cache jira;\n    proxy_cache_valid 200 1m;\n',
             with_proxy_config=True),
    ]
    for case in cases:
        case.port = ports[case.name]
    return cases


def _location(case: Case, tomcat: TomcatServer) -> str:
    upstream = tomcat.ports[case.shape.name][case.upstream]
    scheme = "https" if case.shape.ssl else "http"
    return (f"location / {{\n    proxy_pass {scheme}://127.0.0.1:{upstream};\n{case.site_extra}"
            "    proxy_connect_timeout 5s;\n    proxy_read_timeout 30s;\n  }")


def _site_text(case: Case, cert: Path, key: Path) -> str:
    listen = (f"listen 127.0.0.1:{case.port} ssl;\n  ssl_certificate {cert};\n  ssl_certificate_key {key};"
              if case.tls else f"listen 127.0.0.1:{case.port};")
    return f"server {{\n  {listen}\n  server_name {PUBLIC_NAME};\n  {case.location}\n}}\n"



def _through_nginx(case: Case) -> JiraUrl:
    """What Tomcat rebuilt for a client that asked nginx for the Base URL (Host: name:port)."""
    seen = fetch(f"{case.base.scheme}://127.0.0.1:{case.port}{CONTEXT}{ECHO_PATH}", f"{PUBLIC_NAME}:{case.port}",
                 context=unverified_context() if case.tls else None)
    return JiraUrl.parse(str(seen["url"]).removesuffix(ECHO_PATH))


def _probe(case: Case, method: str, query: str) -> dict[str, str]:
    conn = http.client.HTTPConnection(LOOPBACK, case.port, timeout=20)
    try:
        conn.request(method, f"{CONTEXT}{PROBE_PATH}?{query}", headers={"Host": f"{PUBLIC_NAME}:{case.port}"})
        response = conn.getresponse()
        response.read(4096)
        assert response.status == 200, (method, response.status)
        return {"method": response.getheader("X-Seen-Method") or "", "served": response.getheader("X-Served") or ""}
    finally:
        conn.close()


def _cache_behaviour(case: Case, round_: str) -> dict[str, object]:
    """HEAD as Tomcat receives it, and whether a second GET reaches Tomcat at all."""
    head = _probe(case, "HEAD", f"head-{round_}")
    first, second = _probe(case, "GET", f"get-{round_}"), _probe(case, "GET", f"get-{round_}")
    return {"head_arrives_as": head["method"], "second_get_reached_tomcat": first["served"] != second["served"]}


def _doctor(case: Case, xml: Path) -> list[dict]:  # type: ignore[type-arg]
    args = ["doctor", "--offline", "--only", "base-url", "--server-xml", str(xml), "--base-url", str(case.base),
            "--format", "json", "--fail-on", "never"]
    if case.with_proxy_config:
        args += ["--proxy-config", str(case.site)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "base-url"]
    findings: list[dict] = check["findings"]  # type: ignore[type-arg]
    return findings


def _block_only(case: Case, tomcat: TomcatServer) -> JiraUrl:
    """The broken connector, asked with the headers the printed nginx block sends (Host $host,
    X-Forwarded-Proto $scheme): is the block alone enough, as the finding says or denies?"""
    port = tomcat.ports[case.shape.name][case.upstream]
    scheme = "https" if case.shape.ssl else "http"
    seen = fetch(f"{scheme}://127.0.0.1:{port}{CONTEXT}{ECHO_PATH}", PUBLIC_NAME,
                 {"X-Forwarded-Proto": case.base.scheme, "X-Forwarded-For": LOOPBACK},
                 context=unverified_context() if case.shape.ssl else None)
    return JiraUrl.parse(str(seen["url"]).removesuffix(ECHO_PATH))


def _observe(case: Case, state: str, xml: Path) -> None:
    case.seen[state] = _through_nginx(case)
    case.doctor[state] = _doctor(case, xml)
    if case.slug == "proxy-cache":
        case.cache[state] = _cache_behaviour(case, state)


def _connector_re(port: int) -> re.Pattern[str]:
    """The whole <Connector> element on that port, self-closed or with its children."""
    return re.compile(rf'<Connector\b[^>]*\bport="{port}"[^>]*?(?:/>|(?<!/)>.*?</Connector>)', re.S)


def _apply(case: Case, commands: list[str]) -> None:
    """Exactly the printed commands, as their finding's remediation says to use them."""
    for command in commands:
        if command.startswith("<Connector"):
            port = int(re.search(r'\bport="(\d+)"', command).group(1))  # type: ignore[union-attr]
            pattern = _connector_re(port)
            assert len(pattern.findall(case.fragment)) == 1, (command, case.fragment)
            case.fragment = pattern.sub(lambda _, new=command: new, case.fragment)
        elif command.startswith("location "):
            text = case.site.read_text()
            assert command.split("{", 1)[0] == case.location.split("{", 1)[0], (command, case.location)
            case.site.write_text(text.replace(case.location, command))
        elif command.startswith("proxy_cache "):
            text = case.site.read_text()
            assert len(re.findall(r"^\s*proxy_cache \S+;$", text, re.M)) == 1, text
            fixed = re.sub(r"^(\s*)proxy_cache \S+;$", lambda m, new=command: m.group(1) + new, text, flags=re.M)
            case.site.write_text(fixed)
        else:
            raise AssertionError(f"{case.code}: a command this test does not know how to apply: {command!r}")


@dataclass
class Parts:
    cases: dict[str, Case]
    commands: dict[str, list[str]]


def _reserve_ports(count: int) -> list[socket.socket]:
    """Bound (not listening) sockets: Tomcat's free ports cannot be these while nginx is not yet up."""
    held = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((LOOPBACK, 0))
        held.append(sock)
    return held



@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parts]:
    base = tmp_path_factory.mktemp("base-url-fixes")
    cert, key = self_signed_files(base / "tls", [PUBLIC_NAME], "fixproof-leaf")
    held = _reserve_ports(len(CASES))
    cases = _cases({name: s.getsockname()[1] for name, s in zip(CASES, held, strict=True)})
    docbase = base / "tomcat" / "echo"
    tomcat = start_tomcat(base / "tomcat", [c.shape.service() for c in cases], cert=cert, key=key)
    nginx: ManagedProcess | None = None
    try:
        (docbase / PROBE_PATH.lstrip("/")).write_text(PROBE_JSP)
        sites = base / "nginx" / "sites"
        sites.mkdir(parents=True)
        for case in cases:
            case.fragment = case.shape.service().render(tomcat.ports[case.shape.name], docbase, cert, key)
            case.location = _location(case, tomcat)
            case.site = sites / f"{case.name}.conf"
            case.site.write_text(_site_text(case, cert, key))
            (base / f"{case.name}.xml").write_text(server_xml([case.fragment]))
        conf = base / "nginx" / "nginx.conf"
        conf.write_text(
            render_conf(base / "nginx", [], {}).replace(
                "  keepalive_timeout 5s;\n",
                f"  keepalive_timeout 5s;\n  proxy_cache_path {base}/nginx/cache keys_zone=jira:1m;\n"
                f"  include {sites}/*.conf;\n",
            )
        )
        (base / "nginx" / "tmp").mkdir()
        for sock in held:
            sock.close()
        nginx = ManagedProcess([require_binary("nginx"), "-e", "stderr", "-p", str(base / "nginx"), "-c", str(conf)],
                               base / "nginx" / "nginx.log")
        for case in cases:
            nginx.wait_for_port(LOOPBACK, case.port, 20.0)

        # broken: what Tomcat sees, what the doctor says, and the commands it prints
        commands: dict[str, list[str]] = {}
        for case in cases:
            _observe(case, "broken", base / f"{case.name}.xml")
            if case.slug == "proxy-mismatch":
                case.block_only = _block_only(case, tomcat)
            finding = next((f for f in case.doctor["broken"] if f["code"] == case.code), None)
            commands[case.name] = list(finding["commands"]) if finding else []

        # fixed: the printed commands applied, Tomcat restarted once, nginx reloaded once
        for case in cases:
            _apply(case, commands[case.name])
            (base / f"{case.name}.xml").write_text(server_xml([case.fragment]))
        tomcat = restart_tomcat(tomcat, server_xml([c.fragment for c in cases]))
        reload_nginx(nginx, base / "nginx", conf)
        for case in cases:
            _observe(case, "fixed", base / f"{case.name}.xml")
        yield Parts({c.name: c for c in cases}, commands)
    finally:
        for sock in held:
            sock.close()
        if nginx is not None:
            nginx.stop(signal.SIGTERM)
        tomcat.stop()


def _codes(findings: list[dict]) -> set[str]:  # type: ignore[type-arg]
    return {f["code"] for f in findings}


@pytest.mark.parametrize("name", CASES)
def test_broken_setup_is_really_broken(parts: Parts, name: str) -> None:
    """Real Tomcat behind real nginx does not see the Base URL (or, for the cache, HEAD is not HEAD)."""
    case = parts.cases[name]
    if case.slug == "proxy-cache":
        assert case.seen["broken"] == case.base  # the URL is right: the cache alone is the fault
        assert case.cache["broken"] == {"head_arrives_as": "GET", "second_get_reached_tomcat": False}
    else:
        assert case.seen["broken"] != case.base, (str(case.seen["broken"]), str(case.base))


@pytest.mark.parametrize("name", CASES)
def test_doctor_reports_the_code_with_commands(parts: Parts, name: str) -> None:
    case = parts.cases[name]
    findings = case.doctor["broken"]
    assert case.code in _codes(findings), findings
    assert parts.commands[name], f"{case.code} printed no commands"
    if case.slug != "proxy-cache":  # the doctor's model of the broken set-up is what Tomcat really did
        evidence = [f["evidence"] for f in findings if f["code"] == case.code]
        seen = {e.get("jira_sees") for e in evidence} | {
            u for e in evidence for u in e.get("jira_sees_by_host_style", {}).values()
        }
        assert str(case.seen["broken"]) in seen, (str(case.seen["broken"]), evidence)
    if case.slug == "proxy-mismatch":  # "block alone is (not) enough" is what real Tomcat does with its headers
        (finding,) = [f for f in findings if f["code"] == case.code]
        assert finding["evidence"]["jira_sees_with_proxy_block_only"] == str(case.block_only)
        assert case.block_only != case.base and finding["remediation"][0].startswith("Replace the connector")


@pytest.mark.parametrize("name", CASES)
def test_printed_fix_makes_tomcat_see_the_base_url(parts: Parts, name: str) -> None:
    case = parts.cases[name]
    assert case.seen["fixed"] == case.base, (str(case.seen["fixed"]), str(case.base), parts.commands[name])
    if case.slug == "proxy-cache":
        assert case.cache["fixed"] == {"head_arrives_as": "HEAD", "second_get_reached_tomcat": True}


@pytest.mark.parametrize("name", CASES)
def test_doctor_passes_after_the_fix(parts: Parts, name: str) -> None:
    case = parts.cases[name]
    findings = case.doctor["fixed"]
    assert _codes(findings) == {"base-url/ok"}, findings
    assert all(f["status"] == "pass" for f in findings)
