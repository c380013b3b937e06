"""The Apache half of base-url/proxy-mismatch's fix, applied to real Apache httpd before real Tomcat 10.1.

The nginx twin (tests/realparts/test_base_url_fixes_realparts.py) proves the nginx fixes; this proves the Apache
ones. Each case is a broken (server.xml, Apache ``<VirtualHost>``) pair served for real: the broken
direction is observed (Tomcat's ``getRequestURL()`` through httpd is not the Base URL); ``jiradoctor
doctor --proxy-config VHOST`` reports base-url/proxy-mismatch with two commands (the ``<Connector>``
and the Apache block); then exactly the command the case is about is applied:

* ``connector``: only the printed ``<Connector>`` (Tomcat restarted), the VirtualHost left broken;
* ``block-*``: only the printed Apache block, in place of the VirtualHost's proxy lines (``apache2
  -t``, httpd restarted by SIGHUP to its own pid), the connector left as it was.

Where the finding says "Either is enough", the block alone must make Tomcat see the Base URL and the
doctor pass; where it says the connector is the fix, the block alone must leave Tomcat seeing exactly
the URL its evidence ``jira_sees_with_proxy_block_only`` names.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.urls import JiraUrl
from tests.realparts.apache import ApacheServer, Site, restart_apache, start_apache_at
from tests.realparts.pki import self_signed_files
from tests.realparts.tls_client import unverified_context
from tests.realparts.procs import LOOPBACK, wait_until
from tests.realparts.tomcat import ECHO_PATH, TomcatServer, fetch, restart_tomcat, server_xml, start_tomcat
from tests.tomcat_matrix import PUBLIC_NAME, Shape

pytestmark = [pytest.mark.realparts, pytest.mark.tomcat]
CONTEXT = "/jira"
CODE = "base-url/proxy-mismatch"
EITHER = "Either is enough"
# the VirtualHost lines the printed Apache block stands for (and replaces)
PROXY_LINE = re.compile(
    r"^\s*(SSLProxyEngine|ProxyPreserveHost|RequestHeader|ProxyPass|ProxyPassReverse)\b.*$\n?", re.M | re.I
)


@dataclass
class Case:
    """One broken (connector, VirtualHost) pair, which printed command it applies, and what was seen."""

    name: str
    shape: Shape
    apply: str  # "connector" or "block": the one printed command this case applies
    either: bool  # the finding must say the block alone is enough
    location: str = CONTEXT  # ProxyPass's first argument
    upstream_path: str = CONTEXT  # ProxyPass's URL path
    proxy_extra: str = ""  # lines before the proxy lines (SSLProxy*, for a TLS connector)
    port: int = 0  # httpd's listen port for this site, which is the Base URL's port
    fragment: str = ""
    xml: Path = Path()
    seen: dict[str, JiraUrl] = field(default_factory=dict)  # "broken"/"fixed" -> what Tomcat rebuilt
    doctor: dict[str, list[dict]] = field(default_factory=dict)  # type: ignore[type-arg]
    commands: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # state -> httpd/Tomcat's non-200 answer

    @property
    def base(self) -> JiraUrl:
        return JiraUrl("https", PUBLIC_NAME, self.port, CONTEXT)

    def finding(self, state: str) -> dict:  # type: ignore[type-arg]
        (found,) = [f for f in self.doctor[state] if f["code"] == CODE]
        return found


def _cases(ports: dict[str, int]) -> list[Case]:
    def right_but_host(name: str, **attrs: str) -> Shape:
        """scheme/secure/proxyPort right, the name left to the Host header the proxy sends."""
        return Shape(name, ({**attrs, "proxyPort": str(ports[name]), "scheme": "https", "secure": "true"},))

    cases = [
        # a bare connector behind TLS httpd (ProxyPreserveHost Off, no X-Forwarded-Proto): the connector is the fix
        Case("connector", Shape("connector"), "connector", either=False),
        # the same pair, the printed block alone: Tomcat still rebuilds what the evidence says
        Case("block-not-enough", Shape("block-not-enough"), "block", either=False),
        # the connector relies on the Host header: ProxyPreserveHost On (the block) is enough
        Case("block-enough", right_but_host("block-enough"), "block", either=True),
        # the same, with ProxyPass's trailing slashes (httpd's docs: both or neither)
        Case("block-enough-slash", right_but_host("block-enough-slash"), "block", either=True,
             location=CONTEXT + "/", upstream_path=CONTEXT + "/"),
        # the same, the whole site proxied (ProxyPass / to /): the printed block must not add the context
        Case("block-enough-root", right_but_host("block-enough-root"), "block", either=True,
             location="/", upstream_path="/"),
        # the same, httpd reaching a connector that speaks TLS itself
        Case("block-enough-tls-upstream", right_but_host("block-enough-tls-upstream", SSLEnabled="true"), "block",
             either=True,
             proxy_extra="  SSLProxyVerify none\n  SSLProxyCheckPeerName Off\n"
                         "  SSLProxyCheckPeerCN Off\n"),
    ]
    for case in cases:
        case.port = ports[case.name]
    return cases


def _proxy_lines(case: Case, upstream: int) -> str:
    scheme = "https" if case.shape.ssl else "http"
    target = f"{scheme}://127.0.0.1:{upstream}{case.upstream_path}"
    engine = "  SSLProxyEngine On\n" if case.shape.ssl else ""  # among the lines the printed block replaces
    return f"{engine}  ProxyPass {case.location} {target}\n  ProxyPassReverse {case.location} {target}\n"


def _site(case: Case, upstream: int, cert: Path, key: Path) -> Site:
    def render(port: int) -> str:
        return (f"<VirtualHost 127.0.0.1:{port}>\n  ServerName {PUBLIC_NAME}\n  SSLEngine on\n"
                f"  SSLCertificateFile {cert}\n  SSLCertificateKeyFile {key}\n{case.proxy_extra}"
                f"{_proxy_lines(case, upstream)}</VirtualHost>\n")

    return Site(case.name, render)



def _through_apache(case: Case) -> JiraUrl:
    """What Tomcat rebuilt for a client that asked httpd for the Base URL (Host: name:port)."""
    seen = fetch(f"https://{LOOPBACK}:{case.port}{CONTEXT}{ECHO_PATH}", f"{PUBLIC_NAME}:{case.port}",
                 context=unverified_context())
    assert "url" in seen, seen
    return JiraUrl.parse(str(seen["url"]).removesuffix(ECHO_PATH))


def _wait_ready(tomcat: TomcatServer, all_cases: list[Case], timeout: float = 30.0) -> None:
    """Until every Service's echo page answers directly: Tomcat listens (bindOnInit) before each
    Service's context has started, and an early request through httpd then draws a 404."""
    def ready(case: Case) -> bool:
        scheme = "https" if case.shape.ssl else "http"
        try:
            fetch(f"{scheme}://{LOOPBACK}:{tomcat.ports[case.shape.name][0]}{CONTEXT}{ECHO_PATH}", LOOPBACK,
                  context=unverified_context() if case.shape.ssl else None, timeout=5.0)
        except (AssertionError, OSError):
            return False
        return True

    for case in all_cases:
        wait_until(lambda case=case: ready(case), timeout, f"Tomcat's {case.name} context to answer")


