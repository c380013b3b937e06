"""A JSON array read item by item while it downloads, so memory holds one item, not the document.

Why: Jira Server answers ``GET /rest/api/2/project`` with every project in one array (about 29 MB at
50,000 projects). Read whole, that is the body, its text and every parsed project at once, and past
:data:`jiradoctor.net.bounded_json.MAX_SIZE` it was refused outright. Each item is parsed by
``json.JSONDecoder.raw_decode`` as soon as it is complete; an item larger than ``max_item``, a
nesting deeper than Python's decoder allows, or text that is not an array becomes ``problem``.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

MAX_ITEM = 1024 * 1024  # a project is ~600 bytes; an item this large is not one
MAX_ITEMS = 2_000_000
COMPACT_AT = 64 * 1024  # drop consumed text once this much has piled up
_SPACE = re.compile(r"[ \t\n\r]*")
_CLOSERS = frozenset(",]}")  # an item can only have completed if one of these arrived since the last try


class ArrayReader:
    """Feed bytes as they arrive; each call returns the items completed so far.

    ``problem`` says why reading stopped (then later bytes are ignored); after :meth:`close`,
    ``problem`` is None only for a whole, well-formed array.
    """

    def __init__(self, max_item: int = MAX_ITEM, max_items: int = MAX_ITEMS) -> None:
        self.max_item, self.max_items = max_item, max_items
        self.problem: str | None = None
        self.count = 0
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._state = "start"  # start -> first -> item -> after -> ... -> done
        self._unseen = ""  # text added since the last failed try at an item
        self._stalled = False  # the last try at an item needed more text

    @property
    def done(self) -> bool:
        return self._state == "done"

    def feed(self, data: bytes) -> list[Any]:
        if self.problem is not None:
            return []
        text = self._text.decode(data)
        self._buf += text
        self._unseen += text
        return self._drain(final=False)

    def close(self) -> list[Any]:
        if self.problem is not None:
            return []
        self._buf += self._text.decode(b"", final=True)
        items = self._drain(final=True)
        if self.problem is None and self._state != "done":
            self.problem = "the JSON array ends early"
        return items

    def _skip_space(self) -> None:
        match = _SPACE.match(self._buf, self._pos)
        self._pos = match.end() if match else self._pos

    def _drain(self, final: bool) -> list[Any]:
        items: list[Any] = []
        while self.problem is None:
            self._skip_space()
            if self._pos >= len(self._buf):
                break
            char = self._buf[self._pos]
            if self._state == "start":
                if char != "[":
                    self.problem = "the answer is not a JSON array"
                    break
                self._pos += 1
                self._state = "first"
            elif self._state in ("first", "after") and char == "]":
                self._pos += 1
                self._state = "done"
            elif self._state == "after":
                if char != ",":
                    self.problem = "the JSON array is malformed (no comma between items)"
                    break
                self._pos += 1
                self._state = "item"
            elif self._state in ("first", "item"):
                item = self._item(final)
                if item is _INCOMPLETE:
                    break
                items.append(item)
                self.count += 1
                if self.count > self.max_items:
                    self.problem = f"the JSON array holds more than {self.max_items:,} items"
                self._state = "after"
            else:  # done: only white space may follow
                self.problem = "text follows the JSON array"
        if self._pos > COMPACT_AT:
            self._buf, self._pos = self._buf[self._pos :], 0
        return items

    def _item(self, final: bool) -> Any:
        """The next item, or _INCOMPLETE when more text must come first."""
        if not final and self._stalled and not _CLOSERS.intersection(self._unseen):
            return _INCOMPLETE  # nothing that could end the item came since the last try
        self._unseen, self._stalled = "", True
        try:
            value, end = self._decoder.raw_decode(self._buf, self._pos)
        except RecursionError:
            self.problem = "an item of the JSON array nests too deeply"
            return _INCOMPLETE
        except ValueError:  # JSONDecodeError, or an integer beyond Python's digit limit
            if final:
                self.problem = "the JSON array is malformed or ends early"
            elif len(self._buf) - self._pos > self.max_item:
                self.problem = f"an item of the JSON array is larger than {self.max_item // 1024} KB"
            return _INCOMPLETE
        after = _SPACE.match(self._buf, end)
        nxt = after.end() if after else end
        if not final and (nxt >= len(self._buf) or self._buf[nxt] not in ",]"):
            return _INCOMPLETE  # "1." may yet become "1.5": an item counts once a comma or ] follows
        self._pos, self._stalled = end, False
        return value


_INCOMPLETE: Any = object()
