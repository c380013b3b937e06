"""Benchmark: the permissions check on a lab Jira with 500 projects, against a naive sequential loop.

Run by hand: ``python benchmarks/bench_permissions.py [--projects-scenario many-projects] [--latency-ms 30]``.

In one run it measures
  (a) the doctor: wall time of the ``permissions`` check (listing, key check and one mypermissions
      per project, at most CONCURRENCY at once) through the real Runner and probes;
  (b) a plain sequential loop: the same endpoints, one project after another, one httpx.Client;
  (c) the floor: ceil(requests / concurrency) x latency, what the round trips alone cost;
and prints the ratios (target: >= 10x faster than the loop, within 3x of the floor) and the peak
memory of the doctor run (tracemalloc). The lab runs in its own process so its request handling
does not compete with the doctor for this process's GIL. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import os
import resource
import socket
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jiradoctor.jira.integrations import get_profile  # noqa: E402
from jiradoctor.jira.permissions import plan_for  # noqa: E402
from jiradoctor.probes.permissions import CONCURRENCY  # noqa: E402
from jiradoctor.registry import load_checks  # noqa: E402
from jiradoctor.runner import RunOptions, Runner  # noqa: E402
from jiradoctor.secrets import Secret  # noqa: E402
from jiradoctor.target import Target  # noqa: E402

INTEGRATION = "piplanning"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(scenario: str, port: int, latency_s: float, ready, stop) -> None:  # child process
    from jiradoctor_lab import LabServer, server

    # The lab writes headers and body in two send() calls; with Nagle on, each answer then waits
    # for the client's delayed ACK (~40 ms on Linux) and the benchmark would measure that stall,
    # not the doctor. socketserver's own switch turns TCP_NODELAY on (proposed for the lab itself).
    server._Handler.disable_nagle_algorithm = True

    with LabServer(scenario, port=port, latency_s=latency_s) as lab:
        ready.send((lab.url, lab.client.user, lab.client.password))
        stop.wait()


@dataclass(frozen=True)
class DoctorRun:
    check_s: float  # the permissions check's own duration, as the report gives it
    run_s: float  # the whole run (serverInfo included)
    cpu_s: float  # this process's CPU time during the run (the lab runs elsewhere)
    requests: int
    projects: int
    peak_bytes: int | None


def doctor_run(url: str, user: str, password: str, trace_memory: bool = False) -> DoctorRun:
    """One doctor run of the permissions check through the real Runner and probes."""
    target = Target(url=url, integration=INTEGRATION, user=user, password=Secret(password), timeout=30.0)
    if trace_memory:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    report = asyncio.run(
        Runner(load_checks(include_plugins=False).checks, target, RunOptions(only=("permissions",))).run()
    )
    run_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1] if trace_memory else None
    if trace_memory:
        tracemalloc.stop()
    check = report.checks[0]
    if check.status.value != "pass":
        print(f"  note: the permissions check says {check.status.value}: {check.summary}")
    summary = next(f for f in check.findings if "requests" in f.evidence)
    return DoctorRun(
        check.duration_s,
        run_s,
        cpu_s,
        int(summary.evidence["requests"]),
        int(summary.evidence["projects_checked"]),
        peak,
    )


def sequential_loop(url: str, user: str, password: str) -> tuple[float, int, int]:
    """The obvious client: list projects, then ask one project after another."""
    keys = ",".join(plan_for(get_profile(INTEGRATION)).project_keys)
    t0 = time.perf_counter()
    requests = 0
    with httpx.Client(auth=(user, password), timeout=30.0, trust_env=False) as http:
        projects = http.get(f"{url}/rest/api/2/project").json()
        requests += 1
        for project in projects:
            answer = http.get(
                f"{url}/rest/api/2/mypermissions", params={"projectKey": project["key"], "permissions": keys}
            )
            answer.raise_for_status()
            requests += 1
    return time.perf_counter() - t0, requests, len(projects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="many-projects")
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000

    ctx = mp.get_context("spawn")
    ready_recv, ready_send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    server = ctx.Process(target=_serve, args=(args.scenario, _free_port(), latency, ready_send, stop), daemon=True)
    server.start()
    try:
        if not ready_recv.poll(30):
            raise SystemExit("the lab did not start within 30 s")
        url, user, password = ready_recv.recv()
        os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
        print(
            f"lab {args.scenario} at {url}, {args.latency_ms:g} ms added to every answer, integration {INTEGRATION}, "
            f"concurrency {CONCURRENCY}"
        )
        doctor_run(url, user, password)  # warm-up: imports, first connections
        runs = [doctor_run(url, user, password) for _ in range(3)]
        memory = doctor_run(url, user, password, trace_memory=True)
        loop_s, loop_requests, loop_projects = sequential_loop(url, user, password)
    finally:
        stop.set()
        server.join(10)
        if server.is_alive():
            server.terminate()

    best = min(runs, key=lambda r: r.check_s)
    median = sorted(r.check_s for r in runs)[1]
    floor_s = math.ceil(best.requests / CONCURRENCY) * latency
    print()
    print(
        f"  (a) doctor, permissions check   {best.check_s:8.3f} s  best of 3 (median {median:.3f} s); "
        f"{best.requests} requests, {best.projects} projects; whole run {best.run_s:.3f} s, client CPU "
        f"{best.cpu_s:.3f} s"
    )
    print(f"  (b) sequential loop             {loop_s:8.3f} s  ({loop_requests} requests, {loop_projects} projects)")
    print(f"  (c) floor ceil({best.requests}/{CONCURRENCY}) x {args.latency_ms:g} ms  {floor_s:8.3f} s")
    print()
    speedup, over_floor = loop_s / best.check_s, best.check_s / floor_s if floor_s else float("inf")
    print(
        f"  loop / doctor  = {speedup:6.1f}x   (target >= 10x: {'met' if speedup >= 10 else 'NOT met'}; "
        f"median {loop_s / median:.1f}x)"
    )
    print(
        f"  doctor / floor = {over_floor:6.2f}x   (target <= 3x:  {'met' if over_floor <= 3 else 'NOT met'}; "
        f"median {median / floor_s:.2f}x)"
    )
    print(
        f"  peak Python memory of a doctor run (tracemalloc): {(memory.peak_bytes or 0) / 1e6:.1f} MB; "
        f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
