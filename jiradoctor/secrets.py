"""Credentials that never print, and the redactor that scrubs them from anything that might.

A :class:`Secret` masks itself in ``str``/``repr``/format, so an accidental f-string or traceback
cannot leak it. The :class:`Redactor` knows every secret value of a run (and the encodings a
secret travels in: percent-encoding once and twice, form-encoding, Basic auth base64, PEM body lines)
and is applied where findings and error messages are built. Short secrets (1-3 characters) would
mask ordinary words, so they are masked only in a secret slot: a URL's userinfo, an Authorization
header, an ``oauth_token``/``oauth_signature`` value.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from typing import Any, Callable, Iterable

MASK = "********"
_MIN_SECRET_LEN = 4  # shorter values would redact ordinary words


class Secret:
    """A credential. ``reveal()`` is the only way to read it, so each use is deliberate."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> str | tuple[Any, ...]:  # pickling would write the value somewhere: refuse
        raise TypeError("Secret values cannot be pickled")


def reveal(value: "Secret | str | None") -> str | None:
    if value is None:
        return None
    return value.reveal() if isinstance(value, Secret) else value


_PEM_BODY_LINE = re.compile(r"^[A-Za-z0-9+/=]{16,}$")


def pem_fragments(text: str) -> list[str]:
    """Body lines of PEM text: any one of them in output would leak part of a private key."""
    return [line.strip() for line in text.splitlines() if _PEM_BODY_LINE.match(line.strip())]


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def encodings_of(raw: str) -> set[str]:
    """The forms a secret takes in evidence: raw, percent-encoded once and twice (a token inside a
    signature base string), form-encoded, and the same with lower-case hex digits; escaped in a JSON
    string; and its bytes as hex (either case) and base64 (standard and URL-safe, padded or not), the
    forms a server's echo of it takes in an error description."""
    once = {urllib.parse.quote(raw, safe=""), urllib.parse.quote_plus(raw), urllib.parse.quote(raw, safe="~")}
    twice = {urllib.parse.quote(v, safe="") for v in once} | {urllib.parse.quote_plus(v) for v in once}
    forms = {raw, raw.strip()} | once | twice
    escaped = json.dumps(raw)[1:-1]
    forms |= {escaped, escaped.replace("/", "\\/"), json.dumps(raw, ensure_ascii=False)[1:-1]}
    data = raw.encode("utf-8", "surrogatepass")
    forms |= {data.hex(), data.hex().upper()}
    for b64 in (base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()):
        forms |= {b64, b64.rstrip("=")}
    return forms | {_lower_hex(f) for f in forms}


_SECRET_NAME_PARTS = (
    "auth", "token", "secret", "pass", "pwd", "apikey", "cookie", "session", "credential", "signature",
    "privatekey", "accesskey", "csrf", "xsrf", "bearer", "jwt",
)


def name_means_secret(name: str) -> bool:
    """A header, field or parameter name that says its value is a credential (``Authorization``,
    ``X-Api-Key``, ``X-Auth-Token``, ``Cookie``, ``client_secret``...), in any case and spelling.

    Why by meaning, not a list: proxies and integrations invent their own names; masking a harmless
    value costs a little evidence, keeping a credential costs the customer's account."""
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    return any(part in squashed for part in _SECRET_NAME_PARTS) or squashed.endswith("key")


def clip(text: str, limit: int, redact: Callable[[str], str]) -> str:
    """Outside text cut to ``limit`` characters for a report, redacted FIRST: a secret cut in half
    before redaction no longer matches the redactor, and its first characters would be shown."""
    shown = redact(text)
    return shown if len(shown) <= limit else shown[: max(limit - 1, 0)] + "…"


_USERINFO_SLOT = re.compile(
    r"(?P<pre>[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s/@:?#\"'<>]{0,512}:)(?P<val>[^\s/@?#\"'<>]{0,512})(?=@)"
)
_AUTHORIZATION_SLOT = re.compile(
    r"(?P<pre>authorization[\"']?\s*[:=]\s*[\"']?\s*(?:basic|bearer|token)\s+)(?P<val>[^\s\"',;]{1,4096})",
    re.IGNORECASE,
)
_OAUTH_SLOT = re.compile(
    r"(?P<pre>\boauth_(?:token|signature)(?:=\"?|%3D|%253D))(?P<val>(?:(?!%26|%2526)[^&\s\",]){0,512})", re.IGNORECASE
)


class Redactor:
    """Replaces every known secret (in its usual encodings) with a mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._any_length: set[str] = set()  # every secret, however short: masked where it sits in a secret slot
        self._pattern: re.Pattern[str] | None = None

        for value in secrets:
            self.add(value)

    def add(self, value: "Secret | str | None", *, user: str | None = None) -> None:
        raw = reveal(value)
        if not raw:
            return
        forms = encodings_of(raw)
        if "BEGIN" in raw or "\n" in raw.strip():
            forms.update(pem_fragments(raw))
        if user:
            forms.add(base64.b64encode(f"{user}:{raw}".encode()).decode())
        before = len(self._values)
        self._any_length.update({raw, raw.strip()})
        self._values.update(f for f in forms if len(f) >= _MIN_SECRET_LEN and not ("BEGIN" in f and "\n" in f))
        if "BEGIN" in raw:
            self._values.add(raw.strip())
        if len(self._values) != before:
            self._pattern = None

    def exempt(self, public_texts: "list[str]") -> None:
        """Forget registered pieces that public text contains (a private key's modulus lines)."""
        joined = [re.sub(r"\s+", "", t) for t in public_texts if t]
        kept = {v for v in self._values if not any(v in t for t in joined)}
        if kept != self._values:
            self._values, self._pattern = kept, None

    def text(self, text: str) -> str:
        if not text:
            return text
        if self._values:
            if self._pattern is None:
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            text = self._pattern.sub(MASK, text)
        return self._slots(text)

    def _slots(self, text: str) -> str:
        """Mask what sits in a secret slot: URL userinfo passwords and Authorization credentials
        always, ``oauth_token``/``oauth_signature`` values when they hold a known secret (any length)."""
        if "://" in text:
            text = _USERINFO_SLOT.sub(lambda m: m.group("pre") + MASK, text)
        if "uthorization" in text or "UTHORIZATION" in text:
            text = _AUTHORIZATION_SLOT.sub(lambda m: m.group("pre") + MASK, text)
        if self._any_length and "oauth_" in text.lower():
            text = _OAUTH_SLOT.sub(self._oauth_value, text)
        return text

    def _oauth_value(self, match: "re.Match[str]") -> str:
        value = match.group("val")
        if value == MASK or not value:
            return match.group()
        decoded = {
            value,
            urllib.parse.unquote(value),
            urllib.parse.unquote(urllib.parse.unquote(value)),
            urllib.parse.unquote_plus(value),
        }
        pieces = {p for d in decoded for p in d.split("&")} | decoded
        return match.group("pre") + MASK if pieces & self._any_length else match.group()

    def value(self, value: Any) -> Any:
        """Redact any JSON-like value: strings, lists, dicts (keys too)."""
        if isinstance(value, Secret):
            return MASK
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value
