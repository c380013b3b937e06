"""Hostile PKCS#12 stores crafted in milliseconds: a healthy store with its MAC's iteration count rewritten.

Why crafted: asking a library for 2^31-1 iterations would take it minutes to write the store. The
MAC is the PFX's last element, so only its length and the PFX's outer length change; the MAC value
no longer matches, which does not matter: the count is what a reader must refuse before hashing.
"""

from __future__ import annotations


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + der_length(len(body)) + body


def split(der: bytes) -> tuple[int, bytes, bytes]:
    """(tag, content, rest) of the first DER element."""
    tag, first, pos = der[0], der[1], 2
    if first & 0x80:
        count = first & 0x7F
        length, pos = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    else:
        length = first
    return tag, der[pos : pos + length], der[pos + length :]


def elements(content: bytes) -> list[tuple[int, bytes]]:
    out = []
    while content:
        tag, body, content = split(content)
        out.append((tag, body))
    return out


def integer(n: int) -> bytes:
    return _tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def with_mac_iterations(pfx: bytes, iterations: int) -> bytes:
    """``pfx`` (DER, with a MAC) whose MacData asks for ``iterations``."""
    tag, content, _ = split(pfx)
    version, auth_safe, mac_data = elements(content)
    digest, salt = elements(mac_data[1])[:2]
    new_mac = _tlv(0x30, _tlv(*digest) + _tlv(*salt) + integer(iterations))
    return _tlv(tag, _tlv(*version) + _tlv(*auth_safe) + new_mac)
