"""Golden HTTP exchanges of the OAuth lab scenarios as vcrpy cassettes, scrubbed of credentials.

Recorded against the lab (``python -m tests.cassettes``), replayed in CI with record mode
``none``. The lab's loopback address is rewritten to ``jira.lab.test:8080`` everywhere (headers,
bodies, echoed base strings, in every percent-encoding), so replays do not depend on a port.
Credentials are replaced by ``SCRUBBED`` before anything is written.
"""

from __future__ import annotations

import asyncio
import re
import sys
import urllib.parse
from pathlib import Path
from typing import Iterable

import vcr
import yaml

from jiradoctor_lab import LabServer
from jiradoctor.registry import load_checks
from jiradoctor.runner import RunOptions, Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

CASSETTE_DIR = Path(__file__).resolve().parent.parent / "cassettes"
CANONICAL_HOST = "jira.lab.test:8080"
CANONICAL_URL = f"http://{CANONICAL_HOST}"
# Time cannot be replayed (a recorded Date is stale at once), so clock-skew stays out.
REPLAY_CHECKS = ("reachability", "oauth-signature", "consumer-key", "base-url")
SCENARIOS = ("healthy", "url-mismatch-proxy-host", "context-path-mismatch", "parameter-stripped", "key-mismatch",
             "consumer-key-unknown", "consumer-key-whitespace", "token-rejected", "callback-rejected", "clock-skew",
             "nonce-reused", "not-jira-html", "not-jira-404")
SCRUBBED = "SCRUBBED"


def encodings(text: str, depth: int = 3) -> list[str]:
    """``text`` as it appears raw, percent-encoded, and percent-encoded again (base strings)."""
    forms = [text]
    for _ in range(depth):
        forms.append(urllib.parse.quote(forms[-1], safe=""))
    return forms


def rewrite(text: str, replacements: Iterable[tuple[str, str]]) -> str:
    for old, new in replacements:
        for a, b in zip(encodings(old), encodings(new), strict=False):
            text = text.replace(a, b)
    return text


def secrets_of(lab: LabServer) -> list[str]:
    """Every credential the lab scenario knows (the client's and the lab's users')."""
    client = lab.client
    values = [client.access_token, client.password, client.token, client.pat, lab.private_key_pem]
    values += list(lab.scenario.access_tokens) if hasattr(lab.scenario, "access_tokens") else []
    return [v for v in values if v]


# a value ends at "&" in any of its encodings (%26 in a base string, %2526 inside an echoed one)
_VALUE = r"(?:(?!%26|%2526)[^&\s\"',\\])+"
_TOKEN_SECRET = re.compile(rf"(oauth_token_secret(?:=|%3D|%253D)){_VALUE}")
_OAUTH_TOKEN = re.compile(rf"(oauth_token(?:=|%3D|%253D|=\\?\")){_VALUE}")


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        for line in secret.splitlines() or [secret]:
            if len(line.strip()) >= 8:
                text = rewrite(text, [(line.strip(), SCRUBBED)])
    text = _TOKEN_SECRET.sub(rf"\g<1>{SCRUBBED}", text)
    return _OAUTH_TOKEN.sub(rf"\g<1>{SCRUBBED}", text)


def replay_target(private_key_pem: str, consumer_key: str, access_token: str | None) -> Target:
    return Target(url=CANONICAL_URL, integration="piplanning", consumer_key=consumer_key,
                  private_key=Secret(private_key_pem), access_token=Secret(access_token) if access_token else None,
                  timeout=2.0)


def run(target: Target):
    return asyncio.run(Runner(load_checks().checks, target, RunOptions(only=REPLAY_CHECKS)).run())


def record(name: str) -> Path:
    path = CASSETTE_DIR / f"{name}.yaml"
    path.unlink(missing_ok=True)
    with LabServer(name) as lab:
        client = lab.client
        target = Target(url=lab.url, integration="piplanning", consumer_key=client.consumer_key,
                        private_key=Secret(lab.private_key_pem),
                        access_token=Secret(client.access_token) if client.access_token else None, timeout=2.0)
        with vcr.use_cassette(str(path), record_mode="all", decode_compressed_response=True):
            run(target)
        address = lab.url.split("://", 1)[1]
        secrets = secrets_of(lab)

        def clean(text: str) -> str:
            return scrub(rewrite(text, [(lab.url, CANONICAL_URL), (address, CANONICAL_HOST)]), secrets)

        data = _map_strings(yaml.safe_load(path.read_text()), clean)
        for interaction in data["interactions"]:
            response = interaction["response"]
            if "content-length" in response["headers"]:
                response["headers"]["content-length"] = [str(len(response["body"]["string"].encode()))]
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _map_strings(value, fn):
    """Apply ``fn`` to every string in a YAML tree (keys included)."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {_map_strings(k, fn): _map_strings(v, fn) for k, v in value.items()}
    return value


def main(argv: list[str]) -> int:
    CASSETTE_DIR.mkdir(exist_ok=True)
    for name in argv or SCENARIOS:
        print(f"recorded {record(name).relative_to(CASSETTE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
