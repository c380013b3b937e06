"""Start-up as whole processes: what `jiradoctor --help` and `jiradoctor checks` cost beside bare Python.

    python benchmarks/bench_startup.py [--rounds 20]

Run with the Python of the environment jiradoctor is installed in (``.venv/bin/python``). In one
run, alternating, it times: ``python -c pass``; ``python -c 'import click'`` (the floor of any
click CLI); the stack-import line (every library a full doctor run uses); ``jiradoctor --help``;
``jiradoctor checks``. It prints each one's median and its ratio (median of the per-round ratios,
min-max) to bare Python and to ``import click``. Issue 14's goal: ``--help`` <= 1.5x ``import click``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _whole import PYTHON, alternate, jiradoctor_command, machine_line, prepare, ratio  # noqa: E402

STACK = "import asyncio, ssl, click, httpx, certifi, cryptography.x509, oauthlib.oauth1, dns.asyncresolver, jinja2"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(prepare())
    jd = jiradoctor_command()
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "python -c 'import click'": [PYTHON, "-c", "import click"],
        "stack import": [PYTHON, "-c", STACK],
        "jiradoctor --help": [*jd, "--help"],
        "jiradoctor checks": [*jd, "checks"],
    }
    series = alternate(commands, args.rounds)
    bare, click = series["python -c pass"], series["python -c 'import click'"]
    print(f"start-up, whole processes, {args.rounds} rounds alternated ({machine_line()})")
    print(f"stack import = python -c '{STACK}'\n")
    print(f"{'command':28} {'median':>9}   {'/ bare python':>22}   {'/ import click':>22}")
    for name, s in series.items():
        print(f"{name:28} {s.median * 1000:7.1f}ms   {ratio(s, bare):>22}   {ratio(s, click):>22}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
