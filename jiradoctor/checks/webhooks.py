"""webhooks: the webhooks an integration needs exist, are enabled, listen to its events, point at it.

Why: Zephyr Enterprise syncs requirements and defects through Jira webhooks it creates when a
project is mapped ("Don't delete this webhook, and don't change its properties"); creating them
needs Jira administration. Read with an administrator's login, GET only (probes/applinks.py).

Title: Webhooks the integration needs.
Codes: webhooks/missing, webhooks/disabled, webhooks/events-missing, webhooks/wrong-url,
webhooks/service-user-cannot-create, webhooks/ok.
"""

from __future__ import annotations

import urllib.parse
from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import applinks as al
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.applinks import APPLINKS, WEBHOOKS, AppLinkFacts, WebhookFacts, not_admin_reason
from jiradoctor.registry import Check

WEBHOOKS_PAGE = "Jira administration > System > Advanced > WebHooks"
DOCS = ("https://developer.atlassian.com/server/jira/platform/webhooks/",)


def _points_at(hook: al.Webhook, expected: str, exact_path: bool) -> bool:
    """Same scheme, host and port (the integration adds its own path: UNCONFIRMED which, for Zephyr);
    with --webhook-url, the hook's URL must also start with its path."""
    if not al.looks_like_url(hook.url):
        return False
    a, b = urllib.parse.urlsplit(hook.url), urllib.parse.urlsplit(expected)
    if not al.same_endpoint(f"{a.scheme}://{a.netloc}", f"{b.scheme}://{b.netloc}"):
        return False
    return not exact_path or a.path.rstrip("/").startswith(b.path.rstrip("/"))


async def _expected_url(ctx: CheckContext) -> tuple[str | None, str]:
    if ctx.target.webhook_url:
        return ctx.target.webhook_url, "--webhook-url"
    links: AppLinkFacts = await ctx.fact(APPLINKS)
    link, _, _ = al.pick_link(
        links.links, ctx.profile.applink_names, ctx.profile.applink_url_hosts, ctx.target.consumer_key
    )
    if link is not None and al.looks_like_url(al.link_url(link)):
        return al.link_url(link), f"the application link {link.name!r}"
    return None, ""


