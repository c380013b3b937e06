"""Mask every secret in a HAR, keeping it a valid HAR that still diagnoses; write a whole safe copy.

Two passes. The structural pass walks every part of an entry by its meaning: headers and cookies
by name (any header whose name means secret), URLs and forms per parameter at any depth of
percent-encoding (a return URL inside a parameter is a URL again), JSON per key at any depth
(``{"token": {...}}`` masks the whole value, ``{"name": "password", "value": …}`` pairs too),
multipart parts, XML and HTML elements and attributes (``<password>``, ``<meta name=
"atlassian-token" content=…>``, ``user:pass@`` links), base64 bodies decoded and re-encoded,
WebSocket frames (STOMP ``login``/``passcode``), the OAuth base string Jira echoes, and vendor
``_…`` extensions (opaque values in an unknown extension are masked). A part it cannot parse
(a body declared JSON that is not, a body over :data:`MAX_BODY`) is masked whole, with a note
of its size and type. The value pass then masks every value the structural pass found, in
every encoding (:func:`~jiradoctor.har.shapes.echo_forms`), everywhere in the file, so a token
echoed in an error page is masked because its header revealed it.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import urllib.parse
from typing import IO, Any, Callable

from jiradoctor.har.reader import HarStream, iter_entries
from jiradoctor.har.shapes import Collector, secret_name, secret_param
from jiradoctor.secrets import MASK

MAX_BODY = 4 * 1024 * 1024  # a larger body is masked whole: parsing it would cost more than it diagnoses
MAX_DEPTH = 8  # nesting of encodings (a URL in a parameter in a JSON string …)
MAX_JSON_DEPTH = 64

# Headers whose names the pattern would catch but which carry no credential (the diagnosis reads some).
PUBLIC_HEADERS = frozenset(
    {
        "www-authenticate",
        "proxy-authenticate",
        "access-control-allow-credentials",
        "x-seraph-loginreason",
        "sec-websocket-key",
        "sec-websocket-accept",
    }
)
PUBLIC_VALUES = frozenset({"no-check", "nocheck"})  # X-Atlassian-Token's documented values
URL_HEADERS = frozenset({"location", "referer", "content-location", "origin", "refresh", "link"})
# The browsers' own extension fields: understood, walked by meaning (unknown ones: opaque values masked).
KNOWN_EXTENSIONS = frozenset(
    {
        "_initiator",
        "_priority",
        "_resourceType",
        "_transferSize",
        "_error",
        "_blocked_reason",
        "_blockedReason",
        "_fromCache",
        "_fetchedViaServiceWorker",
        "_connectionId",
        "_securityState",
        "_securityDetails",
        "_serverIPAddress",
        "_was_pushed",
        "_wasFetchedViaServiceWorker",
        "_isLinkPreload",
        "_charlesStatus",
        "_webSocketMessages",
    }
)
_URL_IN_TEXT = re.compile(r"""(?i)\b(?:https?|wss?|ftp)://[^\s"'<>()\\`]{1,8192}""")
_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*:)?(//[^/?#]*)?([^?#]*)(\?[^#]*)?(#.*)?$", re.DOTALL)
_RUN = re.compile(r"[A-Za-z0-9+/=_.~:\-]{12,}")
_STOMP = re.compile(
    r"^(CONNECT|STOMP|CONNECTED|SEND|SUBSCRIBE|UNSUBSCRIBE|MESSAGE|ACK|NACK|BEGIN|COMMIT|ABORT|DISCONNECT|RECEIPT|ERROR)\r?\n"
)
# A tag ends at the first '>' and never spans a '<': one linear scan however broken the markup (a
# quoted '>' ends a tag early, comments and CDATA are text: all of it is still read as text).
_TAG = re.compile(r"<(/?)([A-Za-z_][\w:.\-]*)([^<>]*)>")
MAX_TAG = 64 * 1024  # a longer tag is read as text (parsing its attributes could go quadratic)
_ATTR = re.compile(r"""([\w:.\-]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""")
_NAMING_ATTRS = ("name", "id", "key", "property", "itemprop", "http-equiv", "for")
_VALUE_ATTRS = ("value", "content", "data-value")
_SPACE = re.compile(r"\s")
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_SET_COOKIE_SPLIT = re.compile(r"\r?\n|,(?=\s*[^;,=\s]+=)")


def wholesale(text: str, mime: str, why: str) -> str:
    """The note a part masked whole leaves behind: its size and type, never its bytes."""
    kind = f" of type {mime[:80]}" if mime else ""
    return f"{MASK} (jiradoctor masked this part whole: {len(text)} characters{kind}, {why})"


# -- URLs and forms ------------------------------------------------------------------------------------


def redact_url(url: str, c: Collector, depth: int = 0) -> str:
    """Userinfo, secret query and fragment parameters (also inside nested return URLs), secret shapes
    in the path. Split by RFC 3986's own pattern, so a broken URL (``https://[::1/x``) never raises."""
    m = _URI.match(url)
    if m is None or depth > MAX_DEPTH:
        return c.shapes(url)
    scheme, authority, path, query, fragment = (g or "" for g in m.groups())
    if "@" in authority:
        userinfo, _, host = authority[2:].rpartition("@")
        user, sep, password = userinfo.partition(":")
        if sep:
            c.mask(urllib.parse.unquote(password)) if password else None
            userinfo = f"{user}:{c.mask(password)}"
        elif _opaque(user):  # https://TOKEN@host
            userinfo = c.mask(user)
        authority = f"//{userinfo}@{host}"
    query = "?" + redact_form(query[1:], c, depth + 1) if query else ""
    if fragment:
        body = fragment[1:]
        fragment = "#" + (redact_form(body, c, depth + 1) if "=" in body else c.shapes(body))
    return f"{scheme}{authority}{c.shapes(path)}{query}{fragment}"


def redact_form(text: str, c: Collector, depth: int = 0) -> str:
    """``a=1&b=2`` with each secret value masked in place; a value that is itself encoded text
    (a return URL, a nested query) is decoded, redacted and encoded again."""
    if not text:
        return text
    out = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        plain_name = urllib.parse.unquote_plus(name)
        if sep and secret_param(plain_name):
            c.mask(urllib.parse.unquote_plus(value)) if value else None
            value = c.mask(value)
        elif sep and plain_name == "oauth_signature_base_string":
            value = urllib.parse.quote(redact_base_string(urllib.parse.unquote_plus(value), c), safe="")
        elif sep:
            value = _nested(value, c, depth)
        else:
            name = c.shapes(name)
        out.append(f"{name}{sep}{value}")
    return "&".join(out)


def _nested(value: str, c: Collector, depth: int) -> str:
    """A parameter value: redacted as it is, then decoded once and redacted again (twice-encoded
    return URLs), keeping the original bytes when nothing in it was secret."""
    if not value:
        return value
    plain = urllib.parse.unquote_plus(value)
    if plain == value:
        return redact_text(value, "", c, depth + 1)
    masked = redact_text(plain, "", c, depth + 1)
    return value if masked == plain else urllib.parse.quote(masked, safe="*/:")


def redact_base_string(text: str, c: Collector) -> str:
    """An OAuth base string (``METHOD&url&params``, each part percent-encoded) with secret parameters
    masked but names, URL and order kept, so the base-string diff still works on the safe copy."""
    parts = text.split("&")
    if len(parts) != 3:
        return redact_text(text, "", c, 1)
    method, url, params = parts
    plain_url = urllib.parse.unquote(url)
    masked_url = redact_url(plain_url, c)
    url = url if masked_url == plain_url else urllib.parse.quote(masked_url, safe="")
    pairs, plain_params = [], urllib.parse.unquote(params)
    for pair in plain_params.split("&"):
        name, sep, value = pair.partition("=")
        if sep and secret_param(urllib.parse.unquote(name)):
            c.mask(urllib.parse.unquote(value)) if value and value != MASK else None
            value = c.mask(value)
        elif sep:
            value = _nested(value, c, 1)
        pairs.append(f"{name}{sep}{value}")
    joined = "&".join(pairs)
    return "&".join((method, url, params if joined == plain_params else urllib.parse.quote(joined, safe="")))


# -- headers -------------------------------------------------------------------------------------------


def redact_authorization(value: str, c: Collector, challenge: bool = False) -> str:
    """Keep the scheme (and OAuth's public parameters); mask the credential. A ``challenge``
    (WWW-Authenticate) with nothing secret in it is kept as written."""
    from jiradoctor.jira.oauth1 import parse_www_authenticate

    scheme, _, rest = value.strip().partition(" ")
    params = parse_www_authenticate(value) if scheme.lower() == "oauth" else {}
    if params:
        shown, changed = [], False
        for name, item in params.items():
            before = item
            if secret_name(name):
                c.mask(item)
                c.mask(urllib.parse.quote(item, safe=""))  # the raw (percent-encoded) form too
                item = MASK
            elif name == "oauth_signature_base_string":
                item = redact_base_string(item, c)
            else:
                item = redact_text(item, "", c, 1)
            changed = changed or item != before
            shown.append(f'{name}="{urllib.parse.quote(item, safe="*:/.-_~")}"')
        if challenge and not changed and c.shapes(value) == value:
            return value  # nothing secret in it: kept as written (its percent-encoding too)
        # the parser keeps only name="value" pairs: anything else in the header is not shown
        return "OAuth " + ", ".join(shown)
    if rest and scheme.isascii() and scheme.replace("-", "").isalnum():
        c.mask(rest.strip())
        if scheme.lower() == "basic":  # Basic carries user:password; remember the password alone too
            try:
                decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8", "replace")
                c.mask(decoded.partition(":")[2]) if ":" in decoded else None
            except (binascii.Error, ValueError):
                pass
        return f"{scheme} {MASK}"
    return c.mask(value)


def redact_set_cookie(value: str, c: Collector) -> str:
    """Every cookie of a Set-Cookie value (browsers join several with newlines or commas) masked;
    names and attributes (Path, Expires, HttpOnly) kept."""
    out = []
    for piece, sep in _split_keep(value, _SET_COOKIE_SPLIT):
        first, semi, attributes = piece.partition(";")
        k, eq, v = first.partition("=")
        shown = f"{k}={c.mask(v.strip()) if v.strip() else ''}" if eq else c.mask(first)
        out.append(f"{shown}{semi}{c.shapes(attributes)}{sep}")
    return "".join(out)


def _split_keep(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    pieces, at = [], 0
    for m in pattern.finditer(text):
        pieces.append((text[at : m.start()], m.group(0)))
        at = m.end()
    pieces.append((text[at:], ""))
    return pieces


def redact_header(name: str, value: str, c: Collector) -> str:
    low = name.strip().lower()
    if low in ("authorization", "proxy-authorization"):
        return redact_authorization(value, c)
    if low == "cookie":
        return "; ".join(
            f"{k}={c.mask(v)}" if sep else c.mask(k)
            for k, sep, v in (p.strip().partition("=") for p in value.split(";") if p.strip())
        )
    if low in ("set-cookie", "set-cookie2"):
        return redact_set_cookie(value, c)
    if low in ("www-authenticate", "proxy-authenticate"):
        return (
            redact_authorization(value, c, challenge=True)
            if value.strip().lower().startswith("oauth")
            else c.shapes(value)
        )
    if low not in PUBLIC_HEADERS and secret_name(low):
        return value if value.strip().lower() in PUBLIC_VALUES else c.mask(value)
    if low in URL_HEADERS:
        return redact_text(value, "", c)
    return redact_text(value, "", c, 1)


# -- bodies --------------------------------------------------------------------------------------------


def redact_text(text: str, mime: str, c: Collector, depth: int = 0) -> str:
    """A body or any string: parsed by its declared type or its look (JSON, multipart, form, URL,
    XML/HTML, STOMP frame), plain text otherwise. A part declared JSON or multipart that does not
    parse is masked whole."""
    if not text:
        return text
    if len(text) > MAX_BODY:
        return wholesale(text, mime, f"larger than the {MAX_BODY // (1024 * 1024)} MB it reads")
    if depth > MAX_DEPTH:
        return c.shapes(text)
    low = mime.lower()
    stripped = text.strip()
    head = stripped[:1]
    if "json" in low or (head in ("{", "[") and stripped[-1:] in ("}", "]")):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            if "json" in low:
                return wholesale(text, mime, "declared JSON but not valid JSON")
        else:
            if isinstance(parsed, (dict, list)) or "json" in low:
                masked = redact_json(parsed, c, level=depth + 1)
                return text if masked == parsed else json.dumps(masked, ensure_ascii=False)
    if "multipart/" in low or (stripped.startswith("--") and "content-disposition" in stripped[:2000].lower()):
        masked = redact_multipart(text, mime, c, depth)
        return masked if masked is not None else wholesale(text, mime, "multipart body that does not parse")
    if "x-www-form-urlencoded" in low or (
        "=" in stripped
        and not _SPACE.search(stripped)
        and head not in ("<", "{", "[")
        and "://" not in stripped.partition("=")[0]
    ):
        masked = redact_form(stripped, c, depth)
        return text if masked == stripped else masked
    if not _SPACE.search(stripped) and _URL_IN_TEXT.match(stripped):
        return redact_url(text, c, depth)
    if "xml" in low or "html" in low or head == "<":
        return redact_markup(text, c, depth)
    if _STOMP.match(text):
        return redact_stomp(text, c, depth)
    return redact_plain(text, c, depth)


def redact_plain(text: str, c: Collector, depth: int = 0) -> str:
    """Prose or code: secret shapes, ``name=value``/``name: value`` secrets, URLs in it (userinfo,
    query), percent-encoded ``name%3Dvalue`` secrets."""
    text = c.shapes(text)
    if "://" in text:
        text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0), c, depth + 1), text)
    return text


