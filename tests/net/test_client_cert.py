"""Loading the integration's client certificate (issue 25, item 3): PEM with its key, an encrypted
key, a PKCS#12 bundle; every failure a usage error that never shows the password."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from jiradoctor.cli import main
from jiradoctor.net.client_cert import ClientCertError, ClientCertificate, load_into, subject_of
from jiradoctor.secrets import Secret
from tests.realparts.pki import cached_key, client_files

PASSWORD = "Key-Canary-93f1"


def context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def test_pem_and_pkcs12_load_and_name_their_subject(tmp_path: Path) -> None:
    files = client_files(tmp_path, password=PASSWORD)
    load_into(context(), ClientCertificate(str(files.cert), str(files.key)))
    load_into(context(), ClientCertificate(str(files.bundle), None, Secret(PASSWORD)))
    assert subject_of(ClientCertificate(str(files.cert))) == "CN=integration-client,O=jiradoctor realparts"
    assert subject_of(ClientCertificate(str(files.bundle), None, Secret(PASSWORD))) == (
        "CN=integration-client,O=jiradoctor realparts")


def test_an_encrypted_key_needs_its_password_and_a_wrong_one_is_named(tmp_path: Path) -> None:
    files = client_files(tmp_path, password=PASSWORD)
    encrypted = tmp_path / "encrypted-key.pem"
    encrypted.write_bytes(cached_key("client").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode())))
    load_into(context(), ClientCertificate(str(files.cert), str(encrypted), Secret(PASSWORD)))
    with pytest.raises(ClientCertError, match="give --client-cert-password"):
        load_into(context(), ClientCertificate(str(files.cert), str(encrypted)))
    with pytest.raises(ClientCertError, match="wrong --client-cert-password") as caught:
        load_into(context(), ClientCertificate(str(files.cert), str(encrypted), Secret("not-" + PASSWORD)))
    assert PASSWORD not in str(caught.value)


def test_usage_errors_through_the_cli(tmp_path: Path) -> None:
    files = client_files(tmp_path, password=PASSWORD)
    runner = CliRunner()
    alone = runner.invoke(main, ["doctor", "--url", "https://jira.example.com", "--client-key", str(files.key)])
    assert alone.exit_code == 2 and "--client-key needs --client-cert" in alone.output
    other = client_files(tmp_path / "other", common="other", ca_role="other-ca")
    mismatch = runner.invoke(main, ["doctor", "--url", "https://jira.example.com", "--client-cert",
                                    str(files.cert), "--client-key", str(other.ca)])
    assert mismatch.exit_code == 2 and "client certificate" in mismatch.output
    wrong = runner.invoke(main, ["doctor", "--url", "https://jira.example.com", "--client-cert", str(files.bundle)],
                          env={"JIRADOCTOR_CLIENT_CERT_PASSWORD": "Wrong-" + PASSWORD})
    assert wrong.exit_code == 2 and PASSWORD not in wrong.output and "--client-cert-password" in wrong.output
