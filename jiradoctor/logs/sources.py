"""Which files are Jira's logs, and how to read each one as a bounded byte stream.

A path given on the command line is read whatever its name (the user chose it); inside a support
zip only members whose names are Jira's, Tomcat's or an access log's are read. ``.gz`` files (and
``.gz`` members) are decompressed while streaming. Nothing is ever written to disk, so a member
named ``../../etc/passwd`` cannot land anywhere; it is still named as hostile and skipped. A
member or a gzip stream that inflates beyond :data:`MAX_RATIO` of its compressed size (once past
:data:`RATIO_FLOOR` bytes) is cut off as a decompression bomb: bounded time and memory.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

MAX_RATIO = 200  # real logs compress 10-30x; a bomb compresses 1000x and more
RATIO_FLOOR = 64 * 1024 * 1024  # below this much output, no ratio is suspicious
MAX_MEMBERS = 100_000  # a zip's central directory is read whole by zipfile: bound what we walk
MAX_NAME = 1024

_JIRA = re.compile(r"atlassian-jira(-security)?\.log(\.\d+)?(\.gz)?$")
_CATALINA = re.compile(r"catalina(\.out|\.[\w.-]*\.log)(\.\d+)?(\.gz)?$")
_ACCESS = re.compile(r"(access_log|access\.log)[\w.-]*?(\.txt|\.log)?(\.\d+)?(\.gz)?$")
_CLUSTER = "cluster.properties"


def kind_of(name: str) -> str | None:
    """``jira``, ``security``, ``catalina`` or ``access`` from a file name; None for anything else."""
    base = PurePosixPath(name.replace("\\", "/")).name
    if m := _JIRA.search(base):
        return "security" if m.group(1) else "jira"
    if _CATALINA.search(base):
        return "catalina"
    if _ACCESS.search(base):
        return "access"
    return None


@dataclass(frozen=True)
class SourceProblem:
    """A file or member that could not be read as it should (``kind``: unreadable, bomb, unsafe-name,
    no-logs); ``where`` names it."""

    kind: str
    where: str
    message: str


@dataclass(frozen=True)
class LogSource:
    """One log to read: ``label`` (the file, or ``zip!member``), its ``kind``, the ``node`` when a
    support zip says which cluster node it came from."""

    label: str
    kind: str
    node: str | None
    opener: "Opener"

    @property
    def plain_path(self) -> str | None:
        """The file itself, when it is an uncompressed file on disk (it can then be searched in place)."""
        o = self.opener
        return str(o.path) if o.member is None and not o.gz else None


class Opener:
    """Opens the source as a fresh binary stream (decompressed, bounded) each time it is called."""

    def __init__(self, path: Path, member: str | None, gz: bool, compressed_size: int | None) -> None:
        self.path, self.member, self.gz, self.compressed_size = path, member, gz, compressed_size

    def __call__(self) -> IO[bytes]:
        archive: zipfile.ZipFile | None = None
        if self.member is None:
            raw: IO[bytes] = open(self.path, "rb")
            size = self.path.stat().st_size
        else:
            archive = zipfile.ZipFile(self.path)
            raw = archive.open(self.member)
            size = self.compressed_size or 1
        if self.gz:
            inner: Any = gzip.GzipFile(fileobj=raw, mode="rb")
        elif archive is not None:
            inner = raw
        else:
            return raw
        return io.BufferedReader(BoundedStream(inner, size, raw, archive), 1024 * 1024)


class DecompressionBomb(Exception):
    """The stream inflated far beyond what a log compresses to."""


class BoundedStream(io.RawIOBase):
    """A decompressing stream that stops with :class:`DecompressionBomb` past MAX_RATIO of its input."""

    def __init__(self, inner: Any, compressed: int, closer: IO[bytes], archive: zipfile.ZipFile | None = None) -> None:
        self.inner, self.compressed, self.closer, self.out = inner, max(compressed, 1), closer, 0
        self.archive = archive

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "bytearray | memoryview") -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.out += n
        if self.out > RATIO_FLOOR and self.out > self.compressed * MAX_RATIO:
            raise DecompressionBomb(
                f"inflated to more than {MAX_RATIO}x its compressed size ({self.compressed} bytes) after "
                f"{self.out // (1024 * 1024)} MB"
            )
        return n

    def close(self) -> None:
        try:
            self.inner.close()
            self.closer.close()
            if self.archive is not None:
                self.archive.close()
        finally:
            super().close()


def _unsafe(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", name)) or "\x00" in name


def _node_from(properties: bytes) -> str | None:
    """``jira.node.id`` from a Data Center node's cluster.properties (a support zip carries it)."""
    for line in properties.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "jira.node.id" and value.strip():
            return value.strip()[:100]
    return None


