"""The key-derivation work a PKCS#12 file asks for, read from its ASN.1 before any derivation runs.

Why: a PKCS#12 store names its own iteration counts (the MAC's, each encrypted part's PBKDF2 or
PKCS#12 PBE); one with 2^31-1 iterations makes the library hash for minutes while holding the GIL,
so neither the event loop nor ``--timeout`` gets a turn. Java refuses a count above 5,000,000
(``PKCS12KeyStore.MAX_ITERATION_COUNT``: "MAC iteration count too large", "PBE iteration count too
large"), so Jira's JVM could not open such a store either; we refuse it from the counts alone.

The walk is generic: every SEQUENCE that starts with a PBE or PBKDF2 algorithm identifier is read,
in OCTET STRINGs that hold DER too (the authenticated safe), BER indefinite lengths included. A
file this walk cannot read is refused, never handed to the library unread.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ITERATIONS = 5_000_000  # Java's own limit per count (PKCS12KeyStore)
MAX_TOTAL_ITERATIONS = 10_000_000  # all counts together: a few seconds of hashing at most
_MAX_NODES = 200_000  # TLVs walked; a 16 MB store of certificates has far fewer
_MAX_DEPTH = 32

_PKCS12_PBE = bytes.fromhex("2a864886f70d010c01")  # 1.2.840.113549.1.12.1.x (pbeWithSHAAnd…)
_PBES1 = {bytes.fromhex("2a864886f70d0105") + bytes([arc]) for arc in (1, 3, 4, 6, 10, 11)}  # pbeWithMD5AndDES…
_PBKDF2 = bytes.fromhex("2a864886f70d01050c")  # 1.2.840.113549.1.5.12 (inside PBES2 and PBMAC1)


class Pkcs12Unreadable(ValueError):
    """Not DER/BER this walk can read (refused before the library runs)."""


@dataclass(frozen=True)
class Pkcs12Cost:
    """``mac``: the MAC's iteration count (None: no MAC); ``derivations``: every PBE/PBKDF2 count seen."""

    mac: int | None
    derivations: tuple[int, ...]

    @property
    def largest(self) -> int:
        return max((self.mac or 0, *self.derivations))

    @property
    def total(self) -> int:
        return (self.mac or 0) + sum(self.derivations)

    def problem(self) -> str | None:
        """Why this store is refused before any key derivation, or None."""
        if self.mac is not None and self.mac > MAX_ITERATIONS:
            return f"its MAC asks for {self.mac:,} iterations (Java refuses more than {MAX_ITERATIONS:,})"
        too_many = [n for n in self.derivations if n > MAX_ITERATIONS]
        if too_many:
            return (
                f"an encrypted part asks for {max(too_many):,} key-derivation iterations "
                f"(Java refuses more than {MAX_ITERATIONS:,})"
            )
        if self.total > MAX_TOTAL_ITERATIONS:
            return f"it asks for {self.total:,} iterations in all (more than {MAX_TOTAL_ITERATIONS:,})"
        return None


@dataclass(frozen=True)
class _Node:
    tag: int
    start: int  # content start
    end: int  # content end
    children: tuple["_Node", ...] | None  # None: primitive


