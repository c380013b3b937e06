"""Real tinyproxy and the intercepting proxy behave like the proxies users sit behind."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from tests.realparts import fixtures_plugin
from tests.realparts.echo import EchoServer
from tests.realparts.forward_proxy import PROXY_CREDENTIALS, InterceptingProxy, TinyProxy, start_intercepting_proxy
from tests.realparts.nginx import NginxServer
from tests.realparts.pki import SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, Pki
from tests.realparts.tls_client import TunnelError, handshake

pytest_plugins = fixtures_plugin()
pytestmark = pytest.mark.realparts


def _trust(path: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(path))


def test_tinyproxy_relays_plain_http_and_adds_via(tinyproxy_open: TinyProxy, echo_upstream: EchoServer) -> None:
    response = httpx.get(echo_upstream.url + "/rest/api/2/serverInfo", proxy=tinyproxy_open.url,
                         timeout=5, trust_env=False)
    assert response.status_code == 200
    assert response.json()["headers"]["via"].startswith("1.1 realparts (tinyproxy/")


def test_tinyproxy_connect_tunnel_carries_tls_without_via(tinyproxy_open: TinyProxy, tls_servers: NginxServer,
                                                          realparts_pki: Pki) -> None:
    case = realparts_pki.cases["full_chain"]
    response = httpx.get(f"https://localhost:{tls_servers.ports['full_chain']}/", proxy=tinyproxy_open.url,
                         verify=_trust(case.ca_bundle), timeout=5, trust_env=False)
    assert response.status_code == 200 and "via" not in response.headers


def test_tinyproxy_auth_answers_407_without_credentials(tinyproxy_auth: TinyProxy, echo_upstream: EchoServer) -> None:
    response = httpx.get(echo_upstream.url, proxy=tinyproxy_auth.url, timeout=5, trust_env=False)
    assert response.status_code == 407
    assert response.headers["proxy-authenticate"].lower().startswith("basic")


def test_tinyproxy_auth_relays_with_credentials(tinyproxy_auth: TinyProxy, echo_upstream: EchoServer) -> None:
    assert tinyproxy_auth.credentials == PROXY_CREDENTIALS
    response = httpx.get(echo_upstream.url, proxy=tinyproxy_auth.url_with_credentials, timeout=5, trust_env=False)
    assert response.status_code == 200


def test_connect_refused_for_port_not_allowed(tinyproxy_connect_443_only: TinyProxy,
                                              tls_servers: NginxServer) -> None:
    with pytest.raises(httpx.ProxyError, match="403"):
        httpx.get(f"https://localhost:{tls_servers.ports['full_chain']}/", proxy=tinyproxy_connect_443_only.url,
                  verify=False, timeout=5, trust_env=False)


def test_intercepting_proxy_presents_interception_chain(intercepting_proxy: InterceptingProxy,
                                                        tls_servers: NginxServer, realparts_pki: Pki) -> None:
    port = tls_servers.ports["full_chain"]
    result = handshake(port, server_hostname="jira.test", host="jira.test",
                       cafile=realparts_pki.root.pem, proxy=("127.0.0.1", intercepting_proxy.port))
    assert result.verify_code == SELF_SIGNED_CERT_IN_CHAIN
    assert result.presented == ("jira.test", "Corp Interception CA")
    assert f"jira.test:{port}" in intercepting_proxy.connects


def test_intercepting_proxy_relays_when_its_ca_is_trusted(intercepting_proxy: InterceptingProxy,
                                                          reverse_proxies: NginxServer, realparts_pki: Pki) -> None:
    port = reverse_proxies.ports["tls_http_host"]
    response = httpx.get(f"https://jira.test:{port}/through", proxy=intercepting_proxy.url,
                         verify=_trust(realparts_pki.interception.pem), timeout=5, trust_env=False)
    assert response.json()["path"] == "/through"  # reached the echo app behind nginx


def test_intercepting_proxy_without_ca_in_chain(realparts_pki: Pki, tls_servers: NginxServer, tmp_path: Path) -> None:
    with start_intercepting_proxy(realparts_pki.interception, tmp_path, present_ca=False) as proxy:
        result = handshake(tls_servers.ports["full_chain"], server_hostname="localhost", host="127.0.0.1",
                           cafile=realparts_pki.root.pem, proxy=("127.0.0.1", proxy.port))
    assert result.verify_code == UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    assert result.presented == ("127.0.0.1",)  # the leaf names the CONNECT target
    assert result.chain[0].issuer == realparts_pki.interception.cert.subject


def test_intercepting_proxy_reports_dead_upstream_as_502(intercepting_proxy: InterceptingProxy) -> None:
    from tests.realparts.procs import free_port

    with pytest.raises(TunnelError) as info:
        handshake(free_port(), server_hostname="localhost", cafile=None,
                  proxy=("127.0.0.1", intercepting_proxy.port))
    assert " 502 " in info.value.status
