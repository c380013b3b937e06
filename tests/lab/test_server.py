"""Lab server plumbing: lifecycle, headers, concurrency, TLS and the misbehaving scenarios."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import threading
import time

import httpx
import pytest

from jiradoctor_lab import LabServer
from tests.lab.helpers import TIMEOUT, client_for

pytestmark = pytest.mark.timeout(30)


def test_binds_loopback_only_and_stops_idempotently():
    lab = LabServer("healthy").start()
    try:
        assert lab.address_url == f"http://127.0.0.1:{lab.port}"
        with socket.create_connection(("127.0.0.1", lab.port), timeout=2):
            pass
        assert lab._httpd is not None and lab._httpd.server_address[0] == "127.0.0.1"
    finally:
        lab.stop()
    lab.stop()  # idempotent
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", lab.port), timeout=1).close()


def test_context_manager_and_unstarted_access():
    lab = LabServer("healthy")
    with pytest.raises(RuntimeError):
        _ = lab.url
    with lab as running:
        assert httpx.get(running.url + "/rest/api/2/serverInfo", timeout=TIMEOUT).status_code == 200


def test_every_answer_carries_jira_headers(make_lab):
    lab = make_lab("healthy")
    with client_for(lab) as http:
        for path in ("/rest/api/2/serverInfo", "/rest/api/2/myself", "/rest/api/2/nothing", "/login.jsp"):
            resp = http.get(lab.url + path)
            assert resp.headers["date"]
            assert resp.headers["x-arequestid"]
            assert resp.headers["x-ausername"] == "anonymous"
            assert "server" not in resp.headers  # Tomcat 8.5+/Jira Server send none
        ids = {http.get(lab.url + "/rest/api/2/serverInfo").headers["x-arequestid"] for _ in range(3)}
    assert len(ids) == 3


def test_cloud_sends_edge_server_header(make_lab):
    lab = make_lab("healthy-cloud")
    resp = httpx.get(lab.url + "/rest/api/3/serverInfo", timeout=TIMEOUT)
    assert resp.headers["server"].startswith("AtlassianProxy/")  # as captured Cloud answers
    assert len(resp.headers["atl-traceid"]) == 16


def test_date_header_follows_jiras_clock(make_lab):
    lab = make_lab("clock-skew")
    resp = httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=TIMEOUT)
    served = email.utils.parsedate_to_datetime(resp.headers["date"]).timestamp()
    assert 590 <= served - time.time() <= 610


def test_read_only_methods_refused(make_lab):
    lab = make_lab("healthy")
    with client_for(lab) as http:
        for method in ("PUT", "DELETE", "PATCH"):
            resp = http.request(method, lab.url + "/rest/api/2/project/PIP", content=b"{}")
            assert resp.status_code == 405
            assert resp.json()["errorMessages"]


def test_head_has_no_body(make_lab):
    lab = make_lab("healthy")
    resp = httpx.head(lab.url + "/rest/api/2/serverInfo", timeout=TIMEOUT)
    assert resp.status_code == 200 and resp.content == b""


def test_hundreds_of_concurrent_requests(make_lab):
    lab = make_lab("healthy", latency_s=0.05)

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=300, max_keepalive_connections=300)
        async with httpx.AsyncClient(timeout=httpx.Timeout(15.0), limits=limits, trust_env=False) as http:
            tasks = [http.get(lab.url + "/rest/api/2/serverInfo") for _ in range(300)]
            return [r.status_code for r in await asyncio.gather(*tasks)]

    started = time.monotonic()
    codes = asyncio.run(run())
    assert codes == [200] * 300
    assert time.monotonic() - started < 15  # concurrent, not 300 x 50 ms in a row


def test_latency_is_applied(make_lab):
    lab = make_lab("healthy", latency_s=0.3)
    started = time.monotonic()
    httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=TIMEOUT)
    assert time.monotonic() - started >= 0.3


def test_seen_records_no_secrets(make_lab):
    lab = make_lab("healthy")
    httpx.get(lab.url + "/rest/api/2/myself?secret=abc", auth=("piplanning-svc", "lab-svc-password"), timeout=TIMEOUT)
    seen = lab.seen[-1]
    assert seen.path == "/rest/api/2/myself" and seen.status == 200
    assert "abc" not in repr(seen) and "lab-svc-password" not in repr(seen)


def test_log_lines_hold_no_credentials(make_lab, caplog):
    caplog.set_level("DEBUG", logger="jiradoctor_lab")
    lab = make_lab("healthy")
    httpx.get(lab.url + "/rest/api/2/myself?token=abc123", auth=("piplanning-svc", "lab-svc-password"), timeout=TIMEOUT)
    text = caplog.text
    assert "/rest/api/2/myself" in text
    assert "abc123" not in text and "lab-svc-password" not in text and "Basic" not in text


def test_tls_scenario_serves_https_with_lab_ca(make_lab):
    lab = make_lab("url-mismatch-scheme")
    assert lab.scheme == "https" and lab.ca_pem
    with client_for(lab) as http:
        assert http.get(lab.url + "/rest/api/2/serverInfo").json()["baseUrl"].startswith("https://")
    with pytest.raises(httpx.ConnectError):
        httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=TIMEOUT, verify=True, trust_env=False)


def test_tomcat_404_outside_context_path(make_lab):
    from jiradoctor.jira.tomcat import Connector

    lab = make_lab("healthy", connector=Connector(port=0, context_path="/jira"), base_url="http://127.0.0.1:{port}/jira")
    with client_for(lab) as http:
        outside = http.get(lab.address_url + "/rest/api/2/serverInfo")
        inside = http.get(lab.address_url + "/jira/rest/api/2/serverInfo")
    assert outside.status_code == 404 and "x-arequestid" not in outside.headers
    assert inside.status_code == 200 and inside.json()["baseUrl"] == f"http://127.0.0.1:{lab.port}/jira"
    assert lab.seen[-1].jira_url == f"http://127.0.0.1:{lab.port}/jira/rest/api/2/serverInfo"


# -- misbehaving scenarios ---------------------------------------------------------------------

def test_not_jira_html(make_lab):
    lab = make_lab("not-jira-html")
    with client_for(lab) as http:
        for path in ("/plugins/servlet/oauth/request-token", "/rest/api/2/serverInfo"):
            resp = http.post(lab.url + path) if "oauth" in path else http.get(lab.url + path)
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/html")
            assert "x-arequestid" not in resp.headers and "www-authenticate" not in resp.headers


def test_not_jira_404(make_lab):
    lab = make_lab("not-jira-404")
    resp = httpx.post(lab.url + "/plugins/servlet/oauth/request-token", timeout=TIMEOUT)
    assert resp.status_code == 404 and resp.headers["server"] == "nginx"
    assert "x-arequestid" not in resp.headers


def test_redirect_loop(make_lab):
    lab = make_lab("redirect-loop")
    with client_for(lab) as http:
        first = http.get(lab.url + "/rest/api/2/serverInfo")
        second = http.get(first.headers["location"])
        third = http.get(second.headers["location"])
    assert first.status_code == second.status_code == 302
    assert "/login.jsp" in first.headers["location"] and "/login.jsp" in third.headers["location"]
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=5, trust_env=False) as http:
        with pytest.raises(httpx.TooManyRedirects):
            http.get(lab.url + "/rest/api/2/serverInfo")


def test_connection_reset(make_lab):
    lab = make_lab("connection-reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=TIMEOUT, trust_env=False)
    with socket.create_connection(("127.0.0.1", lab.port), timeout=2) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            sock.recv(100)


def test_never_answers_and_stop_is_bounded():
    lab = LabServer("never-answers").start()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=httpx.Timeout(20.0), trust_env=False)
        except BaseException as exc:  # noqa: BLE001 - the test wants whatever ends the call
            errors.append(exc)

    try:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(lab.url + "/rest/api/2/serverInfo", timeout=httpx.Timeout(0.5), trust_env=False)
        holders = [threading.Thread(target=hold) for _ in range(5)]
        for t in holders:
            t.start()
        time.sleep(0.3)
    finally:
        started = time.monotonic()
        lab.stop()
        elapsed = time.monotonic() - started
    assert elapsed < 3
    for t in holders:
        t.join(5)
        assert not t.is_alive()
    assert len(errors) == 5  # the held calls end (with a transport error) once the lab stops
