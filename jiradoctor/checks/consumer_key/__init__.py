"""consumer-key: is the consumer key typed in the integration exactly the one Jira stores?

Title: OAuth consumer key.
Codes: consumer-key/whitespace, consumer-key/invisible-character, consumer-key/unusual-character,
consumer-key/lookalike-character, consumer-key/mismatch, consumer-key/unknown, consumer-key/rejected,
consumer-key/ok.
"""

from __future__ import annotations

from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import consumer_keys as ck
from jiradoctor.jira import lookalike
from jiradoctor.model import Finding, Status
from jiradoctor.registry import Check
from jiradoctor.probes.oauth import OAUTH_REQUEST_TOKEN, OAUTH_REQUEST_TOKEN_CLEANED

DOCS = ("https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",)


def judge_key(key: str, side: str, plain_required: bool, integration: str) -> list[Finding]:
    """Findings about one typed key; ``side`` says where it was typed (for the message)."""
    findings: list[Finding] = []
    a = ck.analyse(key)
    shown = {"as_typed": ck.visible(key), "length": len(key)}
    if a.leading_whitespace or a.trailing_whitespace or a.inner_whitespace:
        where = [
            w
            for w, present in (
                ("leading", a.leading_whitespace),
                ("trailing", a.trailing_whitespace),
                ("inside", a.inner_whitespace),
            )
            if present
        ]
        # around the key it is a typo that breaks the match; inside, it works when typed the same on
        # both sides, unless the integration's guide forbids spaces
        edges = bool(a.leading_whitespace or a.trailing_whitespace)
        findings.append(
            Finding(
                "consumer-key/whitespace",
                Status.FAIL if edges or plain_required else Status.WARN,
                f"The consumer key {side} has {' and '.join(where)} whitespace: {ck.visible(key)!s}. "
                "Jira compares consumer keys character for character.",
                evidence={
                    **shown,
                    "cleaned": ck.cleaned(key),
                    **({"suggested": ck.without_spaces(key)} if not edges else {}),
                },
                remediation=(whitespace_fix(key, side, edges),),
                docs=DOCS,
                subject=side,
            )
        )
    twins = lookalike.lookalikes(key)
    if twins:
        meant = lookalike.skeleton(ck.cleaned(key))
        findings.append(
            Finding(
                "consumer-key/lookalike-character",
                Status.FAIL,
                f"The consumer key {side} contains letters that only look like Latin ones: "
                + "; ".join(t.describe() for t in twins[:5])
                + ". It prints the same but Jira compares characters.",
                evidence={**shown, "characters": [t.to_json() for t in twins[:20]], "meant": meant},
                remediation=(f"Type the key by hand {side} as {meant!r} (plain Latin letters), and the same in Jira.",),
                docs=DOCS,
                subject=side,
            )
        )
    if a.invisible:
        findings.append(
            Finding(
                "consumer-key/invisible-character",
                Status.FAIL,
                f"The consumer key {side} contains invisible characters: "
                + ", ".join(f"{name} at position {pos + 1}" for pos, name in a.invisible)
                + ".",
                evidence={
                    **shown,
                    "cleaned": ck.cleaned(key),
                    "characters": [{"position": p + 1, "name": n} for p, n in a.invisible],
                },
                remediation=(f"Type the key by hand (do not paste it) {side} as {ck.cleaned(key)!r}.",),
                docs=DOCS,
                subject=side,
            )
        )
    unusual = [(i, ch) for i, ch in a.unusual if not any(t.position == i for t in twins)]
    if unusual:
        chars = "".join(dict.fromkeys(ch for _, ch in unusual))
        guide = f" {integration}'s guide says the key must contain no spaces or symbols." if plain_required else ""
        findings.append(
            Finding(
                "consumer-key/unusual-character",
                Status.WARN,
                f"The consumer key {side} contains characters outside letters, digits and . _ - : ({chars!r}); they "
                f"are easy to mistype on one side.{guide}",
                evidence={**shown, "characters": sorted(set(chars))},
                remediation=(
                    "Prefer a consumer key made of letters, digits, dots and dashes, and set the same value on "
                    "both sides.",
                ),
                docs=DOCS,
                subject=side,
            )
        )
    return findings