def redact_json(value: Any, c: Collector, depth: int = 0, level: int = 0) -> Any:
    """Every value under a secret key masked, however deep (a token object, an array of tokens);
    ``{"name": "password", "value": …}`` pairs too; every other string read as text again.
    ``depth``: nesting inside this JSON; ``level``: how many encodings this JSON sits in."""
    if depth > MAX_JSON_DEPTH:
        return MASK
    if isinstance(value, dict):
        pair_name = next(
            (value[k] for k in ("name", "key", "field", "param", "header", "id") if isinstance(value.get(k), str)), None
        )
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k)
            if (
                key.lower() in ("value", "values", "content", "text")
                and pair_name is not None
                and secret_param(pair_name)
            ):
                out[k] = mask_all(v, c)
            elif _secret_key(key, v):
                out[k] = mask_all(v, c)
            else:
                out[k] = redact_json(v, c, depth + 1, level)
        return out
    if isinstance(value, list):
        return [redact_json(v, c, depth + 1, level) for v in value]
    if isinstance(value, str):
        return redact_text(value, "", c, level + 1)
    return value


def _secret_key(key: str, value: Any) -> bool:
    if key.lower() == "key":  # Jira's own JSON: issue, project and user keys ("PIP-1", "JIRAUSER10100")
        return isinstance(value, str) and _opaque(value) and len(value) >= 16
    return secret_name(key)


