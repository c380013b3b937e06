"""Real nginx in front of the lab Jira, in the three textbook reverse-proxy set-ups.

(a) nginx passes its own upstream Host and the connector has no proxyName: Jira sees
    http://127.0.0.1:LABPORT; (b) the Host is passed but TLS ends at nginx and the connector's
    scheme is http; (c) proxyName, proxyPort and scheme set: it works.
"""

from __future__ import annotations

from pathlib import Path

from jiradoctor.jira.tomcat import Connector
from jiradoctor.lab import LabServer
from jiradoctor.model import Status
from tests.labrun import oauth_target, problem_codes, run_doctor
from tests.realparts.nginx import TLSFiles, start_reverse_proxy
from tests.realparts.pki import Pki
from tests.realparts.procs import free_port


def _behind_nginx(tmp_path: Path, pki: Pki | None, host_header: str, connector: Connector | None, scheme: str):
    """Start nginx on a port, then the lab behind it with the connector (which may need nginx's port)."""
    lab_port = free_port()
    tls = TLSFiles(pki.cases["full_chain"].chain, pki.cases["full_chain"].key) if pki else None
    nginx = start_reverse_proxy(tmp_path / "nginx", f"http://127.0.0.1:{lab_port}", host_header=host_header, tls=tls)
    public = f"{scheme}://localhost:{nginx.port}"
    if connector is not None and connector.proxy_port == -1:
        connector = Connector(port=0, scheme=connector.scheme, secure=connector.secure, proxy_name=connector.proxy_name,
                              proxy_port=nginx.port)
    lab = LabServer("healthy", port=lab_port, connector=connector, base_url=public, url=public).start()
    return nginx, lab, public


def _run(tmp_path: Path, lab: LabServer, public: str, pki: Pki | None):
    ca = str(pki.cases["full_chain"].ca_bundle) if pki else None
    return run_doctor(oauth_target(lab, tmp_path, url=public, ca_bundle=ca))


def test_a_nginx_passes_its_upstream_host(tmp_path: Path) -> None:
    nginx, lab, public = _behind_nginx(tmp_path, None, "$proxy_host", None, "http")
    try:
        report = _run(tmp_path, lab, public, None)
    finally:
        lab.stop()
        nginx.stop()
    finding = next(f for _, f in report.findings() if f.code == "oauth-signature/url-mismatch")
    assert finding.evidence["jira_saw_url"].startswith(f"http://127.0.0.1:{lab.port}/")
    assert set(finding.evidence["differs"]) == {"host", "port"}
    assert any("proxy_set_header Host $host" in c for c in finding.commands)
    assert any('proxyName="localhost"' in c for c in finding.commands)


def test_b_https_at_nginx_but_connector_scheme_http(tmp_path: Path, realparts_pki: Pki) -> None:
    nginx, lab, public = _behind_nginx(tmp_path, realparts_pki, "$http_host", None, "https")
    try:
        report = _run(tmp_path, lab, public, realparts_pki)
    finally:
        lab.stop()
        nginx.stop()
    finding = next(f for _, f in report.findings() if f.code == "oauth-signature/url-mismatch")
    assert finding.evidence["differs"] == ["scheme"]
    assert finding.evidence["jira_saw_url"].startswith(f"http://localhost:{nginx.port}/")
    assert any('scheme="https"' in c and 'secure="true"' in c for c in finding.commands)


def test_c_proxy_attributes_set_it_works(tmp_path: Path, realparts_pki: Pki) -> None:
    connector = Connector(port=0, scheme="https", secure=True, proxy_name="localhost", proxy_port=-1)
    nginx, lab, public = _behind_nginx(tmp_path, realparts_pki, "$proxy_host", connector, "https")
    try:
        report = _run(tmp_path, lab, public, realparts_pki)
    finally:
        lab.stop()
        nginx.stop()
    assert problem_codes(report) == set()
    assert report.status == Status.PASS
    assert any(f.code == "oauth-signature/ok" for _, f in report.findings())
