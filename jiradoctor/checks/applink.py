"""applink: the application link as Jira stores it, read with an administrator's credentials.

Why: ``consumer-key`` and ``public-key`` compare what the user *says* Jira holds; a Jira
administrator's login lets the doctor read the truth (read-only, GET only; probes/applinks.py).

Title: Application link as Jira stores it.
Codes: applink/missing, applink/one-sided, applink/oauth1-not-oauth2, applink/consumer-key-mismatch,
applink/public-key-mismatch, applink/public-key-formatting, applink/url-not-name, applink/url-rule,
applink/callback-missing, applink/callback-mismatch, applink/disabled, applink/status,
applink/jira-consumer-key-differs, applink/ok.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import applinks as al
from jiradoctor.jira import consumer_keys as ck
from jiradoctor.jira import pem
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.applinks import APPLINKS, ENABLE_OPTIONS, AppLinkFacts, not_admin_reason
from jiradoctor.registry import Check

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

DOCS = ("https://confluence.atlassian.com/adminjiraserver/using-applinks-to-link-to-other-applications-938846918.html",)
LINKS_PAGE = "Jira administration > Applications > Application links"


def expected_public_key(ctx: CheckContext) -> tuple[PublicKeyTypes | None, str]:
    """The key the link must hold: the private key's public half, else the --public-key text."""
    target = ctx.target
    if target.private_key_read is not None:
        key = target.private_key_read.public_key
        if key is not None:
            return key, "the public half of --private-key"
    if target.public_key:
        key = pem.read_public_key(target.public_key).public_key
        if key is not None:
            return key, "--public-key"
    return None, ""


def judge_url(link: al.AppLink, profile: IntegrationProfile) -> list[Finding]:
    url = al.link_url(link)
    shown = {"link": link.name, "link_url": url}
    if profile.applink_url_kind == "name":
        if al.looks_like_url(url):
            return [
                Finding(
                    "applink/url-not-name",
                    Status.FAIL,
                    f"The application link for {profile.name} was created with a URL ({url}); "
                    f"{profile.name}'s guide says to enter a plain name there, not a URL.",
                    evidence=shown,
                    subject=link.name,
                    docs=DOCS,
                    remediation=(
                        f"Delete the link in {LINKS_PAGE} and create it again with a name such as "
                        "'company-name-app' in the URL field, then re-enter the consumer key, "
                        "callback URL and public key.",
                    ),
                )
            ]
        return []
    problems = []
    if profile.applink_url_kind == "url" and not al.looks_like_url(url):
        problems.append("it is not a URL")
    if profile.applink_url_hosts and al.looks_like_url(url) and not al.host_matches(url, profile.applink_url_hosts):
        problems.append(f"its host {al.host_of(url)!r} is not {' or '.join(profile.applink_url_hosts)}")
    suffix = profile.applink_url_path_suffix
    if suffix and not url.split("?")[0].rstrip("/").endswith(suffix):
        problems.append(f"it does not end in {suffix}")
    if not problems:
        return []
    return [
        Finding(
            "applink/url-rule",
            Status.FAIL,
            f"The application link's URL {url!r} breaks {profile.name}'s rule: {'; '.join(problems)}.",
            evidence={**shown, "hosts": list(profile.applink_url_hosts), "path_suffix": suffix},
            subject=link.name,
            docs=DOCS,
            remediation=(
                f"Correct the link's URL in {LINKS_PAGE} (Edit > Application URL) exactly as "
                f"{profile.name}'s guide gives it.",
            ),
        )
    ]


