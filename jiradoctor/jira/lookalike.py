"""Name what the eye cannot see: look-alike letters, hidden characters, binary and DER input.

A URL copied from Zephyr's own guide (``https://{my-org}.atlassian.nеt``, with a Cyrillic ``е``)
prints exactly like the right one; a consumer key with a Greek ``ο`` does too; a ``.cer`` file in
DER form reads as noise. Each is found here with its position, so a check can say which
character it is, where, and what to type instead. Pure functions of text; nothing here raises.
"""

from __future__ import annotations

from typing import Any

import unicodedata
from dataclasses import dataclass

from jiradoctor.visible import char_name, hidden_characters

# Cyrillic and Greek letters that print like Latin ones (Unicode confusables, the common subset)
_LOOKALIKES = {
    # Cyrillic lower case
    "а": "a",
    "в": "b",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ɡ": "g",
    "ո": "n",
    "ս": "u",
    # Cyrillic upper case
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    "Ү": "Y",
    # Greek
    "α": "a",
    "ο": "o",
    "ρ": "p",
    "ν": "v",
    "ι": "i",
    "κ": "k",
    "υ": "u",
    "χ": "x",
    "τ": "t",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}


@dataclass(frozen=True)
class LookAlike:
    """One character that looks like ``looks_like`` but is not."""

    position: int
    char: str
    name: str
    looks_like: str

    def describe(self) -> str:
        return (
            f"{self.name} (U+{ord(self.char):04X}) at position {self.position + 1}, which looks like "
            f"{self.looks_like!r}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position + 1,  # counted from 1, as editors count
            "char": f"U+{ord(self.char):04X}",
            "name": self.name,
            "looks_like": self.looks_like,
        }


def _ascii_twin(ch: str) -> str | None:
    if ch.isascii():
        return None
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    folded = unicodedata.normalize("NFKC", ch)  # fullwidth ａ, mathematical 𝐚, ligatures ...
    if folded != ch and folded.isascii() and folded.isprintable() and folded.strip():
        return folded
    return None


def lookalikes(text: str) -> list[LookAlike]:
    """Every non-ASCII character of ``text`` that prints like an ASCII one."""
    found = []
    for i, ch in enumerate(text):
        twin = _ascii_twin(ch)
        if twin is not None:
            found.append(LookAlike(i, ch, char_name(ch), twin))
    return found


def skeleton(text: str) -> str:
    """``text`` with every look-alike replaced by the ASCII letter it imitates: what the user meant."""
    return "".join(_ascii_twin(ch) or ch for ch in text)


def punycode_labels(host: str) -> list[tuple[str, str]]:
    """(label, its Unicode form) for every ``xn--`` label of a host name; a label that does not
    decode is returned with ``?`` as its Unicode form."""
    out = []
    for label in host.split("."):
        if label.lower().startswith("xn--"):
            try:
                out.append((label, label[4:].encode("ascii").decode("punycode")))
            except (UnicodeError, ValueError):
                out.append((label, "?"))
    return out


def host_findings_text(host: str) -> list[str]:
    """Plain sentences naming what is hidden in a host name (for a host-mismatch message)."""
    notes = [c.describe() for c in lookalikes(host)]
    notes += [f"{name} at position {pos + 1}" for pos, name in hidden_characters(host)]
    for label, unicode_form in punycode_labels(host):
        shown = skeleton(unicode_form)
        twins = lookalikes(unicode_form)
        notes.append(
            f"the punycode label {label!r} is {unicode_form!r}"
            + (f", written with look-alike letters for {shown!r}" if twins else "")
        )
    return notes


@dataclass(frozen=True)
class BinaryInput:
    """Text that is really bytes: ``kind`` is ``der`` (an ASN.1 SEQUENCE: a DER certificate or key)
    or ``binary`` (anything else); ``position`` is the first non-text character."""

    kind: str
    position: int
    count: int


def binary_input(text: str) -> BinaryInput | None:
    """Input files are read as UTF-8 with undecodable bytes replaced (U+FFFD): such characters, or
    NUL and other controls, mean the file is not text. A DER file starts with 0x30 (``0``, an ASN.1
    SEQUENCE) followed by a length byte: 0x81-0x84 (not UTF-8, so U+FFFD) or a short length (a control)."""
    bad = [
        i for i, ch in enumerate(text) if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    ]
    if not bad:
        return None
    der = len(text) >= 2 and text[0] == "0" and (text[1] == "\ufffd" or ord(text[1]) < 0x20)
    return BinaryInput("der" if der else "binary", bad[0], len(bad))
