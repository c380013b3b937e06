"""nodes: do Jira Data Center's nodes answer alike?

Title: Data Center nodes answer alike.
Codes: nodes/node-differs, nodes/ok.
"""

from __future__ import annotations

import urllib.parse
from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.nodes import NODE_DRIFT, NodeDrift, RepeatedCall
from jiradoctor.registry import Check

DOCS = ("https://confluence.atlassian.com/enterprise/traffic-distribution-with-atlassian-data-center-895912660.html",)
# the checks that send the calls this one repeats: it runs after them, whatever they found
CALLERS = ("reachability", "base-url", "auth", "permissions", "applink", "webhooks", "pat-expiry", "can-work",
           "oauth2", "oauth-signature", "clock-skew", "consumer-key")


def _statuses(values: tuple[int | None, ...]) -> str:
    return ", ".join("no answer" if s is None else f"HTTP {s}" for s in values)


def judge_call(call: RepeatedCall) -> Finding:
    nodes = call.by_node()
    good = sorted(n for n, s in nodes.items() if any(x is not None and x < 400 for x in s))
    bad = sorted(n for n in nodes if n not in good)
    path = urllib.parse.urlsplit(call.url).path
    each = "; ".join(f"{n}: {_statuses(s)}" for n, s in sorted(nodes.items()))
    return Finding(
        "nodes/node-differs",
        Status.FAIL,
        f"Jira's nodes answer {call.method} {path} differently: {', '.join(bad)} "
        f"{'fails' if len(bad) == 1 else 'fail'} it while {', '.join(good)} "
        f"{'answers' if len(good) == 1 else 'answer'} ({each}; told apart by X-ANODEID over "
        f"{len(call.answers)} requests). The integration fails whenever the load balancer picks "
        f"{' or '.join(bad)}.",
        evidence={"url": call.url, "by_node": {n: list(s) for n, s in nodes.items()}, "differs": bad,
                  "answers": len(call.answers)},
        remediation=(
            f"Compare {', '.join(bad)} with {good[0]}: the apps enabled on it (Administration > Manage apps, per "
            f"node), the application links, and the setting behind {path}. A node that missed an app install or "
            "a restart, a local jira-config.properties or a stale cache is the usual cause.",
            f"Until it matches, take {', '.join(bad)} out of the load balancer's pool.",
        ),
        docs=DOCS,
        subject=",".join(bad),
    )


def judge_drift(drift: NodeDrift) -> list[Finding]:
    if not drift.seen:
        raise NotObserved("no answer carried X-ANODEID: a single node, or a balancer that hides the node id")
    nodes = sorted(drift.seen)
    differing = [judge_call(c) for c in drift.calls if c.differs]
    if differing:
        return differing
    alike = [c for c in drift.calls if len(c.by_node()) >= 2]
    if alike:
        paths = ", ".join(urllib.parse.urlsplit(c.url).path for c in alike)
        answered = ", ".join(sorted({n for c in alike for n in c.by_node()}))
        return [Finding(
            "nodes/ok",
            Status.PASS,
            f"The calls that failed ({paths}) fail alike on {answered}: not a node configured differently "
            "(the checks that own them say why they fail).",
            evidence={"nodes_seen": dict(drift.seen), "repeated": drift.extra_requests},
        )]
    if drift.calls:
        raise NotObserved(
            f"the failed calls were repeated {drift.extra_requests} times but only {', '.join(nodes)} answered them "
            "(a sticky balancer): whether another node differs was not seen"
        )
    if len(nodes) >= 2:
        return [Finding(
            "nodes/ok",
            Status.PASS,
            f"{len(nodes)} nodes answered this run's requests ({', '.join(nodes)}, by X-ANODEID) and no call failed.",
            evidence={"nodes_seen": dict(drift.seen)},
        )]
    raise NotObserved(f"only node {nodes[0]} answered this run and no call failed: the other nodes were not seen")


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    return judge_drift(await ctx.fact(NODE_DRIFT))


CHECK = Check(
    id="nodes",
    title="Data Center nodes answer alike",
    explanation="""\
Looks at: X-ANODEID, which clustered Jira Data Center sends on every answer, across the run's
requests. A read-only GET that failed (403, 404, 5xx; never a 401 or a refused login, never a
signed OAuth call) is repeated up to 3 times on fresh connections without the session cookie,
and the answers are grouped by node. A run in which nothing failed sends nothing more.
Why it fails: one node answers a call that another fails: it lacks an app, the application link
or a setting the others have, so the integration fails by chance, whenever the load balancer
picks it.
How to fix: compare the named node with a healthy one (apps, application links, the setting
behind the failing path), and take it out of the pool until it matches.""",
    judge=judge,
    inputs_all=("url",),
    facts=(NODE_DRIFT.name,),
    waits_for=CALLERS,
    live=True,
    order=96,
    codes=("nodes/node-differs", "nodes/ok"),
)
