"""The tls check as a user runs it: whole processes, against sslyze, testssl and openssl s_client.

    python benchmarks/bench_tls_process.py [--rounds 5] [--sslyze /tmp/sslyze-venv/bin/sslyze]
                                           [--testssl-rounds 1] [--cases full_chain,self_signed,...]

``benchmarks/bench_tls.py`` timed the check inside a warm interpreter, which hides what a user
waits for (interpreter start-up and imports). Here every tool is a child process timed from fork
to exit, on the same local nginx servers (one per certificate case of ``tests/realparts``):

- ours: ``jiradoctor doctor --url https://localhost:PORT --ca-bundle CA --only tls --format json``;
- ``sslyze --certinfo --certinfo_ca_file=CA`` (own virtualenv: ``python3 -m venv /tmp/sslyze-venv &&
  /tmp/sslyze-venv/bin/pip install sslyze 'cryptography<47'``);
- ``testssl -S --add-ca CA`` (Debian package testssl.sh; 10-20 s a host, so fewer rounds);
- ``openssl s_client -verify_return_error -verify_hostname localhost -CAfile CA`` (the floor: one
  handshake and a verification, no judgement).

Within a round the tools run one after another on each case, the order rotated per round; the
script prints per tool the total of the medians per case, the ratio tool / ours (median of the
per-round ratios, min-max) and whether each verdict agrees with ours (pass/fail for sslyze and
openssl, the finding for testssl). Goals of issue 14: ours >= 2x faster than sslyze, >= 30x than testssl.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import bench_tls  # noqa: E402  (testssl and sslyze verdict readers, shared)
from _whole import jiradoctor_command, machine_line, prepare, run_timed  # noqa: E402
from bench_tls import Verdict  # noqa: E402
from tests.realparts.nginx import TLSFiles, start_nginx, static_site  # noqa: E402
from tests.realparts.pki import Pki, TLSCase  # noqa: E402

# openssl verify codes -> our finding codes (X509_V_ERR_*)
OPENSSL_CODES = {
    9: "tls/not-yet-valid",
    10: "tls/expired",
    18: "tls/self-signed",
    19: "tls/untrusted-root",
    20: "tls/incomplete-chain",
    21: "tls/incomplete-chain",
    62: "tls/hostname-mismatch",
    66: "tls/weak-key",
    68: "tls/weak-signature",
}


def ours(case: TLSCase, port: int) -> Verdict:
    argv = [
        *jiradoctor_command(),
        "doctor",
        "--url",
        f"https://localhost:{port}",
        "--ca-bundle",
        str(case.ca_bundle),
        "--only",
        "tls",
        "--format",
        "json",
        "--timeout",
        "5",
        "--fail-on",
        "never",
    ]
    timed = run_timed(argv, keep_stdout=True)
    report = json.loads(timed.stdout)
    codes = {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail")}
    return Verdict(frozenset(codes or {"tls/ok"}), timed.seconds)


def openssl(case: TLSCase, port: int) -> Verdict:
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            "openssl",
            "s_client",
            "-connect",
            f"localhost:{port}",
            "-servername",
            "localhost",
            "-CAfile",
            str(case.ca_bundle),
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
            "-brief",
        ],
        input=b"",
        capture_output=True,
        timeout=60,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    text = done.stderr.decode("utf-8", "replace") + done.stdout.decode("utf-8", "replace")
    code = None
    for line in text.splitlines():  # "verify error:num=10:certificate has expired"
        if "verify error:num=" in line:
            code = int(line.split("num=")[1].split(":")[0])
            break
    if done.returncode == 0 and code is None:
        return Verdict(frozenset({"tls/ok"}), elapsed)
    return Verdict(
        frozenset({OPENSSL_CODES.get(code, f"openssl/verify-{code}" if code else "tls/handshake-failed")}), elapsed
    )


def passes(verdict: Verdict) -> bool:
    return verdict.codes <= {"tls/ok", "tls/expiring-soon"}


def agree(mine: Verdict, theirs: Verdict, tool: str) -> bool:
    if tool == "testssl":
        return bench_tls.agree(mine, theirs, "testssl")
    return passes(mine) == passes(theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--testssl-rounds", type=int, default=1, help="testssl takes 10-20 s a host")
    parser.add_argument("--sslyze", default="/tmp/sslyze-venv/bin/sslyze")
    parser.add_argument("--cases", default=",".join(Pki.CASES))
    args = parser.parse_args()
    names = [n for n in args.cases.split(",") if n]
    print(prepare())
    tools = ["ours", "openssl"]
    if Path(args.sslyze).exists() or shutil.which(args.sslyze):
        tools.append("sslyze")
    if shutil.which("testssl") and args.testssl_rounds > 0:
        tools.append("testssl")
    workdir = Path(tempfile.mkdtemp(prefix="bench-tls-process-"))
    pki = Pki(workdir / "pki")
    sites = [static_site(n, tls=TLSFiles(pki.cases[n].chain, pki.cases[n].key)) for n in names]
    times: dict[str, dict[str, list[float]]] = {t: {n: [] for n in names} for t in tools}
    per_round: dict[str, list[float]] = {t: [] for t in tools}  # one total per round and tool
    verdicts: dict[str, dict[str, Verdict]] = {t: {} for t in tools}
    with start_nginx(workdir / "nginx", sites) as server:
        for r in range(1 + args.rounds):  # round 0 warms the caches and is not kept
            order = tools[r % len(tools) :] + tools[: r % len(tools)]
            totals = dict.fromkeys(tools, 0.0)
            for name in names:
                case, port = pki.cases[name], server.ports[name]
                for tool in order:
                    if tool == "testssl" and not 1 <= r <= args.testssl_rounds:
                        continue
                    verdict = (
                        ours(case, port)
                        if tool == "ours"
                        else openssl(case, port)
                        if tool == "openssl"
                        else bench_tls.sslyze(case, port, workdir, args.sslyze)
                        if tool == "sslyze"
                        else bench_tls.testssl(case, port, workdir)
                    )
                    verdicts[tool][name] = verdict
                    totals[tool] += verdict.seconds
                    if r:
                        times[tool][name].append(verdict.seconds)
            if r:
                for tool in tools:
                    if tool != "testssl" or r <= args.testssl_rounds:
                        per_round[tool].append(totals[tool])
    print(f"tls, whole processes, {len(names)} nginx cases, {args.rounds} rounds ({machine_line()})\n")
    print(f"{'case':22} " + " ".join(f"{t:>26}" for t in tools))
    disagreements = 0
    for name in names:
        cells = []
        for tool in tools:
            v = verdicts[tool][name]
            same = tool == "ours" or agree(verdicts["ours"][name], v, tool)
            disagreements += not same
            cells.append(
                f"{','.join(sorted(v.codes))[:19]:>19}{'' if same else ' NO'} "
                f"{statistics.median(times[tool][name]):5.2f}s"
            )
        print(f"{name:22} " + " ".join(f"{c:>26}" for c in cells))
    print()
    ours_rounds = per_round["ours"]
    for tool in tools:
        rounds = per_round[tool]
        ratios = [t / o for t, o in zip(rounds, ours_rounds, strict=False)]
        print(
            f"{tool:8} all cases {statistics.median(rounds):7.2f} s (median of {len(rounds)} rounds)   "
            f"{tool} / ours = {statistics.median(ratios):6.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
        )
    print(f"\n{disagreements} verdict(s) differ from ours")
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
