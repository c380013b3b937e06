"""Running the network checks end to end, and reading their verdicts."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from jiradoctor.model import CheckResult, Report, Status
from jiradoctor.net.chain import CertInfo, load_pem_bundle
from jiradoctor.registry import load_checks
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.target import Target

NETWORK = ("dns", "tls", "proxy")
TIMEOUT_S = 3.0


def run(target: Target, only: tuple[str, ...] = NETWORK) -> Report:
    return asyncio.run(Runner(load_checks().checks, target, RunOptions(only=only)).run())


def result(report: Report, check_id: str) -> CheckResult:
    return next(c for c in report.checks if c.id == check_id)


def verdicts(report: Report, check_id: str) -> dict[str, Status]:
    """code -> status of one check's findings (the worst, if a code repeats)."""
    found: dict[str, Status] = {}
    for finding in result(report, check_id).findings:
        if finding.code not in found or finding.status.rank > found[finding.code].rank:
            found[finding.code] = finding.status
    return found


def target(url: str, **kw: object) -> Target:
    values: dict = {"url": url, "timeout": TIMEOUT_S}
    values.update(kw)
    return Target(**values)


def certs(path: Path) -> tuple[CertInfo, ...]:
    return load_pem_bundle(path.read_bytes())


def server_context(chain: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    return context
