"""Benchmark and second opinion for the ``tls`` check, run by hand (never in CI).

On the same local nginx servers (one per certificate case from ``tests/realparts``), it runs our
``tls`` check and an outside tool's certificate scan, compares the verdicts, and prints the time
of ours against the tool's as a ratio measured in the same run.

    python benchmarks/bench_tls.py                      # testssl (Debian package testssl.sh)
    python benchmarks/bench_tls.py --tool sslyze --sslyze /opt/sslyze/bin/sslyze --cases full_chain,leaf_only

sslyze 6 needs its own virtualenv (``python3 -m venv V && V/bin/pip install sslyze 'cryptography<47'``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jiradoctor.model import Status  # noqa: E402
from jiradoctor.registry import load_checks  # noqa: E402
from jiradoctor.runner import RunOptions, Runner  # noqa: E402
from jiradoctor.target import Target  # noqa: E402
from tests.realparts.nginx import TLSFiles, start_nginx, static_site  # noqa: E402
from tests.realparts.pki import Pki, TLSCase  # noqa: E402

TOOL_TIMEOUT_S = 180
# testssl's cert_chain_of_trust texts and other finding ids -> our codes (its wording, not ours: a second opinion)
TESTSSL_CHAIN = (
    ("self signed CA in chain", "tls/untrusted-root"),
    ("self signed", "tls/self-signed"),
    ("chain incomplete", "tls/incomplete-chain"),
    ("expired", "tls/expired"),
    ("not yet valid", "tls/not-yet-valid"),
    ("unable to get local issuer", "tls/untrusted-root"),
)


@dataclass(frozen=True)
class Verdict:
    codes: frozenset[str]
    seconds: float


def ours(case: TLSCase, port: int) -> Verdict:
    target = Target(url=f"https://localhost:{port}", ca_bundle=str(case.ca_bundle), timeout=5.0)
    t0 = time.perf_counter()
    report = asyncio.run(Runner(load_checks().checks, target, RunOptions(only=("tls",))).run())
    elapsed = time.perf_counter() - t0
    codes = {f.code for _, f in report.findings() if f.status.rank >= Status.WARN.rank} or {"tls/ok"}
    return Verdict(frozenset(codes), elapsed)


def testssl(case: TLSCase, port: int, workdir: Path) -> Verdict:
    out = workdir / f"{case.name}.testssl.json"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    subprocess.run(
        [
            shutil.which("testssl") or "testssl",
            "--quiet",
            "--color",
            "0",
            "--warnings",
            "off",
            "-S",
            "--add-ca",
            str(case.ca_bundle),
            "--jsonfile",
            str(out),
            f"localhost:{port}",
        ],
        capture_output=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    found = {item["id"]: item for item in json.loads(out.read_text())}
    codes: set[str] = set()
    chain = found.get("cert_chain_of_trust", {}).get("finding", "")
    if not chain.startswith("passed"):
        codes |= {next((code for text, code in TESTSSL_CHAIN if text in chain), "tls/handshake-failed")}
        if "expired" in chain or found.get("cert_expirationStatus", {}).get("finding") == "expired":
            codes.discard("tls/untrusted-root")
    expiry = found.get("cert_expirationStatus", {})
    if expiry.get("severity") in ("MEDIUM", "HIGH") and "expired" not in expiry.get("finding", ""):
        codes.add("tls/expiring-soon")
    if found.get("cert_notBefore", {}).get("severity") == "CRITICAL" or "not yet valid" in found.get(
        "cert_validityPeriod", {}
    ).get("finding", ""):
        codes.add("tls/not-yet-valid")
    if (
        "does not match" in found.get("cert_trust", {}).get("finding", "")
        or found.get("cert_trust", {}).get("severity") == "HIGH"
    ):
        codes.add("tls/hostname-mismatch")
    if found.get("cert_keySize", {}).get("severity") in ("HIGH", "CRITICAL", "MEDIUM"):
        codes.add("tls/weak-key")
    if found.get("cert_signatureAlgorithm", {}).get("severity") in ("HIGH", "CRITICAL", "MEDIUM"):
        codes.add("tls/weak-signature")
    return Verdict(frozenset(codes or {"tls/ok"}), elapsed)


def sslyze(case: TLSCase, port: int, workdir: Path, binary: str) -> Verdict:
    """sslyze 6 says only trusted / not trusted (against the supplied CA file) and what it saw."""
    out = workdir / f"{case.name}.sslyze.json"
    t0 = time.perf_counter()
    subprocess.run(
        [binary, "--certinfo", f"--certinfo_ca_file={case.ca_bundle}", "--json_out", str(out), f"localhost:{port}"],
        capture_output=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    result = json.loads(out.read_text())["server_scan_results"][0]["scan_result"]["certificate_info"]["result"]
    deployment = result["certificate_deployments"][0]
    supplied = next(p for p in deployment["path_validation_results"] if p["trust_store"]["name"] == "Supplied CA file")
    return Verdict(frozenset({"tls/ok"} if supplied["was_validation_successful"] else {"untrusted"}), elapsed)


def agree(ours_: Verdict, theirs: Verdict, tool: str) -> bool:
    if tool == "sslyze":  # only pass/fail is comparable
        ok = ours_.codes <= {"tls/ok", "tls/expiring-soon"}
        return ok == (theirs.codes == frozenset({"tls/ok"}))
    return bool(ours_.codes & theirs.codes) or ours_.codes == theirs.codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", choices=("testssl", "sslyze"), default="testssl")
    parser.add_argument("--sslyze", default="sslyze", help="path of the sslyze executable (in its own venv)")
    parser.add_argument("--cases", default=",".join(Pki.CASES))
    args = parser.parse_args()
    names = [n for n in args.cases.split(",") if n]
    workdir = Path(tempfile.mkdtemp(prefix="bench-tls-"))
    pki = Pki(workdir / "pki")
    sites = [static_site(n, tls=TLSFiles(pki.cases[n].chain, pki.cases[n].key)) for n in names]
    total_ours = total_theirs = 0.0
    disagreements = 0
    with start_nginx(workdir / "nginx", sites) as server:
        print(f"{'case':22} {'ours':34} {args.tool:34} agree  ours_s  tool_s  ratio")
        for name in names:
            case, port = pki.cases[name], server.ports[name]
            mine = ours(case, port)
            theirs = (
                testssl(case, port, workdir) if args.tool == "testssl" else sslyze(case, port, workdir, args.sslyze)
            )
            same = agree(mine, theirs, args.tool)
            disagreements += not same
            total_ours += mine.seconds
            total_theirs += theirs.seconds
            print(
                f"{name:22} {','.join(sorted(mine.codes)):34} {','.join(sorted(theirs.codes)):34} "
                f"{'yes' if same else 'NO':5} {mine.seconds:7.3f} {theirs.seconds:7.2f} "
                f"{theirs.seconds / mine.seconds:6.0f}x"
            )
    print(
        f"\ntotal: ours {total_ours:.2f} s, {args.tool} {total_theirs:.2f} s; ours is "
        f"{total_theirs / total_ours:.0f}x faster ({total_ours / total_theirs:.4f} of the tool's time); "
        f"{disagreements} disagreement(s) in {len(names)} cases"
    )
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