def judge_incoming(
    link: al.AppLink, profile: IntegrationProfile, oauth2_clients: tuple[str, ...] | None
) -> list[Finding]:
    """One-sided links, and the OAuth generation the profile expects."""
    no_incoming = (link.consumer is None and link.consumer_read) or (
        link.status is not None and link.status.incoming_enabled is False and link.consumer is None
    )
    oauth2 = bool(oauth2_clients) and any(
        w.lower() in c.lower() for c in (oauth2_clients or ()) for w in (profile.applink_names or (profile.name,))
    )
    if no_incoming and not (oauth2 and profile.applink_auth in ("oauth2", "either")):
        return [
            Finding(
                "applink/one-sided",
                Status.FAIL,
                f"The application link {link.name!r} has no incoming authentication: Jira stores no consumer "
                f"key or public key for it, so every OAuth request from {profile.name} is consumer_key_unknown.",
                evidence={
                    "link": link.name,
                    "link_url": al.link_url(link),
                    "incoming_enabled": None if link.status is None else link.status.incoming_enabled,
                },
                subject=link.name,
                docs=DOCS,
                remediation=(
                    f"In {LINKS_PAGE}, edit the link > Incoming Authentication and enter the consumer "
                    f"key, consumer name and public key (when creating a link: tick 'Create incoming "
                    f"link').",
                ),
            )
        ]
    if profile.applink_auth == "oauth2" and link.consumer is not None and not oauth2:
        return [
            Finding(
                "applink/oauth1-not-oauth2",
                Status.FAIL,
                f"The link {link.name!r} offers OAuth 1.0a, but {profile.name} now connects with OAuth 2.0 "
                "(an incoming 'External application' link).",
                evidence={"link": link.name, "oauth2_clients": list(oauth2_clients or ())},
                subject=link.name,
                remediation=(
                    f"Create an OAuth 2.0 incoming link for {profile.name} (Application links > "
                    f"Create link > External application > Incoming) and give its client id and "
                    f"secret to the integration.",
                ),
            )
        ]
    return []


def judge_consumer(ctx: CheckContext, link: al.AppLink) -> list[Finding]:
    consumer, target, profile = link.consumer, ctx.target, ctx.profile
    if consumer is None:
        return []
    findings: list[Finding] = []
    stored_key = consumer.key or ""
    if target.consumer_key is not None and stored_key != target.consumer_key:
        diff = al.char_diff(target.consumer_key, stored_key)
        assert diff is not None
        findings.append(
            Finding(
                "applink/consumer-key-mismatch",
                Status.FAIL,
                f"Jira's link stores the consumer key {ck.visible(stored_key)!s}; the integration sends "
                f"{ck.visible(target.consumer_key)!s}: {diff.describe('the integration', 'Jira')}.",
                evidence={
                    "jira": ck.visible(stored_key),
                    "integration": ck.visible(target.consumer_key),
                    "first_difference_at": diff.position,
                    "integration_chars": ck.visible(diff.left),
                    "jira_chars": ck.visible(diff.right),
                },
                subject=link.name,
                docs=DOCS,
                remediation=(
                    "Type the same consumer key in the link's Incoming Authentication and in the integration.",
                ),
            )
        )
    if target.jira_consumer_key is not None and target.jira_consumer_key != stored_key:
        diff = al.char_diff(target.jira_consumer_key, stored_key)
        findings.append(
            Finding(
                "applink/jira-consumer-key-differs",
                Status.INFO,
                f"--jira-consumer-key says Jira stores {ck.visible(target.jira_consumer_key)!s}; Jira really stores "
                f"{ck.visible(stored_key)!s} ({diff.describe('--jira-consumer-key', 'Jira') if diff else ''}). "
                "What Jira stores is what counts; the consumer-key check compared the value given.",
                evidence={"given": ck.visible(target.jira_consumer_key), "jira": ck.visible(stored_key)},
                subject=link.name,
            )
        )
    expected, source = expected_public_key(ctx)
    stored_text = consumer.public_key or ""
    if expected is not None:
        want = pem.spki_base64(expected)
        stored = pem.read_public_key(stored_text).public_key if stored_text else None
        if stored is None or _spki(stored) != _spki(expected):  # the decoded SubjectPublicKeyInfo, byte for byte
            diff = al.char_diff(want, stored_text)
            findings.append(
                Finding(
                    "applink/public-key-mismatch",
                    Status.FAIL,
                    f"The public key Jira stores for {link.name!r} is not {source}"
                    + (f" ({diff.describe(source, 'Jira')})" if diff else "")
                    + ": every signature will be "
                    "signature_invalid.",
                    evidence={
                        "jira_fingerprint": pem.fingerprint(stored) if stored is not None else None,
                        "expected_fingerprint": pem.fingerprint(expected),
                        "expected_from": source,
                        "first_difference_at": diff.position if diff else None,
                        "paste_into_jira": want
                        if profile.public_key_armor == "omit"
                        else pem.spki_pem(expected).strip(),
                    },
                    subject=link.name,
                    docs=DOCS,
                    remediation=(
                        "Replace the public key in the link's Incoming Authentication with the text shown as "
                        "paste_into_jira.",
                    ),
                )
            )
        elif stored_text != want:
            diff = al.char_diff(want, stored_text)
            findings.append(
                Finding(
                    "applink/public-key-formatting",
                    Status.INFO,
                    f"Jira stores the right public key for {link.name!r}, written differently "
                    f"({diff.describe(source, 'Jira') if diff else ''}).",
                    evidence={"fingerprint": pem.fingerprint(expected)},
                    subject=link.name,
                )
            )
    callback = consumer.callback or ""
    if profile.applink_callback_required and not callback:
        findings.append(
            Finding(
                "applink/callback-missing",
                Status.FAIL,
                f"The link {link.name!r} has no consumer callback URL; {profile.name}'s guide needs the one "
                f"{profile.name} generated.",
                evidence={"link": link.name},
                subject=link.name,
                docs=DOCS,
                remediation=(
                    f"Copy the callback URL {profile.name} generated into the link's Incoming Authentication "
                    f"(Consumer Callback URL).",
                ),
            )
        )
    elif target.callback_url and callback and callback != target.callback_url:
        diff = al.char_diff(target.callback_url, callback)
        findings.append(
            Finding(
                "applink/callback-mismatch",
                Status.FAIL,
                f"The link's consumer callback URL is {callback!r}, not the one given ({target.callback_url!r}): "
                f"{diff.describe('--callback-url', 'Jira') if diff else ''}.",
                evidence={"jira": callback, "integration": target.callback_url},
                subject=link.name,
                docs=DOCS,
                remediation=(
                    f"Paste the callback URL {profile.name} generated into the link's Incoming Authentication.",
                ),
            )
        )
    return findings


