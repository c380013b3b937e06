"""base-url and Tomcat's RemoteIpValve trust rule (JIRA-FACTS §2, §10, issue 24).

The valve honours X-Forwarded-* only from a proxy whose address matches internalProxies or
trustedProxies. Where the proxy's address is unknown (offline, or a proxy reaching Tomcat on
another host), the verdict names the regex and what Jira sees in each case, never a plain match;
where it is known (a proxy on loopback), the verdict is exact. Real Tomcat proves the model in
tests/realparts/test_tomcat_matrix.py (valve_internal_elsewhere, style tls_proto_http).
"""

from __future__ import annotations

from pathlib import Path

from jiradoctor.checks.base_url import judge_connector
from jiradoctor.checks.base_url.proxy import judge_with_proxy
from jiradoctor.jira.serverxml import parse_server_xml
from jiradoctor.jira.tomcat import DEFAULT_INTERNAL_PROXIES, RemoteIpValve, request_url
from jiradoctor.jira.urls import JiraUrl
from jiradoctor.model import Status

DATA = Path(__file__).resolve().parent.parent / "data"
BASE = JiraUrl.parse("https://jira.example.test")
VALVE = '<Valve className="org.apache.catalina.valves.RemoteIpValve"{attrs}/>'


def server_xml(connector: str = "", valve: str | None = "") -> str:
    v = VALVE.format(attrs=valve) if valve is not None else ""
    return (
        f'<Server><Service><Connector port="8080" protocol="HTTP/1.1"{connector}/><Engine name="c" '
        f'defaultHost="localhost">{v}<Host name="localhost"><Context path=""/></Host></Engine></Service></Server>'
    )


def site(tmp_path: Path, upstream: str, *headers: str) -> Path:
    sets = "".join(f"    proxy_set_header {h};\n" for h in headers)
    path = tmp_path / "jira.conf"
    path.write_text(
        "server {\n  listen 443 ssl;\n  server_name jira.example.test;\n"
        f"  location / {{\n    proxy_pass http://{upstream}:8080;\n{sets}  }}\n}}\n"
    )
    return path


def with_proxy(tmp_path: Path, xml: str, upstream: str, *headers: str) -> dict[str, object]:
    found = judge_with_proxy(parse_server_xml(xml), BASE, str(site(tmp_path, upstream, *headers)))
    return {f.code: f for f in found}


# ------------------------------------------------------------------------- the model ---

def test_model_honours_the_valve_only_for_a_matching_peer() -> None:
    (connector,) = parse_server_xml(server_xml(valve=r' internalProxies="10\.1\.2\.3"')).connectors
    headers = {"X-Forwarded-Proto": "https"}
    assert str(request_url(connector, "jira.example.test", forwarded_headers=headers, peer="10.1.2.3")) == str(BASE)
    assert str(request_url(connector, "jira.example.test", forwarded_headers=headers, peer="127.0.0.1")) == (
        "http://jira.example.test")
    default = RemoteIpValve()
    assert default.internal_proxies == DEFAULT_INTERNAL_PROXIES
    assert default.trusts("127.0.0.1") and default.trusts("10.1.2.3") and default.trusts("0:0:0:0:0:0:0:1")
    assert not default.trusts("203.0.113.7") and not default.trusts("172.32.0.1")


def test_model_a_trusted_proxy_sending_http_makes_jira_see_http_behind_tls() -> None:
    xml = server_xml(' scheme="https" secure="true" proxyName="jira.example.test" proxyPort="443"')
    (connector,) = parse_server_xml(xml).connectors
    assert request_url(connector, "jira.example.test", forwarded_headers={}, peer="127.0.0.1") == BASE
    seen = request_url(connector, "jira.example.test", forwarded_headers={"X-Forwarded-Proto": "http"},
                       peer="127.0.0.1")
    assert str(seen) == "http://jira.example.test"  # scheme http, port httpServerPort (80)


# ------------------------------------------------------------------- offline server.xml ---

def test_offline_the_finding_names_the_regex_and_each_case() -> None:
    (connector,) = parse_server_xml((DATA / "server_remoteipvalve.xml").read_text()).connectors
    f = judge_connector(connector, JiraUrl.parse("https://jira.example.com"))
    assert f.code == "base-url/assumes-proxy-host" and f.status == Status.WARN
    assert r'internalProxies="10\.0\.0\.\d+"' in f.message
    cases = f.evidence["remote_ip_valve"]["jira_sees"]
    assert cases == {
        "the proxy's address matches": "https://jira.example.com",
        "the proxy's address does not match": "http://jira.example.com",
        "a matching proxy sends X-Forwarded-Proto: http": "http://jira.example.com",
    }
    assert "if the proxy's address does not match, Jira sees http://jira.example.com" in f.message


def test_offline_right_connector_with_a_valve_passes_and_says_what_http_would_do() -> None:
    xml = server_xml(' scheme="https" secure="true" proxyName="jira.example.test" proxyPort="443"')
    (connector,) = parse_server_xml(xml).connectors
    f = judge_connector(connector, BASE)
    assert f.code == "base-url/ok" and f.status == Status.PASS
    assert "X-Forwarded-Proto: http would make Jira see http://jira.example.test" in f.message
    assert "Tomcat's default internalProxies" in f.message


def test_offline_right_connector_without_a_valve_passes_plainly() -> None:
    xml = server_xml(' scheme="https" secure="true" proxyName="jira.example.test" proxyPort="443"', valve=None)
    (connector,) = parse_server_xml(xml).connectors
    f = judge_connector(connector, BASE)
    assert f.code == "base-url/ok" and "remote_ip_valve" not in f.evidence and "X-Forwarded" not in f.message


