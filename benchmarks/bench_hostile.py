"""Peak memory and run time of the doctor against hostile answers, as ratios to a plain answer.

    python benchmarks/bench_hostile.py [--timeout 1]

Each kind runs the real CLI (basic set-up, every output format) against the hostile server of
tests/hostile; the baseline is the same run against the `html` kind (a small, plain answer on every
path), measured in the same run. Prints, per kind: peak RSS (wait4's ru_maxrss of the child) and
wall time, and both as ratios to the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import test_hostile  # noqa: E402
from tests.hostile.server import HostileServer  # noqa: E402

KINDS = (
    "gzip-bomb",
    "stacked-encodings",
    "huge-body",
    "endless-chunked",
    "deep-json",
    "huge-numbers",
    "many-headers",
    "big-header",
    "drip-body",
    "silent",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    test_hostile.TIMEOUT = args.timeout
    folder = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    try:
        with HostileServer(lifetime_s=600) as server:

            def run(kind: str) -> test_hostile.Run:
                return test_hostile.run_cli(
                    server, kind, "basic", folder / f"{kind}-{len(list(folder.iterdir()))}", folder / "none.pem"
                )

            base = min((run("html") for _ in range(3)), key=lambda r: r.elapsed_s)
            print(
                f"baseline (html on every path): {base.peak_rss_mb:.0f} MB peak, {base.elapsed_s:.2f} s; --timeout "
                f"{args.timeout:g}"
            )
            for kind in KINDS:
                r = run(kind)
                print(
                    f"{kind:18} {r.peak_rss_mb:6.0f} MB  {r.peak_rss_mb / base.peak_rss_mb:5.2f}x   "
                    f"{r.elapsed_s:6.2f} s  {r.elapsed_s / base.elapsed_s:5.2f}x   exit {r.code}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
