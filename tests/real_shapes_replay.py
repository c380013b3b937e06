"""Replay Jira's real answers (tests/data/real_shapes/, each naming its JIRA-FACTS §10 source) through
jiradoctor's own probes and checks, and say what the doctor concluded.

Why a module of its own: tests/jira/test_real_shapes_replay.py asserts on it, and the same replay measured
the figure the issue asks for (how many real answers the doctor judges right) on main and on this
branch; it imports nothing from tests/ so it can be pointed at another checkout's package.

Each case file: ``direction`` (healthy | broken), ``source`` and ``origin`` (where the shape comes from),
``answers`` (``path``: a regex searched in the request URL; ``status``, ``headers``, ``body``),
``expect`` (``check``, ``status``, ``codes``, optional ``absent``), ``setup`` (what the harness needs
to build an observation: OAuth 2.0 flavour, the write probe's deployment and User-Agent). Requests no
answer matches get a Jira-style 404. Application links and webhooks go through the probes (their
bugs were in reading the answers); OAuth 2.0 and the XSRF write through the check's judgement of the
observation the probe would have made (their bugs were in the judging).
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
    setup: dict[str, Any]


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
                raw.get("setup", {}),
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
        return (
            self.status == expect["status"]
            and set(expect["codes"]) <= self.codes
            and not set(expect.get("absent", ())) & self.codes
        )


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


def _by_role(case: Case) -> dict[str, Any]:
    from jiradoctor.probes.http import HttpAnswer

    out = {}
    for item in case.answers:
        body = item["body"]
        text = body if isinstance(body, str) else json.dumps(body)
        headers = {k.lower(): v for k, v in item.get("headers", {}).items()}
        method = "GET" if item["role"] == "myself" else "POST"
        out[item["role"]] = HttpAnswer(method, URL, item["status"], headers, text)
    return out


def _verdict(findings: list[Any]) -> Verdict:
    from jiradoctor.model import Status

    worst = max((f.status for f in findings), key=lambda s: s.rank, default=Status.PASS)
    status = "pass" if worst.rank <= Status.INFO.rank else worst.value
    return Verdict(status, frozenset(f.code for f in findings), None)


def _judge_oauth2(case: Case) -> Verdict:
    from jiradoctor.checks.oauth2 import judge_observation
    from jiradoctor.jira import oauth2 as o2
    from jiradoctor.jira.integrations import get_profile
    from jiradoctor.model import NotObserved
    from jiradoctor.probes.oauth2 import OAuth2Observation
    from jiradoctor.secrets import Secret
    from jiradoctor.target import Target

    flavour = case.setup["flavour"]
    roles = _by_role(case)
    obs = OAuth2Observation(
        flavour,
        o2.endpoints(flavour, URL, environ={}),
        client_auth=roles.get("client_auth"),
        refresh=roles.get("refresh"),
        refresh_given="refresh" in roles,
        refresh_allowed="refresh" in roles,
        token_source="given" if "myself" in roles else None,
        myself=roles.get("myself"),
    )
    target = Target(url=URL, integration="zephyr-enterprise", client_id="zephyr-client", client_secret=Secret("x"))
    try:
        return _verdict(list(judge_observation(obs, target, get_profile("zephyr-enterprise"))))
    except NotObserved as exc:
        return Verdict("skip", frozenset(), exc.reason)


def _judge_write(case: Case) -> Verdict:
    from jiradoctor.checks.can_work import judge_write
    from jiradoctor.jira.integrations import get_profile
    from jiradoctor.model import NotObserved
    from jiradoctor.probes.auth import Login
    from jiradoctor.probes.can_work import Prepared, WriteProbe
    from jiradoctor.secrets import Secret

    login = Login("basic", user="svc", secret=Secret("x"))
    answer = _by_role(case)["write"]
    probe = WriteProbe(Prepared(login, case.setup["deployment"]), answer, case.setup["user_agent"], case.setup["path"])
    try:
        found = judge_write(probe, get_profile("generic"))
    except NotObserved as exc:
        return Verdict("skip", frozenset(), exc.reason)
    return _verdict([found]) if found is not None else Verdict("skip", frozenset(), "nothing judged")


def _judge_pats(case: Case) -> Verdict:
    import datetime as dt

    from jiradoctor.checks.pat_expiry import judge_tokens
    from jiradoctor.jira import applinks as al
    from jiradoctor.model import NotObserved
    from jiradoctor.probes.applinks import PatFacts

    tokens = al.parse_pat_tokens(_by_role(case)["tokens"].body)
    facts = PatFacts(tuple(tokens) if tokens is not None else None, None if tokens is not None else "not read")
    try:
        return _verdict(judge_tokens(facts, dt.datetime.fromisoformat(case.setup["now"])))
    except NotObserved as exc:
        return Verdict("skip", frozenset(), exc.reason)


def replay(case: Case) -> Verdict:
    """The check's verdict on the replayed answers, through jiradoctor's own probe and check code."""
    if case.expect["check"] == "pat-expiry":
        return _judge_pats(case)
    if case.expect["check"] == "oauth2":
        return _judge_oauth2(case)
    if case.expect["check"] == "can-work":
        return _judge_write(case)
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
