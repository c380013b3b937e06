"""`jiradoctor logs` on a large generated Jira log, against `grep -c` of one fixed string (issue 29).

    python benchmarks/bench_logs.py [--mb 200] [--rounds 3] [--keep DIR]

Writes a busy, healthy atlassian-jira.log of --mb megabytes (tests/logs/logfiles.py's lines, with a
captured signature_invalid record and a PKIX failure every ~50 MB, so the matching path runs too),
then times, as whole processes alternated round by round (benchmarks/_whole.py): the floor,
`grep -c -F oauth_problem FILE`, and `jiradoctor logs FILE -o report.json`. Both write into a pipe
that is read to its end: GNU grep whose output is /dev/null stops at the first match (it behaves
as -q), which would make the floor a fraction of a real scan. Prints both medians and
the ratio (goal: at most 5x the floor; issue 29 asks it at 1 GB: --mb 1024). Peak memory is measured
at --mb and at a quarter of it: it must not grow with the file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _whole import Series, jiradoctor_command, machine_line, prepare, ratio, run_timed  # noqa: E402
from tests.logs.logfiles import healthy_log, jira_head  # noqa: E402

RARE = (jira_head(level="WARN", path="/plugins/servlet/oauth/request-token",
                  logger="c.a.oauth.serviceprovider.internal.AuthenticatorImpl")
        + "oauth_problem=signature_invalid\n"
        + jira_head(level="ERROR", path="/rest/applinks/3.0/status/x") + "Outgoing request failed\n"
        + "javax.net.ssl.SSLHandshakeException: sun.security.validator.ValidatorException: PKIX path building "
          "failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification "
          "path to requested target\n")


def write_log(path: Path, megabytes: int) -> int:
    block = healthy_log(20000).encode()  # about 4 MB, generated once, written again and again
    target = megabytes * 1024 * 1024
    written = 0
    with open(path, "wb") as fh:
        while written < target:
            if written // (50 * 1024 * 1024) != (written + len(block)) // (50 * 1024 * 1024):
                fh.write(RARE.encode())
                written += len(RARE)
            fh.write(block)
            written += len(block)
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200, help="size of the generated log (issue 29: 1024)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", help="write the logs here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    print(prepare())
    print(machine_line())
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-logs-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        big, small = folder / "big" / "atlassian-jira.log", folder / "small" / "atlassian-jira.log"
        big.parent.mkdir(exist_ok=True)
        small.parent.mkdir(exist_ok=True)
        size = write_log(big, args.mb)
        small_size = write_log(small, max(1, args.mb // 4))
        report = folder / "report.json"
        commands = {
            "grep -c -F oauth_problem": ["grep", "-c", "-F", "oauth_problem", str(big)],
            "jiradoctor logs": [*jiradoctor_command(), "logs", str(big), "-o", str(report)],
        }
        series = {name: Series(name) for name in commands}
        names = list(commands)
        for r in range(1 + args.rounds):  # one warm-up round, then the order rotates every round
            for name in names[r % 2:] + names[:r % 2]:
                timed = run_timed(commands[name], keep_stdout=True)
                if r:
                    series[name].times.append(timed.seconds)
        floor, ours = series["grep -c -F oauth_problem"], series["jiradoctor logs"]
        mb = size / 1024 / 1024
        print(f"log: {mb:.0f} MB ({size} bytes), {args.rounds} rounds after 1 warm-up (file in the page cache)")
        print(f"  grep -c -F          median {floor.median:6.2f} s  {mb / floor.median:7.0f} MB/s   (the floor)")
        print(f"  jiradoctor logs     median {ours.median:6.2f} s  {mb / ours.median:7.0f} MB/s")
        print(f"  ratio to the floor: {ratio(ours, floor)}   (goal: <= 5x)")
        peak_big = run_timed(commands["jiradoctor logs"]).max_rss_kb / 1024
        peak_small = run_timed([*jiradoctor_command(), "logs", str(small), "-o", str(report)]).max_rss_kb / 1024
        print(f"peak RSS: {peak_small:.0f} MB at {small_size / 1024 / 1024:.0f} MB, {peak_big:.0f} MB at {mb:.0f} MB "
              f"(goal: independent of the size)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
