"""Property tests: any bytes, any JSON, any HAR-shaped nonsense — the reader, the analysis and the
redactor finish with findings, never an exception, and the safe copy is always valid JSON."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings, strategies as st

from jiradoctor.har.analyse import Analysis
from jiradoctor.har.entry import HarEntry
from jiradoctor.har.reader import HarStream, iter_entries
from jiradoctor.har.redact import write_redacted

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=25,
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "request": st.fixed_dictionaries(
            {},
            optional={
                "method": _json,
                "url": st.text(max_size=60) | _json,
                "headers": st.lists(
                    st.fixed_dictionaries({"name": st.text(max_size=20), "value": st.text(max_size=40)}) | _json,
                    max_size=4,
                ),
                "postData": _json,
            },
        ),
        "response": st.fixed_dictionaries(
            {}, optional={"status": _json | st.integers(), "headers": _json, "content": _json, "_error": _json}
        ),
        "startedDateTime": _json,
    },
)


def _analyse(data: bytes) -> None:
    analysis = Analysis()
    stream = HarStream()
    for index, raw in enumerate(iter_entries(io.BytesIO(data), stream)):
        analysis.entry(HarEntry.from_json(index, raw))
    analysis.finish(stream)
    report = analysis.report("x.har", 0.0)
    json.dumps(report.to_json())
    out = io.StringIO()
    write_redacted(io.BytesIO(data), out)
    json.loads(out.getvalue())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _analyse(data)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_any_json(value) -> None:
    _analyse(json.dumps(value).encode())


@settings(max_examples=200, deadline=None)
@given(st.lists(_fields | _json, max_size=5))
def test_any_har_shaped_entries(entries) -> None:
    _analyse(json.dumps({"log": {"version": "1.2", "entries": entries}}).encode())
