"""jiradoctor's Tomcat model against real Tomcat 10.1 behind real nginx (JIRA-FACTS §2).

One Tomcat serves every server.xml shape (each its own <Service>), one nginx every (shape, proxy
style) pair from its own sites file. For every request the model — the nginx route read from that
very file by ``--proxy-config``'s reader, then ``tomcat.request_url`` on the connector read from the
shape's server.xml — must predict exactly the URL ``getRequestURL()`` gave.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jiradoctor.jira.proxy_config import read_proxy_config
from jiradoctor.jira.serverxml import parse_server_xml
from jiradoctor.jira.tomcat import request_url
from jiradoctor.jira.urls import JiraUrl
from tests.realparts.nginx import render_conf
from tests.realparts.pki import Pki
from tests.realparts.tls_client import unverified_context
from tests.realparts.procs import LOOPBACK, ManagedProcess, free_port, require_binary
from tests.realparts.tomcat import ECHO_PATH, TomcatServer, fetch, server_xml, start_tomcat
from tests.tomcat_matrix import PUBLIC_NAME, SHAPES, STYLES, Shape, pairs, site_conf

pytestmark = [pytest.mark.realparts, pytest.mark.tomcat]
PEER = "127.0.0.1"  # nginx and the test client both reach Tomcat from loopback


@dataclass
class Matrix:
    tomcat: TomcatServer
    site_files: dict[tuple[str, str], Path]
    nginx_ports: dict[tuple[str, str], int]
    server_xml_files: dict[str, Path]


def _shape_xml(tomcat: TomcatServer, shape: Shape, docbase: Path, cert: Path, key: Path) -> str:
    return server_xml([shape.service().render(tomcat.ports[shape.name], docbase, cert, key)])


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    base = tmp_path_factory.mktemp("tomcat-matrix")
    pki = Pki(base / "pki")
    case = pki.cases["full_chain"]
    with start_tomcat(base / "tomcat", [s.service() for s in SHAPES], cert=case.chain, key=case.key) as tomcat:
        xml_files = {}
        for shape in SHAPES:
            path = base / f"server-{shape.name}.xml"
            path.write_text(_shape_xml(tomcat, shape, base / "tomcat" / "echo", case.chain, case.key))
            xml_files[shape.name] = path
        sites = base / "nginx" / "sites"
        sites.mkdir(parents=True)
        files, ports = {}, {}
        taken = {p for ps in tomcat.ports.values() for p in ps}
        for shape, style in pairs():
            port = free_port()
            while port in taken:  # the OS may hand out a port twice when nothing holds it yet
                port = free_port()
            taken.add(port)
            path = sites / f"{shape.name}--{style.name}.conf"
            path.write_text(
                site_conf(shape, style, port, tomcat.ports[shape.name][0], str(case.chain), str(case.key))
            )
            files[(shape.name, style.name)], ports[(shape.name, style.name)] = path, port
        conf = (
            render_conf(base / "nginx", [], {})
            .replace("worker_connections 64;", "worker_connections 1024;")
            .replace("  keepalive_timeout 5s;\n", f"  keepalive_timeout 5s;\n  include {sites}/*.conf;\n")
        )
        (base / "nginx" / "tmp").mkdir()
        (base / "nginx" / "nginx.conf").write_text(conf)
        nginx = ManagedProcess(
            [
                require_binary("nginx"),
                "-e",
                "stderr",
                "-p",
                str(base / "nginx"),
                "-c",
                str(base / "nginx" / "nginx.conf"),
            ],
            base / "nginx" / "nginx.log",
        )
        try:
            for port in ports.values():
                nginx.wait_for_port(LOOPBACK, port, 20.0)
            yield Matrix(tomcat, files, ports, xml_files)
        finally:
            import signal

            nginx.stop(signal.SIGTERM)



def _compare(seen: dict[str, object], predicted: JiraUrl, what: str) -> str | None:
    reported = JiraUrl.parse(str(seen["url"]))
    if reported != predicted:
        return f"{what}: Tomcat {seen['url']} (scheme {seen['scheme']}, port {seen['serverPort']}), model {predicted}"
    return None


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_model_predicts_what_tomcat_reports(matrix: Matrix, shape: Shape) -> None:
    connectors = parse_server_xml(matrix.server_xml_files[shape.name].read_text()).connectors
    assert [c.port for c in connectors] == matrix.tomcat.ports[shape.name]
    context = shape.context.rstrip("/")
    disagreements: list[str] = []
    compared = trusting_misses = 0
    # direct: the client talks to each connector itself, with and without a forged X-Forwarded-Proto
    for connector in connectors:
        scheme = "https" if connector.ssl_enabled else "http"  # the transport, not what Tomcat calls it
        for host in (PUBLIC_NAME, f"{PUBLIC_NAME}:8443", f"127.0.0.1:{connector.port}"):
            for headers in ({}, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Proto": "http"}):
                seen = fetch(
                    f"{scheme}://127.0.0.1:{connector.port}{context}{ECHO_PATH}",
                    host,
                    headers,
                    context=unverified_context() if scheme == "https" else None,
                )
                predicted = request_url(connector, host, ECHO_PATH, headers, peer=PEER)
                disagreements.append(_compare(seen, predicted, f"direct {connector.port} Host {host} {headers}") or "")
                trusting_misses += _compare(seen, request_url(connector, host, ECHO_PATH, headers), "") is not None
                compared += 1
    # through nginx, each style from its own sites file, read back by --proxy-config's reader
    styles = [style for style in STYLES if style.applies(shape)]
    for style in styles:
        key = (shape.name, style.name)
        route = read_proxy_config(matrix.site_files[key]).route_for(context)
        assert route is not None and route.upstream_port == connectors[0].port
        port = matrix.nginx_ports[key]
        for client_host in (f"{PUBLIC_NAME}:{port}", PUBLIC_NAME):
            sent_host, sent_headers = route.upstream_headers(client_host, peer=PEER)
            seen = fetch(
                f"{'https' if style.tls else 'http'}://127.0.0.1:{port}{context}{ECHO_PATH}",
                client_host,
                context=unverified_context() if style.tls else None,
            )
            predicted = request_url(connectors[0], sent_host, ECHO_PATH, sent_headers, peer=PEER)
            disagreements.append(_compare(seen, predicted, f"nginx {style.name} Host {client_host}") or "")
            trusting = request_url(connectors[0], sent_host, ECHO_PATH, sent_headers, peer=None)
            trusting_misses += _compare(seen, trusting, "") is not None
            compared += 1
    assert compared == len(connectors) * 9 + len(styles) * 2
    assert [d for d in disagreements if d] == []
    # the same cases with the proxy's address unknown (peer=None: the valve assumed to trust it, as
    # main's checks did): wrong exactly where the valve trusts another address than nginx's (issue 24)
    print(f"{shape.name}: {trusting_misses} of {compared} cases differ from Tomcat with the address unknown; 0 with it")
    assert (trusting_misses > 0) == (shape.name == "valve_internal_elsewhere")


def test_matrix_is_wide_enough() -> None:
    """The issue's floor: >= 25 shapes, every proxy style, RemoteIpValve at every level."""
    assert len(SHAPES) >= 25 and len({s.name for s in SHAPES}) == len(SHAPES)
    assert {s.valve_level for s in SHAPES if s.valve is not None} == {"Engine", "Host", "Context"}
    assert {s.name for s in STYLES} >= {
        "proxy_host",
        "host",
        "http_host",
        "tls_host_proto",
        "tls_http_host",
        "tls_forwarded_all",
        "tls_proto_http",
    }
    limited = next(s for s in SHAPES if s.name == "valve_internal_elsewhere")
    assert limited.valve == {"internalProxies": r"10\.1\.2\.3"}


