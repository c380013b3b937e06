"""Truncation happens after redaction (issue 23): wherever a secret sits in outside text, in whichever
encoding the redactor knows, cutting that text for a report never shows a piece of it."""

from __future__ import annotations

import base64
import json
import urllib.parse

from hypothesis import given, settings, strategies as st

from jiradoctor.secrets import MASK, Redactor, clip, encodings_of

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789/+=-_~.!"
ENCODINGS = {
    "raw": lambda s: s,
    "percent": lambda s: urllib.parse.quote(s, safe=""),
    "form": urllib.parse.quote_plus,
    "hex": lambda s: s.encode().hex(),
    "HEX": lambda s: s.encode().hex().upper(),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64url": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "json": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
}


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(ALPHABET, min_size=8, max_size=40),
    before=st.integers(0, 260),
    limit=st.integers(20, 250),
    encoding=st.sampled_from(sorted(ENCODINGS)),
)
def test_no_piece_of_a_secret_survives_a_cut(secret: str, before: int, limit: int, encoding: str) -> None:
    echoed = ENCODINGS[encoding](secret)
    text = "#" * before + echoed + " tail of the provider's message"
    shown = clip(text, limit, Redactor([secret]).text)
    assert len(shown) <= limit
    piece = echoed[:6]
    assert piece not in shown, (encoding, shown)


def test_the_redactor_knows_each_encoding() -> None:
    secret = "Client/Secret+Canary=1"
    forms = encodings_of(secret)
    for name, encode in ENCODINGS.items():
        assert encode(secret) in forms, name


def test_clip_keeps_text_without_secrets_and_cuts_it_visibly() -> None:
    redact = Redactor(["NotInHere-123"]).text
    assert clip("short and plain", 50, redact) == "short and plain"
    assert clip("x" * 60, 50, redact) == "x" * 49 + "…"
    assert clip("a NotInHere-123 b", 50, redact) == f"a {MASK} b"
