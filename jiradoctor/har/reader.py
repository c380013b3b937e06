"""Stream a HAR file entry by entry with ijson: a 100 MB HAR is never loaded whole.

Memory is bounded by the largest single entry (plus the small ``log`` fields kept aside). The
path is tracked here from ijson's ``basic_parse`` events (not ijson's own prefixes, which cost
O(depth) per event: a hostile ``[[[[…`` would take quadratic memory) and nesting deeper than
:data:`MAX_DEPTH` stops the read. A file that is not JSON, not a HAR, or cut short ends the
stream with a :class:`ReadProblem` instead of an exception, so hostile input becomes a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any, Iterator

import ijson
from ijson.common import ObjectBuilder

MAX_DEPTH = 64  # real HAR entries nest about 6 deep; JSON bodies are kept as strings
MAX_META_EVENTS = 200_000  # `pages`, `creator` … are small; a hostile file could make them huge
READ_BUFFER = 1024 * 1024  # yajl re-joins a long string per buffer: 64 KB buffers made a 32 MB body cost 2.5 s
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")


@dataclass
class ReadProblem:
    """Why reading stopped early (``kind``: not-json, not-har, truncated, too-deep, too-large)."""

    kind: str
    message: str


@dataclass
class HarStream:
    """Entries as they are read; ``meta`` (version, creator, browser, pages…) and ``problem``
    are complete once the entries have been consumed."""

    meta: dict[str, Any] = field(default_factory=dict)
    problem: ReadProblem | None = None
    saw_log: bool = False
    saw_entries: bool = False
    count: int = 0


_QUOTED = re.compile(r"""(['"]).*|\bbyte 0x[0-9a-fA-F]+.*|\s+in position.*""")


def _why(exc: BaseException) -> str:
    """The parser's reason, never the file's bytes: yajl quotes the text around the error on the
    lines after the first (its message is a bytes object, so those lines are escaped, not split),
    and codecs name the byte; a secret can sit next to it."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not {exc.encoding} text"
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    first = str(message).splitlines()[0] if str(message) else ""
    return _QUOTED.sub("", first)[:120].strip()


def iter_entries(fh: IO[bytes], stream: HarStream) -> Iterator[Any]:
    """Yield each ``log.entries[]`` item (as parsed JSON) and fill ``stream.meta``/``problem``.

    ``path`` holds, per open container, the key being read (maps) or None (arrays); the entries
    array is the one at path ``["log", "entries"]``.
    """
    path: list[str | None] = []
    key: str | None = None  # the last map key read at the current level
    builder: ObjectBuilder | None = None
    meta_key: str | None = None
    meta_events = 0
    meta_builder = ObjectBuilder()
    try:
        for event, value in ijson.basic_parse(fh, use_float=True, buf_size=READ_BUFFER):
            if event in _OPEN:
                if len(path) >= MAX_DEPTH:
                    stream.problem = ReadProblem(
                        "too-deep", f"JSON nested deeper than {MAX_DEPTH} levels; stopped reading"
                    )
                    return
                path.append(key)
                key = None
            elif event in _CLOSE:
                key = path.pop() if path else None
            elif event == "map_key":
                key = value
            depth = len(path)  # after the event: how many containers are open
            if builder is not None:
                builder.event(event, value)
                if event in _CLOSE and depth == 3:
                    item, builder = builder.value, None
                    stream.count += 1
                    yield item
                continue
            if meta_key is not None:
                meta_events += 1
                if meta_events > MAX_META_EVENTS:
                    stream.problem = ReadProblem(
                        "too-large", f"the HAR's log.{meta_key} is unreasonably large; stopped reading"
                    )
                    return
                meta_builder.event(event, value)
                if depth == 2 and event != "map_key":  # a scalar value, or its container closed
                    stream.meta[meta_key] = meta_builder.value
                    meta_key = None
                continue
            if event == "start_map" and path == [None, "log"]:
                stream.saw_log = True
            elif event == "map_key" and path == [None, "log"] and stream.saw_log and value != "entries":
                meta_key, meta_events, meta_builder = value, 0, ObjectBuilder()
            elif event == "start_array" and path == [None, "log", "entries"]:
                stream.saw_entries = True
            elif (
                stream.saw_entries
                and depth == 4
                and event in _OPEN
                and path[:3] == [None, "log", "entries"]
                and path[3] is None
            ):
                builder = ObjectBuilder()
                builder.event(event, value)
            elif stream.saw_entries and path == [None, "log", "entries"] and event not in _OPEN + _CLOSE + ("map_key",):
                stream.count += 1  # a scalar where an entry should be
                yield value
    except ijson.IncompleteJSONError as exc:
        kind = "truncated" if stream.saw_entries else "not-json"
        message = f"the file stops being valid JSON after {stream.count} entries ({_why(exc)})"
        stream.problem = ReadProblem(kind, message)
        return
    except (ijson.JSONError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        stream.problem = ReadProblem("not-json", f"the file is not valid JSON ({type(exc).__name__}: {_why(exc)})")
        return
    if not stream.saw_log or not stream.saw_entries:
        stream.problem = ReadProblem("not-har", "the file is JSON but not a HAR: it has no log.entries array")
