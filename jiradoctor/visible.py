"""One escaping function for every renderer: text from outside shows what it holds, never acts.

Control characters (ESC, CR, SOH ...), bidi overrides (U+202E turns text around), zero-width and
other format characters and lone surrogates are replaced by a visible escape such as
``⟨U+202E RIGHT-TO-LEFT OVERRIDE⟩``, the form the consumer-key check already shows users. A
terminal then cannot be driven by a server's text, and a report cannot show one string while
holding another. Line breaks and tabs are kept where the caller says they are layout.
"""

from __future__ import annotations

import unicodedata

# names for characters unicodedata leaves unnamed (controls) or names unhelpfully
_NAMES = {
    "\x00": "NULL",
    "\x01": "START OF HEADING",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\x09": "TAB",
    "\x0a": "LINE FEED",
    "\x0b": "VERTICAL TAB",
    "\x0c": "FORM FEED",
    "\x0d": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
    "\x9b": "CONTROL SEQUENCE INTRODUCER",
    "\u00a0": "NO-BREAK SPACE",
    "\ufeff": "BYTE ORDER MARK",
}
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# spaces that look like a plain space but are not one (no-break, thin, ideographic ...)
_ODD_SPACES = {
    "\u00a0",
    "\u1680",
    "\u2000",
    "\u2001",
    "\u2002",
    "\u2003",
    "\u2004",
    "\u2005",
    "\u2006",
    "\u2007",
    "\u2008",
    "\u2009",
    "\u200a",
    "\u202f",
    "\u205f",
    "\u3000",
}


def char_name(ch: str) -> str:
    """The Unicode name of a character, or a name for controls that have none."""
    if ch in _NAMES:
        return _NAMES[ch]
    try:
        return unicodedata.name(ch)
    except (ValueError, TypeError):
        return {"Cc": "CONTROL", "Cs": "SURROGATE", "Co": "PRIVATE USE"}.get(unicodedata.category(ch), "UNASSIGNED")


def escape_char(ch: str) -> str:
    return f"⟨U+{ord(ch):04X} {char_name(ch)}⟩"


def is_hidden(ch: str, odd_spaces: bool = False) -> bool:
    """A character that does not show as itself: control, format (bidi, zero-width), unassigned,
    private use, surrogate, line/paragraph separator; with ``odd_spaces`` also look-alike spaces."""
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES or (odd_spaces and ch in _ODD_SPACES)


def visible(text: str, keep: str = "\n\t", odd_spaces: bool = False) -> str:
    """``text`` with every hidden character written as ``⟨U+XXXX NAME⟩``; characters in ``keep``
    (layout: line feed, tab) stay as they are."""
    if text.isascii() and text.isprintable():
        return text  # the common case, fast
    return "".join(
        ch if ch in keep or not (is_hidden(ch, odd_spaces) or ch in "\n\t") else escape_char(ch) for ch in text
    )


def hidden_characters(text: str, odd_spaces: bool = True) -> list[tuple[int, str]]:
    """(position, name) of every hidden character, layout whitespace excepted."""
    return [(i, char_name(ch)) for i, ch in enumerate(text) if ch not in "\n\t\r " and is_hidden(ch, odd_spaces)]