def whitespace_fix(key: str, side: str, edges: bool) -> str:
    """Never "retype it as" the very same value: around the key, drop it; inside, a space that is
    the same on both sides works, so say that, and offer a key without it."""
    if edges:
        return f"Retype the consumer key {side} as {ck.cleaned(key)!r}, with nothing before or after it, and save."
    return (
        f"A space inside the key works only when both sides hold exactly {ck.visible(key)!s}; to rule the mistake "
        f"out, use {ck.without_spaces(key)!r} (no spaces) both in the integration and in Jira's application link."
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    target = ctx.target
    findings: list[Finding] = []
    if target.consumer_key is not None:
        findings += judge_key(
            target.consumer_key, "in the integration", ctx.profile.consumer_key_plain, ctx.profile.name
        )
    if target.jira_consumer_key is not None:
        findings += judge_key(target.jira_consumer_key, "in Jira", ctx.profile.consumer_key_plain, ctx.profile.name)
    if (
        target.consumer_key is not None
        and target.jira_consumer_key is not None
        and target.consumer_key != target.jira_consumer_key
    ):
        pos = ck.first_difference(target.consumer_key, target.jira_consumer_key) + 1  # as editors count
        findings.append(
            Finding(
                "consumer-key/mismatch",
                Status.FAIL,
                f"The consumer key differs: the integration sends {ck.visible(target.consumer_key)!s}, "
                f"Jira stores {ck.visible(target.jira_consumer_key)!s} (first difference at position {pos}). "
                "Jira will answer consumer_key_unknown.",
                evidence={
                    "integration": ck.visible(target.consumer_key),
                    "jira": ck.visible(target.jira_consumer_key),
                    "first_difference_at": pos,
                },
                remediation=(
                    "Set the same consumer key on both sides: the application link's Incoming Authentication in "
                    "Jira and the integration's OAuth settings.",
                ),
                docs=DOCS,
            )
        )
    if ctx.can_probe(OAUTH_REQUEST_TOKEN) and target.url and target.private_key:
        from jiradoctor.checks.consumer_key.live import judge_live

        findings += await judge_live(ctx)
    if not any(f.status.rank >= Status.WARN.rank for f in findings):
        both = target.consumer_key is not None and target.jira_consumer_key is not None
        findings.append(
            Finding(
                "consumer-key/ok",
                Status.PASS,
                "The consumer key is the same on both sides and has no stray characters."
                if both
                else "The consumer key has no stray characters.",
                evidence={"as_typed": ck.visible(target.consumer_key or target.jira_consumer_key or "")},
            )
        )
    return findings


CHECK = Check(
    id="consumer-key",
    title="OAuth consumer key",
    explanation="""\
Looks at: the consumer key as typed in the integration (--consumer-key, taken verbatim) and, when
known, as stored in Jira's application link (--jira-consumer-key). With --url, it also asks Jira
whether it knows the key (a request-token call).
Why it fails: a space before or after the key, an invisible character pasted along (zero-width
space, no-break space, byte order mark), or a different key on each side. Jira compares keys
character for character and answers consumer_key_unknown.
How to fix: type the key by hand on both sides, exactly the same, with nothing around it.""",
    judge=judge,
    inputs_any=("consumer_key", "jira_consumer_key"),
    facts=(OAUTH_REQUEST_TOKEN.name, OAUTH_REQUEST_TOKEN_CLEANED.name),
    order=50,
    codes=(
        "consumer-key/whitespace",
        "consumer-key/invisible-character",
        "consumer-key/unusual-character",
        "consumer-key/lookalike-character",
        "consumer-key/mismatch",
        "consumer-key/unknown",
        "consumer-key/rejected",
        "consumer-key/ok",
    ),
)
