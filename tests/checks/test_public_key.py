"""public-key: every finding code, on real keys made in the test session, both ways round.

Each broken input must raise its code; each healthy input must not. Keys come from the session
fixtures in conftest (2048-bit RSA pairs, a 1024-bit pair, an EC pair).
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from jiradoctor.checks.public_key import CHECK
from jiradoctor.jira import pem
from jiradoctor.model import Report, Status
from jiradoctor.reports import render
from jiradoctor.secrets import Secret, pem_fragments
from jiradoctor.target import Target
from tests.conftest import codes, only, run_checks

OK = "public-key/ok"


def judge(
    public: str | None = None,
    private: str | None = None,
    integration: str = "generic",
    public_path: str | None = None,
    private_path: str | None = None,
) -> Report:
    target = Target(
        public_key=public,
        public_key_path=public_path,
        private_key=Secret(private) if private is not None else None,
        private_key_path=private_path,
        integration=integration,
        offline=True,
    )
    report = run_checks([CHECK], target)
    undeclared = codes(report) - set(CHECK.codes)
    assert not undeclared, f"codes not declared in CHECK.codes: {undeclared}"
    return report


def check_status(report: Report) -> Status:
    (check,) = report.checks
    return check.status


def bare_base64(spki_pem: str) -> str:
    """The PEM body on one line, as Zephyr Enterprise's guide wants it pasted."""
    return "".join(line for line in spki_pem.strip().splitlines() if not line.startswith("-----"))


def all_outputs(report: Report) -> str:
    return "\n".join(render(report, fmt) for fmt in ("json", "html", "md", "text"))


