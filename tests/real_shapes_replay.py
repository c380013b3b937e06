"""Replay Jira's real answers (tests/data/real_shapes/, each naming its JIRA-FACTS §10 source) through
jiradoctor's own probes and checks, and say what the doctor concluded.

Why a module of its own: tests/test_real_shapes_replay.py asserts on it, and the same replay measured
the figure the issue asks for (how many real answers the doctor judges right) on main and on this
branch; it imports nothing from tests/ so it can be pointed at another checkout's package.

Each case file: ``direction`` (healthy | broken), ``source`` and ``origin`` (where the shape comes from),
``answers`` (``path``: a regex searched in the request URL; ``status``, ``headers``, ``body``),
``expect`` (``check``, ``status``, ``codes``). Requests no answer matches get a Jira-style 404.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

DATA = Path(__file__).parent / "data" / "real_shapes"
URL = "https://jira.example.com"


@dataclass(frozen=True)
class Case:
    name: str
    direction: str
    source: str
    origin: str
    answers: tuple[dict[str, Any], ...]
    expect: dict[str, Any]
    options: dict[str, Any]


def _keys() -> dict[str, str]:
    from jiradoctor.jira import pem
    from jiradoctor_lab.keys import key_pair

    return {
        "{consumer_public_key}": pem.spki_base64(key_pair("consumer").public_key),
        "{other_public_key}": pem.spki_base64(key_pair("other").public_key),
    }


def load_cases(kind: str | None = None) -> list[Case]:
    keys = _keys()
    cases = []
    for path in sorted(DATA.glob(f"{kind or '*'}/*.json")):
        text = path.read_text(encoding="utf-8")
        for placeholder, value in keys.items():
            text = text.replace(placeholder, value)
        raw = json.loads(text)
        cases.append(
            Case(
                f"{path.parent.name}/{path.stem}",
                raw["direction"],
                raw["source"],
                raw["origin"],
                tuple(raw["answers"]),
                raw["expect"],
                raw.get("options", {}),
            )
        )
    return cases


def answer_for(case: Case, method: str, url: str) -> Any:
    from jiradoctor.probes.http import HttpAnswer

    for item in case.answers:
        if re.search(item["path"], url) and item.get("method", method) == method:
            body = item["body"]
            text = body if isinstance(body, str) else json.dumps(body)
            headers = {k.lower(): v for k, v in item.get("headers", {}).items()}
            return HttpAnswer(method, url, item["status"], headers, text)
    not_found = json.dumps({"message": f"null for uri: {url}", "status-code": 404})
    return HttpAnswer(method, url, 404, {"content-type": "application/json"}, not_found)


@dataclass(frozen=True)
class Verdict:
    status: str
    codes: frozenset[str]
    skip_reason: str | None

    def matches(self, expect: dict[str, Any]) -> bool:
        return self.status == expect["status"] and set(expect["codes"]) <= self.codes


def _target(case: Case) -> Any:
    from jiradoctor.secrets import Secret
    from jiradoctor.target import Target
    from jiradoctor_lab.keys import key_pair

    check = case.expect["check"]
    values: dict[str, Any] = {"url": URL}
    if check == "applink":
        values |= {
            "integration": "piplanning",
            "consumer_key": "piplanning.io",
            "private_key": Secret(key_pair("consumer").private_key_pem),
        }
    elif check == "webhooks":
        values |= {
            "integration": "zephyr-enterprise",
            "consumer_key": "ZephyrEnt",
            "webhook_url": "https://acme.yourzephyr.com/flex",
        }
    values |= case.options
    return Target(**values)


def replay(case: Case) -> Verdict:
    """The check's verdict on the replayed answers, through jiradoctor's own probe and check code."""
    from jiradoctor.context import Facts
    from jiradoctor.probes import applinks as probe
    from jiradoctor.probes.auth import Login
    from jiradoctor.registry import builtin_checks
    from jiradoctor.runner import RunOptions, Runner

    async def fetch_as(facts: Any, login: Any, method: str, url: str, json: Any = None, **limits: Any) -> Any:
        return answer_for(case, method, url)

    check_id = case.expect["check"]
    [check] = [c for c in builtin_checks() if c.id == check_id]
    target = _target(case)
    admin = probe.AdminAccess(Login("basic", user="admin"), "--admin-user/--admin-password", True, "replayed", True)
    probes = {"applinks": probe.applinks_probe, "webhooks": probe.webhooks_probe}
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(probe, "fetch_as", fetch_as))
        facts = Facts(target, probes=probes, preset={"admin_access": admin})
        report = asyncio.run(Runner([check], target, RunOptions(), facts=facts).run())
    [result] = report.checks
    return Verdict(result.status.value, frozenset(f.code for f in result.findings), result.skip_reason)
