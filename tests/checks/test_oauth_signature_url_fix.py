"""oauth-signature/url-mismatch names the attribute that made Jira see another URL (the demo's false fix:
"the connector has no proxyName" beside a server.xml that sets one, and a placeholder <Connector>)."""

from __future__ import annotations

from jiradoctor.checks.oauth_signature import fix_for_url_parts
from jiradoctor.jira.oauth1 import BaseStringDiff
from jiradoctor.jira.tomcat import Connector
from jiradoctor.jira.urls import JiraUrl

SIGNED = "http://jira.example.com/plugins/servlet/oauth/request-token"
SEEN = "http://jira-internal.lan:8080/plugins/servlet/oauth/request-token"
BASE = JiraUrl.parse("http://jira.example.com")


def host_port_diff() -> BaseStringDiff:
    return BaseStringDiff(None, ("host", "port"), SIGNED, SEEN, (), (), ())


def test_a_proxyname_in_server_xml_is_named_and_the_host_header_is_not_offered() -> None:
    connector = Connector(port=8080, proxy_name="jira-internal.lan", proxy_port=8080)
    prose, commands = fix_for_url_parts(host_port_diff(), BASE, [connector])
    text = " ".join(prose)
    assert 'sets proxyName="jira-internal.lan"' in text and 'set proxyName="jira.example.com"' in text
    assert 'sets proxyPort="8080"' in text and 'set proxyPort="80"' in text
    assert "no proxyName" not in text and "proxy_set_header" not in text + " ".join(commands)
    assert not any("…" in c or "..." in c for c in commands)


def test_without_proxyname_the_host_header_is_the_fix() -> None:
    connector = Connector(port=8080)
    prose, commands = fix_for_url_parts(host_port_diff(), BASE, [connector])
    assert any("no connector in server.xml sets proxyName" in p for p in prose)
    assert commands == ["proxy_set_header Host $host;   # nginx, in the location that proxies to Jira"]


def test_without_server_xml_both_causes_are_named_and_nothing_is_a_placeholder() -> None:
    prose, commands = fix_for_url_parts(host_port_diff(), BASE, None)
    text = " ".join(prose)
    assert "either the connector's proxyName names it" in text and "proxy_set_header Host $host" in text
    assert 'proxyName="jira.example.com" proxyPort="80" scheme="http" secure="false"' in text
    assert commands == []
    assert "…" not in text