def self_signed_certificate(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jira-consumer.example.com")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


# --- ok ------------------------------------------------------------------------------------------


def test_matching_pair_is_ok_and_shows_the_real_fingerprint(rsa_pair) -> None:
    report = judge(rsa_pair.public_spki, rsa_pair.private_pkcs8)
    assert codes(report) == {OK}
    assert check_status(report) == Status.PASS
    finding = only(report, OK)
    assert "matches the private key" in finding.message
    assert finding.evidence["fingerprint"] == pem.fingerprint(rsa_pair.key.public_key())
    assert finding.evidence["key"] == "RSA 2048-bit"


def test_public_key_alone_is_well_formed(rsa_pair) -> None:
    report = judge(rsa_pair.public_spki)
    assert codes(report) == {OK}
    assert "well formed" in only(report, OK).message


def test_private_key_alone_pkcs8_is_ok(rsa_pair) -> None:
    report = judge(private=rsa_pair.private_pkcs8, integration="kendis")
    assert codes(report) == {OK}
    assert only(report, OK).evidence["fingerprint"] == pem.fingerprint(rsa_pair.key.public_key())


# --- certificate ---------------------------------------------------------------------------------


def test_certificate_pasted_is_caught_and_the_extracted_key_is_the_real_one(rsa_pair) -> None:
    cert_pem = self_signed_certificate(rsa_pair.key)
    report = judge(cert_pem, rsa_pair.private_pkcs8, public_path="jira.cer")
    finding = only(report, "public-key/certificate")
    assert finding.status == Status.FAIL
    assert finding.evidence["extracted_key_fingerprint"] == pem.fingerprint(rsa_pair.key.public_key())
    assert "jira-consumer.example.com" in finding.evidence["certificate_subject"]
    assert finding.evidence["paste_into_jira"] == rsa_pair.public_spki.strip()
    assert any("openssl x509 -pubkey" in c and "jira.cer" in c for c in finding.commands)
    # the certificate holds the right key: the pair itself is fine
    assert "public-key/pair-mismatch" not in codes(report)
    assert OK not in codes(report)


def test_certificate_as_bare_base64_der_is_caught(rsa_pair) -> None:
    cert_pem = self_signed_certificate(rsa_pair.key)
    report = judge(bare_base64(cert_pem))
    assert only(report, "public-key/certificate").evidence["extracted_key_fingerprint"] == pem.fingerprint(
        rsa_pair.key.public_key()
    )


def test_spki_is_not_mistaken_for_a_certificate(rsa_pair) -> None:
    assert "public-key/certificate" not in codes(judge(rsa_pair.public_spki))


# --- private key pasted as the public key --------------------------------------------------------


@pytest.mark.parametrize("form", ["private_pkcs8", "private_pkcs1"])
def test_private_key_pasted_is_caught_and_never_echoed(other_rsa_pair, form: str) -> None:
    pasted = getattr(other_rsa_pair, form)
    report = judge(pasted)
    finding = only(report, "public-key/private-key-pasted")
    assert finding.status == Status.FAIL
    assert OK not in codes(report)
    out = all_outputs(report)
    assert pasted.strip() not in out
    lines = pem_fragments(pasted)
    assert len(lines) > 10
    for line in lines:
        assert line not in out, "a line of the pasted private key reached a report"


def test_private_key_pasted_as_bare_base64_is_caught(other_rsa_pair) -> None:
    body = bare_base64(other_rsa_pair.private_pkcs8)
    report = judge(body)
    only(report, "public-key/private-key-pasted")
    assert body not in all_outputs(report)


def test_public_key_is_not_mistaken_for_a_private_key(rsa_pair) -> None:
    assert "public-key/private-key-pasted" not in codes(judge(rsa_pair.public_spki))


# --- pkcs1 ---------------------------------------------------------------------------------------


def test_pkcs1_public_key_is_caught_and_the_spki_form_is_offered(rsa_pair) -> None:
    report = judge(rsa_pair.public_pkcs1, rsa_pair.private_pkcs8)
    finding = only(report, "public-key/pkcs1")
    assert finding.status == Status.FAIL
    assert finding.evidence["fingerprint"] == pem.fingerprint(rsa_pair.key.public_key())
    assert finding.evidence["paste_into_jira"] == rsa_pair.public_spki.strip()
    assert "public-key/pair-mismatch" not in codes(report)  # same key, other wrapping


def test_pkcs1_public_key_as_bare_base64_is_caught(rsa_pair) -> None:
    """cryptography's load_der_public_key also loads PKCS#1 DER: it must still be reported."""
    report = judge(bare_base64(rsa_pair.public_pkcs1), integration="zephyr-enterprise")
    finding = only(report, "public-key/pkcs1")
    assert finding.evidence["paste_into_jira"] == bare_base64(rsa_pair.public_spki)


def test_spki_is_not_pkcs1(rsa_pair) -> None:
    assert "public-key/pkcs1" not in codes(judge(rsa_pair.public_spki))


# --- armor ---------------------------------------------------------------------------------------


def test_zephyr_with_begin_end_lines_fails_armor(rsa_pair) -> None:
    report = judge(rsa_pair.public_spki, rsa_pair.private_pkcs8, integration="zephyr-enterprise")
    finding = only(report, "public-key/armor")
    assert finding.status == Status.FAIL
    paste = finding.evidence["paste_into_jira"]
    assert "-----" not in paste and "\n" not in paste
    assert paste == pem.spki_base64(rsa_pair.key.public_key())


def test_zephyr_with_bare_base64_has_no_armor_finding(rsa_pair) -> None:
    report = judge(bare_base64(rsa_pair.public_spki), rsa_pair.private_pkcs8, integration="zephyr-enterprise")
    assert codes(report) == {OK}
    assert only(report, OK).evidence["paste_into_jira"] == bare_base64(rsa_pair.public_spki)


def test_generic_profile_accepts_armor(rsa_pair) -> None:
    assert "public-key/armor" not in codes(judge(rsa_pair.public_spki, integration="generic"))
    assert "public-key/armor" not in codes(judge(bare_base64(rsa_pair.public_spki), integration="generic"))


# --- whitespace ----------------------------------------------------------------------------------


def _pem_mangled(spki: str) -> dict[str, str]:
    lines = spki.strip().splitlines()
    with_blank = lines[:3] + [""] + lines[3:]
    return {
        "leading space": " " + spki,
        "trailing spaces": spki.rstrip("\n") + "   ",
        "CRLF": spki.replace("\n", "\r\n"),
        "tab": spki.replace("\n", "\n\t", 1),
        "blank line inside": "\n".join(with_blank) + "\n",
        "two trailing newlines": spki + "\n",
        "space at end of a body line": "\n".join(lines[:2] + [lines[2] + " "] + lines[3:]) + "\n",
    }


def _bare_mangled(spki: str) -> dict[str, str]:
    bare = bare_base64(spki)
    lines = [bare[i : i + 64] for i in range(0, len(bare), 64)]
    return {
        "leading space": " " + bare,
        "trailing spaces": bare + "  ",
        "CRLF": "\r\n".join(lines) + "\r\n",
        "tab": "\t" + bare,
        "blank line inside": "\n".join(lines[:2] + [""] + lines[2:]),
    }


@pytest.mark.parametrize("variant", list(_pem_mangled("-----BEGIN X-----\na\nb\nc\nd\n-----END X-----\n")))
def test_whitespace_warns_for_generic(rsa_pair, variant: str) -> None:
    text = _pem_mangled(rsa_pair.public_spki)[variant]
    report = judge(text, rsa_pair.private_pkcs8)
    finding = only(report, "public-key/whitespace")
    assert finding.status == Status.WARN
    assert finding.evidence["paste_into_jira"] == rsa_pair.public_spki.strip()
    assert "public-key/pair-mismatch" not in codes(report)  # the key itself still reads


@pytest.mark.parametrize("variant", list(_bare_mangled("-----BEGIN X-----\nAAAA\n-----END X-----\n")))
def test_whitespace_fails_for_zephyr(rsa_pair, variant: str) -> None:
    text = _bare_mangled(rsa_pair.public_spki)[variant]
    report = judge(text, rsa_pair.private_pkcs8, integration="zephyr-enterprise")
    finding = only(report, "public-key/whitespace")
    assert finding.status == Status.FAIL
    assert check_status(report) == Status.FAIL


def test_whitespace_finding_names_each_problem(rsa_pair) -> None:
    text = " " + rsa_pair.public_spki.replace("\n", "\r\n")
    finding = only(judge(text), "public-key/whitespace")
    whats = {issue["what"] for issue in finding.evidence["issues"]}
    assert {"leading whitespace", "Windows line endings (CRLF)"} <= whats


@pytest.mark.parametrize("integration", ["generic", "zephyr-enterprise"])
def test_a_single_final_newline_is_fine(rsa_pair, integration: str) -> None:
    text = rsa_pair.public_spki if integration == "generic" else bare_base64(rsa_pair.public_spki) + "\n"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert codes(judge(text, rsa_pair.private_pkcs8, integration=integration)) == {OK}


def test_no_final_newline_is_fine(rsa_pair) -> None:
    assert codes(judge(rsa_pair.public_spki.rstrip("\n"))) == {OK}


# --- invalid -------------------------------------------------------------------------------------


def _invalid_variants(spki: str) -> dict[str, str]:
    lines = spki.strip().splitlines()
    return {
        "truncated": spki[: len(spki) // 2],
        "garbage": "this is not a key at all",
        "missing END": "\n".join(lines[:-1]) + "\n",
        "body line lost": "\n".join(lines[:3] + lines[4:]) + "\n",
        "character removed": spki.replace(lines[2], lines[2][:-1], 1),
        "bare base64 cut": bare_base64(spki)[:-8],
        "END without BEGIN": "\n".join(lines[1:]) + "\n",
        "only armor": "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
        "empty": "",
        "blank": "  \n",
    }


@pytest.mark.parametrize(
    "variant", list(_invalid_variants("-----BEGIN X-----\nAAAA\nBBBB\nCCCC\nDDDD\n-----END X-----\n"))
)
def test_unreadable_public_key_is_invalid(rsa_pair, variant: str) -> None:
    report = judge(_invalid_variants(rsa_pair.public_spki)[variant], rsa_pair.private_pkcs8)
    finding = only(report, "public-key/empty-file" if variant in ("empty", "blank") else "public-key/invalid")
    assert finding.status == Status.FAIL
    assert OK not in codes(report)
    assert "public-key/pair-mismatch" not in codes(report)  # nothing to compare


def test_two_pem_blocks_are_invalid(rsa_pair, other_rsa_pair) -> None:
    report = judge(rsa_pair.public_spki + other_rsa_pair.public_spki)
    assert only(report, "public-key/invalid").evidence["labels"] == ["PUBLIC KEY", "PUBLIC KEY"]


# --- not-rsa / weak ------------------------------------------------------------------------------


def test_ec_key_is_not_rsa(ec_pair) -> None:
    report = judge(ec_pair.public_spki)
    finding = only(report, "public-key/not-rsa")
    assert finding.status == Status.FAIL
    assert finding.evidence["fingerprint"] == pem.fingerprint(ec_pair.key.public_key())


def test_rsa_key_is_not_flagged_not_rsa(rsa_pair) -> None:
    assert "public-key/not-rsa" not in codes(judge(rsa_pair.public_spki))


def test_1024_bit_key_is_weak(weak_rsa_pair) -> None:
    report = judge(weak_rsa_pair.public_spki, weak_rsa_pair.private_pkcs8)
    finding = only(report, "public-key/weak")
    assert finding.status == Status.WARN and finding.evidence["bits"] == 1024
    assert check_status(report) == Status.WARN
    assert "public-key/pair-mismatch" not in codes(report)


def test_2048_bit_key_is_not_weak(rsa_pair) -> None:
    assert "public-key/weak" not in codes(judge(rsa_pair.public_spki))


# --- pair-mismatch -------------------------------------------------------------------------------


def test_public_key_of_another_pair_is_a_mismatch(rsa_pair, other_rsa_pair) -> None:
    report = judge(rsa_pair.public_spki, other_rsa_pair.private_pkcs8, private_path="/keys/consumer.pem")
    finding = only(report, "public-key/pair-mismatch")
    assert finding.status == Status.FAIL
    assert finding.evidence["public_key_fingerprint"] == pem.fingerprint(rsa_pair.key.public_key())
    assert finding.evidence["private_key_public_half_fingerprint"] == pem.fingerprint(other_rsa_pair.key.public_key())
    # the fix is the public half of the integration's private key, never the private key
    assert finding.evidence["paste_into_jira"] == other_rsa_pair.public_spki.strip()
    assert any("/keys/consumer.pem" in c and "-pubout" in c for c in finding.commands)
    assert OK not in codes(report)
    for line in pem_fragments(other_rsa_pair.private_pkcs8):
        assert line not in all_outputs(report)


def test_mismatch_in_zephyr_offers_bare_base64(rsa_pair, other_rsa_pair) -> None:
    report = judge(bare_base64(rsa_pair.public_spki), other_rsa_pair.private_pkcs8, integration="zephyr-enterprise")
    finding = only(report, "public-key/pair-mismatch")
    assert finding.evidence["paste_into_jira"] == bare_base64(other_rsa_pair.public_spki)


def test_pkcs1_private_key_matches_its_public_key(rsa_pair) -> None:
    assert codes(judge(rsa_pair.public_spki, rsa_pair.private_pkcs1)) == {OK}


# --- private-key-format --------------------------------------------------------------------------


@pytest.mark.parametrize("integration", ["kendis", "zephyr-enterprise"])
def test_pkcs1_private_key_fails_where_pkcs8_is_required(rsa_pair, integration: str) -> None:
    report = judge(private=rsa_pair.private_pkcs1, integration=integration, private_path="key.pem")
    finding = only(report, "public-key/private-key-format")
    assert finding.status == Status.FAIL
    assert finding.evidence["format"] == "pkcs1"
    assert any("openssl pkcs8 -topk8 -nocrypt -in key.pem" in c for c in finding.commands)


@pytest.mark.parametrize("integration", ["kendis", "zephyr-enterprise"])
def test_pkcs8_private_key_passes_where_pkcs8_is_required(rsa_pair, integration: str) -> None:
    assert "public-key/private-key-format" not in codes(judge(private=rsa_pair.private_pkcs8, integration=integration))


def test_generic_accepts_pkcs1_private_key(rsa_pair) -> None:
    assert codes(judge(private=rsa_pair.private_pkcs1, integration="generic")) == {OK}


# --- private-key-encrypted -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_passphrase_protected_private_key(rsa_pair, fmt) -> None:
    encrypted = rsa_pair.key.private_bytes(
        serialization.Encoding.PEM, fmt, serialization.BestAvailableEncryption(b"correct horse")
    ).decode()
    report = judge(rsa_pair.public_spki, encrypted)
    finding = only(report, "public-key/private-key-encrypted")
    assert finding.status == Status.FAIL
    assert finding.evidence["format"] in ("pkcs8-encrypted", "pkcs1-encrypted")
    assert "public-key/pair-mismatch" not in codes(report)
    assert OK not in codes(report)
    for line in pem_fragments(encrypted):
        assert line not in all_outputs(report)


def test_unencrypted_key_is_not_reported_encrypted(rsa_pair) -> None:
    assert "public-key/private-key-encrypted" not in codes(judge(private=rsa_pair.private_pkcs8))


# --- private-key-invalid -------------------------------------------------------------------------


def _bad_private(pkcs8: str, ec_pkcs1_like: str) -> dict[str, str]:
    lines = pkcs8.strip().splitlines()
    return {
        "garbage": "not a key",
        "truncated": "\n".join(lines[:8]) + "\n",
        "body line lost": "\n".join(lines[:5] + lines[6:]) + "\n",
        "EC PRIVATE KEY label": ec_pkcs1_like,
        "public key given": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    }


@pytest.mark.parametrize(
    "variant", ["garbage", "truncated", "body line lost", "EC PRIVATE KEY label", "public key given"]
)
def test_unreadable_private_key_is_invalid(rsa_pair, ec_pair, variant: str) -> None:
    ec_traditional = ec_pair.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    text = _bad_private(rsa_pair.private_pkcs8, ec_traditional)[variant]
    report = judge(rsa_pair.public_spki, text)
    finding = only(report, "public-key/private-key-invalid")
    assert finding.status == Status.FAIL
    assert OK not in codes(report)
    out = all_outputs(report)
    for line in pem_fragments(text):
        assert line not in out


def test_valid_private_key_is_not_invalid(rsa_pair) -> None:
    assert "public-key/private-key-invalid" not in codes(judge(private=rsa_pair.private_pkcs1))


# --- the parser under the check ------------------------------------------------------------------


def test_key_of_unknown_algorithm_is_invalid_not_a_crash() -> None:
    """An SPKI with an OID cryptography does not know used to raise UnsupportedAlgorithm."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    der = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    unknown = der.replace(bytes.fromhex("06032b6570"), bytes.fromhex("06032b657f"))  # 1.3.101.112 -> .127
    b64 = base64.b64encode(unknown).decode()
    assert pem.read_public_key(b64).kind == "invalid"
    armored = f"-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n"
    assert pem.read_public_key(armored).kind == "invalid"
    assert only(judge(armored), "public-key/invalid").status == Status.FAIL

    priv = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    unknown_priv = base64.b64encode(priv.replace(bytes.fromhex("06032b6570"), bytes.fromhex("06032b657f"))).decode()
    assert pem.read_private_key(unknown_priv).format == "invalid"
    armored_priv = f"-----BEGIN PRIVATE KEY-----\n{unknown_priv}\n-----END PRIVATE KEY-----\n"
    assert pem.read_private_key(armored_priv).format == "invalid"
    assert only(judge(private=armored_priv), "public-key/private-key-invalid")


def test_fingerprint_is_the_same_for_pem_bare_and_certificate(rsa_pair) -> None:
    fp = pem.fingerprint(rsa_pair.key.public_key())
    for text in (
        rsa_pair.public_spki,
        bare_base64(rsa_pair.public_spki),
        self_signed_certificate(rsa_pair.key),
        rsa_pair.public_pkcs1,
    ):
        assert pem.fingerprint(pem.read_public_key(text).public_key) == fp


def test_report_json_of_a_broken_key_set_is_valid(rsa_pair, other_rsa_pair) -> None:
    report = judge(" " + rsa_pair.public_pkcs1, other_rsa_pair.private_pkcs1, integration="kendis")
    assert {
        "public-key/pkcs1",
        "public-key/whitespace",
        "public-key/pair-mismatch",
        "public-key/private-key-format",
    } <= codes(report)
    assert Report.from_json(json.loads(render(report, "json"))) == report


def test_the_text_to_paste_is_never_spoiled_by_redaction() -> None:
    """A PKCS#1 private key shares modulus text with its public key: redaction must not mask it."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from jiradoctor.secrets import MASK

    for _ in range(4):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
        public = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        target = Target(integration="zephyr-enterprise", public_key=public, private_key=Secret(private))
        report = run_checks([CHECK], target)
        pastes = [f.evidence["paste_into_jira"] for _, f in report.findings() if "paste_into_jira" in f.evidence]
        assert pastes and all(MASK not in p for p in pastes)
        assert pastes[0] == pem.spki_base64(key.public_key())
