"""jiradoctor's Apache httpd reading against real Apache httpd in front of real Tomcat 10.1.

One Tomcat serves a subset of the Tomcat matrix's server.xml shapes, one httpd every (shape, Apache
style) pair from its own ``<VirtualHost>`` file. For every request the model — the route read from
that very file by ``--proxy-config``'s reader, then ``tomcat.request_url`` on the connector read from
the shape's server.xml — must predict exactly the URL ``getRequestURL()`` gave; and the CLI, given
that file, the server.xml and the public URL as Base URL, must pass exactly when Tomcat rebuilt it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.proxy_config import read_proxy_config
from jiradoctor.jira.serverxml import parse_server_xml
from jiradoctor.jira.tomcat import request_url
from jiradoctor.jira.urls import JiraUrl
from tests.realparts.apache import ApacheServer, Site, start_apache
from tests.realparts.pki import Pki
from tests.realparts.tls_client import unverified_context
from tests.realparts.tomcat import ECHO_PATH, TomcatServer, fetch, server_xml, start_tomcat
from tests.tomcat_matrix import PUBLIC_NAME, SHAPES, Shape

pytestmark = [pytest.mark.realparts, pytest.mark.tomcat]
PEER = "127.0.0.1"  # httpd reaches Tomcat from loopback


@dataclass(frozen=True)
class ApacheStyle:
    """How httpd proxies.

    preserve: ``ProxyPreserveHost`` On / Off, None = directive absent (httpd's default, Off).
    proto: value of ``RequestHeader set X-Forwarded-Proto`` (None: not set).
    path: ``root`` (ProxyPass / to /), ``context`` (/jira to /jira), ``context_slash`` (/jira/ to /jira/).
    """

    name: str
    preserve: bool | None = None
    proto: str | None = None
    path: str = "context"
    tls: bool = False
    extra: tuple[str, ...] = ()


APACHE_STYLES: tuple[ApacheStyle, ...] = (
    ApacheStyle("default_root", path="root"),
    ApacheStyle("default_ctx"),
    ApacheStyle("off_ctx_slash", preserve=False, path="context_slash"),
    ApacheStyle("preserve_root", preserve=True, path="root"),
    ApacheStyle("preserve_ctx", preserve=True),
    ApacheStyle("preserve_ctx_slash", preserve=True, path="context_slash"),
    ApacheStyle("default_proto_https", proto="https"),
    ApacheStyle("preserve_proto_https", preserve=True, proto="https"),
    ApacheStyle("tls_default", tls=True),
    ApacheStyle("tls_preserve", tls=True, preserve=True),
    ApacheStyle("tls_preserve_proto", tls=True, preserve=True, proto="https"),
    ApacheStyle("tls_preserve_proto_root", tls=True, preserve=True, proto="https", path="root"),
    ApacheStyle("tls_proto_no_add_headers", tls=True, proto="https", extra=("ProxyAddHeaders Off",)),
    ApacheStyle("no_add_headers", extra=("ProxyAddHeaders Off",)),
    ApacheStyle("tls_preserve_proto_if_https", tls=True, preserve=True,
                extra=('RequestHeader set X-Forwarded-Proto "https" env=HTTPS',)),
    ApacheStyle("preserve_proto_if_https", preserve=True,
                extra=('RequestHeader set X-Forwarded-Proto "https" env=HTTPS',)),
    ApacheStyle("tls_preserve_proto_expr", tls=True, preserve=True,
                extra=("RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}",)),
    ApacheStyle("preserve_proto_expr", preserve=True,
                extra=("RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}",)),
    ApacheStyle("tls_preserve_proto_port", tls=True, preserve=True, proto="https",
                extra=('RequestHeader set X-Forwarded-Port "443"',)),
    ApacheStyle("tls_unset_xfh", tls=True, proto="https", extra=("RequestHeader unset X-Forwarded-Host",)),
    ApacheStyle("set_xfh", extra=(f'RequestHeader set X-Forwarded-Host "{PUBLIC_NAME}"',)),
)

SHAPE_NAMES = (
    "bare",
    "bare_root",
    "proxyname_only",
    "proxyport_only",
    "https_proxy_443",
    "https_proxyport_8443",
    "ssl_enabled",
    "ctx_trailing_slash",
    "ctx_nested",
    "two_connectors_proxy_first",
    "valve_engine",
    "valve_proxyport_443",
    "valve_internal_elsewhere",
    "valve_host_port_headers",
    "valve_host_header_only",
    "atlassian_template",
    "atlassian_template_http",
)
APACHE_SHAPES: tuple[Shape, ...] = tuple(s for s in SHAPES if s.name in SHAPE_NAMES)

# Pairs where the model is known to disagree with real Tomcat (strict both ways: exactly these).
# Empty since jiradoctor.jira.tomcat._valid_host: httpd merges its own X-Forwarded-Host onto a
# RequestHeader-set one ("a, b"), and Tomcat's RemoteIpValve refuses that list and keeps the Host
# header (the model took the list as the name, for valve_host_port_headers and valve_host_header_only
# under set_xfh).
TOMCAT_MODEL_GAPS: frozenset[tuple[str, str]] = frozenset()


def _paths(shape: Shape, style: ApacheStyle) -> tuple[str, str]:
    """(public path, upstream path) of the ProxyPass line: Tomcat's context path kept as is."""
    context = shape.context.rstrip("/")
    if style.path == "root" or not context:
        return "/", "/"
    if style.path == "context_slash":
        return context + "/", context + "/"
    return context, context


def vhost_conf(shape: Shape, style: ApacheStyle, listen: int, upstream: int, cert: Path, key: Path) -> str:
    """One ``<VirtualHost>`` file, as a customer's sites-enabled file would be."""
    scheme = "https" if shape.ssl else "http"
    public, private = _paths(shape, style)
    lines = [f"<VirtualHost 127.0.0.1:{listen}>", f"  ServerName {PUBLIC_NAME}"]
    if style.tls:
        lines += ["  SSLEngine on", f'  SSLCertificateFile "{cert}"', f'  SSLCertificateKeyFile "{key}"']
    if shape.ssl:  # Tomcat speaks TLS itself; its certificate is not what this test judges
        lines += ["  SSLProxyEngine on", "  SSLProxyVerify none", "  SSLProxyCheckPeerName off",
                  "  SSLProxyCheckPeerExpire off"]
    if style.preserve is not None:
        lines.append(f"  ProxyPreserveHost {'On' if style.preserve else 'Off'}")
    if style.proto is not None:
        lines.append(f'  RequestHeader set X-Forwarded-Proto "{style.proto}"')
    lines += [f"  {line}" for line in style.extra]
    target = f"{scheme}://127.0.0.1:{upstream}{private}"
    lines += [f"  ProxyPass {public} {target}", f"  ProxyPassReverse {public} {target}", "</VirtualHost>"]
    return "\n".join(lines) + "\n"


@dataclass
class Matrix:
    tomcat: TomcatServer
    apache: ApacheServer
    server_xml_files: dict[str, Path]

    def site(self, shape: Shape, style: ApacheStyle) -> tuple[Path, int]:
        name = f"{shape.name}--{style.name}"
        return self.apache.site_files[name], self.apache.ports[name]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    base = tmp_path_factory.mktemp("apache-matrix")
    case = Pki(base / "pki").cases["full_chain"]
    with start_tomcat(base / "tomcat", [s.service() for s in APACHE_SHAPES], cert=case.chain, key=case.key) as tomcat:
        xml_files = {}
        for shape in APACHE_SHAPES:
            path = base / f"server-{shape.name}.xml"
            rendered = shape.service().render(tomcat.ports[shape.name], base / "tomcat" / "echo", case.chain, case.key)
            path.write_text(server_xml([rendered]))
            xml_files[shape.name] = path

        def site(shape: Shape, style: ApacheStyle) -> Site:
            upstream = tomcat.ports[shape.name][0]
            return Site(f"{shape.name}--{style.name}",
                        lambda port: vhost_conf(shape, style, port, upstream, case.chain, case.key))

        sites = [site(shape, style) for shape in APACHE_SHAPES for style in APACHE_STYLES]
        taken = frozenset(p for ps in tomcat.ports.values() for p in ps)
        with start_apache(base / "apache", sites, avoid=taken) as apache:
            yield Matrix(tomcat, apache, xml_files)



def _through_apache(port: int, tls: bool, context: str, host: str) -> dict[str, object]:
    scheme = "https" if tls else "http"
    return fetch(f"{scheme}://127.0.0.1:{port}{context}{ECHO_PATH}", host,
                 context=unverified_context() if tls else None)


@pytest.mark.parametrize("shape", APACHE_SHAPES, ids=[s.name for s in APACHE_SHAPES])
def test_model_predicts_what_tomcat_reports_behind_apache(matrix: Matrix, shape: Shape) -> None:
    connector = parse_server_xml(matrix.server_xml_files[shape.name].read_text()).connectors[0]
    assert connector.port == matrix.tomcat.ports[shape.name][0]
    context = shape.context.rstrip("/")
    disagreements: list[str] = []
    gaps: set[tuple[str, str]] = set()
    compared = 0
    for style in APACHE_STYLES:
        path, port = matrix.site(shape, style)
        route = read_proxy_config(path).route_for(context)
        assert route is not None and route.upstream_port == connector.port, (style.name, route)
        assert route.tls == style.tls and route.listen_port == port
        for client_host in (f"{PUBLIC_NAME}:{port}", PUBLIC_NAME, f"{PUBLIC_NAME}:8443"):
            sent_host, sent_headers = route.upstream_headers(client_host, peer=PEER)
            seen = _through_apache(port, style.tls, context, client_host)
            predicted = request_url(connector, sent_host, ECHO_PATH, sent_headers, peer=PEER)
            if JiraUrl.parse(str(seen["url"])) != predicted and (shape.name, style.name) in TOMCAT_MODEL_GAPS:
                gaps.add((shape.name, style.name))
            elif JiraUrl.parse(str(seen["url"])) != predicted:
                disagreements.append(
                    f"{style.name} Host {client_host}: Tomcat {seen['url']} (scheme {seen['scheme']}, "
                    f"port {seen['serverPort']}), model {predicted} from Host {sent_host} {sent_headers}"
                )
            compared += 1
    assert compared == len(APACHE_STYLES) * 3
    assert not disagreements, "\n".join(disagreements)
    assert gaps == {g for g in TOMCAT_MODEL_GAPS if g[0] == shape.name}


def _doctor(server_xml_file: Path, proxy_config: Path, base_url: str) -> list[dict[str, object]]:
    args = ["doctor", "--offline", "--only", "base-url", "--server-xml", str(server_xml_file), "--proxy-config",
            str(proxy_config), "--base-url", base_url, "--format", "json", "--fail-on", "never"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "base-url"]
    findings: list[dict[str, object]] = check["findings"]
    return findings


def test_every_apache_file_of_the_matrix_gets_the_verdict_tomcat_proves(matrix: Matrix) -> None:
    """The file real httpd ran, given to --proxy-config with the shape's server.xml and the public URL
    as Base URL: base-url passes exactly when Tomcat rebuilt that URL, else names what Jira sees."""
    agreed = passed = 0
    for shape in APACHE_SHAPES:
        context = shape.context.rstrip("/")
        for style in APACHE_STYLES:
            path, port = matrix.site(shape, style)
            public = JiraUrl("https" if style.tls else "http", PUBLIC_NAME, port, context)
            seen = _through_apache(port, style.tls, context, f"{PUBLIC_NAME}:{port}")
            tomcat_says = JiraUrl.parse(str(seen["url"]).removesuffix(ECHO_PATH))
            findings = _doctor(matrix.server_xml_files[shape.name], path, str(public))
            if (shape.name, style.name) in TOMCAT_MODEL_GAPS:  # see there; the model test holds them to it
                continue
            if tomcat_says == public:
                assert {f["code"] for f in findings} == {"base-url/ok"}, (shape.name, style.name, findings)
                passed += 1
            else:
                (mismatch,) = [f for f in findings if f["code"] == "base-url/proxy-mismatch"]
                evidence = mismatch["evidence"]
                assert isinstance(evidence, dict) and evidence["jira_sees"] == str(tomcat_says), (
                    shape.name, style.name, str(tomcat_says), findings)
            agreed += 1
    assert agreed == len(APACHE_SHAPES) * len(APACHE_STYLES) - len(TOMCAT_MODEL_GAPS)
    assert 0 < passed < agreed  # healthy pairs pass, broken ones fail: both directions are in the matrix


def test_apache_matrix_covers_the_styles_asked_for() -> None:
    """ProxyPreserveHost On / Off / absent, X-Forwarded-Proto set or not, context path or root,
    trailing slash, TLS; shapes with and without proxyName and a RemoteIpValve."""
    assert {s.preserve for s in APACHE_STYLES} == {None, False, True}
    assert {s.proto for s in APACHE_STYLES} == {None, "https"}
    assert {s.path for s in APACHE_STYLES} == {"root", "context", "context_slash"}
    assert {s.tls for s in APACHE_STYLES} == {False, True}
    assert len(APACHE_SHAPES) == len(SHAPE_NAMES)
    assert any(s.valve for s in APACHE_SHAPES) and any("proxyName" in s.connectors[0] for s in APACHE_SHAPES)