def _node_for(member: str, nodes: dict[str, str]) -> str | None:
    """A support zip is one node's: its one cluster.properties names the node of every log in it; a zip
    holding several nodes' zips unpacked side by side is matched by top folder."""
    if len(set(nodes.values())) == 1:
        return next(iter(nodes.values()))
    top = PurePosixPath(member).parts[0] if "/" in member else ""
    return next((n for folder, n in nodes.items() if top and PurePosixPath(folder).parts[:1] == (top,)), None)


def _zip_sources(path: Path) -> tuple[list[LogSource], list[SourceProblem]]:
    sources: list[LogSource] = []
    problems: list[SourceProblem] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [], [SourceProblem("unreadable", path.name, f"not a readable zip ({type(exc).__name__})")]
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            problems.append(SourceProblem("bomb", path.name, f"{len(infos)} members; read the first {MAX_MEMBERS}"))
            infos = infos[:MAX_MEMBERS]
        nodes: dict[str, str] = {}  # folder -> node id
        for info in infos:
            if PurePosixPath(info.filename).name == _CLUSTER and info.file_size < 65536 and not _unsafe(info.filename):
                try:
                    node = _node_from(archive.read(info))
                except (zipfile.BadZipFile, OSError, ValueError, zlib.error, NotImplementedError):
                    node = None
                if node:
                    nodes[str(PurePosixPath(info.filename).parent)] = node
        for info in infos:
            name = info.filename[:MAX_NAME]
            if info.is_dir():
                continue
            if _unsafe(info.filename):
                problems.append(
                    SourceProblem("unsafe-name", f"{path.name}!{name!r}", "a member's name leaves the archive "
                                  "(absolute or '..'): a hostile or broken zip; skipped, nothing is extracted")
                )
                continue
            kind = kind_of(name)
            if kind is None:
                continue
            if info.compress_size and info.file_size > RATIO_FLOOR and info.file_size > info.compress_size * MAX_RATIO:
                problems.append(
                    SourceProblem("bomb", f"{path.name}!{name}", f"declares {info.file_size} bytes from "
                                  f"{info.compress_size} compressed: a decompression bomb; skipped")
                )
                continue
            node = _node_for(name, nodes)
            sources.append(
                LogSource(f"{path.name}!{name}", kind, node,
                          Opener(path, info.filename, name.endswith(".gz"), info.compress_size))
            )
    if not sources and not problems:
        problems.append(SourceProblem("no-logs", path.name, "the zip holds no atlassian-jira*.log, catalina or "
                                      "access log"))
    return sources, problems


def find_sources(paths: list[str]) -> tuple[list[LogSource], list[SourceProblem]]:
    """Every log to read among ``paths`` (files or support zips), and what could not be read."""
    sources: list[LogSource] = []
    problems: list[SourceProblem] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():  # an unpacked support zip or Jira's log folder: its logs found by name
            inside = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p.name))[:MAX_MEMBERS]
            if not inside:
                problems.append(SourceProblem("no-logs", path.name, "the folder holds no atlassian-jira*.log, "
                                              "catalina or access log"))
            paths_found = [str(p) for p in inside]
            more_sources, more_problems = find_sources(paths_found)
            sources += [LogSource(f"{path.name}/{Path(s.label).name}" if s.opener.member is None else s.label,
                                  s.kind, s.node, s.opener) for s in more_sources]
            problems += more_problems
            continue
        try:
            with open(path, "rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            problems.append(SourceProblem("unreadable", path.name, f"cannot open ({exc.strerror or exc})"))
            continue
        if magic[:4] == b"PK\x03\x04" or (magic[:4] == b"PK\x05\x06"):
            in_zip, trouble = _zip_sources(path)
            sources += in_zip
            problems += trouble
            continue
        gz = magic[:2] == b"\x1f\x8b"
        kind = kind_of(path.name[:-3] if gz and path.name.endswith(".gz") else path.name) or "jira"
        sources.append(LogSource(path.name, kind, None, Opener(path, None, gz, path.stat().st_size)))
    return sources, problems
