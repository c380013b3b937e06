"""Cut a log stream into records (a line and its stack trace) and pick out the few that matter.

A multi-GB log is read in :data:`CHUNK`-sized binary blocks, each cut after its last complete
record, so memory stays at about two blocks whatever the file's size. Only records holding one
of the kind's needles (fixed strings, one fast ``bytes.find`` pass each) are decoded and parsed;
of the rest only the first and last time are read. A line longer than :data:`MAX_LINE` is cut and
counted; a file whose first block is not text stops at once.

A plain file on disk is searched by GNU grep when it is installed (``scan_file``): one pass for all
needles at memory speed (``grep -obaF`` prints only each match's byte offset), then only the
records around those offsets are read. Without GNU grep, or for a stream (.gz, a zip member), the
``bytes.find`` passes do the same work; both give the same records (tests/logs hold them to it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Iterator

CHUNK = 4 * 1024 * 1024
MAX_RECORD = 32 * 1024  # bytes of one record kept (a stack trace's first frames say enough)
MAX_LINE = 64 * 1024
MAX_HITS_PER_CHUNK = 20_000  # a flood of one line: count the rest without decoding them

# Where a record starts: Jira's (log4j) "2024-03-05 10:15:22,123", Tomcat's "29-Sep-2019 15:12:51.096"
_START = rb"(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d)"
START = re.compile(_START)
NEXT_START = re.compile(rb"\n(?=" + _START + rb")")
ANY_LINE = re.compile(rb"\n")

JIRA_HEAD = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d)[ T](?P<time>\d\d:\d\d:\d\d)(?:[,.](?P<ms>\d{1,3}))?(?P<tz>[+-]\d{4}|Z)?\s+"
    r"(?P<thread>\S+)(?:\s+url:\s*(?P<url>[^\s;]+);?(?:\s*user:\s*(?P<user>[^\s;]+);?)?)?\s+"
    r"(?:(?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+)?(?P<rest>.*)$"
)
TOMCAT_HEAD = re.compile(
    r"^(?P<day>\d\d)-(?P<mon>[A-Z][a-z]{2})-(?P<year>\d{4}) (?P<time>\d\d:\d\d:\d\d)(?:\.(?P<ms>\d{1,3}))?\s+"
    r"(?P<level>[A-Z]+)\s+\[(?P<thread>[^\]]{0,200})\]\s+(?P<logger>\S+)\s*(?P<rest>.*)$"
)
ACCESS_HEAD = re.compile(r"^\S+ \S+ \S+ \[(?P<ts>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d) (?P<tz>[+-]\d{4})\]")
_LOGGER = re.compile(r"\[([A-Za-z_$][\w.$-]{0,200})\]")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}


@dataclass(frozen=True)
class Stamp:
    """When a record was written: in UTC when the log gave an offset, else the server's local time."""

    when: dt.datetime
    utc: bool

    def text(self) -> str:
        if self.utc:
            return self.when.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.when.strftime("%Y-%m-%d %H:%M:%S") + " (server's local time: the log gives no UTC offset)"


@dataclass(frozen=True)
class Record:
    """One log record, decoded and bounded: its first line's fields and the whole text."""

    text: str
    stamp: Stamp | None
    thread: str | None
    level: str | None
    logger: str | None
    url: str | None


def _stamp(date: str, time: str, tz: str | None) -> Stamp | None:
    try:
        when = dt.datetime.fromisoformat(f"{date}T{time}")
    except ValueError:
        return None
    if tz:
        offset = dt.timezone.utc if tz == "Z" else dt.timezone(
            dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * (1 if tz[0] == "+" else -1)
        )
        return Stamp(when.replace(tzinfo=offset).astimezone(dt.timezone.utc).replace(tzinfo=None), True)
    return Stamp(when, False)


def parse_head(line: str) -> tuple[Stamp | None, str | None, str | None, str | None, str | None]:
    """(stamp, thread, level, logger, url) of a record's first line; Nones where it does not say."""
    if m := JIRA_HEAD.match(line):
        logger = _LOGGER.search(m.group("rest"))
        return (_stamp(m.group("date"), m.group("time"), m.group("tz")), m.group("thread"), m.group("level"),
                logger.group(1) if logger else None, m.group("url"))
    if m := TOMCAT_HEAD.match(line):
        date = f"{m.group('year')}-{_MONTHS.get(m.group('mon'), 1):02d}-{m.group('day')}"
        return _stamp(date, m.group("time"), None), m.group("thread"), m.group("level"), m.group("logger"), None
    if m := ACCESS_HEAD.match(line):
        try:
            when = dt.datetime.strptime(m.group("ts") + " " + m.group("tz"), "%d/%b/%Y:%H:%M:%S %z")
        except ValueError:
            return None, None, None, None, None
        return Stamp(when.astimezone(dt.timezone.utc).replace(tzinfo=None), True), None, None, None, None
    return None, None, None, None, None


