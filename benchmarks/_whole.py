"""Timing whole processes, A and B alternated in one run (helpers for the bench_* scripts).

A benchmark that times a function inside an already-warm interpreter overstates what a user sees:
imports, interpreter start-up and process exit are part of every run of a CLI. Each helper here
times a command as a child process from fork to exit, runs the commands of one comparison in turn
(round 1: A B C, round 2: B C A, ...) so that a busy machine slows each of them alike, and reports
medians and the per-round ratio as median (min-max).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

PYTHON = sys.executable


def prepare() -> str:
    """Byte-compile jiradoctor as an installed wheel is (pip compiles on install): with an editable
    install and PYTHONDONTWRITEBYTECODE every child would compile the package from source, which
    no user pays."""
    import compileall

    import jiradoctor

    folder = Path(jiradoctor.__file__).parent
    compileall.compile_dir(str(folder), quiet=1)
    return f"jiradoctor byte-compiled in {folder}"


def jiradoctor_command() -> list[str]:
    """The installed console script next to this Python (what a user runs), else ``python -m jiradoctor``."""
    script = Path(PYTHON).parent / "jiradoctor"
    if script.exists():
        return [str(script)]
    found = shutil.which("jiradoctor")
    return [found] if found else [PYTHON, "-m", "jiradoctor"]


@dataclass
class Timed:
    seconds: float
    returncode: int
    max_rss_kb: int
    stdout: str = ""


def run_timed(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600,
              keep_stdout: bool = False) -> Timed:
    """Wall time of one whole process (fork to reaped exit) and its peak RSS (``wait4``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=dict(env) if env else None)
    out = ""
    if keep_stdout:
        assert proc.stdout is not None
        out = proc.stdout.read().decode("utf-8", "replace")  # to EOF; wait4 below reaps the child
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Timed(elapsed, proc.returncode, usage.ru_maxrss, out)


@dataclass
class Series:
    name: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def alternate(commands: Mapping[str, Sequence[str]], rounds: int, warmup: int = 1,
              env: Mapping[str, str] | None = None) -> dict[str, Series]:
    """Each command once per round, the order rotated every round; ``warmup`` rounds are not kept."""
    names = list(commands)
    series = {n: Series(n) for n in names}
    for r in range(warmup + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            timed = run_timed(commands[name], env=env)
            if r >= warmup:
                series[name].times.append(timed.seconds)
    return series


def ratio(a: Series, b: Series) -> str:
    """a / b per round (the rounds ran side by side): median (min-max)."""
    per_round = [x / y for x, y in zip(a.times, b.times, strict=False)]
    return f"{statistics.median(per_round):.2f}x ({min(per_round):.2f}-{max(per_round):.2f})"


def ratio_values(a: Series, b: Series) -> tuple[float, float, float]:
    per_round = [x / y for x, y in zip(a.times, b.times, strict=False)]
    return statistics.median(per_round), min(per_round), max(per_round)


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, load average {load:.1f}, Python {sys.version.split()[0]}"
