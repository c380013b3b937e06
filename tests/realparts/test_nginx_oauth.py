"""Real nginx in front of the lab Jira, in the three textbook reverse-proxy set-ups.

(a) nginx passes its own upstream Host and the connector has no proxyName: Jira sees
    http://127.0.0.1:LABPORT; (b) the Host is passed but TLS ends at nginx and the connector's
    scheme is http; (c) proxyName, proxyPort and scheme set: it works.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jiradoctor.jira.tomcat import Connector
from jiradoctor_lab import LabServer
from jiradoctor.model import Status
from tests.labrun import oauth_target, problem_codes, run_doctor
from tests.realparts.nginx import TLSFiles, start_reverse_proxy
from tests.realparts.pki import Pki
from tests.realparts.procs import free_port


def doctor_behind_nginx(tmp_path: Path, pki: Pki | None, host_header: str, connector: Connector | None = None):
    """Start nginx (TLS when ``pki``), then the lab behind it, and run the doctor through nginx.

    nginx comes first because a connector's proxyPort must name nginx's port; ``proxy_port=-1``
    in ``connector`` stands for it. Returns the report, the lab's port and nginx's port.
    """
    lab_port = free_port()
    tls = TLSFiles(pki.cases["full_chain"].chain, pki.cases["full_chain"].key) if pki else None
    with start_reverse_proxy(
        tmp_path / "nginx", f"http://127.0.0.1:{lab_port}", host_header=host_header, tls=tls
    ) as nginx:
        public = f"{'https' if pki else 'http'}://localhost:{nginx.port}"
        if connector is not None and connector.proxy_port == -1:
            connector = dataclasses.replace(connector, proxy_port=nginx.port)
        with LabServer("healthy", port=lab_port, connector=connector, base_url=public, url=public) as lab:
            ca = str(pki.cases["full_chain"].ca_bundle) if pki else None
            return run_doctor(oauth_target(lab, tmp_path, url=public, ca_bundle=ca)), lab_port, nginx.port


def test_a_nginx_passes_its_upstream_host(tmp_path: Path) -> None:
    report, lab_port, _ = doctor_behind_nginx(tmp_path, None, "$proxy_host")
    finding = next(f for _, f in report.findings() if f.code == "oauth-signature/url-mismatch")
    assert finding.evidence["jira_saw_url"].startswith(f"http://127.0.0.1:{lab_port}/")
    assert set(finding.evidence["differs"]) == {"host", "port"}
    fixes = " ".join(finding.remediation)
    # no server.xml given: both possible causes are named, and no placeholder <Connector> is printed
    assert "proxy_set_header Host $host" in fixes and 'proxyName="localhost"' in fixes
    assert not any("<Connector" in c for c in finding.commands)


def test_b_https_at_nginx_but_connector_scheme_http(tmp_path: Path, realparts_pki: Pki) -> None:
    report, _, nginx_port = doctor_behind_nginx(tmp_path, realparts_pki, "$http_host")
    finding = next(f for _, f in report.findings() if f.code == "oauth-signature/url-mismatch")
    assert finding.evidence["differs"] == ["scheme"]
    assert finding.evidence["jira_saw_url"].startswith(f"http://localhost:{nginx_port}/")
    assert 'scheme="https"' in " ".join(finding.remediation) and 'secure="true"' in " ".join(finding.remediation)


def test_c_proxy_attributes_set_it_works(tmp_path: Path, realparts_pki: Pki) -> None:
    connector = Connector(port=0, scheme="https", secure=True, proxy_name="localhost", proxy_port=-1)
    report, _, _ = doctor_behind_nginx(tmp_path, realparts_pki, "$proxy_host", connector)
    assert problem_codes(report) == set()
    assert report.status == Status.PASS
    assert any(f.code == "oauth-signature/ok" for _, f in report.findings())
