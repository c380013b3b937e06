"""Mask every secret in a HAR entry, keeping it a valid HAR entry; write a whole safe copy.

Known places are handled by their meaning (headers and cookies by name, URLs and form bodies
per parameter, JSON bodies per key, the OAuth base string Jira echoes per parameter); then every
string left anywhere in the entry (initiator stacks, comments, vendor fields) is searched for
secret shapes. The :class:`~jiradoctor.har.shapes.Collector` keeps what was masked, so the
findings built from the same file can be scrubbed of those values as well.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.parse
from typing import IO, Any

from jiradoctor.har.reader import HarStream, iter_entries
from jiradoctor.har.shapes import SECRET_HEADERS, Collector, secret_name
from jiradoctor.secrets import MASK

MAX_JSON_BODY = 4 * 1024 * 1024  # larger bodies are masked as text, not parsed


def redact_url(url: str, c: Collector) -> str:
    """Userinfo password, secret query and fragment parameters, secret shapes in the path."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return c.shapes(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, sep, password = userinfo.partition(":")
        netloc = f"{user}{sep}{c.mask(password) if sep else ''}@{host}"
    query = redact_form(parts.query, c)
    fragment = redact_form(parts.fragment, c) if "=" in parts.fragment else c.shapes(parts.fragment)
    return urllib.parse.urlunsplit((parts.scheme, netloc, c.shapes(parts.path), query, fragment))


def redact_form(text: str, c: Collector) -> str:
    """``a=1&b=2`` with each secret value masked in place (raw encoding of the rest kept)."""
    if not text:
        return text
    out = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        plain_name = urllib.parse.unquote_plus(name)
        plain_value = urllib.parse.unquote_plus(value)
        if sep and secret_name(plain_name):
            value = c.mask(value)
        elif sep and plain_name == "oauth_signature_base_string":
            value = urllib.parse.quote(redact_base_string(plain_value, c), safe="")
        elif sep:
            masked = c.shapes(plain_value)
            value = value if masked == plain_value else urllib.parse.quote_plus(masked, safe="*")
        else:
            name = c.shapes(name)
        out.append(f"{name}{sep}{value}")
    return "&".join(out)


def redact_base_string(text: str, c: Collector) -> str:
    """An OAuth base string (``METHOD&url&params``, each part percent-encoded) with secret parameters
    masked but names, URL and order kept, so the base-string diff still works on the safe copy."""
    parts = text.split("&")
    if len(parts) != 3:
        return c.shapes(text)
    method, url, params = parts
    plain_url = urllib.parse.unquote(url)
    url = urllib.parse.quote(redact_url(plain_url, c), safe="")
    plain = urllib.parse.unquote(params)
    pairs = []
    for pair in plain.split("&"):
        name, sep, value = pair.partition("=")
        if sep and secret_name(urllib.parse.unquote(name)):
            value = c.mask(value)
            c.mask(urllib.parse.unquote(value)) if value != MASK else None
        pairs.append(f"{name}{sep}{value}")
    return "&".join((method, url, urllib.parse.quote("&".join(pairs), safe="")))


