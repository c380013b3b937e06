"""Shared fixtures: real RSA/EC keys made once per session, and schema validation of every report.

Every Report a test produces through the Runner is validated against the shipped JSON Schema
(an autouse fixture wraps ``Runner.run``), so the contract cannot drift unnoticed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jiradoctor.context import Facts
from jiradoctor_lab import LabServer
from jiradoctor.model import Report
from jiradoctor.registry import Check
from jiradoctor.reports.json_report import schema
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.target import Target

_SCHEMA = schema()
_VALIDATOR = jsonschema.Draft202012Validator(_SCHEMA, format_checker=jsonschema.FormatChecker())


def assert_valid_report(data: dict[str, Any]) -> None:
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "report does not match its schema:\n" + "\n".join(
        f"  {list(e.path)}: {e.message}" for e in errors[:10]
    )


@pytest.fixture(autouse=True)
def _validate_every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Runner.run

    async def run_and_validate(self: Runner) -> Report:
        report = await original(self)
        assert_valid_report(report.to_json())
        return report

    monkeypatch.setattr(Runner, "run", run_and_validate)


@dataclass(frozen=True)
class KeyPair:
    private_pkcs8: str
    private_pkcs1: str
    public_spki: str
    public_pkcs1: str
    key: Any


def _pair(key: Any) -> KeyPair:
    pub = key.public_key()
    return KeyPair(
        private_pkcs8=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        private_pkcs1=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
        if isinstance(key, rsa.RSAPrivateKey)
        else "",
        public_spki=pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        public_pkcs1=pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
        if isinstance(key, rsa.RSAPrivateKey)
        else "",
        key=key,
    )


@pytest.fixture(scope="session")
def rsa_pair() -> KeyPair:
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def other_rsa_pair() -> KeyPair:
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def weak_rsa_pair() -> KeyPair:
    return _pair(rsa.generate_private_key(public_exponent=65537, key_size=1024))


@pytest.fixture(scope="session")
def ec_pair() -> KeyPair:
    return _pair(ec.generate_private_key(ec.SECP256R1()))


def run_checks(checks: list[Check], target: Target, preset: dict[str, Any] | None = None, **options: Any) -> Report:
    """Run checks in-process with optional pre-set facts (no probes, no network)."""
    facts = Facts(target, probes={}, preset=preset or {})
    return asyncio.run(Runner(checks, target, RunOptions(**options), facts=facts).run())


def codes(report: Report) -> set[str]:
    return {f.code for _, f in report.findings()}


def found(report: Report, code: str) -> list:
    """The findings of ``report`` with this code."""
    return [f for _, f in report.findings() if f.code == code]


def only(report: Report, code: str):
    """The one finding with this code (fails the test when there is not exactly one)."""
    items = found(report, code)
    assert len(items) == 1, f"expected one {code}, got {sorted(codes(report))}"
    return items[0]


@pytest.fixture
def make_lab() -> Iterator[Callable[..., LabServer]]:
    """Start lab servers on loopback; every one is stopped at teardown."""
    servers: list[LabServer] = []

    def _make(scenario: Any, **kw: Any) -> LabServer:
        server = LabServer(scenario, **kw)
        servers.append(server)
        return server.start()

    yield _make
    for server in servers:
        server.stop()


from tests.realparts.fixtures import *  # noqa: E402,F401,F403  real nginx, proxies, DNS, PKI fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The headless Chromium the browser tests share: one per module, always closed; never skipped
    (scripts/test installs Chromium)."""
    from tests.browser.cdp import Browser, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.fail("chromium is not installed; scripts/test installs it (apt-get install chromium)")
    b = Browser(executable, timeout=15)
    try:
        yield b
    finally:
        b.close()