def _who_creates(facts: WebhookFacts, profile_name: str, missing: bool) -> list[Finding]:
    if facts.access.service_user_admin is not False:
        return []
    return [
        Finding(
            "webhooks/service-user-cannot-create",
            Status.WARN if missing else Status.INFO,
            f"The integration's user is not a Jira administrator, so {profile_name} cannot create "
            + ("the missing webhooks itself." if missing else "webhooks for newly mapped projects itself."),
            evidence={"service_user_administer": False},
            remediation=(
                "Create the webhooks as an administrator (" + WEBHOOKS_PAGE + "), or grant the integration's user "
                "Jira administration while it maps projects.",
            ),
        )
    ]


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    profile = ctx.profile
    needed = tuple(profile.webhook_events)
    if not needed:
        raise NotObserved(f"{profile.name}'s profile lists no webhooks it needs")
    facts: WebhookFacts = await ctx.fact(WEBHOOKS)
    if not facts.access.is_admin:
        raise NotObserved(not_admin_reason(facts.access, "webhooks"))
    if facts.problem:
        raise NotObserved(facts.problem)
    expected, source = await _expected_url(ctx)
    if expected is None:
        raise NotObserved(
            f"where {profile.name}'s webhooks must point is unknown: give --webhook-url "
            "(or let the applink check find the integration's link)"
        )
    ours = [h for h in facts.webhooks if _points_at(h, expected, exact_path=source == "--webhook-url")]
    named = [
        h
        for h in facts.webhooks
        if h not in ours and any(w in h.name.lower() for w in profile.applink_names if not w.startswith("/"))
    ]
    findings: list[Finding] = []
    if named:
        findings.append(
            Finding(
                "webhooks/wrong-url",
                Status.FAIL,
                f"{len(named)} webhook(s) named for {profile.name} point elsewhere than {expected} ({source}): "
                + ", ".join(f"{h.name!r} -> {h.url}" for h in named[:5])
                + ".",
                evidence={"expected": expected, "hooks": [{"name": h.name, "url": h.url} for h in named[:20]]},
                remediation=(
                    f"Let {profile.name} re-create its webhook (re-map the project), or correct the URL in "
                    f"{WEBHOOKS_PAGE}.",
                ),
                docs=DOCS,
            )
        )
    if not ours:
        findings.append(
            Finding(
                "webhooks/missing",
                Status.FAIL,
                f"No webhook points at {expected} ({source}); {profile.name} needs one for its events.",
                evidence={
                    "expected": expected,
                    "events": list(needed),
                    "webhooks_seen": len(facts.webhooks),
                    "listed_by": facts.listed_by,
                },
                remediation=(
                    f"Map the project again in {profile.name} (it creates the webhook), or create it in "
                    f"{WEBHOOKS_PAGE} with the events: {', '.join(needed)}.",
                ),
                docs=DOCS,
            )
        )
        return findings + _who_creates(facts, profile.name, True)
    # on/off is `active` on Jira 10 and `enabled` before (JIRA-FACTS §10); parse_webhooks reads both
    enabled = [h for h in ours if h.enabled is True]
    off = [h for h in ours if h.enabled is False]
    if not enabled and len(off) < len(ours):
        raise NotObserved(
            f"Jira's answer ({facts.listed_by}) does not say whether {profile.name}'s webhook is on "
            "(neither 'active' nor 'enabled')"
        )
    if off:
        findings.append(
            Finding(
                "webhooks/disabled",
                Status.FAIL if not enabled else Status.WARN,
                f"{len(off)} webhook(s) for {profile.name} are switched off: "
                + ", ".join(repr(h.name) for h in off[:5])
                + ("." if not enabled else "; another one that points at it is on."),
                evidence={"hooks": [h.name for h in off[:20]], "listed_by": facts.listed_by,
                          "flag": "active" if facts.listed_by.endswith("/webhooks") else "enabled"},
                remediation=(f"Enable the webhook in {WEBHOOKS_PAGE} (or delete the switched-off copy).",),
                docs=DOCS,
            )
        )
    if enabled:
        have = {e for h in enabled for e in h.events}
        missing = [e for e in needed if e not in have]
        if missing:
            findings.append(
                Finding(
                    "webhooks/events-missing",
                    Status.FAIL,
                    f"{profile.name}'s webhook does not listen to {len(missing)} event(s) it needs: "
                    f"{', '.join(missing)}.",
                    evidence={"missing": missing, "present": sorted(have), "hooks": [h.name for h in enabled[:20]]},
                    remediation=(
                        f"Tick the missing events on the webhook in {WEBHOOKS_PAGE} (or let {profile.name} "
                        f"re-create it).",
                    ),
                    docs=DOCS,
                )
            )
    findings += _who_creates(facts, profile.name, False)
    if not any(f.status.rank >= Status.WARN.rank for f in findings):
        findings.append(
            Finding(
                "webhooks/ok",
                Status.PASS,
                f"{profile.name}'s webhook points at {expected}, is enabled and listens to every event it needs.",
                evidence={
                    "hooks": [{"name": h.name, "url": h.url} for h in enabled[:20]],
                    "listed_by": facts.listed_by,
                },
            )
        )
    return findings


CHECK = Check(
    id="webhooks",
    title="Webhooks the integration needs",
    explanation="""\
Looks at: Jira's webhooks (GET /rest/jira-webhook/1.0/webhooks on Jira 10, whose on/off flag is
'active'; /rest/webhooks/1.0/webhook before, flag 'enabled'), read with a Jira administrator's login
(--admin-user with --admin-password, or --admin-pat), for integrations whose profile lists webhook
events (Zephyr Enterprise).
Why it fails: no webhook points at the integration (--webhook-url, or the application link's URL);
it is switched off; it misses events the integration's guide lists; a webhook named for the
integration points elsewhere. It also says when the integration's own user may not create
webhooks (that needs Jira administration).""",
    judge=judge,
    inputs_any=("url",),
    facts=(WEBHOOKS.name, APPLINKS.name),
    live=True,
    order=56,
    codes=(
        "webhooks/missing",
        "webhooks/disabled",
        "webhooks/events-missing",
        "webhooks/wrong-url",
        "webhooks/service-user-cannot-create",
        "webhooks/ok",
    ),
)
