"""Replays the recorded OAuth exchanges (record mode ``none``): same verdicts without the lab.

Also proves no cassette holds a credential: the lab's tokens, passwords and keys, a PEM block,
an ``oauth_token_secret`` or a Basic/Bearer Authorization header.
"""

from __future__ import annotations

import re

import pytest
import vcr
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from jiradoctor_lab.scenarios import get_scenario
from tests.cassettes import CASSETTE_DIR, REPLAY_CHECKS, SCENARIOS, SCRUBBED, replay_target, run
from tests.labrun import problem_codes
from tests.lab.test_oauth_lab import ALSO_REPORTED

REPLAY_PREFIXES = tuple(f"{c}/" for c in REPLAY_CHECKS)


@pytest.fixture(scope="module")
def any_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_every_scenario_has_a_cassette() -> None:
    assert sorted(p.stem for p in CASSETTE_DIR.glob("*.yaml")) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_replay_gives_the_scenarios_verdict(name: str, any_private_key: str) -> None:
    scenario = get_scenario(name)
    client = scenario.client
    target = replay_target(any_private_key, client.consumer_key, SCRUBBED if client.access_token else None)
    with vcr.use_cassette(str(CASSETTE_DIR / f"{name}.yaml"), record_mode="none", allow_playback_repeats=False):
        report = run(target)
    expected = {c for c in scenario.expect if c.startswith(REPLAY_PREFIXES)} | ALSO_REPORTED.get(name, set())
    got = problem_codes(report)
    assert got == expected, f"{name}: expected {sorted(expected)}, got {sorted(got)}"


SECRET_PATTERNS = [
    re.compile(r"BEGIN (RSA |ENCRYPTED |EC )?PRIVATE KEY"),
    re.compile(r"authorization:\s*-\s*(Basic|Bearer)\s", re.I),
    re.compile(r"oauth_token_secret(?:=|%3D|%253D)(?!SCRUBBED)"),
    re.compile(r"oauth_token(?:=|%3D|%253D)(?!\"?SCRUBBED)"),
]


@pytest.mark.parametrize("name", SCENARIOS)
def test_cassette_holds_no_secret(name: str) -> None:
    text = (CASSETTE_DIR / f"{name}.yaml").read_text()
    scenario = get_scenario(name)
    client = scenario.client
    for value in (client.access_token, client.password, client.token, client.pat, *scenario.access_tokens):
        if value:
            assert value not in text, f"{name}: a lab credential is in the cassette"
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"{name}: {pattern.pattern} found"


def test_the_secret_scan_and_the_scrubber_catch_planted_secrets() -> None:
    from tests.cassettes import scrub

    raw = ('oauth_token=tok123&oauth_token_secret=s3cr3t\nauthorization:\n- Basic dXNlcjpwYXNz\n'
           'OAuth oauth_token="tok123", x="1"\n%26oauth_token%253Dtok123%2526')
    assert all(p.search(raw) for p in SECRET_PATTERNS[1:])
    cleaned = scrub(raw, ["dXNlcjpwYXNz"])
    assert "tok123" not in cleaned and "s3cr3t" not in cleaned and "dXNlcjpwYXNz" not in cleaned
    assert not any(p.search(cleaned) for p in SECRET_PATTERNS[2:])


def test_the_scrubber_keeps_the_parameters_after_a_token() -> None:
    from tests.cassettes import scrub

    echoed = "oauth_token%253Dtok123%2526oauth_version%253D1.0"
    assert scrub(echoed, []) == "oauth_token%253DSCRUBBED%2526oauth_version%253D1.0"
