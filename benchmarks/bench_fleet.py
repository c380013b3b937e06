"""Benchmark: `jiradoctor fleet run` over N targets spread over a few lab Jiras with loopback latency.

Run by hand: ``python benchmarks/bench_fleet.py --targets 1000 [--labs 4] [--latency-ms 50] [--jobs 8]``.

In one run it measures
  (a) the critical path of one target: a fleet of one target per lab run one at a time (--jobs 1),
      its targets' mean duration (the Runner's own clock) and the process's fixed cost (start-up,
      imports, writing the outputs: wall minus the targets' durations);
  (b) the floor: fixed cost + critical path x waves, waves = ceil(N / jobs);
  (c) the fleet of N targets: wall time, peak RSS (``wait4``) and CPU (user + system) per target;
and prints wall / floor (goal <= 1.5), peak RSS (goal <= 300 MB at 1,000 targets) and CPU per target
(goal <= 25 ms). The labs run in this process's threads, the fleet in a child process, so the fleet's
CPU and memory are its own. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jiradoctor_lab import LabServer, server  # noqa: E402

# The lab writes headers and body in two send() calls; with Nagle on, each answer waits for the
# client's delayed ACK (~40 ms on Linux): the benchmark would measure that stall (as bench_permissions).
server._Handler.disable_nagle_algorithm = True

PAT = "MzE4NzQ5NTk2OTA4OpcS8muzzxxVhJro760qHNh4LiKy"
# (scenario, inventory lines): healthy and broken, Basic and PAT
KINDS = (
    ("healthy-pat", 'pat_env = "BENCH_PAT"'),
    ("healthy", 'user = "piplanning-svc"\npassword_env = "BENCH_PASSWORD"'),
    ("wrong-password", 'user = "piplanning-svc"\npassword_env = "BENCH_WRONG"'),
    ("pat-expiring", 'pat_env = "BENCH_PAT"'),
)


def inventory(path: Path, labs: list[tuple[LabServer, str]], count: int) -> None:
    with open(path, "w") as fh:
        fh.write("[defaults]\ntimeout = 10\n")
        for i in range(count):
            lab, lines = labs[i % len(labs)]
            fh.write(f'[[target]]\nname = "t{i:05d}"\nurl = "{lab.url}"\n{lines}\n')


def run_fleet(inv: Path, out: Path, jobs: int, per_host: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    env.update(BENCH_PAT=PAT, BENCH_PASSWORD="lab-svc-password", BENCH_WRONG="lab-wrong-password",
               PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "jiradoctor", "-q", "fleet", "run", str(inv), "-o", str(out), "--jobs", str(jobs),
            "--per-host", str(per_host), "--fail-on", "never"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"fleet run failed: {err.decode(errors='replace')[-2000:]}")
    rows = json.loads((out / "fleet.json").read_text())["targets"]
    return {
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "targets": len(rows),
        "durations": sum(r["duration_s"] for r in rows),
        "errors": sum(r["status"] == "error" for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, nargs="+", default=[200])
    parser.add_argument("--labs", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    per_host = max(1, math.ceil(args.jobs / args.labs))
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        labs = [(stack.enter_context(LabServer(KINDS[i % len(KINDS)][0], latency_s=args.latency_ms / 1000)),
                 KINDS[i % len(KINDS)][1]) for i in range(args.labs)]
        inventory(folder / "one.toml", labs, len(labs))
        one = run_fleet(folder / "one.toml", folder / "one", jobs=1, per_host=1)
        critical = one["durations"] / one["targets"]
        fixed = max(0.0, one["wall"] - one["durations"])
        print(f"labs: {args.labs} at {args.latency_ms:g} ms latency; --jobs {args.jobs} --per-host {per_host}")
        print(f"one target's critical path: {critical * 1000:.0f} ms; fixed cost of a fleet process: "
              f"{fixed * 1000:.0f} ms; one-target-per-lab fleet peak RSS {one['rss_mb']:.0f} MB")
        print(f"{'targets':>8} {'wall s':>8} {'floor s':>8} {'wall/floor':>10} {'peak RSS MB':>12} "
              f"{'CPU ms/target':>14} {'errors':>7}")
        for count in args.targets:
            inventory(folder / f"{count}.toml", labs, count)
            got = run_fleet(folder / f"{count}.toml", folder / f"out-{count}", args.jobs, per_host)
            floor = fixed + critical * math.ceil(count / args.jobs)
            print(f"{count:>8} {got['wall']:>8.1f} {floor:>8.1f} {got['wall'] / floor:>10.2f} {got['rss_mb']:>12.0f} "
                  f"{got['cpu'] / count * 1000:>14.1f} {got['errors']:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
