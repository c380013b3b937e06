"""Requests and round trips of a healthy full doctor run, counted on the lab side.

    python benchmarks/bench_requests.py [--latency-ms 250] [--repeat 3]

The healthy lab Jira (Server) runs in this process with ``--latency-ms`` added to every answer;
``jiradoctor doctor`` runs as a whole process against it with the integration's OAuth key and
access token, a Basic login and the scenario's two projects (every check that applies). The lab
records each request when it answers; requests answered within half a latency of each other went
out together, so the number of such waves is the number of round trips on the critical path.
Issue 14's goal: <= 5 requests, <= 2 round trips.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _whole import jiradoctor_command, machine_line, prepare, run_timed  # noqa: E402

from jiradoctor_lab import LabServer  # noqa: E402


def waves(stamps: list[tuple[float, str]], latency_s: float) -> list[list[str]]:
    """Requests grouped by when they were answered: a gap of more than half a latency starts a new wave."""
    out: list[list[str]] = []
    last = None
    for at, what in sorted(stamps):
        if last is None or at - last > latency_s / 2:
            out.append([])
        out[-1].append(what)
        last = at
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--deep", action="store_true", help="also the deep checks (can-work): what they add")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    print(prepare())
    stamps: list[tuple[float, str]] = []
    lock = threading.Lock()
    with LabServer("healthy", latency_s=latency) as lab:
        original = lab._record

        def record(seen):  # when the lab answered, and what (path only: no query, no secret)
            with lock:
                stamps.append((time.monotonic(), f"{seen.method} {seen.path}"))
            original(seen)

        lab._record = record
        client = lab.client
        folder = Path(tempfile.mkdtemp(prefix="bench-requests-"))
        key = folder / "private.pem"
        key.write_text(lab.private_key_pem)
        key.chmod(0o600)
        argv = [*jiradoctor_command(), "doctor", "--url", lab.url, "--integration", "generic",
                "--consumer-key", client.consumer_key, "--private-key", str(key), "--user", client.user,
                "--projects", ",".join(client.projects), "--format", "json", "--timeout", "10",
                *(["--deep"] if args.deep else [])]
        env = {**os.environ, "JIRADOCTOR_PASSWORD": client.password, "JIRADOCTOR_ACCESS_TOKEN": client.access_token}
        runs = []
        for _ in range(args.repeat):
            with lock:
                stamps.clear()
            timed = run_timed(argv, env=env, keep_stdout=True)
            report = json.loads(timed.stdout)
            with lock:
                seen = list(stamps)
            runs.append((timed.seconds, report, waves(seen, latency)))
    wall = statistics.median(r[0] for r in runs)
    _, report, last_waves = runs[-1]
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    what = "healthy full run with --deep" if args.deep else "healthy full run"
    print(f"{what}, whole process, {args.latency_ms:.0f} ms per answer ({machine_line()})")
    print(f"summary: {report['summary']['status']}; " + ", ".join(f"{k} {v}" for k, v in statuses.items()))
    requests = sum(len(w) for w in last_waves)
    print(f"requests seen by the lab: {requests}; round trips on the critical path: {len(last_waves)}")
    for i, wave in enumerate(last_waves, 1):
        print(f"  round trip {i}: " + ", ".join(sorted(wave)))
    print(f"whole process {wall:.2f} s (median of {args.repeat}) = {wall / latency:.1f} latencies")
    counts = {(sum(len(w) for w in r[2]), len(r[2])) for r in runs}
    if len(counts) > 1:
        print(f"note: the runs differed in (requests, round trips): {sorted(counts)}")
    return 0 if report["summary"]["status"] == "pass" else 1


if __name__ == "__main__":
    raise SystemExit(main())
