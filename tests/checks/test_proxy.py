"""proxy judgement and reverse-proxy signs from facts built in the test."""

from __future__ import annotations

from jiradoctor.checks import proxy as proxy_check
import pytest

from jiradoctor.model import NotObserved, Status
from jiradoctor.net.proxy_route import Route
from jiradoctor.net.reverse_proxy import read_signs
from jiradoctor.probes.http import TransportError
from jiradoctor.probes.proxy import ProxyAnswer

URL = "https://jira.example.com"
ROUTE = Route("proxy", URL, "http://alice:pa55@proxy.corp:3128", "HTTPS_PROXY")


def verdict(answer: ProxyAnswer) -> tuple[str, Status]:
    finding = proxy_check.judge_answer(answer, URL)
    assert "pa55" not in str(finding.to_json())
    return finding.code, finding.status


def test_answers_of_the_proxy() -> None:
    assert verdict(ProxyAnswer(ROUTE, False, error=TransportError("connect", "connection refused"))) == (
        "proxy/unreachable",
        Status.FAIL,
    )
    assert verdict(ProxyAnswer(ROUTE, True, "CONNECT", 407, "Proxy Authentication Required")) == (
        "proxy/auth-required",
        Status.FAIL,
    )
    assert verdict(ProxyAnswer(ROUTE, True, "CONNECT", 401, "Unauthorized")) == ("proxy/auth-required", Status.FAIL)
    assert verdict(ProxyAnswer(ROUTE, True, "GET", 401, "Unauthorized")) == ("proxy/ok", Status.PASS)  # Jira's own 401
    assert verdict(ProxyAnswer(ROUTE, True, "CONNECT", 403, "Forbidden")) == ("proxy/connect-refused", Status.FAIL)
    assert verdict(ProxyAnswer(ROUTE, True, "CONNECT", 502, "Bad Gateway")) == ("proxy/connect-refused", Status.FAIL)
    assert verdict(ProxyAnswer(ROUTE, True, "CONNECT", 200, "OK")) == ("proxy/ok", Status.PASS)
    with pytest.raises(NotObserved):  # a SOCKS route is known but not probed: skip, not a green tick
        proxy_check.judge_answer(
            ProxyAnswer(ROUTE, error=TransportError("unsupported", "socks5 proxies are not probed")), URL
        )


def test_route_findings_mask_credentials() -> None:
    finding = proxy_check.judge_route(ROUTE)
    assert (
        finding.code == "proxy/configured"
        and "alice:***@proxy.corp" in finding.message
        and "pa55" not in str(finding.to_json())
    )
    bypassed = Route("bypassed", URL, "http://proxy.corp:3128", "HTTPS_PROXY", no_proxy_entry=".example.com")
    assert proxy_check.judge_route(bypassed).code == "proxy/bypassed"
    assert proxy_check.judge_route(Route("direct", URL)).status == Status.PASS


def test_reverse_proxy_signs() -> None:
    assert not read_signs(200, {}, "{}").found  # Jira's Tomcat: no Server header
    assert not read_signs(200, {"server": "Apache-Coyote/1.1"}, "").found
    assert not read_signs(200, {"server": "AtlassianEdge"}, "").found
    assert read_signs(200, {"server": "nginx/1.22.1"}, "").product == "nginx/1.22.1"
    assert read_signs(200, {"via": "1.1 lb.corp"}, "").signs == ("Via: 1.1 lb.corp",)
    assert read_signs(200, {"x-forwarded-host": "jira"}, "").found
    tinyproxy = {"via": "1.1 realparts (tinyproxy/1.11.1)"}
    assert not read_signs(200, tinyproxy, "", forward_proxy_hops=1).found  # the forward proxy's own Via
    page = "<html><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    signs = read_signs(502, {}, page)
    assert signs.gateway_error and "nginx error page" in signs.signs[0]


def test_a_forward_proxy_refusing_a_plain_get_is_not_ok() -> None:
    squid = {"x-squid-error": "ERR_ACCESS_DENIED 0", "server": "squid/5.7"}
    assert verdict(ProxyAnswer(ROUTE, True, "GET", 403, "Forbidden", squid)) == ("proxy/connect-refused", Status.FAIL)
    assert verdict(ProxyAnswer(ROUTE, True, "GET", 503, "Service Unavailable", {})) == (
        "proxy/connect-refused",
        Status.FAIL,
    )
    jira = {"x-arequestid": "1x2x3"}
    assert verdict(ProxyAnswer(ROUTE, True, "GET", 403, "Forbidden", jira)) == (
        "proxy/ok",
        Status.PASS,
    )  # Jira's own 403