def _doctor(server_xml: Path, proxy_config: Path, base_url: str) -> dict:  # type: ignore[type-arg]
    from tests.cli.test_proxy_config_cli import _doctor as run

    return run(server_xml, proxy_config, base_url)


def _base_url_findings(report: dict) -> list[dict]:
    (check,) = [c for c in report["checks"] if c["id"] == "base-url"]
    findings: list[dict] = check["findings"]
    return findings


def _judge_all(matrix: Matrix, styles: list) -> tuple[int, int]:
    agreed = passed = 0
    for shape in SHAPES:
        context = shape.context.rstrip("/")
        for style in styles:
            if not style.applies(shape):
                continue
            key = (shape.name, style.name)
            port = matrix.nginx_ports[key]
            public = JiraUrl("https" if style.tls else "http", PUBLIC_NAME, port, context)
            client_host = f"{PUBLIC_NAME}:{port}"
            seen = fetch(
                f"{public.scheme}://127.0.0.1:{port}{context}{ECHO_PATH}",
                client_host,
                context=unverified_context() if style.tls else None,
            )
            tomcat_says = JiraUrl.parse(str(seen["url"]).removesuffix(ECHO_PATH))
            findings = _base_url_findings(
                _doctor(matrix.server_xml_files[shape.name], matrix.site_files[key], str(public))
            )
            verdict = {f["code"] for f in findings}
            if tomcat_says == public:
                assert verdict == {"base-url/ok"}, (key, str(tomcat_says), findings)
                passed += 1
            else:
                (mismatch,) = [f for f in findings if f["code"] == "base-url/proxy-mismatch"]
                assert mismatch["evidence"]["jira_sees"] == str(tomcat_says), (key, findings)
            agreed += 1
    return agreed, passed


def test_every_nginx_file_of_the_matrix_gets_the_verdict_tomcat_proves(matrix: Matrix) -> None:
    """The same file real nginx ran, given to --proxy-config (through the CLI) with the shape's server.xml
    and the public URL as Base URL: base-url passes exactly when Tomcat rebuilt that URL."""
    agreed, passed = _judge_all(matrix, list(STYLES))
    assert agreed == len(pairs())
    assert 0 < passed < agreed  # healthy pairs pass, broken ones fail: both directions are in the matrix