def redact_authorization(value: str, c: Collector) -> str:
    """Keep the scheme (and OAuth's public parameters); mask the credential."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "oauth":
        from jiradoctor.jira.oauth1 import parse_www_authenticate

        params = parse_www_authenticate(value)
        shown = []
        for name, item in params.items():
            if secret_name(name):
                c.mask(item)
                # the raw (percent-encoded) form of the value too
                c.found.add(urllib.parse.quote(item, safe=""))
                item = MASK
            shown.append(f'{name}="{urllib.parse.quote(c.shapes(item), safe="*:/.-_~")}"')
        return "OAuth " + ", ".join(shown)
    if rest:
        c.mask(rest.strip())
        if scheme.lower() == "basic":  # Basic carries user:password; remember the password alone too
            try:
                decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8", "replace")
                c.mask(decoded.partition(":")[2]) if ":" in decoded else None
            except (binascii.Error, ValueError):
                pass
        return f"{scheme} {MASK}"
    return c.mask(value)


def redact_header(name: str, value: str, c: Collector) -> str:
    low = name.lower()
    if low in ("authorization", "proxy-authorization"):
        return redact_authorization(value, c)
    if low == "cookie":
        return "; ".join(
            f"{k}={c.mask(v)}" if sep else c.mask(k)
            for k, sep, v in (p.strip().partition("=") for p in value.split(";") if p.strip())
        )
    if low in ("set-cookie", "set-cookie2"):
        first, sep, attributes = value.partition(";")
        k, eq, v = first.partition("=")
        return f"{k.strip()}={c.mask(v.strip())}{sep}{attributes}" if eq else c.mask(value)
    if low in SECRET_HEADERS:
        return c.mask(value)
    if low == "www-authenticate":
        return redact_authorization(value, c) if value.strip().lower().startswith("oauth") else c.shapes(value)
    if low in ("location", "referer", "content-location", "origin"):
        return redact_url(value, c)
    return c.shapes(value)


def redact_json(value: Any, c: Collector, depth: int = 0) -> Any:
    if depth > 64:
        return MASK
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if secret_name(str(k)) and isinstance(v, (str, int, float)) and not isinstance(v, bool):
                out[k] = c.mask(str(v))
            else:
                out[k] = redact_json(v, c, depth + 1)
        return out
    if isinstance(value, list):
        return [redact_json(v, c, depth + 1) for v in value]
    if isinstance(value, str):
        return redact_text(value, "", c)
    return value


def redact_text(text: str, mime: str, c: Collector) -> str:
    """A body: JSON per key, a form per parameter, anything else by shape."""
    if not text:
        return text
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[") and len(text) <= MAX_JSON_BODY:
        try:
            return json.dumps(redact_json(json.loads(text), c), ensure_ascii=False)
        except (ValueError, RecursionError):
            pass
    if "x-www-form-urlencoded" in mime.lower() or (
        "=" in text and "\n" not in text.strip() and " " not in text.strip() and not stripped.startswith("<")
    ):
        return redact_form(text.strip(), c)
    if stripped.startswith(("http://", "https://")) and "\n" not in stripped:
        return redact_url(text, c)
    return c.shapes(text)


def redact_entry(raw: Any, c: Collector) -> Any:
    """A copy of one HAR entry with every secret masked (same keys, same types)."""
    if not isinstance(raw, dict):
        return scrub_strings(raw, c)
    entry = dict(raw)
    for side in ("request", "response"):
        part = entry.get(side)
        if not isinstance(part, dict):
            continue
        part = dict(part)
        if isinstance(part.get("headers"), list):
            part["headers"] = [
                {**h, "value": redact_header(str(h.get("name", "")), h["value"], c)}
                if isinstance(h, dict) and isinstance(h.get("value"), str)
                else scrub_strings(h, c)
                for h in part["headers"]
            ]
        if isinstance(part.get("cookies"), list):
            part["cookies"] = [
                {**k, "value": c.mask(k["value"])}
                if isinstance(k, dict) and isinstance(k.get("value"), str)
                else scrub_strings(k, c)
                for k in part["cookies"]
            ]
        if isinstance(part.get("url"), str):
            part["url"] = redact_url(part["url"], c)
        if isinstance(part.get("redirectURL"), str):
            part["redirectURL"] = redact_url(part["redirectURL"], c)
        if isinstance(part.get("queryString"), list):
            part["queryString"] = [_redact_param(p, c) for p in part["queryString"]]
        post = part.get("postData")
        if isinstance(post, dict):
            post = dict(post)
            if isinstance(post.get("text"), str):
                post["text"] = redact_text(post["text"], str(post.get("mimeType", "")), c)
            if isinstance(post.get("params"), list):
                post["params"] = [_redact_param(p, c) for p in post["params"]]
            part["postData"] = post
        content = part.get("content")
        if isinstance(content, dict) and isinstance(content.get("text"), str):
            content = dict(content)
            content["text"] = _redact_content(content, c)
            part["content"] = content
        entry[side] = part
    return scrub_strings(entry, c)


def _redact_param(p: Any, c: Collector) -> Any:
    if not isinstance(p, dict) or not isinstance(p.get("value"), str):
        return scrub_strings(p, c)
    name = str(p.get("name", ""))
    if secret_name(name):
        return {**p, "value": c.mask(p["value"])}
    if name == "oauth_signature_base_string":
        return {**p, "value": redact_base_string(p["value"], c)}
    return {**p, "value": redact_text(p["value"], "", c)}


def _redact_content(content: dict[str, Any], c: Collector) -> str:
    text, mime = content["text"], str(content.get("mimeType", ""))
    if str(content.get("encoding", "")).lower() != "base64":
        return redact_text(text, mime, c)
    try:
        data = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return c.shapes(text)
    try:
        decoded, codec = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        decoded, codec = data.decode("latin-1"), "latin-1"  # binary: shapes still found, bytes kept
    masked = redact_text(decoded, mime, c) if codec == "utf-8" else c.shapes(decoded)
    return text if masked == decoded else base64.b64encode(masked.encode(codec, "replace")).decode("ascii")


def scrub_strings(value: Any, c: Collector, depth: int = 0) -> Any:
    """Every string anywhere (keys too) searched for secret shapes and URL tokens."""
    if depth > 64:
        return value
    if isinstance(value, str):
        return (
            redact_url(value, c) if value.startswith(("http://", "https://")) and " " not in value else c.shapes(value)
        )
    if isinstance(value, dict):
        return {
            scrub_strings(k, c, depth + 1) if isinstance(k, str) else k: scrub_strings(v, c, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_strings(v, c, depth + 1) for v in value]
    return value


def write_redacted(src: IO[bytes], dst: IO[str], c: Collector | None = None) -> HarStream:
    """Stream ``src`` to ``dst`` as a safe HAR: entries masked one at a time, never all in memory.

    The ``log`` fields other than entries (version, creator, pages…) are written after the
    entries (JSON member order is free); pages' titles can hold URLs with tokens, so they are
    scrubbed too. Returns the stream state: ``problem`` says when the source was cut short.
    """
    c = c or Collector()
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
        dst.write(f", {json.dumps(str(key))}: {json.dumps(scrub_strings(value, c), ensure_ascii=False)}")
    dst.write("}}\n")
    return stream
