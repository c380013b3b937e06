"""The private key is parsed once per run, by the Target, and no cache keeps its text (issue 11)."""

from __future__ import annotations

import pytest

from jiradoctor.jira import pem
from jiradoctor.registry import load_checks
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.conftest import KeyPair, run_checks


def test_no_module_cache_holds_the_private_key_text() -> None:
    assert not hasattr(pem.read_private_key, "cache_info")


def test_one_offline_run_parses_the_private_key_once(rsa_pair: KeyPair, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = pem._read_private_key

    def counting(text: str) -> pem.PrivateKeyText:
        calls.append(1)
        return real(text)

    monkeypatch.setattr(pem, "_read_private_key", counting)
    target = Target(url="https://jira.example.com", consumer_key="piplanning.io",
                    private_key=Secret(rsa_pair.private_pkcs8), public_key=rsa_pair.public_spki, offline=True)
    report = run_checks(list(load_checks(include_plugins=False).checks), target)
    assert {c.id: c.status.value for c in report.checks}["public-key"] == "pass"  # it judged the key
    assert len(calls) == 1
    assert target.private_key_read is target.private_key_read  # the Target holds the one parse