def judge_status(link: al.AppLink) -> list[Finding]:
    status = link.status
    if status is None or status.working is not False:
        return []
    if status.generic_link:
        return []  # JIRA-FACTS §10: Jira's status for any link to a non-Atlassian application, by design
    kind = status.error_type or status.error_category or "unknown"
    if kind == "DISABLED" or status.error_category == "DISABLED":
        return [
            Finding(
                "applink/disabled",
                Status.FAIL,
                f"Jira reports the application link {link.name!r} as disabled.",
                evidence={"error_type": kind},
                subject=link.name,
                docs=DOCS,
                remediation=(f"Enable the link in {LINKS_PAGE}.",),
            )
        ]
    # what else Jira's status says of a link to a non-Atlassian application is not captured (§10); its
    # outgoing side often cannot work, so this is only worth knowing
    return [
        Finding(
            "applink/status",
            Status.INFO,
            f"Jira's own status for {link.name!r} is not working ({kind}); for a link to a non-Atlassian "
            "application this usually concerns the outgoing side only.",
            evidence={
                "error_category": status.error_category,
                "error_type": status.error_type,
                "error_details": status.error_details,
            },
            subject=link.name,
        )
    ]


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    facts: AppLinkFacts = await ctx.fact(APPLINKS)
    if not facts.access.is_admin:
        raise NotObserved(not_admin_reason(facts.access, "the application link"))
    if facts.problem:
        raise NotObserved(facts.problem)
    profile, target = ctx.profile, ctx.target
    if not (target.consumer_key or profile.applink_url_hosts or profile.applink_names):
        raise NotObserved(
            "which application link is the integration's cannot be told: give --consumer-key "
            "(or --integration with a profile that names its link)"
        )
    link, how, others = al.pick_link(facts.links, profile.applink_names, profile.applink_url_hosts, target.consumer_key)
    if link is None:
        return [
            Finding(
                "applink/missing",
                Status.FAIL,
                f"Jira has no application link for {profile.name}"
                + (f" with the consumer key {ck.visible(target.consumer_key)!s}" if target.consumer_key else "")
                + f" among its {len(facts.links)} link(s).",
                evidence={
                    "links": [
                        {"name": l.name, "url": al.link_url(l), "consumer_key": l.consumer.key if l.consumer else None}
                        for l in facts.links[:50]
                    ],
                    "listed_by": facts.listed_by,
                },
                docs=DOCS,
                remediation=(
                    f"Create the application link as {profile.name}'s guide says ({LINKS_PAGE} > Create link).",
                ),
            )
        ]
    findings = judge_url(link, profile) + judge_incoming(link, profile, facts.oauth2_clients)
    findings += judge_consumer(ctx, link) + judge_status(link)
    if (
        link.consumer is None
        and not link.consumer_read
        and not any(f.status.rank >= Status.WARN.rank for f in findings)
    ):
        raise NotObserved(f"Jira did not show the incoming consumer of the link {link.name!r}")
    if not any(f.status.rank >= Status.WARN.rank for f in findings):
        findings.append(
            Finding(
                "applink/ok",
                Status.PASS,
                f"The application link {link.name!r} (found by {how}) has incoming authentication and follows "
                f"{profile.name}'s rules.",
                evidence={
                    "link": link.name,
                    "link_url": al.link_url(link),
                    "found_by": how,
                    "consumer_key": ck.visible(link.consumer.key or "") if link.consumer else None,
                    "public_key_fingerprint": _fingerprint(link),
                    "jira_status": _jira_status(link),
                    "read_as": facts.access.source,
                    "other_candidates": [l.name for l in others],
                },
                subject=link.name,
            )
        )
    return findings


