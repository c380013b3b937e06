"""The logs benchmark starts, and its generated log is read as healthy except for the records it plants
(not a timing: benchmarks run by hand, see benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def test_bench_logs_starts() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "bench_logs.py"), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "--mb" in done.stdout


def test_the_generated_log_holds_only_the_planted_failures(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    from bench_logs import write_log

    from jiradoctor.logs.command import analyse

    log = tmp_path / "atlassian-jira.log"
    write_log(log, 60)
    codes = {f.code: f for _, f in analyse([str(log)]).findings()}
    assert set(codes) == {"oauth-signature/problem", "outgoing-tls/unknown-ca", "logs/read"}
    assert codes["oauth-signature/problem"].evidence["log"]["count"] == 1
