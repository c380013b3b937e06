"""Decompression bombs built in milliseconds: one deflate block of zeros, repeated.

A full flush resets the compressor's window, so the compressed bytes of 1 MiB of zeros can be
repeated N times to give a valid stream of N MiB; the gzip trailer's CRC is computed, not guessed.
"""

from __future__ import annotations

import functools
import struct
import zlib

MIB = 1024 * 1024


@functools.lru_cache(maxsize=None)
def _block() -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(bytes(MIB)) + c.flush(zlib.Z_FULL_FLUSH)


def gzip_of_zeros(mib: int) -> bytes:
    """A valid gzip member that inflates to ``mib`` MiB of zeros."""
    crc, zero = 0, bytes(MIB)
    for _ in range(mib):
        crc = zlib.crc32(zero, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty final block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + _block() * mib + final + struct.pack("<II", crc, (mib * MIB) & 0xFFFFFFFF)


def gzip(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return c.compress(data) + c.flush()
