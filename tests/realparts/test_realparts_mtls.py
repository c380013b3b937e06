"""A proxy that demands a client certificate (mutual TLS), through the CLI (issue 25, item 3).

Real nginx with ``ssl_verify_client on`` in front of the lab Jira, pinned to TLS 1.2 and to TLS 1.3:
nginx completes the handshake and answers 400 "No required SSL certificate was sent". A stand-in
Python TLS server with ``CERT_REQUIRED`` refuses in the handshake instead (alert handshake_failure
under TLS 1.2, certificate_required after the client's Finished under TLS 1.3). Both directions:
without a certificate (or with one the proxy does not trust) the tls check names it and the run
fails; with the right certificate (PEM, or PKCS#12 with its password) everything passes.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jiradoctor_lab import LabServer
from tests.realparts.nginx import NginxServer, Site, TLSFiles, proxy_site, start_nginx
from tests.realparts.pki import ClientFiles, Pki, client_files
from tests.realparts.procs import LOOPBACK

pytestmark = [pytest.mark.realparts, pytest.mark.timeout(180)]

CANARY = "p12-Canary-7f3e1d"


@dataclass(frozen=True)
class Mtls:
    nginx: NginxServer
    lab: LabServer
    client: ClientFiles
    stranger: ClientFiles  # issued by a CA nginx does not trust
    ca_bundle: Path


@pytest.fixture(scope="module")
def mtls(realparts_pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mtls]:
    base = tmp_path_factory.mktemp("mtls")
    client = client_files(base / "client", password=CANARY)
    stranger = client_files(base / "stranger", common="stranger", password="x", ca_role="stranger-ca")
    case = realparts_pki.cases["full_chain"]
    with LabServer("healthy") as lab:
        sites = []
        for name, pin in (("tls12", "MaxProtocol TLSv1.2"), ("tls13", "MinProtocol TLSv1.3")):
            site = proxy_site(name, lab.url, host_header="$http_host", forwarded_proto="https",
                              tls=TLSFiles(case.chain, case.key))
            mutual = (f"ssl_verify_client on; ssl_client_certificate {client.ca}; "
                      f"ssl_conf_command {pin}; ")
            sites.append(Site(site.name, mutual + site.locations, site.tls))
        with start_nginx(base / "nginx", sites) as nginx:
            yield Mtls(nginx, lab, client, stranger, case.ca_bundle)


def doctor(tmp_path: Path, url: str, ca: Path, *extra: str, env_extra: dict[str, str] | None = None
           ) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_") and "proxy" not in k.lower()}
    env.update(env_extra or {})
    out = tmp_path / "r.json"
    args = [sys.executable, "-m", "jiradoctor", "doctor", "--url", url, "--ca-bundle", str(ca), "--timeout", "5",
            "--integration-hosting", "on-premises", "--only", "tls,reachability", "-o", str(out),
            "-o", str(tmp_path / "r.html"), *extra]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=90, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, report, proc.stdout + proc.stderr


def codes(report: dict[str, Any], check: str) -> dict[str, str]:
    found = next(c for c in report["checks"] if c["id"] == check)
    return {f["code"]: f["status"] for f in found["findings"]}


def url_of(mtls: Mtls, site: str) -> str:
    return f"https://localhost:{mtls.nginx.ports[site]}"


@pytest.mark.parametrize("site", ["tls12", "tls13"])
def test_without_a_client_certificate_the_tls_check_names_it(site: str, mtls: Mtls, tmp_path: Path) -> None:
    code, report, text = doctor(tmp_path, url_of(mtls, site), mtls.ca_bundle)
    assert code == 1, text
    assert codes(report, "tls") == {"tls/client-certificate-required": "fail"}
    finding = next(f for c in report["checks"] for f in c["findings"] if c["id"] == "tls")
    assert "No required SSL certificate was sent" in finding["message"]
    assert any("--client-cert" in r for r in finding["remediation"])
    assert report["summary"]["status"] == "fail"
    assert "Enable TLS 1.2 or 1.3" not in text


@pytest.mark.parametrize("site", ["tls12", "tls13"])
def test_with_the_right_pem_certificate_everything_passes(site: str, mtls: Mtls, tmp_path: Path) -> None:
    code, report, text = doctor(tmp_path, url_of(mtls, site), mtls.ca_bundle,
                                "--client-cert", str(mtls.client.cert), "--client-key", str(mtls.client.key))
    assert code == 0, text
    assert codes(report, "tls") == {"tls/ok": "pass"}
    assert "accepted 'CN=integration-client" in report["checks"][0]["findings"][0]["message"] or any(
        "accepted 'CN=integration-client" in f["message"] for c in report["checks"] for f in c["findings"])
    assert codes(report, "reachability") == {"reachability/ok": "pass"}
    assert report["summary"]["status"] == "pass"


def test_a_pkcs12_bundle_with_its_password_passes_and_the_password_is_never_shown(
    mtls: Mtls, tmp_path: Path
) -> None:
    code, report, text = doctor(tmp_path, url_of(mtls, "tls13"), mtls.ca_bundle,
                                "--client-cert", str(mtls.client.bundle),
                                env_extra={"JIRADOCTOR_CLIENT_CERT_PASSWORD": CANARY})
    assert code == 0, text
    assert report["summary"]["status"] == "pass"
    for written in (text, (tmp_path / "r.json").read_text(), (tmp_path / "r.html").read_text()):
        assert CANARY not in written


def test_a_wrong_bundle_password_is_a_usage_error_without_the_password(mtls: Mtls, tmp_path: Path) -> None:
    wrong = "Wrong-" + CANARY[::-1]
    code, _, text = doctor(tmp_path, url_of(mtls, "tls13"), mtls.ca_bundle, "--client-cert", str(mtls.client.bundle),
                           env_extra={"JIRADOCTOR_CLIENT_CERT_PASSWORD": wrong})
    assert code == 2, text
    assert "--client-cert-password" in text and wrong not in text and CANARY not in text


@pytest.mark.parametrize("site", ["tls12", "tls13"])
def test_a_certificate_the_proxy_does_not_trust_is_named_as_refused(site: str, mtls: Mtls, tmp_path: Path) -> None:
    code, report, text = doctor(tmp_path, url_of(mtls, site), mtls.ca_bundle,
                                "--client-cert", str(mtls.stranger.cert), "--client-key", str(mtls.stranger.key))
    assert code == 1, text
    assert codes(report, "tls") == {"tls/client-certificate-refused": "fail"}
    assert "CN=stranger" in next(f["message"] for c in report["checks"] for f in c["findings"] if c["id"] == "tls")


class HandshakeRefuser:
    """A stand-in for servers that refuse in the handshake (CERT_REQUIRED), one connection at a time."""

    def __init__(self, case_chain: Path, case_key: Path, client_ca: Path, version: ssl.TLSVersion) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(case_chain), str(case_key))
        self.context.load_verify_locations(str(client_ca))
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.minimum_version = self.context.maximum_version = version
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(4096)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass
            finally:
                conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["tls1.2", "tls1.3"])
def test_a_server_that_refuses_in_the_handshake_is_named_too(
    version: ssl.TLSVersion, mtls: Mtls, realparts_pki: Pki, tmp_path: Path
) -> None:
    case = realparts_pki.cases["full_chain"]
    server = HandshakeRefuser(case.chain, case.key, mtls.client.ca, version)
    try:
        url = f"https://localhost:{server.port}"
        code, report, text = doctor(tmp_path, url, mtls.ca_bundle, "--only", "tls")
        assert code == 1, text
        assert codes(report, "tls") == {"tls/client-certificate-required": "fail"}, text
        code, report, text = doctor(tmp_path, url, mtls.ca_bundle, "--only", "tls", "--client-cert",
                                    str(mtls.client.cert), "--client-key", str(mtls.client.key))
        assert codes(report, "tls") == {"tls/ok": "pass"}, text
    finally:
        server.stop()


def test_insecure_still_presents_the_client_certificate(mtls: Mtls, tmp_path: Path) -> None:
    """--insecure turns verification off, not the client certificate: every transport presents it."""
    code, report, text = doctor(tmp_path, url_of(mtls, "tls13"), mtls.ca_bundle, "--insecure",
                                "--client-cert", str(mtls.client.cert), "--client-key", str(mtls.client.key))
    assert codes(report, "reachability") == {"reachability/ok": "pass"}, text
    assert codes(report, "tls")["tls/verification-disabled"] == "warn"
    code, report, text = doctor(tmp_path, url_of(mtls, "tls13"), mtls.ca_bundle, "--insecure")
    assert code == 1 and codes(report, "tls") == {"tls/client-certificate-required": "fail"}, text
