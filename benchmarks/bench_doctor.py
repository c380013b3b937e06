"""How many round trips does a whole doctor run cost? Run by hand: python benchmarks/bench_doctor.py

Against the healthy lab with latency added to every answer, it measures in the same run:
- the baseline: one plain GET of serverInfo (one round trip at that latency);
- a full online doctor run (every check that applies to an OAuth integration);
and prints the run's wall time as a multiple of one round trip, plus the number of requests the
lab saw. Probes run concurrently, so the multiple should stay a small constant (the longest chain
of dependent requests), far below the number of requests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from jiradoctor_lab import LabServer
from jiradoctor.registry import load_checks
from jiradoctor.runner import Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target


def one_round_trip(url: str) -> float:
    with httpx.Client(trust_env=False) as client:
        t0 = time.perf_counter()
        client.get(url + "/rest/api/2/serverInfo").raise_for_status()
        return time.perf_counter() - t0


def doctor_run(lab: LabServer) -> tuple[float, int]:
    client = lab.client
    # generic: a cloud-hosted profile would (rightly) fail dns for a loopback Jira
    target = Target(url=lab.url, integration="generic", consumer_key=client.consumer_key,
                    private_key=Secret(lab.private_key_pem), access_token=Secret(client.access_token),
                    user=client.user, password=Secret(client.password), projects=tuple(client.projects), timeout=10)
    before = len(lab.seen)
    t0 = time.perf_counter()
    report = asyncio.run(Runner(load_checks().checks, target).run())
    elapsed = time.perf_counter() - t0
    assert report.status.value == "pass", [(c.id, c.status.value, c.summary) for c in report.checks]
    return elapsed, len(lab.seen) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with LabServer("healthy", latency_s=args.latency_ms / 1000) as lab:
        rtt = statistics.median(one_round_trip(lab.url) for _ in range(args.repeat))
        runs = [doctor_run(lab) for _ in range(args.repeat)]
    wall = statistics.median(r[0] for r in runs)
    requests = runs[-1][1]
    print(f"latency per answer        {args.latency_ms:.0f} ms")
    print(f"one round trip (baseline) {rtt * 1000:.1f} ms")
    print(f"doctor run                {wall * 1000:.1f} ms  ({requests} requests seen by the lab)")
    print(f"run / round trip          {wall / rtt:.1f}x   (requests made one after another would be {requests}x)")


if __name__ == "__main__":
    main()
