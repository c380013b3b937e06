"""Find a secret canary in text in every encoding it can travel in: raw, percent-encoded once,
twice and thrice (upper and lower hex), form-encoded, JSON-escaped, HTML-escaped, hex, and base64 at any
alignment inside a longer base64 run (standard and URL-safe alphabets). Base64 runs in the text are
also decoded and searched, so a body the HAR stores as base64 is searched as its plain text."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import urllib.parse


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def base64_cores(data: bytes) -> set[str]:
    """The base64 characters that depend only on ``data`` wherever it sits in a longer encoded run."""
    out = set()
    for k in range(3):
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            text = enc(b"\0" * k + data).decode()
            start, end = -(-k * 8 // 6), (k + len(data)) * 8 // 6
            core = text[start:end]
            if len(core) >= 6:
                out.add(core)
    return out


def forms(secret: str) -> set[str]:
    once = {urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    twice = {urllib.parse.quote(v, safe="") for v in once}
    twice |= {urllib.parse.quote(v, safe="") for v in twice}  # thrice: a token in an echoed base string
    data = secret.encode()
    out = {secret, json.dumps(secret)[1:-1], html.escape(secret), data.hex(), data.hex().upper()}
    out |= once | twice | {_lower_hex(v) for v in once | twice}
    return out | base64_cores(data)


def _decoded_runs(text: str) -> str:
    decoded = []
    for run in re.findall(r"[A-Za-z0-9+/_-]{12,}={0,2}", text):
        padded = run + "=" * (-len(run) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded.append(decode(padded).decode("utf-8", "ignore"))
            except (binascii.Error, ValueError):
                pass
    return "\n".join(decoded)


def found(secret: str, text: str) -> list[str]:
    """The forms of ``secret`` that ``text`` holds (empty: none)."""
    hay = text + "\n" + _decoded_runs(text)
    hay += "\n" + _decoded_runs(hay)  # base64 of JSON holding base64
    try:  # the text of JSON strings (a body inside a JSON string is escaped once more)
        hay += "\n" + json.dumps(json.loads(text), ensure_ascii=False).replace('\\"', '"').replace("\\\\", "\\")
    except ValueError:
        pass
    return sorted(f for f in forms(secret) if f in hay)