# ------------------------------------------------------------------------ with the proxy ---

def test_proxy_on_another_host_is_an_assumption_never_a_plain_match(tmp_path: Path) -> None:
    found = with_proxy(tmp_path, server_xml(), "10.1.2.3", "Host $host", "X-Forwarded-Proto $scheme")
    assert set(found) == {"base-url/assumes-proxy-trusted"}
    f = found["base-url/assumes-proxy-trusted"]
    assert f.status == Status.WARN and "Tomcat's default internalProxies" in f.message
    assert f.evidence["remote_ip_valve"]["jira_sees_if_the_proxy_address_matches"] == str(BASE)
    assert f.evidence["remote_ip_valve"]["jira_sees_if_it_does_not"] == "http://jira.example.test"


def test_proxy_on_loopback_matching_the_default_regex_passes(tmp_path: Path) -> None:
    found = with_proxy(tmp_path, server_xml(), "127.0.0.1", "Host $host", "X-Forwarded-Proto $scheme")
    assert set(found) == {"base-url/ok"}


def test_valve_limited_to_another_address_ignores_a_loopback_proxy(tmp_path: Path) -> None:
    """Measured on Tomcat 10.1: internalProxies="10\\.1\\.2\\.3", nginx on 127.0.0.1: X-Forwarded-* ignored."""
    xml = server_xml(valve=r' internalProxies="10\.1\.2\.3"')
    found = with_proxy(tmp_path, xml, "127.0.0.1", "Host $host", "X-Forwarded-Proto $scheme")
    f = found["base-url/proxy-mismatch"]
    assert f.status == Status.FAIL and f.evidence["jira_sees"] == "http://jira.example.test"


def test_proxy_sending_x_forwarded_proto_http_behind_tls_fails_naming_http(tmp_path: Path) -> None:
    xml = server_xml(' scheme="https" secure="true" proxyName="jira.example.test" proxyPort="443"')
    found = with_proxy(tmp_path, xml, "127.0.0.1", "Host $host", "X-Forwarded-Proto http")
    f = found["base-url/proxy-mismatch"]
    assert f.evidence["jira_sees"] == "http://jira.example.test" and "scheme" in f.message
    assert "RemoteIpValve trusts the proxy" in f.message and "even behind TLS" in f.remediation[0]
    assert len(f.commands) == 1 and "X-Forwarded-Proto $scheme" in f.commands[0]  # the proxy's block, not the connector
    healthy = with_proxy(tmp_path, xml, "127.0.0.1", "Host $host", "X-Forwarded-Proto $scheme")
    assert set(healthy) == {"base-url/ok"}


# ------------------------------------------------------------------ live: what Jira rebuilt ---

def test_live_unobserved_request_url_is_an_assumption_never_a_plain_match() -> None:
    from jiradoctor.checks.base_url import _unobserved
    from jiradoctor.checks.base_url.observed import RequestUrlSeen

    unseen = _unobserved(RequestUrlSeen(False, "the signed request-token call showed no URL (x)", True), BASE)
    assert unseen is not None and unseen.code == "base-url/assumes-request-url" and unseen.status == Status.WARN
    assert "X-Forwarded-Proto: http" in unseen.message
    accepted = RequestUrlSeen(True, "Jira accepted a request signed over x", True, str(BASE) + "/plugins/x")
    assert _unobserved(accepted, BASE) is None
    echoed = RequestUrlSeen(True, "Jira echoed the base string it computed, over y", True,
                            "http://jira.example.test/plugins/servlet/oauth/request-token")
    mismatch = _unobserved(echoed, BASE)
    assert mismatch is not None and mismatch.code == "base-url/server-xml-mismatch"
    assert mismatch.evidence["differs"] == ["scheme", "port"]
    # an integration that does not sign: the rebuilt URL does not decide its login
    assert _unobserved(RequestUrlSeen(False, "no OAuth-signed request was sent", False), BASE) is None


def _live(name: str, tmp_path: Path):
    from jiradoctor_lab import LabServer
    from tests.labrun import oauth_target, run_doctor

    with LabServer(name) as lab:
        report = run_doctor(oauth_target(lab, tmp_path))
    [check] = [c for c in report.checks if c.id == "base-url"]
    return check


def test_live_signed_request_accepted_is_observed(tmp_path: Path) -> None:
    check = _live("healthy", tmp_path)
    [ok] = [f for f in check.findings if f.code == "base-url/ok"]
    assert check.status == Status.PASS and ok.evidence["jira_request_url"].startswith("observed: Jira accepted")


def test_live_echoed_url_that_differs_fails(tmp_path: Path) -> None:
    check = _live("url-mismatch-scheme", tmp_path)
    assert check.status == Status.FAIL
    [f] = [f for f in check.findings if f.code == "base-url/server-xml-mismatch"]
    assert "echoed the base string" in f.message


def test_live_signed_request_refused_for_another_cause_is_not_observed(tmp_path: Path) -> None:
    check = _live("consumer-key-unknown", tmp_path)
    assert check.status == Status.SKIP and "oauth-signature" in check.blocked_by
    assert "consumer_key_unknown" in (check.skip_reason or "")


def test_proxy_on_another_host_wrong_either_way_fails_and_names_both(tmp_path: Path) -> None:
    xml = server_xml(' proxyName="old.example.test" proxyPort="8443"')  # wrong host whatever the valve does
    found = with_proxy(tmp_path, xml, "10.1.2.3", "Host $host", "X-Forwarded-Proto $scheme")
    f = found["base-url/proxy-mismatch"]
    assert f.status == Status.FAIL and f.evidence["jira_sees"] == "https://old.example.test"
    assert "if not, Jira sees http://old.example.test:8443" in f.message
