"""Saved reports (render, merge, diff, --baseline) are checked against the shipped JSON Schema on load.

One wrong field is a usage error (exit 2) naming its path, never exit 3 or a traceback; a healthy
report still renders, merges and diffs. Our validator (reports/schema_check.py) is held to
jsonschema's verdict on every single-field mutation of a real report, and the HTML of a maximal
report renders in bounded memory.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from jiradoctor.cli import main
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.reports import json_report, schema_check
from tests.peak_rss import launched, peak_mb

# format (date-time) is an annotation in 2020-12 unless a format checker is asked for; ours reads it so too
JSONSCHEMA = jsonschema.Draft202012Validator(json_report.schema())


def healthy_report() -> dict[str, Any]:
    findings = (
        Finding(
            "tls/self-signed",
            Status.FAIL,
            "a self signed chain",
            evidence={"chain": ["a", "b"], "depth": 2, "nested": {"k": [1, {"x": None}]}},
            remediation=("do this",),
            commands=("keytool -list",),
            docs=("https://example.com/doc",),
            subject="CN=jira",
        ),
        Finding("tls/info", Status.INFO, "fine"),
    )
    checks = (
        CheckResult.from_findings("tls", "TLS", findings, 0.5),
        CheckResult.skipped("auth", "Auth", "blocked: tls failed first", ("tls",)),
    )
    report = Report(
        tool_version="0.1.0",
        target=TargetSummary("https://jira.example.com", "generic", "basic", JiraFacts("Server", "9.12.0", None)),
        started_at="2026-12-05T10:00:00+00:00",
        duration_s=1.5,
        checks=checks,
    )
    data: dict[str, Any] = json.loads(json_report.render(report))
    return data


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _shown(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else part)
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _ours(data: Any) -> schema_check.SchemaProblem | None:
    try:
        schema_check.validate(data, json_report.schema())
    except schema_check.SchemaProblem as exc:
        return exc
    return None


REPLACEMENTS = [None, 5, -1, 1.5, True, "x", "", [], {}, ["x"], {"x": 1}]


def test_the_healthy_report_is_valid_for_both() -> None:
    data = healthy_report()
    assert JSONSCHEMA.is_valid(data) and _ours(data) is None


def test_every_single_field_mutation_gets_jsonschemas_verdict_and_names_its_path() -> None:
    data = healthy_report()
    compared = refused = 0
    for path in list(_paths(data))[1:]:
        mutations = [(_set(data, path, value), path) for value in REPLACEMENTS]
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):  # a field removed
            removed = copy.deepcopy(data)
            node = removed
            for part in path[:-1]:
                node = node[part]
            del node[path[-1]]
            mutations.append((removed, path))
        for mutated, where in mutations:
            ours = _ours(mutated)
            assert (ours is None) == JSONSCHEMA.is_valid(mutated), (where, ours)
            if ours is not None:
                # the mutated field itself, or a field inside it that the replacement lacks
                assert ours.path == _shown(where) or ours.path.startswith((_shown(where) + ".", _shown(where) + "[")), (
                    where,
                    ours,
                )
                refused += 1
            compared += 1
    for path in _paths(data):  # an unknown field added to each object
        node = data
        for part in path:
            node = node[part]
        if isinstance(node, dict):
            mutated = _set(data, (*path, "surprise"), 1) if path else {**data, "surprise": 1}
            ours = _ours(mutated)
            assert (ours is None) == JSONSCHEMA.is_valid(mutated), path
            compared += 1
    assert compared > 500 and refused > 200  # the matrix really ran, in both directions


def test_the_schema_uses_only_keywords_the_validator_knows() -> None:
    with pytest.raises(ValueError, match="does not know"):
        schema_check.validate({}, {"type": "object", "minProperties": 1})
    schema_check.validate(healthy_report(), json_report.schema())  # raises on an unknown keyword


@pytest.mark.parametrize("number", [10**400, 1e308 * 10])
def test_a_number_too_large_to_use_is_refused(number: Any) -> None:
    problem = _ours(_set(healthy_report(), ("duration_s",), number))
    assert problem is not None and problem.path == "duration_s"


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for _ in range(levels):
        node = {"k": node}
    return node


BROKEN: list[tuple[str, tuple[Any, ...], Any, str]] = [
    ("counts a string", ("summary", "counts"), "x", "summary.counts"),
    ("checks an object", ("checks",), {}, "checks"),
    ("evidence a list", ("checks", 0, "findings", 0, "evidence"), [1, 2], "checks[0].findings[0].evidence"),
    ("status a number", ("checks", 0, "status"), 5, "checks[0].status"),
    ("finding status true", ("checks", 0, "findings", 1, "status"), True, "checks[0].findings[1].status"),
    ("title a number", ("checks", 1, "title"), 7, "checks[1].title"),
    ("huge count", ("summary", "counts", "warn"), 10**400, "summary.counts.warn"),
    ("remediation a string", ("checks", 0, "findings", 0, "remediation"), "do it", "checks[0].findings[0].remediation"),
    ("deep evidence", ("checks", 0, "findings", 0, "evidence"), _deep(300), "nesting deeper than 256"),
]


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return _write(tmp_path, "good.json", healthy_report())


def _commands(bad: Path, good: Path) -> list[list[str]]:
    return [
        ["render", str(bad), "--format", "text"],
        ["render", str(bad), "-o", str(bad.with_suffix(".html"))],
        ["merge", str(bad), str(good), "--format", "text"],
        ["merge", str(good), str(bad)],
        ["diff", str(bad), str(good)],
        ["diff", str(good), str(bad), "--format", "json"],
        ["doctor", "--offline", "--consumer-key", "abc", "--baseline", str(bad)],
    ]


@pytest.mark.parametrize("name, path, value, named", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_saved_report_is_a_usage_error_naming_the_field(
    tmp_path: Path, good: Path, name: str, path: tuple[Any, ...], value: Any, named: str
) -> None:
    bad = _write(tmp_path, "bad.json", _set(healthy_report(), path, value))
    for args in _commands(bad, good):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert named in result.output.replace("\n", " ").replace("  ", " "), (args, result.output)
        assert "Traceback" not in result.output
    assert not bad.with_suffix(".html").exists()


def test_a_report_without_schema_version_is_a_usage_error(tmp_path: Path, good: Path) -> None:
    data = healthy_report()
    del data["schema_version"]
    bad = _write(tmp_path, "bad.json", data)
    for args in _commands(bad, good):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "schema_version: missing" in result.output, (args, result.output)


def test_a_healthy_saved_report_still_renders_merges_and_diffs(tmp_path: Path, good: Path) -> None:
    runner = CliRunner()
    for out in ("r.html", "r.md", "r.json", "r.xml", "r.jira"):
        result = runner.invoke(main, ["render", str(good), "-o", str(tmp_path / out)])
        assert result.exit_code == 0, (out, result.output)
        assert "self signed" in (tmp_path / out).read_text()
    assert json.loads((tmp_path / "r.json").read_text()) == healthy_report()
    merged = runner.invoke(main, ["merge", str(good), str(good), "--format", "json", "--fail-on", "never"])
    assert merged.exit_code == 0 and json.loads(merged.stdout)["schema_version"] == 1
    diffed = runner.invoke(main, ["diff", str(good), str(good), "--format", "json"])
    assert diffed.exit_code == 0 and json.loads(diffed.stdout)["regressions"] == []
    baseline = runner.invoke(
        main, ["doctor", "--offline", "--consumer-key", "abc", "--baseline", str(good), "--format", "json"]
    )
    assert baseline.exit_code in (0, 1), baseline.output


def test_a_newer_jiradoctors_report_says_who_wrote_it(tmp_path: Path, good: Path) -> None:
    data = healthy_report()
    data["tool"]["version"] = "9.0.0"
    data["checks"][0]["findings"][0]["severity"] = "high"  # a field this version does not know
    result = CliRunner().invoke(main, ["render", str(_write(tmp_path, "new.json", data)), "--format", "text"])
    assert result.exit_code == 2
    assert "checks[0].findings[0].severity" in result.output and "9.0.0" in result.output


def test_an_oversize_report_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(1024**3)  # sparse: 1 GB that costs no disk
    result = CliRunner().invoke(main, ["render", str(huge), "--format", "text"])
    assert result.exit_code == 2 and "larger than 64 MB" in result.output


def _big_report(path: Path, kind: str, mb: int) -> None:
    data = healthy_report()
    finding = data["checks"][0]["findings"][0]
    if kind == "one value":
        finding["evidence"] = {"body": "<a>" * (mb * 1024 * 1024 // 3)}
    else:
        many = mb * 1024 * 1024 // 2000
        data["checks"][0]["findings"] = [
            dict(finding, message=f"m{i}", evidence={"k": "v" * 1800}) for i in range(many)
        ]
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("kind", ["one value", "many findings"])
def test_the_html_of_a_30_mb_report_renders_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    """Measured: 505 MB (one 30 MB evidence value) and 277 MB (15,000 findings) before; ~80-105 MB now."""
    report, rss, html = tmp_path / "big.json", tmp_path / "rss", tmp_path / "big.html"
    _big_report(report, kind, 30)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    done = subprocess.run(
        launched([sys.executable, "-m", "jiradoctor", "render", str(report), "-o", str(html)], rss),
        capture_output=True, text=True, timeout=120, env=clean, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert peak_mb(rss) < 200, f"peak {peak_mb(rss):.0f} MB"
    page = html.read_text()
    assert "see the JSON report" in page if kind == "one value" else "m14999<" in page


_JSON = st.recursive(
    # finite and within a double: beyond, our validator refuses on purpose where jsonschema accepts
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None, database=None)
@given(_JSON, st.sampled_from(sorted(p for p in map(_shown, _paths(healthy_report())) if p)))
def test_any_json_anywhere_is_valid_or_a_problem_with_a_path(value: Any, where: str) -> None:
    path = next(p for p in _paths(healthy_report()) if _shown(p) == where)
    mutated = _set(healthy_report(), path, value)
    problem = _ours(mutated)
    assert (problem is None) == JSONSCHEMA.is_valid(mutated)
    if problem is not None:
        assert problem.path.startswith(where)
        with pytest.raises(ValueError, match="report"):
            json_report.load(json.dumps(mutated))
