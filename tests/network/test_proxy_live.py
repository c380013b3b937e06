"""proxy (and tls through proxies) over real sockets: tinyproxy, the intercepting proxy, nginx as a reverse proxy."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

import pytest

from jiradoctor_lab import LabServer
from jiradoctor.model import Status
from tests.network.helpers import result, run, server_context, target, verdicts
from tests.realparts.forward_proxy import PROXY_CREDENTIALS, InterceptingProxy, TinyProxy
from tests.realparts.nginx import NginxServer, Site, proxy_site
from tests.realparts.pki import Pki
from tests.realparts.procs import free_port


@pytest.fixture(scope="module")
def https_lab(realparts_pki: Pki) -> Iterator[LabServer]:
    """The healthy lab Jira over HTTPS with the full_chain certificate (no Server header, like Tomcat)."""
    case = realparts_pki.cases["full_chain"]
    with LabServer("healthy", ssl_context=server_context(case.chain, case.key)) as lab:
        yield lab


def https_url(lab: LabServer) -> str:
    return f"https://localhost:{lab.port}"


def test_open_proxy_passes_and_tls_goes_through_it(
    tinyproxy_open: TinyProxy, https_lab: LabServer, realparts_pki: Pki
) -> None:
    ca = str(realparts_pki.cases["full_chain"].ca_bundle)
    report = run(target(https_url(https_lab), proxy=tinyproxy_open.url, ca_bundle=ca), only=("tls", "proxy"))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/ok": Status.PASS}
    assert verdicts(report, "tls") == {"tls/ok": Status.PASS}
    assert "through the proxy" in result(report, "tls").findings[0].evidence["route"]


def test_proxy_demanding_credentials(tinyproxy_auth: TinyProxy, https_lab: LabServer, realparts_pki: Pki) -> None:
    ca = str(realparts_pki.cases["full_chain"].ca_bundle)
    report = run(target(https_url(https_lab), proxy=tinyproxy_auth.url, ca_bundle=ca), only=("tls", "proxy"))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/auth-required": Status.FAIL}
    assert result(report, "tls").blocked_by == ("proxy",)
    good = run(
        target(https_url(https_lab), proxy=tinyproxy_auth.url_with_credentials, ca_bundle=ca), only=("tls", "proxy")
    )
    assert verdicts(good, "proxy") == {"proxy/configured": Status.INFO, "proxy/ok": Status.PASS}
    assert verdicts(good, "tls") == {"tls/ok": Status.PASS}
    password = PROXY_CREDENTIALS[1]
    for report_ in (report, good):
        assert password not in json.dumps(report_.to_json())


def test_wrong_proxy_password_is_refused_and_never_shown(tinyproxy_auth: TinyProxy, https_lab: LabServer) -> None:
    url = f"http://{PROXY_CREDENTIALS[0]}:not-the-password@127.0.0.1:{tinyproxy_auth.port}"
    report = run(target(https_url(https_lab), proxy=url), only=("proxy",))
    assert verdicts(report, "proxy")["proxy/auth-required"] == Status.FAIL
    assert "not-the-password" not in json.dumps(report.to_json())
    assert "refused the credentials" in result(report, "proxy").findings[1].message


def test_connect_refused_to_a_non_443_port(tinyproxy_connect_443_only: TinyProxy, https_lab: LabServer) -> None:
    report = run(target(https_url(https_lab), proxy=tinyproxy_connect_443_only.url), only=("tls", "proxy"))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/connect-refused": Status.FAIL}
    assert result(report, "proxy").findings[1].evidence["status"] == 403
    assert result(report, "tls").status == Status.SKIP


def test_dead_proxy_is_blamed_not_jira(https_lab: LabServer) -> None:
    t0 = time.monotonic()
    report = run(target(https_url(https_lab), proxy=f"http://127.0.0.1:{free_port()}"))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/unreachable": Status.FAIL}
    assert result(report, "tls").blocked_by == ("proxy",)
    assert time.monotonic() - t0 < 10


def test_environment_proxy_and_no_proxy(
    monkeypatch: pytest.MonkeyPatch, tinyproxy_open: TinyProxy, https_lab: LabServer, realparts_pki: Pki
) -> None:
    ca = str(realparts_pki.cases["full_chain"].ca_bundle)
    monkeypatch.setenv("https_proxy", tinyproxy_open.url)
    report = run(target(https_url(https_lab), ca_bundle=ca), only=("proxy",))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/ok": Status.PASS}
    assert result(report, "proxy").findings[0].evidence["source"] == "https_proxy"
    monkeypatch.setenv("NO_PROXY", "localhost")
    bypassed = run(target(https_url(https_lab), ca_bundle=ca), only=("tls", "proxy"))
    assert verdicts(bypassed, "proxy") == {"proxy/bypassed": Status.INFO}
    assert verdicts(bypassed, "tls") == {"tls/ok": Status.PASS}


def test_tls_interception_is_named(
    intercepting_proxy: InterceptingProxy, https_lab: LabServer, realparts_pki: Pki, tmp_path: Path
) -> None:
    root = realparts_pki.cases["full_chain"].ca_bundle
    report = run(target(https_url(https_lab), proxy=intercepting_proxy.url, ca_bundle=str(root)), only=("tls", "proxy"))
    assert verdicts(report, "tls") == {"tls/intercepted": Status.FAIL}
    assert verdicts(report, "proxy") == {
        "proxy/configured": Status.INFO,
        "proxy/ok": Status.PASS,
        "proxy/intercepting": Status.INFO,
    }
    assert "Corp Interception CA" in result(report, "tls").findings[0].message
    both = tmp_path / "root-and-corporate.pem"
    both.write_bytes(root.read_bytes() + realparts_pki.interception.pem.read_bytes())
    trusted = run(target(https_url(https_lab), proxy=intercepting_proxy.url, ca_bundle=str(both)), only=("tls",))
    assert verdicts(trusted, "tls") == {"tls/intercepted": Status.WARN}


def test_a_plain_forward_proxy_is_not_an_interception(
    tinyproxy_open: TinyProxy, https_lab: LabServer, realparts_pki: Pki
) -> None:
    ca = str(realparts_pki.cases["full_chain"].ca_bundle)
    report = run(target(https_url(https_lab), proxy=tinyproxy_open.url, ca_bundle=ca), only=("tls", "proxy"))
    assert verdicts(report, "tls") == {"tls/ok": Status.PASS}
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/ok": Status.PASS}


def test_plain_http_through_a_forward_proxy_is_not_a_reverse_proxy(tinyproxy_open: TinyProxy) -> None:
    with LabServer("healthy") as lab:
        report = run(target(lab.url, proxy=tinyproxy_open.url), only=("proxy",))
    assert verdicts(report, "proxy") == {"proxy/configured": Status.INFO, "proxy/ok": Status.PASS}


def test_reverse_proxy_in_front_of_jira(nginx_factory: Callable[[Sequence[Site]], NginxServer]) -> None:
    with LabServer("healthy") as lab:
        nginx = nginx_factory([proxy_site("jira", lab.url, host_header="$http_host")])
        report = run(target(nginx.url), only=("proxy",))
        direct = run(target(lab.url), only=("proxy",))
    assert verdicts(report, "proxy") == {"proxy/direct": Status.PASS, "proxy/reverse-proxy": Status.INFO}
    finding = result(report, "proxy").findings[1]
    assert any(s.startswith("Server: nginx") for s in finding.evidence["signs"])
    # the connector's attributes for the URL the integration uses, in prose: no placeholder <Connector>
    assert f'proxyPort="{nginx.port}"' in finding.remediation[0] and not finding.commands
    assert verdicts(direct, "proxy") == {"proxy/direct": Status.PASS}


def test_reverse_proxy_without_jira_behind_it(nginx_factory: Callable[[Sequence[Site]], NginxServer]) -> None:
    nginx = nginx_factory([proxy_site("jira", f"http://127.0.0.1:{free_port()}")])
    report = run(target(nginx.url), only=("proxy",))
    assert verdicts(report, "proxy") == {"proxy/direct": Status.PASS, "proxy/reverse-proxy": Status.WARN}
    assert result(report, "proxy").findings[1].evidence["status"] == 502
