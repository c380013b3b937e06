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


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytes([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.insert(0, 0x80 | (arc & 0x7F))
        body += bytes(chunk)
    return _tlv(0x06, body)


def _pbes2(salt: bytes, iterations: int, iv: bytes) -> bytes:
    """AlgorithmIdentifier: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC."""
    prf = _tlv(0x30, _oid("1.2.840.113549.2.9") + b"\x05\x00")
    kdf = _tlv(0x30, _oid("1.2.840.113549.1.5.12") + _tlv(0x30, _tlv(0x04, salt) + integer(iterations) + prf))
    scheme = _tlv(0x30, _oid("2.16.840.1.101.3.4.1.42") + _tlv(0x04, iv))
    return _tlv(0x30, _oid("1.2.840.113549.1.5.13") + _tlv(0x30, kdf + scheme))


def hidden_key_iterations(password: bytes, iterations: int) -> bytes:
    """A PFX without a MAC whose only part is encrypted (2048 iterations, readable from outside) and
    holds a shrouded key asking for ``iterations``: a count no reader sees before decrypting."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    key_info = _tlv(0x30, _pbes2(b"k" * 8, iterations, b"v" * 16) + _tlv(0x04, b"\x00" * 48))
    bag = _tlv(0x30, _oid("1.2.840.113549.1.12.10.1.2") + _tlv(0xA0, key_info))
    safe_contents = _tlv(0x30, bag)
    salt, iv = b"s" * 8, b"i" * 16
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, 2048).derive(password)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(safe_contents) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(plain) + encryptor.finalize()
    content_info = _tlv(0x30, _oid("1.2.840.113549.1.7.1") + _pbes2(salt, 2048, iv) + _tlv(0x80, sealed))
    encrypted = _tlv(0x30, _oid("1.2.840.113549.1.7.6") + _tlv(0xA0, _tlv(0x30, integer(0) + content_info)))
    auth_safe = _tlv(0x30, encrypted)
    outer = _tlv(0x30, _oid("1.2.840.113549.1.7.1") + _tlv(0xA0, _tlv(0x04, auth_safe)))
    return _tlv(0x30, integer(3) + outer)
