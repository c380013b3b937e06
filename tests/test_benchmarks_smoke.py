"""The whole-process benchmarks start (not a timing: benchmarks are run by hand, see benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

from _whole import Series, alternate, ratio, run_timed  # noqa: E402
from bench_requests import waves  # noqa: E402


@pytest.mark.parametrize("script", ["bench_startup.py", "bench_tls_process.py", "bench_requests.py", "bench_fleet.py"])
def test_benchmark_script_starts(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage:" in done.stdout


def test_alternate_times_each_command_once_per_round_and_ratios_pair_rounds() -> None:
    series = alternate(
        {"a": [sys.executable, "-c", "pass"], "b": [sys.executable, "-c", "import json"]}, rounds=2, warmup=0
    )
    assert [len(s.times) for s in series.values()] == [2, 2] and all(t > 0 for s in series.values() for t in s.times)
    assert ratio(Series("x", [2.0, 3.0]), Series("y", [1.0, 1.0])) == "2.50x (2.00-3.00)"
    failed = run_timed([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], keep_stdout=True)
    assert failed.returncode == 3 and failed.stdout.strip() == "out" and failed.max_rss_kb > 0


def test_waves_group_requests_answered_together() -> None:
    stamps = [(0.00, "GET /a"), (0.01, "GET /b"), (0.26, "GET /c"), (0.27, "GET /d"), (0.53, "GET /e")]
    assert waves(stamps, latency_s=0.25) == [["GET /a", "GET /b"], ["GET /c", "GET /d"], ["GET /e"]]
    assert waves([], latency_s=0.25) == []