def decode(raw: bytes) -> str:
    return raw[:MAX_RECORD].decode("utf-8", "replace")


def to_record(raw: bytes) -> Record:
    text = decode(raw).rstrip("\r\n")
    first = text.split("\n", 1)[0]
    stamp, thread, level, logger, url = parse_head(first)
    return Record(text, stamp, thread, level, logger, url)


@dataclass
class ScanStats:
    """What reading one source saw, whatever matched."""

    bytes: int = 0
    first: Stamp | None = None
    last: Stamp | None = None
    long_lines: int = 0
    not_text: bool = False
    skipped_hits: int = 0
    problems: list[str] = field(default_factory=list)


def _looks_binary(block: bytes) -> bool:
    sample = block[:65536]
    if not sample:
        return False
    if sample.count(b"\x00") > len(sample) // 100:
        return True
    control = sum(sample.count(bytes([c])) for c in (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                                                      24, 25, 26, 27, 28, 29, 30, 31))
    return control > len(sample) // 20


def _cut(buf: bytes, final: bool, per_line: bool) -> int:
    """Where the block ends: after its last complete record (the rest waits for the next block)."""
    if final:
        return len(buf)
    lo = max(0, len(buf) - CHUNK)
    if per_line:
        nl = buf.rfind(b"\n", lo)
        return nl + 1 if nl >= 0 else len(buf)
    pos = len(buf)
    for _ in range(4096):
        nl = buf.rfind(b"\n", lo, pos)
        if nl < 0:
            break
        if START.match(buf, nl + 1):
            return nl + 1
        pos = nl
    nl = buf.rfind(b"\n", lo)
    return nl + 1 if nl >= 0 else len(buf)  # one giant record (or line): cut it; its pieces are still read


def _bounds(work: bytes, hit: int, per_line: bool) -> tuple[int, int]:
    """The record around ``hit``: back to its first line (a timestamp), on to the next one."""
    line_start = work.rfind(b"\n", max(0, hit - MAX_LINE), hit) + 1
    start = line_start
    if not per_line and not START.match(work, line_start):
        pos, lo = line_start - 1, max(0, hit - MAX_RECORD)
        while pos > lo:
            nl = work.rfind(b"\n", lo, pos)
            candidate = nl + 1 if nl >= 0 else lo
            if START.match(work, candidate):
                start = candidate
                break
            if nl < 0:
                break
            pos = nl
    if hit - start > MAX_RECORD - 4096:  # a giant line or record: keep what is around the match in view
        start = hit - 4096
    if per_line:
        nl = work.find(b"\n", hit)
        end = nl + 1 if nl >= 0 else len(work)
    else:
        m = NEXT_START.search(work, hit, min(len(work), hit + MAX_RECORD))
        end = m.start() + 1 if m else min(len(work), hit + MAX_RECORD)
    return start, end


def _edge_stamp(work: bytes, from_end: bool, per_line: bool) -> Stamp | None:
    """The time of the first (or last) record in a block, parsed from its first line alone."""
    pattern = ANY_LINE if per_line else NEXT_START
    if from_end:
        pos = len(work)
        for _ in range(64):
            nl = work.rfind(b"\n", 0, max(0, pos - 1))
            begin = nl + 1 if nl >= 0 else 0
            if per_line or START.match(work, begin):
                stamp = parse_head(decode(work[begin:begin + 512]).split("\n", 1)[0])[0]
                if stamp:
                    return stamp
            if nl < 0:
                return None
            pos = nl + 1
        return None
    begin = 0 if (per_line or START.match(work, 0)) else -1
    if begin < 0:
        m = pattern.search(work, 0, min(len(work), MAX_RECORD))
        begin = m.start() + 1 if m else -1
    return parse_head(decode(work[begin:begin + 512]).split("\n", 1)[0])[0] if begin >= 0 else None


