"""The streaming array reader (jiradoctor/net/json_stream.py) against json.loads: the same items for
any way the bytes are cut, and a clear problem (never an exception) for whatever is not an array."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jiradoctor.jira.permissions import ProjectListReader, ProjectRef
from jiradoctor.net.json_stream import ArrayReader

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet='[]{}",\\ aé\n'),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}",k'), children,
                                                                        max_size=3),
    max_leaves=30,
)


def read_in_pieces(data: bytes, cuts: list[int], reader: ArrayReader | None = None) -> tuple[list[object], ArrayReader]:
    reader = reader or ArrayReader()
    items: list[object] = []
    last = 0
    for cut in sorted(set(c % (len(data) + 1) for c in cuts)):
        items += reader.feed(data[last:cut])
        last = cut
    items += reader.feed(data[last:])
    items += reader.close()
    return items, reader


@settings(max_examples=400, deadline=None)
@given(st.lists(_VALUES, max_size=8), st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
       st.sampled_from([None, 0, 2]))
@example([1.0000000000000002e16, None], [3], None)  # cut after "[1.": "1" alone is not the item
def test_any_cut_gives_what_json_loads_gives(values: list[object], cuts: list[int], indent: int | None) -> None:
    data = json.dumps(values, indent=indent, ensure_ascii=False).encode()
    items, reader = read_in_pieces(data, cuts)
    assert reader.problem is None and reader.done
    assert items == json.loads(data)


def test_one_byte_at_a_time_and_numbers_split_across_pieces() -> None:
    data = b'[123, 4.5e6 , "x,]}" ,{"a":[1,{"b":2}]},true,null]'
    items, reader = read_in_pieces(data, list(range(len(data))))
    assert reader.problem is None and items == json.loads(data)
    reader = ArrayReader()
    assert reader.feed(b"[12") == []  # "12" may yet become "123": not an item until , or ] follows
    assert reader.feed(b"3") == [] and reader.feed(b"]") == [123]


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "ends early"),
    (b'{"not": "an array"}', "not a JSON array"),
    (b"<html><body>Service Unavailable</body></html>", "not a JSON array"),
    (b'[{"key": "A"} {"key": "B"}]', "no comma"),
    (b'[{"key": "A"}] trailing', "text follows"),
    (b'[{"key": "A"},', "ends early"),
    (b'[{"key": "A", ]', "malformed"),
    (b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]", "nests too deeply"),
])
def test_what_is_not_a_whole_array_is_a_problem(data: bytes, problem: str) -> None:
    _, reader = read_in_pieces(data, [len(data) // 3, len(data) // 2])
    assert reader.problem is not None and problem in reader.problem, reader.problem


def test_an_endless_item_stops_at_the_item_limit() -> None:
    reader = ArrayReader(max_item=64 * 1024)
    reader.feed(b'[{"name": "')
    for _ in range(200):
        reader.feed(b"x" * 1024 + b"}")  # closers inside a string: each makes the reader look again
    assert reader.problem is not None and "larger than 64 KB" in reader.problem


def test_the_project_listing_read_as_it_comes_equals_the_whole_read() -> None:
    projects = [{"expand": "description", "self": f"https://jira/rest/api/2/project/{10000 + i}",
                 "id": str(10000 + i), "key": f"P{i}", "name": f"Project {i}, [{i}]"} for i in range(500)]
    projects.insert(3, {"key": 7})  # not a project: skipped by both
    data = json.dumps(projects).encode()
    reader = ProjectListReader()
    for start in range(0, len(data), 1000):
        reader.feed(data[start:start + 1000])
    refs = reader.close()
    assert refs == [ProjectRef(f"P{i}", str(10000 + i)) for i in range(500)]  # the item without a key is skipped
    assert ProjectListReader.read(data) == refs  # whole, through the same reader


def test_a_listing_cut_short_is_no_listing() -> None:
    reader = ProjectListReader()
    reader.feed(b'[{"id": "1", "key": "A"}, {"id": "2", "ke')
    assert reader.close() is None and reader.problem == "the JSON array is malformed or ends early"
