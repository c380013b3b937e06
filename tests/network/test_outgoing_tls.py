"""outgoing-tls on real nginx TLS servers, with JKS and PKCS#12 truststores built by Java's own keytool.

Every case of the realparts PKI is served by real nginx; the truststore holds the realparts root
(as a customer's cacerts would hold their private CA). The keytool fix a finding prints is run for
real, and the check run again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.model import Status
from tests.network.helpers import result, run, target
from tests.realparts.nginx import NginxServer
from tests.realparts.pki import Pki

PASSWORD = "s3cret-truststore-pw"
KEYTOOL = shutil.which("keytool")
STORE_TYPES = ("JKS", "PKCS12")


def keytool(*args: str, env: dict[str, str] | None = None) -> None:
    assert KEYTOOL, "keytool is required (scripts/test installs a JRE)"
    subprocess.run([KEYTOOL, *args], check=True, capture_output=True, timeout=60, env={**os.environ, **(env or {})})


def make_store(path: Path, store_type: str, certs: dict[str, Path], password: str = PASSWORD) -> Path:
    for alias, pem in certs.items():
        keytool(
            "-importcert",
            "-noprompt",
            "-trustcacerts",
            "-alias",
            alias,
            "-file",
            str(pem),
            "-keystore",
            str(path),
            "-storetype",
            store_type,
            "-storepass",
            password,
        )
    return path


@pytest.fixture(scope="module", params=STORE_TYPES)
def store_type(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def root_store(store_type: str, realparts_pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A truststore holding the realparts root, as a customer's cacerts holds their private CA (read-only in tests)."""
    return make_store(
        tmp_path_factory.mktemp("store") / f"cacerts.{store_type.lower()}",
        store_type,
        {"corp-root": realparts_pki.root.pem},
    )


def outgoing(url: str, store: Path | None, password: str | None = PASSWORD):
    from jiradoctor.secrets import Secret

    report = run(
        target(
            None,
            integration_url=url,
            truststore=str(store) if store else None,
            truststore_password=Secret(password) if password is not None else None,
        ),
        only=("outgoing-tls",),
    )
    return result(report, "outgoing-tls"), report


EXPECTED = {
    "full_chain": "outgoing-tls/trusted",
    "expiring_soon": "outgoing-tls/trusted",
    "leaf_only": "outgoing-tls/missing-intermediate",
    "untrusted_root": "outgoing-tls/unknown-ca",
    "self_signed": "outgoing-tls/unknown-ca",
    "expired_leaf": "outgoing-tls/expired",
    "expired_intermediate": "outgoing-tls/expired",
    "not_yet_valid": "outgoing-tls/not-yet-valid",
    "wrong_host": "outgoing-tls/hostname-mismatch",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_chain_judged_as_java_would(case: str, root_store: Path, tls_servers: NginxServer) -> None:
    check, _ = outgoing(f"https://localhost:{tls_servers.ports[case]}", root_store)
    codes = {f.code: f.status for f in check.findings}
    assert EXPECTED[case] in codes, codes
    if EXPECTED[case] == "outgoing-tls/trusted":
        assert check.status == Status.PASS and "corp-root" in check.findings[0].message
    else:
        assert check.status == Status.FAIL and "outgoing-tls/trusted" not in codes


@pytest.mark.parametrize("case", ["untrusted_root", "self_signed"])
def test_the_keytool_fix_works_when_run(case: str, store_type: str, tls_servers: NginxServer, tmp_path: Path) -> None:
    """Run the printed commands (save the PEM, keytool -importcert) and check again: now trusted."""
    store = make_store(tmp_path / "cacerts", store_type, {"unrelated": _unrelated_ca(tmp_path)})
    url = f"https://localhost:{tls_servers.ports[case]}"
    before, _ = outgoing(url, store)
    finding = next(f for f in before.findings if f.code == "outgoing-tls/unknown-ca")
    assert finding.evidence["import"]["alias"] in finding.commands[1]
    assert str(store) in finding.commands[1] and PASSWORD not in " ".join(finding.commands)
    for command in finding.commands:
        subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            check=True,
            timeout=60,
            capture_output=True,
            env={**os.environ, "JIRA_TRUSTSTORE_PASSWORD": PASSWORD},
        )
    after, _ = outgoing(url, store)
    assert [f.code for f in after.findings] == ["outgoing-tls/trusted"], [f.message for f in after.findings]
    assert finding.evidence["import"]["alias"] in after.findings[0].message


def _unrelated_ca(tmp_path: Path) -> Path:
    """A CA that issued nothing the servers present (a cacerts is never empty)."""
    import datetime as dt

    from tests.realparts.pki import cached_key, make_ca, pem

    now = dt.datetime.now(dt.timezone.utc)
    cert = make_ca(
        "Unrelated Test CA",
        cached_key("unrelated"),
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=30),
    )
    path = tmp_path / "unrelated.pem"
    path.write_bytes(pem(cert))
    return path


def test_wrong_password_is_a_clear_finding_and_never_printed(root_store: Path, tls_servers: NginxServer) -> None:
    store = root_store
    wrong = "Wr0ng-Passw0rd-canary"
    check, report = outgoing(f"https://localhost:{tls_servers.ports['full_chain']}", store, password=wrong)
    assert [f.code for f in check.findings] == ["outgoing-tls/truststore-password"]
    assert check.status == Status.FAIL
    for fmt in ("json", "text", "html", "md", "junit"):
        from jiradoctor.reports import render

        assert wrong not in render(report, fmt) and PASSWORD not in render(report, fmt)
    # and the right one opens it
    check, _ = outgoing(f"https://localhost:{tls_servers.ports['full_chain']}", store)
    assert check.status == Status.PASS


def test_without_truststore_it_names_the_ca_jira_needs_and_does_not_pass(tls_servers: NginxServer) -> None:
    check, _ = outgoing(f"https://localhost:{tls_servers.ports['full_chain']}", None, password=None)
    assert check.status == Status.SKIP
    assert "Realparts Root CA" in (check.skip_reason or "") or "Realparts Intermediate CA" in (check.skip_reason or "")


def test_unreadable_truststore(tls_servers: NginxServer, tmp_path: Path) -> None:
    junk = tmp_path / "cacerts"
    junk.write_bytes(b"not a keystore at all")
    check, _ = outgoing(f"https://localhost:{tls_servers.ports['full_chain']}", junk)
    assert [f.code for f in check.findings] == ["outgoing-tls/truststore-unreadable"]


def test_cli_doctor_with_truststore(realparts_pki: Pki, tls_servers: NginxServer, tmp_path: Path) -> None:
    store = make_store(tmp_path / "cacerts.p12", "PKCS12", {"corp-root": realparts_pki.root.pem})
    runner = CliRunner()
    args = [
        "doctor",
        "--integration-url",
        f"https://localhost:{tls_servers.ports['leaf_only']}",
        "--truststore",
        str(store),
        "--only",
        "outgoing-tls",
        "--format",
        "json",
    ]
    bad = runner.invoke(main, args, env={"JIRADOCTOR_TRUSTSTORE_PASSWORD": PASSWORD})
    assert bad.exit_code == 1 and "outgoing-tls/missing-intermediate" in bad.stdout and PASSWORD not in bad.output
    args[2] = f"https://localhost:{tls_servers.ports['full_chain']}"
    good = runner.invoke(main, args, env={"JIRADOCTOR_TRUSTSTORE_PASSWORD": PASSWORD})
    assert good.exit_code == 0 and "outgoing-tls/trusted" in good.stdout
