"""Running the real doctor (real probes, real sockets) against a lab scenario, as the integration would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jiradoctor_lab import LabServer
from jiradoctor.model import Report, Status
from jiradoctor.registry import load_checks
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

OAUTH_CHECKS = ("reachability", "oauth-signature", "consumer-key", "clock-skew", "base-url")


def oauth_target(lab: LabServer, tmp_path: Path, **overrides: object) -> Target:
    """The Target an OAuth integration configured per the scenario's client hints would give."""
    client = lab.client
    ca_path = None
    if lab.ca_pem:
        ca_path = tmp_path / "lab-ca.pem"
        ca_path.write_text(lab.ca_pem)
    values: dict = dict(
        url=lab.url, integration=client.integration, consumer_key=client.consumer_key,
        private_key=Secret(lab.private_key_pem),
        access_token=Secret(client.access_token) if client.access_token else None,
        ca_bundle=str(ca_path) if ca_path else None, timeout=2.0,
        integration_hosting=client.integration_hosting,  # where the scenario's integration runs
    )
    values.update(overrides)
    return Target(**values)


def run_doctor(target: Target, only: tuple[str, ...] = OAUTH_CHECKS) -> Report:
    return asyncio.run(Runner(load_checks().checks, target, RunOptions(only=only)).run())


def problem_codes(report: Report) -> set[str]:
    return {f.code for _, f in report.findings() if f.status.rank >= Status.WARN.rank}