def _spki(key: PublicKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _jira_status(link: al.AppLink) -> str | None:
    status = link.status
    if status is None:
        return None
    if status.working is not False:
        return "working"
    if status.generic_link:
        return (f"{status.error_type or 'GENERIC_LINK'} ({status.error_category or 'NON_ATLASSIAN'}): how Jira "
                "reports any link to a non-Atlassian application; not a fault")
    return status.error_type or status.error_category


def _fingerprint(link: al.AppLink) -> str | None:
    text = link.consumer.public_key if link.consumer else None
    key = pem.read_public_key(text).public_key if text else None
    return pem.fingerprint(key) if key is not None else None


CHECK = Check(
    id="applink",
    title="Application link as Jira stores it",
    explanation=f"""\
Looks at: Jira's application links, read with a Jira administrator's login ({ENABLE_OPTIONS};
the integration's own login is used when Jira confirms it holds ADMINISTER). Only GET requests.
Why it fails: no link for the integration; a one-sided link ('Create incoming link' not ticked, no
consumer key or public key stored); a stored consumer key or public key that differs from the
integration's (the differing characters are named); the link's URL against the integration's guide
(Kendis: a plain name, not a URL; Zephyr Enterprise: ends in /flex; piplanning.io and Jira Align:
the vendor's host); no consumer callback URL where Kendis needs one; OAuth 1.0a where the profile
expects OAuth 2.0; a disabled link. Jira's own status GENERIC_LINK (NON_ATLASSIAN) is how it
reports every link to a non-Atlassian application: normal, not a fault. Keys are compared byte for
byte (whitespace counts), the public key as decoded SubjectPublicKeyInfo bytes.
Without an administrator's login it is skipped; --jira-consumer-key then remains the way to
compare keys (consumer-key check).""",
    judge=judge,
    inputs_any=("url",),
    facts=(APPLINKS.name,),
    live=True,
    order=55,
    codes=(
        "applink/missing",
        "applink/one-sided",
        "applink/oauth1-not-oauth2",
        "applink/consumer-key-mismatch",
        "applink/public-key-mismatch",
        "applink/public-key-formatting",
        "applink/url-not-name",
        "applink/url-rule",
        "applink/callback-missing",
        "applink/callback-mismatch",
        "applink/disabled",
        "applink/status",
        "applink/jira-consumer-key-differs",
        "applink/ok",
    ),
)
