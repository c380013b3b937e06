"""Consumer keys as typed: whitespace, invisible characters and the visible form of a difference.

Jira compares the consumer key verbatim, so ``piplanning.io`` and ``piplanning.io `` are two
different consumers. Nothing here strips its input before judging it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters that look like nothing (or like a plain space) when pasted.
INVISIBLE: dict[str, str] = {
    "\u00a0": "NO-BREAK SPACE",
    "\u00ad": "SOFT HYPHEN",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u2060": "WORD JOINER",
    "\u202f": "NARROW NO-BREAK SPACE",
    "\ufeff": "BYTE ORDER MARK",
}
_PLAIN = re.compile(r"[A-Za-z0-9._:\-]")
_VISIBLE_WS = {" ": "␣", "\t": "⇥", "\n": "⏎", "\r": "␍"}


def char_name(ch: str) -> str:
    known = INVISIBLE.get(ch)
    return known if known is not None else unicodedata.name(ch, f"U+{ord(ch):04X}")


def is_invisible(ch: str) -> bool:
    return ch in INVISIBLE or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r")


def visible(text: str) -> str:
    """The key with every whitespace or invisible character shown, e.g. ``piplanning.io␣``."""
    out = []
    for ch in text:
        if ch in _VISIBLE_WS:
            out.append(_VISIBLE_WS[ch])
        elif is_invisible(ch) or ch.isspace():  # EM SPACE, THIN SPACE... look like a plain space
            out.append(f"⟨U+{ord(ch):04X} {char_name(ch)}⟩")
        else:
            out.append(ch)
    return "".join(out)


def cleaned(text: str) -> str:
    """What the key most likely should be: no surrounding whitespace, no invisible characters."""
    return "".join(ch for ch in text if not is_invisible(ch)).strip()


def without_spaces(text: str) -> str:
    """A key with no whitespace or invisible character at all (a suggestion, never applied silently)."""
    return "".join(ch for ch in cleaned(text) if not ch.isspace())


@dataclass(frozen=True)
class KeyAnalysis:
    leading_whitespace: str
    trailing_whitespace: str
    inner_whitespace: tuple[int, ...]
    invisible: tuple[tuple[int, str], ...]
    unusual: tuple[tuple[int, str], ...]


def analyse(text: str) -> KeyAnalysis:
    stripped = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    offset = len(lead)
    # any Unicode space counts (EM SPACE, IDEOGRAPHIC SPACE...), unless reported as invisible
    inner = tuple(offset + i for i, ch in enumerate(stripped) if ch.isspace() and not is_invisible(ch))
    invisible = tuple((i, char_name(ch)) for i, ch in enumerate(text) if is_invisible(ch))
    unusual = tuple(
        (i, ch) for i, ch in enumerate(text) if not is_invisible(ch) and not ch.isspace() and not _PLAIN.match(ch)
    )
    return KeyAnalysis(lead, trail, inner, invisible, unusual)


def first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))