def scan(stream: IO[bytes], needles: list[bytes], stats: ScanStats, per_line: bool = False) -> Iterator[Record]:
    """Yield every record that holds one of ``needles`` (each record once), filling ``stats``."""
    carry = b""
    first_block = True
    decoded = 0
    while True:
        block = stream.read(CHUNK)
        final = not block
        buf = carry + block if carry else block
        if first_block and block:
            first_block = False
            if _looks_binary(block):
                stats.not_text = True
                stats.bytes += len(block)
                return
        if not buf:
            return
        cut = _cut(buf, final, per_line)
        work, carry = buf[:cut], buf[cut:]
        if len(carry) > 2 * CHUNK:  # cannot happen with _cut's fallbacks; keep memory bounded anyway
            carry = carry[-CHUNK:]
        stats.bytes += len(work)
        if len(work) > MAX_LINE and work.find(b"\n", 0, MAX_LINE) < 0:
            stats.long_lines += 1  # a line of at least MAX_LINE bytes (it may run over many blocks)
        if work:
            if stats.first is None:
                stats.first = _edge_stamp(work, False, per_line)
            stats.last = _edge_stamp(work, True, per_line) or stats.last
        seen: set[int] = set()
        hits = 0
        if decoded >= MAX_DECODED:  # a flood: count the rest, decode nothing more
            stats.skipped_hits += sum(work.count(needle) for needle in needles)
            if final:
                return
            continue
        for needle in needles:
            pos = work.find(needle)
            while pos >= 0:
                hits += 1
                if hits > MAX_HITS_PER_CHUNK or decoded >= MAX_DECODED:
                    stats.skipped_hits += 1
                else:
                    start, end = _bounds(work, pos, per_line)
                    if start not in seen:
                        seen.add(start)
                        decoded += 1
                        yield to_record(work[start:end])
                    pos = max(pos + len(needle), end - 1)
                    pos = work.find(needle, pos)
                    continue
                pos = work.find(needle, pos + len(needle))
        if final:
            return


MAX_DECODED = 200_000  # records decoded per source; a flood beyond is counted, not parsed
PURE_ENV = "JIRADOCTOR_LOGS_NO_GREP"  # set: never use grep (tests compare both paths)


@lru_cache(maxsize=1)
def gnu_grep() -> str | None:
    """GNU grep's path, when installed: its ``-o -b`` print each match's byte offset."""
    found = shutil.which("grep")
    if not found:
        return None
    try:
        done = subprocess.run([found, "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return found if b"GNU grep" in done.stdout else None


class _Window:
    """A bounded slice of the file around the offsets being read (re-read only when a hit leaves it)."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size, self.start, self.data = fd, size, 0, b""

    def around(self, offset: int) -> tuple[int, bytes]:
        lo, hi = max(0, offset - MAX_RECORD - MAX_LINE), min(self.size, offset + 2 * MAX_RECORD)
        if not (self.start <= lo and hi <= self.start + len(self.data)):
            self.start, self.data = lo, os.pread(self.fd, max(hi, lo + 4 * MAX_RECORD) - lo, lo)
        return self.start, self.data


def _sampled_long_line(fd: int, size: int) -> bool:
    """A line of MAX_LINE bytes or more somewhere: 16 evenly spread samples (bounded work)."""
    for i in range(16):
        at = size * i // 16
        sample = os.pread(fd, MAX_LINE + 1, at)
        if len(sample) > MAX_LINE and b"\n" not in sample:
            return True
    return False


def scan_file(path: str, needles: list[bytes], stats: ScanStats, per_line: bool = False) -> Iterator[Record]:
    """``scan`` for a plain file: GNU grep finds the needles, Python reads only the records around them."""
    grep = None if os.environ.get(PURE_ENV) else gnu_grep()
    with open(path, "rb") as fh:
        if grep is None or not needles:
            yield from scan(fh, needles, stats, per_line)
            return
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        head = os.pread(fd, CHUNK, 0)
        if _looks_binary(head):
            stats.not_text, stats.bytes = True, len(head)
            return
        stats.bytes = size
        stats.first = _edge_stamp(head, False, per_line)
        tail_at = max(0, size - MAX_RECORD)
        tail = os.pread(fd, size - tail_at, tail_at)
        if tail_at:
            tail = tail[tail.find(b"\n") + 1:]
        stats.last = _edge_stamp(tail, True, per_line) or stats.first
        if size > MAX_LINE and _sampled_long_line(fd, size):
            stats.long_lines += 1
        args = [grep, "-obaF", *[a for n in needles for a in ("-e", n.decode())], "--", path]
        env = {**os.environ, "LC_ALL": "C"}
        window = _Window(fd, size)
        done_until = -1
        decoded = 0
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc:
            assert proc.stdout is not None
            try:
                for line in proc.stdout:
                    offset = int(line.split(b":", 1)[0])
                    if offset < done_until:
                        continue  # inside the record just read
                    if decoded >= MAX_DECODED:
                        stats.skipped_hits += 1
                        continue
                    base, data = window.around(offset)
                    start, end = _bounds(data, offset - base, per_line)
                    done_until = base + end
                    decoded += 1
                    yield to_record(data[start:end])
            finally:
                proc.kill()
