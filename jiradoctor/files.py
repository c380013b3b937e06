"""Reading a file someone gave us: its size checked before a byte is read, and never more than a bound.

Why one reader: every input file (server.xml, PEM keys, the pasted public key, a CA bundle, a JVM
truststore, a proxy config, a saved report, a TOML config or profile file) may be hostile or simply
wrong: a 1 GB file, ``/dev/zero``, a FIFO nobody writes to. Reading it whole first costs its size in
memory; reading a device never ends. Here a regular file larger than its bound is refused from its
``stat`` alone, anything else (a pipe such as ``<(vault read …)``, a device) is read in chunks up to
one byte past the bound, and a pipe that does not end is given up after :data:`WAIT_S`.
The bounds are generous for real files (a server.xml or PEM key is a few KB, a cacerts a few
hundred KB, the largest real report a few MB).
"""

from __future__ import annotations

import os
import select
import stat
import time
from pathlib import Path

KB, MB = 1024, 1024 * 1024
MAX_KEY_OR_XML = 1_000_000  # server.xml, PEM private key, the pasted public key
MAX_CA_BUNDLE = 16 * MB  # certifi's bundle is ~300 KB; a corporate one a few MB
MAX_TRUSTSTORE = 16 * MB  # Java's cacerts is ~200 KB
MAX_PROXY_CONFIG = 1_000_000  # each nginx/Apache file (includes counted one by one)
MAX_REPORT = 64 * MB  # a saved JSON report (render, merge, diff, --baseline)
MAX_TOML = 1_000_000  # --config, --profile-file
WAIT_S = 10.0  # how long reading a pipe or device may take before we give up
_CHUNK = MB


class FileProblem(ValueError):
    """Why a file cannot be read, in words a usage error or a finding can show."""


def _size(limit: int) -> str:
    return f"{limit // MB} MB" if limit % MB == 0 else f"{limit:,} bytes"


def too_large(path_shown: str, what: str, limit: int) -> FileProblem:
    return FileProblem(f"{what} {path_shown!r} is larger than {_size(limit)}: not read (a real one is far smaller)")


def check_regular(path: str | Path, limit: int, what: str, shown: str | None = None) -> int:
    """The size of a regular file within ``limit``, for a library that opens the file itself
    (crossplane); a pipe or device is refused, since the library would read it unbounded.
    ``shown``: how messages name the file (default: the path as given)."""
    path_shown = shown or str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileProblem(f"cannot read {what} {path_shown!r}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{what} {path_shown!r} is not a regular file: not read")
    if info.st_size > limit:
        raise too_large(path_shown, what, limit)
    return info.st_size


def read_bounded(
    path: str | Path, limit: int, what: str, wait_s: float = WAIT_S, shown: str | None = None
) -> bytes:
    """The file's bytes, at most ``limit`` of them; :class:`FileProblem` when it is larger, cannot
    be opened, or is a pipe or device that does not end within ``wait_s`` seconds.
    ``shown``: how messages name the file (default: the path as given)."""
    path_shown = shown or str(path)
    try:
        # O_NONBLOCK: opening a FIFO without a writer must not hang; regular files ignore it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblem(f"cannot read {what} {path_shown!r}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{what} {path_shown!r} is a folder, not a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise too_large(path_shown, what, limit)
        expected = info.st_size if stat.S_ISREG(info.st_mode) else None
        return _read_fd(fd, path_shown, limit, what, wait_s, expected)
    finally:
        os.close(fd)


def _read_fd(fd: int, path_shown: str, limit: int, what: str, wait_s: float, expected: int | None) -> bytes:
    """Up to ``limit + 1`` bytes; a regular file (``expected``: its size) in one read, without a copy."""
    chunks: list[bytes] = []
    total = 0
    deadline = time.monotonic() + wait_s
    while total <= limit:
        want = limit + 1 - total
        if expected is not None and total <= expected:
            want = min(want, expected + 1 - total)  # the whole file in one read (and one byte past it)
        else:
            want = min(want, _CHUNK)  # a pipe, a device, or a file that grew since fstat
        try:
            chunk = os.read(fd, want)
        except BlockingIOError:  # a pipe with a writer that has sent nothing yet
            left = deadline - time.monotonic()
            if left <= 0:
                raise FileProblem(f"{what} {path_shown!r} did not end within {wait_s:g} s: not read") from None
            select.select([fd], [], [], left)
            continue
        except OSError as exc:
            raise FileProblem(f"cannot read {what} {path_shown!r}: {exc.strerror or exc}") from None
        if not chunk:
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise too_large(path_shown, what, limit)
