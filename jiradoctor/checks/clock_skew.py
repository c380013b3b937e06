"""clock-skew: is Jira's clock within OAuth's 5-minute window of ours?

Title: Clock difference to Jira.
Codes: clock-skew/exceeds-tolerance, clock-skew/near-tolerance, clock-skew/ok.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira.fingerprint import answered_as_jira
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.registry import Check
from jiradoctor.probes.server_info import SERVER_INFO

TOLERANCE_S = 300.0  # net.oauth SimpleOAuthValidator default, JIRA-FACTS.md §1
NEAR_S = 60.0
DOCS = ("https://confluence.atlassian.com/jirakb/oauth-error-oauth_problem-timestamp_refused-720406801.html",)


@dataclass(frozen=True)
class SkewMeasure:
    skew_s: float  # Jira minus local, at the moment Jira answered
    uncertainty_s: float
    source: str
    local_at: float = 0.0  # this machine's clock (epoch s) when Jira stamped its answer: the probe's, not ours


def measure(answer: HttpAnswer, server_time: datetime | None) -> SkewMeasure | None:
    """Skew from serverTime (ms) or the Date header (1 s), taking the round trip into account.

    Jira stamped its answer somewhere between sending and receiving; the midpoint is the best
    guess and half the round trip the error, plus the clock's own resolution.
    """
    midpoint = answer.sent_at + answer.elapsed_s / 2
    half_rtt = answer.elapsed_s / 2
    if server_time is not None:
        return SkewMeasure(server_time.timestamp() - midpoint, half_rtt + 0.001, "serverTime", midpoint)
    date = answer.date
    if date is not None:
        if date.tzinfo is None:  # "-0000" or no zone: HTTP dates are GMT
            date = date.replace(tzinfo=timezone.utc)
        return SkewMeasure(date.timestamp() - midpoint, half_rtt + 1.0, "Date header", midpoint)
    return None


def judge_skew(m: SkewMeasure) -> Finding:
    least = max(0.0, abs(m.skew_s) - m.uncertainty_s)  # the smallest skew consistent with what we saw
    direction = "ahead of" if m.skew_s > 0 else "behind"
    evidence = {
        "skew_s": round(m.skew_s, 3),
        "uncertainty_s": round(m.uncertainty_s, 3),
        "source": m.source,
        "tolerance_s": TOLERANCE_S,
        "local_utc": datetime.fromtimestamp(m.local_at, timezone.utc).isoformat(timespec="seconds"),
    }
    if least > TOLERANCE_S:
        return Finding(
            "clock-skew/exceeds-tolerance",
            Status.FAIL,
            f"Jira's clock is {abs(m.skew_s):.0f} s {direction} this machine's: beyond OAuth's "
            f"{TOLERANCE_S:.0f} s window, so every signed request is refused with timestamp_refused.",
            evidence=evidence,
            remediation=("Synchronise both clocks with NTP (Jira's server and the integration's host).",),
            commands=("timedatectl set-ntp true", "timedatectl status"),
            docs=DOCS,
        )
    if least > NEAR_S:
        return Finding(
            "clock-skew/near-tolerance",
            Status.WARN,
            f"Jira's clock is {abs(m.skew_s):.0f} s {direction} this machine's: within OAuth's "
            f"{TOLERANCE_S:.0f} s window, but drifting towards it.",
            evidence=evidence,
            remediation=("Synchronise both clocks with NTP before the drift breaks OAuth.",),
            commands=("timedatectl set-ntp true",),
            docs=DOCS,
        )
    return Finding(
        "clock-skew/ok",
        Status.PASS,
        f"Jira's clock is within {max(abs(m.skew_s), m.uncertainty_s):.1f} s of this machine's.",
        evidence=evidence,
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    info = await ctx.fact(SERVER_INFO)
    if info.answer.ok and not (info.is_jira or answered_as_jira(info.answer) is not None):
        # a proxy's or an SSO page's Date header is that server's clock, not Jira's (even when an SSO app
        # inside Jira serves the page: issue 25; the answer itself must be Jira's, not the run's /myself)
        raise NotObserved(
            "the answer did not come from Jira, so its clock says nothing of Jira's (see reachability)",
            blocked_by=("reachability",),
        )
    m = measure(info.answer, info.server_time) if info.answer.ok else None
    if m is None:
        why = "no answer from Jira" if not info.answer.ok else "Jira's answer has no serverTime and no Date header"
        raise NotObserved(
            f"Jira's clock could not be read: {why}", blocked_by=("reachability",) if not info.answer.ok else ()
        )
    return [judge_skew(m)]


CHECK = Check(
    id="clock-skew",
    title="Clock difference to Jira",
    explanation="""\
Looks at: Jira's serverTime (from /rest/api/2/serverInfo) or its Date header, against this
machine's UTC clock, allowing for half the measured round trip.
Why it fails: OAuth 1.0a requests carry a timestamp; Jira refuses those more than 5 minutes off
its own clock (timestamp_refused). Over 60 s is a warning.
How to fix: synchronise the clocks of Jira's server and of the integration's host with NTP.""",
    judge=judge,
    inputs_all=("url",),
    facts=(SERVER_INFO.name,),
    after=("dns", "tls", "proxy", "reachability"),
    live=True,
    order=75,
    codes=("clock-skew/exceeds-tolerance", "clock-skew/near-tolerance", "clock-skew/ok"),
)