class _Walker:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.nodes = 0

    def node(self, pos: int, limit: int, depth: int) -> tuple[_Node, int]:
        """The TLV at ``pos`` (within ``limit``) and the position after it."""
        data = self.data
        self.nodes += 1
        if self.nodes > _MAX_NODES or depth > _MAX_DEPTH:
            raise Pkcs12Unreadable("too many or too deeply nested ASN.1 elements")
        if pos + 2 > limit:
            raise Pkcs12Unreadable("truncated ASN.1")
        tag = data[pos]
        if tag & 0x1F == 0x1F:
            raise Pkcs12Unreadable("a high tag number (not PKCS#12)")
        first = data[pos + 1]
        pos += 2
        constructed = bool(tag & 0x20)
        if first == 0x80:  # BER indefinite length: children until the end-of-contents marker
            if not constructed:
                raise Pkcs12Unreadable("an indefinite length on a primitive element")
            children: list[_Node] = []
            while True:
                if pos + 2 > limit:
                    raise Pkcs12Unreadable("truncated ASN.1")
                if data[pos] == 0 and data[pos + 1] == 0:
                    return _Node(tag, pos, pos, tuple(children)), pos + 2
                child, pos = self.node(pos, limit, depth + 1)
                children.append(child)
        if first & 0x80:
            count = first & 0x7F
            if count > 4 or pos + count > limit:
                raise Pkcs12Unreadable("an ASN.1 length beyond the file")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        else:
            length = first
        end = pos + length
        if end > limit:
            raise Pkcs12Unreadable("an ASN.1 length beyond the file")
        if not constructed:
            return _Node(tag, pos, end, None), end
        return _Node(tag, pos, end, self.children(pos, end, depth + 1)), end

    def children(self, pos: int, end: int, depth: int) -> tuple[_Node, ...]:
        out = []
        while pos < end:
            child, pos = self.node(pos, end, depth)
            out.append(child)
        return tuple(out)

    def octets(self, node: _Node) -> bytes:
        """An OCTET STRING's value (a BER constructed one joined from its parts)."""
        if node.children is None:
            return self.data[node.start : node.end]
        return b"".join(self.octets(c) for c in node.children)

    def integer(self, node: _Node | None) -> int | None:
        if node is None or node.tag != 0x02 or node.children is not None:
            return None
        return int.from_bytes(self.data[node.start : node.end], "big", signed=True)

    def oid(self, node: _Node) -> bytes | None:
        return self.data[node.start : node.end] if node.tag == 0x06 and node.children is None else None


def _counts(walker: _Walker, node: _Node, found: list[int], depth: int) -> None:
    """Every PBE/PBKDF2 iteration count under ``node``; DER inside OCTET STRINGs walked too."""
    if depth > _MAX_DEPTH:
        raise Pkcs12Unreadable("too deeply nested")
    if node.tag in (0x04, 0x24):  # OCTET STRING: the authenticated safe and SafeContents are DER inside
        inner = walker.octets(node)
        if inner[:1] == b"\x30":
            try:
                sub = _Walker(inner)
                sub.nodes = walker.nodes
                parsed, after = sub.node(0, len(inner), 0)
                walker.nodes = sub.nodes
            except Pkcs12Unreadable:
                return  # a salt, a digest, ciphertext: not DER, nothing to count
            if after == len(inner):
                _counts(sub, parsed, found, depth + 1)
        return
    if node.children is None:
        return
    kids = node.children
    if node.tag == 0x30 and len(kids) >= 2 and (oid := walker.oid(kids[0])) is not None:
        params = kids[1]
        if oid == _PBKDF2 or oid in _PBES1 or (oid.startswith(_PKCS12_PBE) and len(oid) == len(_PKCS12_PBE) + 1):
            # PBKDF2-params and PBEParameter: SEQUENCE { salt, iterationCount, … }
            if params.tag != 0x30 or not params.children or len(params.children) < 2:
                raise Pkcs12Unreadable("a key-derivation algorithm without its parameters")
            count = walker.integer(params.children[1])
            if count is None:
                raise Pkcs12Unreadable("a key-derivation iteration count that is not an integer")
            found.append(count)
            return
    for kid in kids:
        _counts(walker, kid, found, depth + 1)


def pkcs12_cost(data: bytes) -> Pkcs12Cost:
    """The iteration counts ``data`` (a PFX) asks for; :class:`Pkcs12Unreadable` when it is no PFX."""
    walker = _Walker(data)
    pfx, after = walker.node(0, len(data), 0)
    if pfx.tag != 0x30 or not pfx.children or len(pfx.children) < 2 or walker.integer(pfx.children[0]) is None:
        raise Pkcs12Unreadable("not a PKCS#12 PFX")
    mac = None
    if len(pfx.children) >= 3:
        mac_data = pfx.children[2]
        parts = mac_data.children or ()
        if mac_data.tag != 0x30 or len(parts) < 2:
            raise Pkcs12Unreadable("a PKCS#12 MAC without its parts")
        mac = walker.integer(parts[2]) if len(parts) >= 3 else 1  # iterations DEFAULT 1
        if mac is None:
            raise Pkcs12Unreadable("a PKCS#12 MAC iteration count that is not an integer")
    found: list[int] = []
    for part in pfx.children[1:]:  # the authenticated safe, and the MAC (PBMAC1 names a PBKDF2)
        _counts(walker, part, found, 0)
    return Pkcs12Cost(mac, tuple(found))
