"""What the eye cannot see: look-alike letters, hidden characters, punycode, binary and DER input.

Both directions for every code: the broken input gets its own code naming the character and its
position; the healthy input gets none of them.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from jiradoctor.checks.base_url import CHECK as BASE_URL
from jiradoctor.checks.consumer_key import CHECK as CONSUMER_KEY
from jiradoctor.checks.public_key import CHECK as PUBLIC_KEY
from jiradoctor.jira import lookalike
from jiradoctor.target import Target, read_input_file
from jiradoctor.visible import visible
from tests.conftest import codes, only, run_checks

ZEPHYR_GUIDE_URL = "https://my-org.atlassian.n\u0435t"  # the guide's own text: a Cyrillic е


# --- the module ------------------------------------------------------------------------------


def test_lookalikes_are_named_with_position_and_twin() -> None:
    (found,) = lookalike.lookalikes(ZEPHYR_GUIDE_URL)
    assert (found.position, found.looks_like, found.name) == (26, "e", "CYRILLIC SMALL LETTER IE")
    assert lookalike.skeleton(ZEPHYR_GUIDE_URL) == "https://my-org.atlassian.net"
    greek = lookalike.lookalikes("piplanning.i\u03bf")  # Greek omicron
    assert [(g.position, g.looks_like) for g in greek] == [(12, "o")]
    assert [g.looks_like for g in lookalike.lookalikes("\uff41\U0001d41a")] == ["a", "a"]  # fullwidth, mathematical


@pytest.mark.parametrize("text", ["https://jira.example.com", "Zephyr Ent", "MIIBIjANBgkqhkiG9w0B", "café", "日本"])
def test_plain_text_has_no_lookalikes(text: str) -> None:
    assert lookalike.lookalikes(text) == []


def test_punycode_is_decoded_and_judged() -> None:
    host = "my-org.atlassian.n\u0435t".encode("idna").decode()
    assert "xn--" in host
    (note,) = lookalike.host_findings_text(host)
    assert "n\u0435t" in note and "look-alike letters for 'net'" in note
    assert lookalike.host_findings_text("jira.example.com") == []


def test_binary_and_der_input(tmp_path, rsa_pair) -> None:
    der = rsa_pair.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "k.der").write_bytes(der)
    (tmp_path / "z.bin").write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    assert lookalike.binary_input(read_input_file(tmp_path / "k.der", "key")).kind == "der"
    found = lookalike.binary_input(read_input_file(tmp_path / "z.bin", "key"))
    assert found.kind == "binary" and found.position == 2
    assert lookalike.binary_input(rsa_pair.public_spki) is None
    assert lookalike.binary_input(rsa_pair.public_spki.replace("\n", "\r\n")) is None


def test_visible_names_hidden_characters_and_keeps_plain_text() -> None:
    assert visible("abc\u202edef") == "abc⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩def"
    assert visible("\x1b[2J\x01") == "⟨U+001B ESCAPE⟩[2J⟨U+0001 START OF HEADING⟩"
    assert visible("a\u200bb") == "a⟨U+200B ZERO WIDTH SPACE⟩b"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"
    assert visible("line\nnext", keep="") == "line⟨U+000A LINE FEED⟩next"
    assert visible("plain ascii, ünïcödé, 日本, 🎉") == "plain ascii, ünïcödé, 日本, 🎉"


# --- in the checks ---------------------------------------------------------------------------


def test_consumer_key_with_a_lookalike_gets_its_own_code() -> None:
    report = run_checks([CONSUMER_KEY], Target(consumer_key="zeph\u0443r", jira_consumer_key="zephyr", offline=True))
    finding = only(report, "consumer-key/lookalike-character")
    assert "CYRILLIC SMALL LETTER U (U+0443) at position 5, which looks like 'y'" in finding.message
    assert finding.evidence["meant"] == "zephyr"
    assert "consumer-key/unusual-character" not in codes(report)  # one cause, one finding
    healthy = run_checks([CONSUMER_KEY], Target(consumer_key="zephyr", jira_consumer_key="zephyr", offline=True))
    assert codes(healthy) == {"consumer-key/ok"}


def test_zephyr_ent_is_never_told_to_retype_the_same_value() -> None:
    """The Zephyr guide's own example key has a space inside: the fix must differ from what was typed."""
    report = run_checks(
        [CONSUMER_KEY], Target(consumer_key="Zephyr Ent", integration="zephyr-enterprise", offline=True)
    )
    finding = only(report, "consumer-key/whitespace")
    (fix,) = finding.remediation
    assert "'Zephyr Ent'" not in fix.replace("exactly Zephyr␣Ent", "")
    assert "'ZephyrEnt'" in fix and finding.evidence["suggested"] == "ZephyrEnt"
    edges = only(run_checks([CONSUMER_KEY], Target(consumer_key=" Zephyr ", offline=True)), "consumer-key/whitespace")
    assert "as 'Zephyr'" in edges.remediation[0]


def test_public_key_with_lookalike_and_invisible_characters(rsa_pair) -> None:
    pem = rsa_pair.public_spki
    look = run_checks([PUBLIC_KEY], Target(public_key=pem.replace("A", "\u0410", 1), offline=True))
    finding = only(look, "public-key/lookalike-character")
    assert "CYRILLIC CAPITAL LETTER A (U+0410) at position" in finding.message
    assert finding.evidence["paste_into_jira"].strip() == pem.strip()  # the same key, with Latin letters
    hidden = run_checks([PUBLIC_KEY], Target(public_key=pem[:40] + "\u200b" + pem[40:], offline=True))
    finding = only(hidden, "public-key/invisible-character")
    assert "ZERO WIDTH SPACE at position 41" in finding.message
    assert codes(run_checks([PUBLIC_KEY], Target(public_key=pem, offline=True))) == {"public-key/ok"}


def test_public_key_der_and_binary_get_their_own_codes(tmp_path, rsa_pair) -> None:
    der = rsa_pair.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "k.der").write_bytes(der)
    report = run_checks(
        [PUBLIC_KEY],
        Target(
            public_key=read_input_file(tmp_path / "k.der", "key"), offline=True, public_key_path=str(tmp_path / "k.der")
        ),
    )
    finding = only(report, "public-key/der")
    assert "-inform der" in finding.commands[0]
    assert "not base64" not in finding.message and "cut while copying" not in str(finding.remediation)
    (tmp_path / "x.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    report = run_checks([PUBLIC_KEY], Target(public_key=read_input_file(tmp_path / "x.bin", "key"), offline=True))
    assert "public-key/binary" in codes(report) and "public-key/invalid" not in codes(report)


def test_base_url_host_mismatch_names_the_lookalike() -> None:
    report = run_checks([BASE_URL], Target(url=ZEPHYR_GUIDE_URL, base_url="https://my-org.atlassian.net", offline=True))
    finding = only(report, "base-url/host-mismatch")
    assert "CYRILLIC SMALL LETTER IE (U+0435) at position 19, which looks like 'e'" in finding.message
    assert finding.evidence["hidden_characters"]
    plain = run_checks(
        [BASE_URL], Target(url="https://other.atlassian.net", base_url="https://my-org.atlassian.net", offline=True)
    )
    assert "hidden_characters" not in only(plain, "base-url/host-mismatch").evidence
