"""``--dns-server HOST[:PORT]``: the text a user types, taken apart (no I/O, so the input layer and
the DNS probe both use it without depending on each other)."""

from __future__ import annotations


def parse_server(text: str) -> tuple[str, int]:
    """``HOST[:PORT]``, ``[V6]:PORT`` or a bare IPv6 address (port 53 when none is given)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else 53
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, 53
