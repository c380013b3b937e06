"""Benchmark: the permission fan-out as whole processes, at 500 / 5,000 / 50,000 projects.

Run by hand: ``python benchmarks/bench_fanout.py [--sizes 500,5000,50000] [--latency-ms 30]
[--concurrency 16] [--loop-max 500]``.

For each size, a lab Jira (Server, ``many-projects`` with that many projects, ``--latency-ms``
added to every answer) runs in its own process. In the same run the script times, as whole
processes started from the shell's point of view:
  (a) ``jiradoctor doctor --only permissions`` (listing, key check, one mypermissions per project
      through the worker pool), with its peak RSS (``wait4``'s ru_maxrss);
  (b) a plain sequential loop in its own process: the same requests one after another with one
      ``httpx.Client`` (only up to ``--loop-max`` projects: at 30 ms, 50,000 would take 25 min);
  (c) the floor: ceil(requests / concurrency) x latency,
and prints ``loop / doctor`` and ``doctor / floor`` as ratios. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOP = r"""
import sys, time, httpx
url, user, password = sys.argv[1:4]
keys = ("BROWSE_PROJECTS,CREATE_ISSUES,EDIT_ISSUES,LINK_ISSUES,SCHEDULE_ISSUES,MODIFY_REPORTER,DELETE_ISSUES,"
        "MANAGE_SPRINTS_PERMISSION")
with httpx.Client(auth=(user, password), timeout=60) as c:
    c.get(url + "/rest/api/2/myself")
    projects = [p["key"] for p in c.get(url + "/rest/api/2/project").json()]
    for key in projects:
        c.get(url + "/rest/api/2/mypermissions", params={"projectKey": key, "permissions": keys}).raise_for_status()
print(len(projects))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(count: int, port: int, latency_s: float, ready, stop) -> None:  # child process
    from jiradoctor_lab import LabServer, get_scenario

    scenario = dataclasses.replace(get_scenario("many-projects"), project_count=count)
    with LabServer(scenario, port=port, latency_s=latency_s) as lab:
        ready.send((lab.url, lab.client.user, lab.client.password, lab.client.integration))
        stop.wait()


@dataclasses.dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float  # user + system time of the child (wait4)
    rss_kb: int
    stdout: str
    code: int


def timed(args: list[str], env: dict[str, str]) -> Timed:
    """Wall time, CPU time, peak RSS (KB), stdout and exit status of one whole child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out, os.waitstatus_to_exitcode(status))


def one_size(count: int, latency_s: float, concurrency: int, loop_max: int) -> tuple[int, float]:
    """Prints one size's figures; returns (requests, CPU seconds) of its doctor run."""
    import json

    port = _free_port()
    ready_recv, ready_send = mp.Pipe(duplex=False)
    stop = mp.Event()
    lab = mp.Process(target=_serve, args=(count, port, latency_s, ready_send, stop), daemon=True)
    lab.start()
    try:
        url, user, password, integration = ready_recv.recv()
        env = {**os.environ, "JIRADOCTOR_PASSWORD": password, "NO_PROXY": "127.0.0.1", "PYTHONPATH": str(ROOT)}
        # --timeout 30: the check's time limit follows --timeout (8 x (2 x 30 + 1) s), room for 50,000
        args = [
            sys.executable,
            "-m",
            "jiradoctor",
            "doctor",
            "--url",
            url,
            "--integration",
            integration,
            "--user",
            user,
            "--only",
            "permissions",
            "--format",
            "json",
            "--timeout",
            "30",
            "--concurrency",
            str(concurrency),
        ]
        run = timed(args, env)
        wall, rss = run.wall_s, run.rss_kb
        perm = next(c for c in json.loads(run.stdout)["checks"] if c["id"] == "permissions")
        evidence = next((f["evidence"] for f in perm["findings"] if "requests" in f["evidence"]), {})
        requests, checked = evidence.get("requests", 0), evidence.get("projects_checked", 0)
        floor = math.ceil(requests / concurrency) * latency_s
        print(
            f"{count:>6} projects  doctor {wall:7.2f} s  {requests} requests, {checked} projects checked, "
            f"status {perm['status']}, peak RSS {rss / 1024:.0f} MB, CPU {run.cpu_s:.2f} s "
            f"({run.cpu_s / max(1, requests) * 1000:.2f} ms a request, start-up included)"
        )
        print(
            f"{'':>15} floor ceil({requests}/{concurrency}) x {latency_s * 1000:.0f} ms = {floor:.2f} s;"
            f"  doctor / floor = {wall / floor:.2f}x"
        )
        if count <= loop_max:
            loop = timed([sys.executable, "-c", LOOP, url, user, password], env)
            print(
                f"{'':>15} sequential loop {loop.wall_s:7.2f} s (peak RSS {loop.rss_kb / 1024:.0f} MB);"
                f"  loop / doctor = {loop.wall_s / wall:.1f}x"
            )
        return requests, run.cpu_s
    finally:
        stop.set()
        lab.join(10)
        if lab.is_alive():
            lab.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--loop-max", type=int, default=500)
    opts = parser.parse_args()
    print(
        f"latency {opts.latency_ms:.0f} ms per answer, concurrency {opts.concurrency}, cpus {os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    runs = [one_size(int(s), opts.latency_ms / 1000, opts.concurrency, opts.loop_max) for s in opts.sizes.split(",")]
    for (small_n, small_cpu), (big_n, big_cpu) in zip(runs, runs[1:], strict=False):
        if big_n > small_n:  # start-up and imports cancel out: what each further request costs
            print(f"CPU per request from {small_n} to {big_n} requests: "
                  f"{(big_cpu - small_cpu) / (big_n - small_n) * 1000:.2f} ms (goal <= 2 ms)")


if __name__ == "__main__":
    mp.set_start_method("spawn")
    main()
