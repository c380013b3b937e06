"""base-url without the network: --url against --base-url, and Tomcat's server.xml against both.

server.xml fixtures live in tests/data/ and are named by what they are (checkov's way):
``server_proxy_ok.xml``, ``server_proxy_without_proxyname.xml``, ``server_xxe.xml``...
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from jiradoctor.checks.base_url import CHECK
from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml
from jiradoctor.jira.urls import JiraUrl
from jiradoctor.model import Report, Status
from jiradoctor.reports import render
from jiradoctor.secrets import MASK
from jiradoctor.target import Target
from tests.conftest import codes, found, only, run_checks

DATA = Path(__file__).parent.parent / "data"
BASE = "https://jira.example.com"


def xml(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def judge(
    url: str | None = None,
    base_url: str | None = None,
    server_xml: str | None = None,
    server_xml_path: str | None = None,
) -> Report:
    if server_xml is not None and server_xml.endswith(".xml") and "<" not in server_xml:
        server_xml_path = server_xml_path or str(DATA / server_xml)
        server_xml = xml(server_xml)
    report = run_checks(
        [CHECK],
        Target(url=url, base_url=base_url, server_xml=server_xml, server_xml_path=server_xml_path, offline=True),
    )
    assert codes(report) <= set(CHECK.codes)
    return report


def outputs(report: Report) -> str:
    return "\n".join(render(report, fmt) for fmt in ("json", "html", "md", "text"))


# --- --url against --base-url --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, base, part",
    [
        ("http://jira.example.com:443", BASE, "scheme"),
        ("https://jira.example.org", BASE, "host"),
        ("https://jira.example.com:8443", BASE, "port"),
        ("https://jira.example.com/jira", BASE, "path"),
        (BASE, "https://jira.example.com/jira", "path"),
    ],
)
def test_each_differing_part_is_named(url: str, base: str, part: str) -> None:
    report = judge(url=url, base_url=base)
    assert codes(report) == {f"base-url/{part}-mismatch"}
    finding = only(report, f"base-url/{part}-mismatch")
    assert finding.status == Status.FAIL
    assert finding.evidence["differs"] == part
    assert finding.evidence["integration_url"] == str(JiraUrl.parse(url))
    assert finding.evidence["jira_base_url"] == str(JiraUrl.parse(base))
    assert str(JiraUrl.parse(base)) in finding.remediation[0]


def test_http_against_https_is_scheme_and_port() -> None:
    """One mistake (http for https) moves the default port too: one finding naming both parts."""
    report = judge(url="http://jira.example.com", base_url=BASE)
    assert codes(report) == {"base-url/scheme-mismatch"}
    finding = only(report, "base-url/scheme-mismatch")
    assert finding.evidence["all_differences"] == ["scheme", "port"] and "port" in finding.message


def test_everything_different() -> None:
    report = judge(url="http://jira.example.org:8080/jira", base_url=BASE)
    assert codes(report) == {"base-url/scheme-mismatch"}
    assert only(report, "base-url/scheme-mismatch").evidence["all_differences"] == ["scheme", "host", "port", "path"]


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://Jira.Example.com:443/",
        "https://jira.example.com/",
        "https://JIRA.EXAMPLE.COM",
        "https://jira.example.com:443",
        "  https://jira.example.com  ",
    ],
)
def test_default_port_trailing_slash_and_host_case_are_normalised(url: str) -> None:
    report = judge(url=url, base_url=BASE)
    assert codes(report) == {"base-url/ok"}
    assert report.checks[0].status == Status.PASS


def test_context_path_trailing_slash_is_normalised() -> None:
    assert codes(judge(url="https://jira.example.com/jira/", base_url="https://jira.example.com/jira")) == {
        "base-url/ok"
    }


def test_context_path_case_is_not_normalised() -> None:
    assert "base-url/path-mismatch" in codes(
        judge(url="https://jira.example.com/JIRA", base_url="https://jira.example.com/jira")
    )


@pytest.mark.parametrize(
    "bad", ["jira.example.com", "ftp://jira.example.com", "https://", "https://jira.example.com:99999"]
)
def test_unusable_url_is_reported(bad: str) -> None:
    report = judge(url=bad, base_url=BASE)
    finding = only(report, "base-url/invalid-url")
    assert finding.status == Status.FAIL and finding.subject == "--url"


# --- server.xml against the Base URL -------------------------------------------------------------


def test_healthy_proxied_connector_passes() -> None:
    report = judge(url=BASE, base_url=BASE, server_xml="server_proxy_ok.xml")
    assert codes(report) == {"base-url/ok"}
    finding = only(report, "base-url/ok")
    assert finding.evidence["jira_sees"] == BASE
    assert finding.subject == "Connector port=8080"


def test_direct_connector_on_8080_passes() -> None:
    report = judge(base_url="http://jira.example.com:8080", server_xml="server_direct_8080.xml")
    assert codes(report) == {"base-url/ok"}
    assert only(report, "base-url/ok").evidence["jira_sees"] == "http://jira.example.com:8080"


def test_https_base_url_with_bare_http_connector_misses_proxy_attributes() -> None:
    report = judge(base_url=BASE, server_xml="server_proxy_without_proxyname.xml")
    finding = only(report, "base-url/proxy-attributes-missing")
    assert finding.status == Status.FAIL
    assert finding.evidence["jira_sees"] == "http://jira.example.com"
    assert "base-url/ok" not in codes(report)
    (fix,) = finding.commands
    element = ElementTree.fromstring(fix)  # the corrected connector is well-formed XML
    assert element.tag == "Connector"
    assert element.attrib["proxyName"] == "jira.example.com"
    assert element.attrib["proxyPort"] == "443"
    assert element.attrib["scheme"] == "https"
    assert element.attrib["secure"] == "true"
    # everything the customer had is kept
    assert element.attrib["port"] == "8080"
    assert element.attrib["useBodyEncodingForURI"] == "true"
    assert element.attrib["redirectPort"] == "8443"


def test_corrected_connector_makes_jira_see_the_base_url() -> None:
    """Feed the corrected connector back in: the check must then pass."""
    report = judge(base_url=BASE, server_xml="server_proxy_without_proxyname.xml")
    (fix,) = only(report, "base-url/proxy-attributes-missing").commands
    original = xml("server_proxy_without_proxyname.xml")
    start = original.index("<Connector")
    end = original.index("/>", start) + 2
    repaired = original[:start] + fix + original[end:]
    assert codes(judge(base_url=BASE, server_xml=repaired)) == {"base-url/ok"}


def test_proxy_name_of_another_host_is_a_server_xml_mismatch() -> None:
    report = judge(base_url=BASE, server_xml="server_proxyname_wrong_host.xml")
    finding = only(report, "base-url/server-xml-mismatch")
    assert finding.status == Status.FAIL
    assert finding.evidence["proxyName"] == "jira-old.example.com"
    assert finding.evidence["jira_sees"] == "https://jira-old.example.com"
    assert "host name" in finding.message
    assert 'proxyName="jira.example.com"' in finding.commands[0]


def test_wrong_proxy_port_is_a_server_xml_mismatch() -> None:
    report = judge(base_url=BASE, server_xml="server_proxyport_wrong.xml")
    finding = only(report, "base-url/server-xml-mismatch")
    assert finding.evidence["proxyPort"] == 8443
    assert finding.evidence["jira_sees"] == "https://jira.example.com:8443"
    assert 'proxyPort="443"' in finding.commands[0]


def test_remote_ip_valve_without_proxy_attributes_is_a_warning() -> None:
    """The valve gives the Base URL only when the proxy sends Host and X-Forwarded-Proto; nginx's
    default (its upstream address, no header) breaks it, so this is never ok (JIRA-FACTS §2)."""
    report = judge(base_url=BASE, server_xml="server_remoteipvalve.xml")
    finding = only(report, "base-url/assumes-proxy-host")
    assert finding.status == Status.WARN
    styles = finding.evidence["jira_sees_by_host_style"]
    assert sorted(styles.values()) == sorted([BASE, BASE, "http://127.0.0.1:8080"])
    assert "X-Forwarded-Proto" in finding.message
    assert report.checks[0].status == Status.WARN


def test_remote_ip_valve_does_not_excuse_a_wrong_host() -> None:
    text = xml("server_remoteipvalve.xml")
    report = judge(base_url="https://jira.example.com/jira", server_xml=text)
    finding = only(report, "base-url/server-xml-mismatch")  # even with the header, the context path differs
    assert finding.status == Status.FAIL and "context path" in finding.message


def test_context_path_mismatch() -> None:
    report = judge(base_url=BASE, server_xml="server_context_path_jira.xml")
    finding = only(report, "base-url/server-xml-mismatch")
    assert finding.evidence["context_path"] == "/jira"
    assert "context path" in finding.message
    assert any('<Context path=""' in step for step in finding.remediation)


def test_context_path_that_matches_passes() -> None:
    assert codes(judge(base_url="https://jira.example.com/jira", server_xml="server_context_path_jira.xml")) == {
        "base-url/ok"
    }


def test_two_connectors_one_matching_names_the_one_the_proxy_must_reach() -> None:
    """Behind a proxy, server.xml cannot say which connector it reaches: no pass, name the right one."""
    report = judge(base_url=BASE, server_xml="server_two_connectors_one_matches.xml")
    assert report.checks[0].status == Status.WARN
    ok = only(report, "base-url/ok")
    assert ok.subject == "Connector port=8081"
    choice = only(report, "base-url/connector-choice")
    assert choice.subject == "Connector port=8080" and "must reach Connector port=8081" in choice.message


def test_two_connectors_none_matching_fails_for_each() -> None:
    report = judge(base_url="https://jira.example.com/jira", server_xml="server_two_connectors_one_matches.xml")
    subjects = {f.subject for _, f in report.findings() if f.status == Status.FAIL}
    assert subjects == {"Connector port=8080", "Connector port=8081"}  # the AJP connector is ignored


def test_server_xml_alone_describes_connectors() -> None:
    """Nothing to compare with: described in the skip reason, never a green tick."""
    report = judge(server_xml="server_proxy_ok.xml")
    result = report.checks[0]
    assert result.status == Status.SKIP
    assert "proxyName jira.example.com" in (result.skip_reason or "") and "--base-url" in (result.skip_reason or "")


def test_url_is_used_when_the_base_url_is_unknown() -> None:
    report = judge(url=BASE, server_xml="server_proxy_without_proxyname.xml")
    assert found(report, "base-url/proxy-attributes-missing")


def test_url_mismatch_and_server_xml_mismatch_together() -> None:
    report = judge(url="http://jira.example.com:8080", base_url=BASE, server_xml="server_proxyname_wrong_host.xml")
    assert {"base-url/scheme-mismatch", "base-url/server-xml-mismatch"} <= codes(report)


# --- server.xml that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("server_xxe.xml", "DTD"),
        ("server_billion_laughs.xml", "DTD"),
        ("server_malformed.xml", "not well-formed"),
        ("server_wrong_root.xml", "<Context>"),
        ("server_no_http_connector.xml", "no HTTP <Connector>"),
        ("server_empty.xml", "empty"),
    ],
)
def test_unusable_server_xml(name: str, reason: str) -> None:
    report = judge(base_url=BASE, server_xml=name)
    finding = only(report, "base-url/invalid-server-xml")
    assert finding.status == Status.FAIL
    assert reason in finding.message
    assert finding.evidence["file"].endswith(name)
    assert "base-url/ok" not in codes(report)


def test_xxe_never_reads_the_file() -> None:
    report = judge(base_url=BASE, server_xml="server_xxe.xml")
    out = outputs(report)
    passwd = Path("/etc/passwd").read_text(errors="replace")
    for line in passwd.splitlines():
        if line.strip():
            assert line not in out
    assert "root:" not in out


@pytest.mark.parametrize(
    "doc",
    [
        '<!DOCTYPE Server SYSTEM "http://127.0.0.1:9/x.dtd"><Server><Service><Connector '
        'port="8080"/></Service></Server>',
        '<?xml version="1.0"?><!DOCTYPE Server [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><Server/>',
        '<!DOCTYPE Server [<!ENTITY a "x">]><Server><Service><Connector port="8080" '
        'proxyName="&a;"/></Service></Server>',
    ],
)
def test_any_dtd_is_refused(doc: str) -> None:
    with pytest.raises(ServerXmlError, match="DTD"):
        parse_server_xml(doc)


def test_bad_port_number_is_invalid_not_a_crash() -> None:
    report = judge(
        base_url=BASE,
        server_xml='<Server><Service><Connector port="8080" proxyPort="four-four-three"/></Service></Server>',
    )
    assert "proxyPort is not a number" in only(report, "base-url/invalid-server-xml").message


# --- secrets in server.xml -----------------------------------------------------------------------


def test_keystore_password_is_never_printed_and_masked_in_the_fix() -> None:
    secret = "KeystoreCanary-7f3a9Q"
    assert secret in xml("server_keystorepass.xml")
    # an SSLEnabled connector serves https itself, so an http Base URL needs proxy attributes
    report = judge(base_url="http://jira.example.com:8080", server_xml="server_keystorepass.xml")
    finding = only(report, "base-url/proxy-attributes-missing")
    assert f'keystorePass="{MASK}"' in finding.commands[0]
    out = outputs(report) + json.dumps(report.to_json())
    assert secret not in out


def test_keystore_password_is_collected_as_a_secret() -> None:
    parsed = parse_server_xml(xml("server_keystorepass.xml"))
    assert "KeystoreCanary-7f3a9Q" in parsed.secrets
    assert "KeystoreCanary-7f3a9Q" not in repr(parsed)


def test_any_password_attribute_is_masked_even_in_a_healthy_connector() -> None:
    text = xml("server_proxy_ok.xml").replace('secure="true"', 'secure="true" truststorePass="TrustCanary-93kd"')
    report = judge(base_url="https://jira.example.org", server_xml=text)
    assert "TrustCanary-93kd" not in outputs(report)
    assert any(f'truststorePass="{MASK}"' in c for _, f in report.findings() for c in f.commands)


def test_ssl_enabled_connector_serves_https_whatever_its_scheme_attribute() -> None:
    # Tomcat's HTTP processor sets the scheme to https on an SSLEnabled connector; the scheme
    # attribute is then not consulted (CoyoteAdapter.postParseRequest)
    text = xml("server_keystorepass.xml")
    report = judge(base_url="https://jira.example.com:8443", server_xml=text)
    assert "base-url/ok" in {f.code for _, f in report.findings()}
    assert not [f for _, f in report.findings() if f.status.rank >= Status.WARN.rank]