def _doctor(case: Case, site_file: Path) -> list[dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, [
        "doctor", "--offline", "--only", "base-url", "--server-xml", str(case.xml), "--base-url", str(case.base),
        "--proxy-config", str(site_file), "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "base-url"]
    findings: list[dict] = check["findings"]  # type: ignore[type-arg]
    return findings


def _apply(case: Case, site_file: Path) -> None:
    """The one printed command this case is about, as the remediation says to use it."""
    connector, block = case.commands
    assert connector.startswith("<Connector") and "ProxyPreserveHost On" in block, case.commands
    if case.apply == "connector":
        port = int(re.search(r'\bport="(\d+)"', connector).group(1))  # type: ignore[union-attr]
        pattern = re.compile(rf'<Connector\b[^>]*\bport="{port}"[^>]*?(?:/>|(?<!/)>.*?</Connector>)', re.S)
        assert len(pattern.findall(case.fragment)) == 1, (connector, case.fragment)
        case.fragment = pattern.sub(lambda _: connector, case.fragment)
        case.xml.write_text(server_xml([case.fragment]))
        return
    text = site_file.read_text()
    first = PROXY_LINE.search(text)
    assert first is not None, text
    printed = "".join(f"  {line}\n" for line in block.splitlines())
    site_file.write_text(text[: first.start()] + printed + PROXY_LINE.sub("", text[first.start():]))


def _observe(case: Case, state: str, apache: ApacheServer) -> None:
    try:
        case.seen[state] = _through_apache(case)
    except AssertionError as exc:  # kept per case: one failing fix must not hide the others
        case.failed[state] = str(exc)[:300]
    case.doctor[state] = _doctor(case, apache.site_files[case.name])



NAMES = ("connector", "block-not-enough", "block-enough", "block-enough-slash", "block-enough-root",
         "block-enough-tls-upstream")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Case]]:
    base = tmp_path_factory.mktemp("apache-fixes")
    cert, key = self_signed_files(base / "tls", [PUBLIC_NAME], "apache-fix-leaf")
    held = []  # bound, not listening: Tomcat's free ports cannot be httpd's, chosen first for proxyPort
    for _ in NAMES:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((LOOPBACK, 0))
        held.append(sock)
    all_cases = _cases({name: s.getsockname()[1] for name, s in zip(NAMES, held, strict=True)})
    docbase = base / "tomcat" / "echo"
    tomcat: TomcatServer = start_tomcat(base / "tomcat", [c.shape.service() for c in all_cases], cert=cert, key=key)
    apache: ApacheServer | None = None
    try:
        sites = []
        for case in all_cases:
            case.fragment = case.shape.service().render(tomcat.ports[case.shape.name], docbase, cert, key)
            case.xml = base / f"{case.name}.xml"
            case.xml.write_text(server_xml([case.fragment]))
            sites.append(_site(case, tomcat.ports[case.shape.name][0], cert, key))
        for sock in held:
            sock.close()
        _wait_ready(tomcat, all_cases)
        apache = start_apache_at(base / "apache", sites, {c.name: c.port for c in all_cases})

        # broken: what Tomcat sees through httpd, what the doctor says, the commands it prints
        for case in all_cases:
            _observe(case, "broken", apache)
            case.commands = list(case.finding("broken")["commands"])

        # fixed: each case's one command applied; Tomcat restarted once, httpd restarted once
        for case in all_cases:
            _apply(case, apache.site_files[case.name])
        tomcat = restart_tomcat(tomcat, server_xml([c.fragment for c in all_cases]))
        _wait_ready(tomcat, all_cases)
        restart_apache(apache)
        for case in all_cases:
            _observe(case, "fixed", apache)
        yield {c.name: c for c in all_cases}
    finally:
        for sock in held:
            sock.close()
        if apache is not None:
            apache.stop()
        tomcat.stop()