def mask_all(value: Any, c: Collector) -> Any:
    """Every scalar inside ``value`` masked (its structure kept; booleans and nulls say nothing)."""
    if isinstance(value, dict):
        return {k: mask_all(v, c) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_all(v, c) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return c.mask(value)
    return c.mask(json.dumps(value))


def redact_multipart(text: str, mime: str, c: Collector, depth: int) -> str | None:
    """Each part of a multipart body: a part named as a secret masked whole, the others read by
    their own content type. None when the body does not parse (the caller masks it whole)."""
    m = re.search(r"""boundary="?([^";,\s]+)""", mime)
    boundary = m.group(1) if m else text.lstrip().split("\n", 1)[0].strip()[2:]
    if not boundary or f"--{boundary}" not in text:
        return None
    delimiter = f"--{boundary}"
    chunks = text.split(delimiter)
    out = [c.shapes(chunks[0])]
    for chunk in chunks[1:]:
        if chunk.startswith("--"):
            out.append(chunk)
            continue
        head, sep, body = chunk.partition("\r\n\r\n")
        if not sep:
            head, sep, body = chunk.partition("\n\n")
        if not sep:
            return None
        name = re.search(r"""(?i)\bname="?([^";\r\n]*)""", head)
        ctype = re.search(r"(?im)^content-type:\s*(.*)$", head)
        end = "\r\n" if body.endswith("\r\n") else "\n" if body.endswith("\n") else ""
        content = body[: len(body) - len(end)] if end else body
        if name and secret_param(name.group(1)):
            content = c.mask(content)
        else:
            content = redact_text(content, ctype.group(1).strip() if ctype else "", c, depth + 1)
        out.append(f"{c.shapes(head)}{sep}{content}{end}")
    return delimiter.join(out)


def redact_markup(text: str, c: Collector, depth: int = 0) -> str:
    """XML or HTML in one linear scan: the text inside a secret element (``<password>…</password>``,
    ``<token>``, ``<entry key="password">``) masked, secret attributes masked (``value`` and
    ``content`` of an element *named* as a secret: hidden ``atl_token`` inputs, the
    ``atlassian-token`` meta), every other attribute and text read as text (URLs, shapes)."""
    out: list[str] = []
    secret_open: list[str] = []  # the secret elements we are inside
    at = 0
    skip_to = 0
    for m in _TAG.finditer(text):
        if m.start() < skip_to:
            continue
        between = text[at : m.start()]
        if between:
            out.append(_markup_text(between, bool(secret_open), c, depth))
        at = m.end()
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        if len(attrs) > MAX_TAG:
            out.append(_markup_text(m.group(0), bool(secret_open), c, depth))
            continue
        local = tag.rsplit(":", 1)[-1]
        if closing:
            if secret_open and secret_open[-1] == tag:
                secret_open.pop()
            out.append(m.group(0))
            continue
        named = _naming(attrs)
        out.append(f"<{tag}{_markup_attrs(attrs, named, c, depth)}>")
        if attrs.rstrip().endswith("/") or local.lower() in _VOID:
            continue
        if local.lower() == "code":  # HTML's <code>: a verification code, or code shown as text
            leaf = re.compile(r"\s*([^<\s]{6,})\s*(</" + re.escape(tag) + r"\s*>)").match(text, m.end())
            if leaf and not _PLAIN_WORD.fullmatch(leaf.group(1)):
                out.append(text[m.end() : leaf.start(1)] + c.mask(leaf.group(1)) + text[leaf.end(1) : leaf.end()])
                at = skip_to = leaf.end()
        elif secret_name(local) and local.lower() not in ("script", "style"):
            secret_open.append(tag)  # <password>…</password>: everything inside, however nested
        elif named is not None and secret_param(named):
            leaf = re.compile(r"([^<]*)(</" + re.escape(tag) + r"\s*>)").match(text, m.end())
            if leaf:  # <entry key="password">…</entry>: its own text
                lead, core, trail = _strip_keep(leaf.group(1))
                out.append(lead + c.mask(core) + trail + leaf.group(2) if core else leaf.group(0))
                at = leaf.end()
                skip_to = at
    tail = text[at:]
    if tail:
        out.append(_markup_text(tail, bool(secret_open), c, depth))
    return "".join(out)


def _markup_text(text: str, secret: bool, c: Collector, depth: int) -> str:
    if secret and text.strip():
        lead, core, trail = _strip_keep(text)
        return lead + c.mask(core) + trail
    return _unescaped(text, lambda plain: redact_plain(plain, c, depth))


def _unescaped(text: str, redact: Callable[[str], str]) -> str:
    """Redact markup text as the reader sees it (``&quot;token&quot;:…`` is ``"token":…``); the
    original bytes kept when nothing in it was secret."""
    if "&" not in text:
        return redact(text)
    plain = html.unescape(text)
    masked = redact(plain)
    if masked == plain:
        return text
    return html.escape(masked, quote=True)


def _strip_keep(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def _naming(attrs: str) -> str | None:
    for m in _ATTR.finditer(attrs):
        if m.group(1).lower() in _NAMING_ATTRS:
            return m.group(3).strip("\"'")
    return None


def _markup_attrs(attrs: str, named: str | None, c: Collector, depth: int) -> str:
    secret_named = named is not None and secret_param(named)

    def one(m: re.Match[str]) -> str:
        name, eq, raw = m.group(1), m.group(2), m.group(3)
        quote = raw[0] if raw[:1] in ("'", '"') else ""
        value = raw[1:-1] if quote else raw
        low = name.lower()
        if (secret_named and low in _VALUE_ATTRS) or (low not in _NAMING_ATTRS and secret_name(low)):
            value = c.mask(value) if value else value
        elif low not in _NAMING_ATTRS and value:
            value = _unescaped(value, lambda plain: redact_text(plain, "", c, depth + 1))
        return f"{name}{eq}{quote}{value}{quote}"

    return _ATTR.sub(one, attrs)


def redact_stomp(text: str, c: Collector, depth: int) -> str:
    """A STOMP frame: the ``login`` and ``passcode`` headers (and any secret-named one) masked, the
    command, other headers and the body (read as text) kept."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and (name.strip().lower() in ("login", "passcode") or secret_name(name)):
            value = c.mask(value.rstrip("\r")) + ("\r" if value.endswith("\r") else "")
        out.append(f"{name}{colon}{value}")
    return (
        "\n".join(out)
        + sep
        + (
            redact_text(body.rstrip("\x00"), "", c, depth + 1) + "\x00" * (len(body) - len(body.rstrip("\x00")))
            if body
            else ""
        )
    )


# -- the entry -----------------------------------------------------------------------------------------


def redact_entry(raw: Any, c: Collector) -> Any:
    """A copy of one HAR entry with every secret masked (same keys; masked values are strings)."""
    if not isinstance(raw, dict):
        return echo(redact_json(raw, c), c)
    entry: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("request", "response") and isinstance(value, dict):
            entry[key] = _message(value, c)
        elif key == "_webSocketMessages" and isinstance(value, list):
            entry[key] = [_frame(f, c) for f in value]
        else:
            entry[key] = _field(str(key), value, c)
    return echo(entry, c)


def _field(key: str, value: Any, c: Collector) -> Any:
    if key.startswith("_") and key not in KNOWN_EXTENSIONS:
        return _unknown(key, value, c)
    return redact_json({key: value}, c)[key]


def _unknown(key: str, value: Any, c: Collector, depth: int = 0) -> Any:
    """A vendor extension nobody documented: secret keys masked as anywhere, and any opaque
    token-like string masked too (it cannot be told from a credential)."""
    if secret_name(key.lstrip("_")) and not isinstance(value, (dict, list)):
        return mask_all(value, c)
    if depth > MAX_JSON_DEPTH:
        return MASK
    if isinstance(value, dict):
        return {
            k: (mask_all(v, c) if _secret_key(str(k), v) else _unknown("x", v, c, depth + 1)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_unknown("x", v, c, depth + 1) for v in value]
    if isinstance(value, str):
        if len(value) > MAX_BODY:
            return wholesale(value, "", "an unknown extension's value larger than it reads")
        if not value.startswith(("http://", "https://")):
            value = _RUN.sub(lambda m: c.mask(m.group(0)) if _opaque(m.group(0)) else m.group(0), value)
        return redact_text(value, "", c, 1)
    return value


def _opaque(text: str) -> bool:
    """A token-like run: 12 or more URL-safe characters, letters and digits mixed, no spaces."""
    return bool(_RUN.fullmatch(text)) and any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text)


def _frame(frame: Any, c: Collector) -> Any:
    if not isinstance(frame, dict):
        return _field("_webSocketMessages", frame, c)
    return {
        k: (redact_text(v, "", c) if k == "data" and isinstance(v, str) else _field(str(k), v, c))
        for k, v in frame.items()
    }


def _message(part: dict[str, Any], c: Collector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    handlers: dict[str, Callable[[Any], Any]] = {
        "headers": lambda v: [_header(h, c) for h in v] if isinstance(v, list) else _field("headers", v, c),
        "cookies": lambda v: [_cookie(k, c) for k in v] if isinstance(v, list) else _field("cookies", v, c),
        "url": lambda v: redact_url(v, c) if isinstance(v, str) else _field("url", v, c),
        "redirectURL": lambda v: redact_url(v, c) if isinstance(v, str) else _field("redirectURL", v, c),
        "queryString": lambda v: [_param(p, c) for p in v] if isinstance(v, list) else _field("queryString", v, c),
        "postData": lambda v: _post(v, c) if isinstance(v, dict) else _field("postData", v, c),
        "content": lambda v: _content(v, c) if isinstance(v, dict) else _field("content", v, c),
    }
    for key, value in part.items():
        handler = handlers.get(str(key))
        out[key] = handler(value) if handler else _field(str(key), value, c)
    return out


def _header(h: Any, c: Collector) -> Any:
    if not isinstance(h, dict) or not isinstance(h.get("value"), str):
        return _field("header", h, c)
    return {
        **{k: _field(str(k), v, c) for k, v in h.items() if k not in ("name", "value")},
        "name": h.get("name"),
        "value": redact_header(str(h.get("name", "")), h["value"], c),
    }


def _cookie(k: Any, c: Collector) -> Any:
    if not isinstance(k, dict):
        return _field("cookie", k, c)
    return {
        key: (mask_all(v, c) if key == "value" else v if key == "name" else _field(str(key), v, c))
        for key, v in k.items()
    }


def _param(p: Any, c: Collector) -> Any:
    if not isinstance(p, dict):
        return _field("param", p, c)
    name = str(p.get("name", ""))
    out: dict[str, Any] = {}
    for key, v in p.items():
        if key == "value" and secret_param(name):
            out[key] = mask_all(v, c)
        elif key == "value" and name == "oauth_signature_base_string" and isinstance(v, str):
            out[key] = redact_base_string(v, c)
        elif key == "value" and isinstance(v, str):
            out[key] = redact_text(v, "", c, 1)
        elif key == "name":
            out[key] = v
        else:
            out[key] = _field(str(key), v, c)
    return out


def _post(post: dict[str, Any], c: Collector) -> dict[str, Any]:
    mime = str(post.get("mimeType", ""))
    out: dict[str, Any] = {}
    for key, v in post.items():
        if key == "text" and isinstance(v, str):
            out[key] = redact_text(v, mime, c)
        elif key == "params" and isinstance(v, list):
            out[key] = [_param(p, c) for p in v]
        else:
            out[key] = _field(str(key), v, c)
    return out


def _content(content: dict[str, Any], c: Collector) -> dict[str, Any]:
    out = {k: (v if k == "text" else _field(str(k), v, c)) for k, v in content.items()}
    text, mime = content.get("text"), str(content.get("mimeType", ""))
    if not isinstance(text, str):
        return out
    if str(content.get("encoding", "")).lower() != "base64":
        out["text"] = redact_text(text, mime, c)
        return out
    if len(text) > MAX_BODY * 4 // 3 + 4:
        out.pop("encoding", None)
        out["text"] = wholesale(text, mime, f"a base64 body larger than the {MAX_BODY // (1024 * 1024)} MB it reads")
        return out
    try:
        data = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        out.pop("encoding", None)
        out["text"] = wholesale(text, mime, "declared base64 but not base64")
        return out
    try:
        decoded, codec = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        decoded, codec = data.decode("latin-1"), "latin-1"  # binary: shapes and echoes still found, bytes kept
    masked = redact_text(decoded, mime, c) if codec == "utf-8" else c.shapes(decoded)
    masked = c.echoes(masked)
    out["text"] = text if masked == decoded else base64.b64encode(masked.encode(codec, "replace")).decode("ascii")
    return out


def echo(value: Any, c: Collector, depth: int = 0) -> Any:
    """The value pass over any JSON value: every known secret, in any encoding, masked (keys too)."""
    if not c.echoes_on or depth > MAX_JSON_DEPTH + 8:
        return value
    if isinstance(value, str):
        return c.echoes(value)
    if isinstance(value, dict):
        return {(c.echoes(k) if isinstance(k, str) else k): echo(v, c, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [echo(v, c, depth + 1) for v in value]
    return value


def scrub_strings(value: Any, c: Collector, depth: int = 0) -> Any:
    """Every string anywhere (keys too) read as text and masked by key semantics."""
    return echo(redact_json(value, c, depth), c)


def collect(src: IO[bytes], c: Collector) -> None:
    """The first pass: learn every secret the file holds (the entries and the ``log`` fields)."""
    stream = HarStream()
    for raw in iter_entries(src, stream):
        redact_entry(raw, c)
    for key, value in stream.meta.items():
        _field(str(key), value, c)


def write_redacted(src: IO[bytes], dst: IO[str], c: Collector | None = None) -> HarStream:
    """Stream ``src`` to ``dst`` as a safe HAR: entries masked one at a time, never all in memory.

    Reads ``src`` twice when it can seek: first to learn every secret, then to write with the value
    pass on (a secret echoed before the place that reveals it is masked too). The ``log`` fields
    other than entries (version, creator, pages…) are written after the entries (JSON member order
    is free). Returns the stream state: ``problem`` says when the source was cut short.
    """
    c = c or Collector()
    if src.seekable():
        start = src.tell()
        collect(src, c)
        src.seek(start)
    c.echoes_on = True
    stream = HarStream()
    dst.write('{"log": {"entries": [')
    first = True
    for raw in iter_entries(src, stream):
        dst.write(("" if first else ",") + "\n" + json.dumps(redact_entry(raw, c), ensure_ascii=False))
        first = False
    dst.write("\n]")
    meta = dict(stream.meta)
    meta.setdefault("version", "1.2")
    meta.setdefault("creator", {"name": "jiradoctor", "version": "redacted copy"})
    for key, value in meta.items():
        safe = echo(_field(str(key), value, c), c)
        dst.write(f", {json.dumps(str(key))}: {json.dumps(safe, ensure_ascii=False)}")
    dst.write("}}\n")
    return stream
