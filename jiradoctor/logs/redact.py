"""Keep secrets out of what a log finding shows: session ids, tokens, passwords, Authorization values.

Log text is masked by name (``password=``, ``JSESSIONID=``, ``oauth_token:``…) and by shape (JWTs,
API tokens, ``Bearer …``) with the HAR reader's rules (``har.shapes``), plus what only logs hold:
Jira's session-id column, ``user:password@`` in URLs, and OAuth base strings, whose token and
signature values are masked while names, URL and order stay, so the base-string diff still works.
Every value masked is remembered (``Collector.found``) so the whole report is scrubbed of it too.
"""

from __future__ import annotations

import re
import urllib.parse

from jiradoctor.har.redact import redact_base_string, redact_url
from jiradoctor.har.shapes import Collector
from jiradoctor.secrets import MASK

# Jira's header: "... <request id> <session id> <ip> ..." (request ids look like 542x26597x1)
_SESSION_COLUMN = re.compile(r"(\b\d+x\d+x\d+ )([A-Za-z0-9]{4,40})(?=[ ,])")
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s/:@\"']{1,200}:)([^\s@/\"']{1,200})(@)")
# a secret OAuth parameter inside a percent-encoded base string (once, twice or thrice encoded)
_ENCODED_OAUTH = re.compile(
    r"(oauth_(?:token|signature|verifier|token_secret|session_handle|body_hash)(?:%3D|%253D|%25253D))"
    r"((?:(?!%26|%2526|%252526)[^&\s\"',;])+)"
)
_URL = re.compile(r"\bhttps?://[^\s\"'<>\]\[{}|\\^`]{1,2048}")
BASE_STRING = re.compile(r"oauth_signature_base_string\"?\s*[=:]\s*\"?([^\s\"']{1,16384})")


def base_string_of(text: str) -> str | None:
    """The base string a record holds, as ``METHOD&url&params`` (percent-encoded once), or None."""
    m = BASE_STRING.search(text)
    if not m:
        return None
    value = m.group(1)
    if "&" not in value and "%26" in value:  # echoed in a form body: encoded once more
        value = urllib.parse.unquote(value)
    return value if value.count("&") >= 2 else None


class LogRedactor:
    """Masks a record's text; remembers every value it masked."""

    def __init__(self) -> None:
        self.c = Collector()

    def base_string(self, value: str) -> str:
        return redact_base_string(value, self.c)

    def value(self, value: str | None) -> str | None:
        """A value taken out of a record (a URL, a key): masked like the record's text."""
        return self.text(value) if value else value

    def text(self, text: str) -> str:
        text = text.replace('\\"', '"')  # an Authorization header dumped inside a quoted string
        for m in list(BASE_STRING.finditer(text)):
            raw = m.group(1)
            plain = raw if "&" in raw or "%26" not in raw else urllib.parse.unquote(raw)
            safe = redact_base_string(plain, self.c) if plain.count("&") >= 2 else raw
            text = text.replace(raw, safe)
        text = _ENCODED_OAUTH.sub(lambda m: m.group(1) + self.c.mask(m.group(2)), text)
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + self.c.mask(m.group(2)) + m.group(3), text)
        text = _URL.sub(lambda m: redact_url(m.group(0), self.c), text)  # secret query parameters
        text = _SESSION_COLUMN.sub(lambda m: m.group(1) + self.c.mask(m.group(2)), text)
        return self.c.shapes(text)


__all__ = ["LogRedactor", "base_string_of", "MASK"]
