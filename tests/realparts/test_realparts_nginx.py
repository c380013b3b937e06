"""Real nginx as reverse proxy and TLS terminator forwards what it is configured to forward."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.realparts import fixtures_plugin
from tests.realparts.echo import EchoServer
from tests.realparts.nginx import NginxServer, Site, TLSFiles, proxy_site, start_tls_server, static_site
from tests.realparts.pki import Pki
from tests.realparts.procs import RealPartError

pytest_plugins = fixtures_plugin()
pytestmark = pytest.mark.realparts


def _echo(url: str, *, host: str | None = None, verify: ssl.SSLContext | bool = False) -> dict[str, Any]:
    headers = {"Host": host} if host else {}
    response = httpx.get(url, headers=headers, verify=verify, timeout=5, trust_env=False)
    assert response.status_code == 200, response.text
    seen: dict[str, Any] = response.json()
    return seen


def test_default_host_header_is_the_upstream_host(reverse_proxies: NginxServer, echo_upstream: EchoServer) -> None:
    seen = _echo(reverse_proxies.url_of("proxy_host") + "/rest/api/2/serverInfo", host="jira.example.com")
    assert seen["headers"]["host"] == f"127.0.0.1:{echo_upstream.port}"
    assert seen["path"] == "/rest/api/2/serverInfo"


def test_host_variable_drops_the_port(reverse_proxies: NginxServer) -> None:
    seen = _echo(reverse_proxies.url_of("host"), host="jira.example.com:8443")
    assert seen["headers"]["host"] == "jira.example.com"


def test_http_host_keeps_client_host_and_sets_forwarded_proto(reverse_proxies: NginxServer) -> None:
    seen = _echo(reverse_proxies.url_of("http_host"), host="jira.example.com:8443")
    assert seen["headers"]["host"] == "jira.example.com:8443"
    assert seen["headers"]["x-forwarded-proto"] == "http"


def test_tls_termination_in_front_of_http_app(reverse_proxies: NginxServer, realparts_pki: Pki) -> None:
    port = reverse_proxies.ports["tls_http_host"]
    trust = ssl.create_default_context(cafile=str(realparts_pki.cases["full_chain"].ca_bundle))
    seen = _echo(f"https://localhost:{port}/secure", verify=trust)
    assert seen["headers"]["host"] == f"localhost:{port}"
    assert seen["headers"]["x-forwarded-proto"] == "https"


def test_prefix_mapping_strips_the_context_path(reverse_proxies: NginxServer) -> None:
    seen = _echo(reverse_proxies.url_of("prefix") + "/jira/rest/api/2/myself?x=1")
    assert seen["path"] == "/rest/api/2/myself?x=1"


def test_tls_server_helper_proxies_to_upstream(realparts_pki: Pki, echo_upstream: EchoServer, tmp_path: Path) -> None:
    case = realparts_pki.cases["full_chain"]
    with start_tls_server(tmp_path, TLSFiles(case.chain, case.key), upstream=echo_upstream.url) as server:
        trust = ssl.create_default_context(cafile=str(case.ca_bundle))
        assert _echo(f"https://localhost:{server.port}/x", verify=trust)["path"] == "/x"
    assert server.process.proc.poll() is not None


def test_factory_stops_nginx_and_its_worker(nginx_factory: Any) -> None:
    server: NginxServer = nginx_factory([static_site("a", body="hello\n")])
    assert httpx.get(server.url, timeout=5).text == "hello\n"
    pid = server.process.pid
    server.stop()
    assert server.process.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the worker (same process group) is gone too


def test_bad_config_fails_loudly_with_nginx_log(nginx_factory: Any) -> None:
    with pytest.raises(RealPartError, match="emerg"):
        nginx_factory([Site("broken", "location / { no_such_directive on; }")])


def test_proxy_site_extra_headers(nginx_factory: Any, echo_upstream: EchoServer) -> None:
    server = nginx_factory([proxy_site("x", echo_upstream.url, host_header=None,
                                       extra_headers={"X-Forwarded-Host": "$host"})])
    seen = _echo(server.url, host="jira.example.com")
    assert seen["headers"]["x-forwarded-host"] == "jira.example.com"
    assert seen["headers"]["host"] == f"127.0.0.1:{echo_upstream.port}"  # nginx's own default
