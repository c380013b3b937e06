"""Hostile files get a clear finding, never a crash, in bounded time and memory: binary data, a line
of megabytes, a zip bomb, a gzip bomb, path-traversal names in a zip, a truncated .gz, a bad zip."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jiradoctor.logs.command import analyse
from jiradoctor.logs.sources import RATIO_FLOOR
from tests.logs.logfiles import healthy_log, jira_head
from tests.peak_rss import launched, peak_mb

pytestmark = pytest.mark.timeout(120)
REPEATED = (jira_head(level="INFO") + "the same line again\n").encode()


def codes(report) -> set[str]:
    return {f.code for _, f in report.findings()}


def test_binary_data_is_not_a_log(tmp_path: Path) -> None:
    path = tmp_path / "atlassian-jira.log"
    path.write_bytes(os.urandom(300_000))
    report = analyse([str(path)])
    assert codes(report) == {"logs/not-text"} and report.status.value == "fail"


def test_a_line_of_megabytes_is_read_in_pieces_and_named(tmp_path: Path) -> None:
    path = tmp_path / "atlassian-jira.log"
    with open(path, "wb") as fh:
        fh.write(healthy_log(50).encode())
        fh.write(b"A" * (12 * 1024 * 1024) + b" oauth_problem=signature_invalid " + b"B" * (12 * 1024 * 1024) + b"\n")
        fh.write(healthy_log(50, 9).encode())
    report = analyse([str(path)])
    found = {f.code: f for _, f in report.findings()}
    assert "logs/huge-line" in found and "logs/read" in found
    # the needle inside the giant line is still seen, shown bounded
    shown = json.dumps(found["oauth-signature/problem"].to_json())
    assert len(shown) < 20_000


def _deflate_bomb(path: Path, member: str, megabytes: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(member, "w", force_zip64=True) as fh:
        for _ in range(megabytes):
            fh.write(REPEATED * (1024 * 1024 // len(REPEATED)))


def test_a_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = tmp_path / "support.zip"
    _deflate_bomb(bomb, "application-logs/atlassian-jira.log", RATIO_FLOOR // (1024 * 1024) + 40)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    report = analyse([str(bomb)])
    assert "logs/decompression-bomb" in codes(report)
    assert "logs/read" not in codes(report)


def test_a_gzip_bomb_stops_once_it_inflates_past_any_real_log(tmp_path: Path) -> None:
    bomb = tmp_path / "atlassian-jira.log.1.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        for _ in range(RATIO_FLOOR // (1024 * 1024) + 40):
            fh.write(REPEATED * (1024 * 1024 // len(REPEATED)))
    report = analyse([str(bomb)])
    assert "logs/decompression-bomb" in codes(report)


def test_path_traversal_names_in_a_zip_are_named_and_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    bundle = tmp_path / "support.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("../../etc/atlassian-jira.log", "oauth_problem=signature_invalid\n")
        z.writestr("/abs/atlassian-jira.log", "x\n")
        z.writestr("logs/atlassian-jira.log", healthy_log(100))
    report = analyse([str(bundle)])
    found = [f for _, f in report.findings() if f.code == "logs/unsafe-archive-name"]
    assert len(found) == 2 and all("nothing is extracted" in f.message for f in found)
    assert "logs/read" in codes(report) and "oauth-signature/problem" not in codes(report)
    assert not (tmp_path.parent / "etc").exists()


def test_a_truncated_gzip_and_a_broken_zip_are_findings(tmp_path: Path) -> None:
    cut = tmp_path / "atlassian-jira.log.2.gz"
    cut.write_bytes(gzip.compress(healthy_log(3000).encode())[:-4000])
    broken = tmp_path / "support.zip"
    broken.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    report = analyse([str(cut), str(broken)])
    unreadable = [f for _, f in report.findings() if f.code == "logs/unreadable"]
    assert {f.subject for f in unreadable} == {"atlassian-jira.log.2.gz", "support.zip"}
    assert "logs/read" in codes(report)  # what the truncated file held before the cut still counts


def test_a_zip_without_logs_says_so(tmp_path: Path) -> None:
    bundle = tmp_path / "support.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("application-config/dbconfig.xml", "<x/>")
    assert codes(analyse([str(bundle)])) == {"logs/no-log-files"}


def _peak(tmp_path: Path, log: Path, name: str) -> float:
    report = tmp_path / f"{name}.rss"
    out = tmp_path / f"{name}.json"
    cmd = launched([sys.executable, "-m", "jiradoctor", "logs", str(log), "-o", str(out)], report)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return peak_mb(report)


def test_memory_does_not_grow_with_the_files_size(tmp_path: Path) -> None:
    """A log 8x larger (and a 40 MB line) costs about the same peak memory: it is streamed."""
    small, large = tmp_path / "small" / "atlassian-jira.log", tmp_path / "large" / "atlassian-jira.log"
    small.parent.mkdir()
    large.parent.mkdir()
    block = healthy_log(20000).encode()
    small.write_bytes(block)
    with open(large, "wb") as fh:
        for _ in range(8):
            fh.write(block)
        fh.write(b"x" * (40 * 1024 * 1024) + b"\n")
    base, big = _peak(tmp_path, small, "small"), _peak(tmp_path, large, "large")
    assert large.stat().st_size > 8 * small.stat().st_size
    print(f"peak RSS: small {base:.0f} MB, large {big:.0f} MB")
    assert big < base + 40, f"peak {big:.0f} MB for the large file vs {base:.0f} MB for the small one"


def test_a_flood_of_error_lines_is_counted_beyond_what_is_parsed(tmp_path: Path, monkeypatch) -> None:
    from jiradoctor.logs import records

    monkeypatch.setattr(records, "MAX_DECODED", 500)
    path = tmp_path / "atlassian-jira.log"
    path.write_text("".join(jira_head(level="ERROR", logger="c.a.Flood") + f"again {i}\n" for i in range(3000)),
                    encoding="utf-8")
    found = {f.code: f for _, f in analyse([str(path)]).findings()}
    assert found["logs/unrecognised-errors"].evidence["count"] == 500
    assert found["logs/flood"].evidence["not_parsed"] == 2500
