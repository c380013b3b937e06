"""The live oauth-signature diagnosis when the RemoteIpValve, not the connector, decides the URL.

The connector is right (scheme https, proxyName, proxyPort = nginx's port), but nginx sends a fixed
``X-Forwarded-Proto: http``: the valve makes Jira see http on port 80 (JIRA-FACTS §2, measured on
Tomcat 10.1 by tests/realparts/test_tomcat_matrix.py), and the diagnosis must name scheme and port.
"""

from __future__ import annotations

from pathlib import Path

from jiradoctor.jira.tomcat import Connector, RemoteIpValve
from jiradoctor_lab import LabServer
from jiradoctor.model import Status
from tests.labrun import oauth_target, problem_codes, run_doctor
from tests.realparts.nginx import TLSFiles, start_reverse_proxy
from tests.realparts.pki import Pki
from tests.realparts.procs import free_port


def _doctor(tmp_path: Path, pki: Pki, forwarded_proto: str):
    lab_port = free_port()
    case = pki.cases["full_chain"]
    with start_reverse_proxy(tmp_path / "nginx", f"http://127.0.0.1:{lab_port}", host_header="$host",
                             forwarded_proto=forwarded_proto, tls=TLSFiles(case.chain, case.key)) as nginx:
        public = f"https://localhost:{nginx.port}"
        connector = Connector(port=0, scheme="https", secure=True, proxy_name="localhost", proxy_port=nginx.port,
                              remote_ip_valve=RemoteIpValve(https_server_port=nginx.port))
        with LabServer("healthy", port=lab_port, connector=connector, base_url=public, url=public) as lab:
            return run_doctor(oauth_target(lab, tmp_path, url=public, ca_bundle=str(case.ca_bundle)))


def test_valve_turns_a_right_connector_wrong(tmp_path: Path, realparts_pki: Pki) -> None:
    report = _doctor(tmp_path, realparts_pki, "http")
    finding = next(f for _, f in report.findings() if f.code == "oauth-signature/url-mismatch")
    assert set(finding.evidence["differs"]) == {"scheme", "port"}
    assert finding.evidence["jira_saw_url"].startswith("http://localhost/")


def test_valve_with_the_right_header_works(tmp_path: Path, realparts_pki: Pki) -> None:
    report = _doctor(tmp_path, realparts_pki, "$scheme")
    assert problem_codes(report) == set()
    assert report.status == Status.PASS
