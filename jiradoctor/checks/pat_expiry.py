"""pat-expiry: when the personal access token in use expires, warned ahead of time.

Why: Server/DC PATs may carry an expiry date; Jira shows "expires soon" only five days ahead, in
the token owner's profile, which a service user's owner rarely opens. The integration then stops
overnight with 401s. Jira lists the owner's tokens (GET /rest/pat/latest/tokens) but never says
which one authenticated the call, so with several tokens only what holds for all of them is said.

Title: Personal access token expiry.
Codes: pat-expiry/expired, pat-expiry/expires-soon, pat-expiry/no-expiry, pat-expiry/ok.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.applinks import PATS, PatFacts
from jiradoctor.registry import Check

WARN_AHEAD = dt.timedelta(days=30)
DOCS = ("https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html",)


def judge_tokens(facts: PatFacts, now: dt.datetime) -> list[Finding]:
    if facts.tokens is None:
        raise NotObserved(facts.problem or "Jira did not list the token's details")
    tokens = facts.tokens
    if not tokens:
        raise NotObserved("Jira listed no personal access tokens for this user")
    dated = [t for t in tokens if t.expiring_at is not None]
    shown = [{"name": t.name, "expires": t.expiring_at.isoformat() if t.expiring_at else None} for t in tokens[:20]]
    one = len(tokens) == 1
    if len(dated) < len(tokens):
        # at least one token never expires: with several, the one in use may be that one
        if one:
            return [
                Finding(
                    "pat-expiry/no-expiry",
                    Status.INFO,
                    f"The token {tokens[0].name!r} has no expiry date.",
                    evidence={"tokens": shown},
                )
            ]
        soon = [t for t in dated if t.expiring_at is not None and t.expiring_at - now <= WARN_AHEAD]
        note = (
            f" {len(soon)} of the user's other tokens expire within {WARN_AHEAD.days} days; Jira does not say "
            f"which token is in use."
            if soon
            else ""
        )
        return [
            Finding(
                "pat-expiry/no-expiry",
                Status.INFO,
                f"At least one of the user's {len(tokens)} tokens has no expiry date.{note}",
                evidence={"tokens": shown},
            )
        ]
    latest = max(t.expiring_at for t in dated if t.expiring_at is not None)
    whose = (
        f"The token {tokens[0].name!r}"
        if one
        else f"Every one of the user's {len(tokens)} tokens (the one in use is among them)"
    )
    left = latest - now
    days = math.ceil(left / dt.timedelta(days=1))  # 9 days 23 hours is "in 10 days"
    if left <= dt.timedelta(0):
        return [
            Finding(
                "pat-expiry/expired",
                Status.FAIL,
                f"{whose} has expired (last on {latest.date().isoformat()}).",
                evidence={"tokens": shown},
                docs=DOCS,
                remediation=(
                    "Create a new personal access token for the integration's user (Profile > "
                    "Personal Access Tokens) and give it to the integration.",
                ),
            )
        ]
    if left <= WARN_AHEAD:
        return [
            Finding(
                "pat-expiry/expires-soon",
                Status.WARN,
                f"{whose} expires on {latest.date().isoformat()}, in {days} day(s).",
                evidence={"tokens": shown, "days_left": days},
                docs=DOCS,
                remediation=(
                    "Create a new token before then and give it to the integration; Jira warns the "
                    "owner only five days ahead.",
                ),
            )
        ]
    return [
        Finding(
            "pat-expiry/ok",
            Status.PASS,
            f"{whose} is valid for {days} more days (until {latest.date().isoformat()}).",
            evidence={"tokens": shown, "days_left": days},
        )
    ]


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    facts: PatFacts = await ctx.fact(PATS)
    return judge_tokens(facts, ctx.now)


CHECK = Check(
    id="pat-expiry",
    title="Personal access token expiry",
    explanation="""\
Looks at: the expiry dates Jira shows for the personal access token owner's tokens
(GET /rest/pat/latest/tokens, with --pat; Server/DC 8.14+).
Why it warns: the token expires within 30 days (Jira itself warns its owner only five days
ahead, in a profile page a service user's owner rarely opens); it fails once expired. Jira does
not say which token authenticated the call, so with several tokens only what holds for all of them
is a warning.""",
    judge=judge,
    inputs_all=("url", "pat"),
    facts=(PATS.name,),
    live=True,
    order=46,
    codes=("pat-expiry/expired", "pat-expiry/expires-soon", "pat-expiry/no-expiry", "pat-expiry/ok"),
)