@pytest.mark.parametrize("name", NAMES)
def test_broken_pair_is_really_broken_and_caught(cases: dict[str, Case], name: str) -> None:
    """Real Tomcat through real httpd rebuilds another URL; the doctor names exactly that URL."""
    case = cases[name]
    assert "broken" not in case.failed, case.failed["broken"]
    assert case.seen["broken"] != case.base, str(case.base)
    finding = case.finding("broken")
    assert finding["status"] == "fail"
    assert finding["evidence"]["jira_sees"] == str(case.seen["broken"])
    assert len(case.commands) == 2


@pytest.mark.parametrize("name", NAMES)
def test_remediation_says_whether_the_block_alone_is_enough(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    finding = case.finding("broken")
    (how,) = finding["remediation"]
    assert how.startswith(EITHER) is case.either, how
    assert (finding["evidence"]["jira_sees_with_proxy_block_only"] == str(case.base)) is case.either


@pytest.mark.parametrize("name", [n for n in NAMES if n != "block-not-enough"])
def test_printed_fix_makes_tomcat_see_the_base_url_and_doctor_pass(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    assert "fixed" not in case.failed, (case.failed["fixed"], case.commands)
    assert case.seen["fixed"] == case.base, (str(case.seen["fixed"]), case.commands)
    findings = case.doctor["fixed"]
    assert {f["code"] for f in findings} == {"base-url/ok"}, findings
    assert all(f["status"] == "pass" for f in findings)


def test_block_alone_leaves_what_the_evidence_names(cases: dict[str, Case]) -> None:
    """Where the finding says the connector is the fix, the printed block alone really is not enough."""
    case = cases["block-not-enough"]
    assert "fixed" not in case.failed, (case.failed["fixed"], case.commands)
    predicted = case.finding("broken")["evidence"]["jira_sees_with_proxy_block_only"]
    assert str(case.seen["fixed"]) == predicted != str(case.base)
    assert case.seen["fixed"] != case.seen["broken"]  # the block did change what Tomcat sees
    after = case.finding("fixed")
    assert after["status"] == "fail" and after["evidence"]["jira_sees"] == predicted
