"""Both sides of a support ticket in one report: the customer's run and the integration's (vendor's) run.

Why: the customer's Jira administrator can give server.xml, the public key pasted into Jira and the
application link, often from a machine with no way to the integration; the vendor can make live calls
from where the integration runs. Each check is taken from the side that could observe it (a skip on
one side and a verdict on the other gives the verdict), and where the two sides saw different things
(the key pasted in Jira vs the integration's key, the consumer key, the Base URL) that is a finding.

Only what the two reports hold is used: they were redacted when written, and merging adds no input,
so secrets stay absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Iterable

from jiradoctor import __version__
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary

SIDES = ("customer", "vendor")
SIDES_CHECK = "sides"
SIDES_TITLE = "Both sides saw the same integration"
NOT_OBSERVED = (Status.SKIP, Status.ERROR)

# A fact both sides may have seen: evidence keys in findings of these checks.
FACTS = {
    "public key": (
        ("public-key", "oauth-signature", "applink"),
        ("fingerprint", "public_key_fingerprint", "private_key_public_half_fingerprint", "jira_fingerprint"),
    ),
    "consumer key": (("consumer-key", "applink", "oauth-signature"), ("consumer_key", "jira_consumer_key")),
    "Base URL": (("base-url", "reachability", "oauth-signature"), ("jira_base_url", "base_url")),
}
# Codes that already name a difference in that fact: the other side's view is added to them (the cause once).
NAMED_BY = {
    "public key": ("oauth-signature/key-mismatch", "public-key/pair-mismatch", "applink/public-key-mismatch"),
    "consumer key": ("consumer-key/unknown", "consumer-key/mismatch", "applink/consumer-key-mismatch"),
    "Base URL": (
        "base-url/scheme-mismatch",
        "base-url/host-mismatch",
        "base-url/port-mismatch",
        "base-url/path-mismatch",
        "base-url/realm-mismatch",
        "base-url/reported-mismatch",
        "oauth-signature/url-mismatch",
    ),
}


@dataclass(frozen=True)
class Difference:
    fact: str
    customer: tuple[str, ...]
    vendor: tuple[str, ...]


def _norm(fact: str, value: str) -> str:
    return value.rstrip("/").lower() if fact == "Base URL" else value


def seen_values(report: Report, fact: str) -> tuple[str, ...]:
    """Every value of ``fact`` a report's findings (and its target) name, in order, once each."""
    checks, keys = FACTS[fact]
    values: list[str] = []
    for check, finding in report.findings():
        if check.id not in checks:
            continue
        for key in keys:
            value = finding.evidence.get(key)
            if isinstance(value, str) and value.strip() and "*" not in value:  # a masked value compares to nothing
                values.append(_norm(fact, value))
    if fact == "Base URL" and report.target.jira.base_url:
        values.append(_norm(fact, report.target.jira.base_url))
    return tuple(dict.fromkeys(values))


def differences(customer: Report, vendor: Report) -> tuple[list[Difference], list[str]]:
    """Facts both sides saw: those with no value in common, and the names of those that agree."""
    differ, agree = [], []
    for fact in FACTS:
        mine, theirs = seen_values(customer, fact), seen_values(vendor, fact)
        if not mine or not theirs:
            continue
        if set(mine) & set(theirs):
            agree.append(fact)
        else:
            differ.append(Difference(fact, mine, theirs))
    return differ, agree


def _tag(finding: Finding, side: str) -> Finding:
    return replace(finding, evidence={**finding.evidence, "side": side})


def _key(finding: Finding) -> tuple[str, str | None, str, str]:
    """Two findings are one when they say the same about the same thing (evidence included)."""
    return (
        finding.code,
        finding.subject,
        finding.message,
        json.dumps(dict(finding.evidence), sort_keys=True, default=str),
    )


def merge_check(customer: CheckResult | None, vendor: CheckResult | None) -> CheckResult:
    """One check from the side(s) that observed it."""
    present = [(s, c) for s, c in zip(SIDES, (customer, vendor), strict=False) if c is not None]
    observed = [(s, c) for s, c in present if c.status not in NOT_OBSERVED]
    if not observed:
        errors = [(s, c) for s, c in present if c.status == Status.ERROR]
        if errors:
            side, check = errors[0]
            return replace(
                check, findings=tuple(_tag(f, side) for f in check.findings), summary=f"{side} side: {check.summary}"
            )
        first = present[0][1]
        reason = "; ".join(f"{s} side: {c.skip_reason or c.summary}" for s, c in present)
        blocked = tuple(dict.fromkeys(b for _, c in present for b in c.blocked_by))
        return CheckResult.skipped(first.id, first.title, reason, blocked)
    findings: dict[tuple[str, str | None, str, str], Finding] = {}
    for side, check in observed:
        for finding in check.findings:
            key = _key(finding)
            if key in findings:
                findings[key] = replace(findings[key], evidence={**findings[key].evidence, "side": "both"})
            else:
                findings[key] = _tag(finding, side)
    first = observed[0][1]
    merged = CheckResult.from_findings(
        first.id,
        first.title,
        fold_log_findings(list(findings.values())),
        duration_s=max(c.duration_s for _, c in observed),
    )
    if not merged.findings:  # a verdict without findings: keep the side's own status and summary
        merged = replace(merged, status=first.status, summary=first.summary)
    return merged


def fold_log_findings(findings: list[Finding]) -> list[Finding]:
    """A cause found in Jira's logs (``jiradoctor logs``: evidence ``log``) and observed live by the other
    side is named once: the live finding, carrying what the log saw (count, first and last seen, lines)."""
    out = list(findings)
    for logged in [f for f in findings if isinstance(f.evidence.get("log"), dict)]:
        live = next((f for f in out if f is not logged and "log" not in f.evidence and f.code == logged.code
                     and f.subject == logged.subject and f.evidence.get("side") != logged.evidence.get("side")), None)
        if live is not None:
            out[out.index(live)] = replace(live, evidence={**live.evidence, "side": "both",
                                                           "seen_in_jira_log": logged.evidence["log"]})
            out.remove(logged)
    return out


def _attach(checks: list[CheckResult], codes: Iterable[str], diff: Difference) -> bool:
    """Add the other side's view to the finding that already names this cause; True when one did."""
    wanted = set(codes)
    for i, check in enumerate(checks):
        for j, finding in enumerate(check.findings):
            if finding.code in wanted and finding.status.rank >= Status.WARN.rank:
                evidence = {
                    **finding.evidence,
                    "customer_side_saw": list(diff.customer),
                    "vendor_side_saw": list(diff.vendor),
                    "confirmed_by_both_sides": True,
                }
                found = list(check.findings)
                told = (f" Both sides confirm it: the customer's side has {', '.join(diff.customer)}, the "
                        f"integration's side {', '.join(diff.vendor)}.")
                message = finding.message if told in finding.message else finding.message + told
                found[j] = replace(finding, message=message, evidence=evidence)
                checks[i] = replace(check, findings=tuple(found))
                return True
    return False


def _named(checks: list[CheckResult], code: str) -> bool:
    return any(f.code == code and f.evidence.get("confirmed_by_both_sides") for c in checks for f in c.findings)


def sides_check(checks: list[CheckResult], customer: Report, vendor: Report) -> CheckResult:
    differ, agree = differences(customer, vendor)
    findings: list[Finding] = []
    for diff in differ:
        if _attach(checks, NAMED_BY.get(diff.fact, ()), diff):
            findings.append(
                Finding(
                    f"{SIDES_CHECK}/difference-named",
                    Status.INFO,
                    f"The two sides see different {diff.fact}s; the finding that names the cause carries both sides' "
                    f"values.",
                    evidence={"fact": diff.fact, "named_by": [c for c in NAMED_BY[diff.fact] if _named(checks, c)]},
                    subject=diff.fact,
                )
            )
            continue
        findings.append(
            Finding(
                f"{SIDES_CHECK}/{diff.fact.lower().replace(' ', '-')}-differs",
                Status.FAIL,
                f"The two sides see different {diff.fact}s: the customer's side has {', '.join(diff.customer)}, the "
                f"integration's side {', '.join(diff.vendor)}. Both must be the same for the connection to work.",
                evidence={"customer_side_saw": list(diff.customer), "vendor_side_saw": list(diff.vendor)},
                remediation=(
                    f"Make the {diff.fact} in the integration and in Jira's application link the same (copy it "
                    f"from one place to the other, exactly).",
                ),
                subject=diff.fact,
            )
        )
    cust = {c.id: c for c in customer.checks}
    for check in vendor.checks:
        other = cust.get(check.id)
        if other is None or other.status in NOT_OBSERVED or check.status in NOT_OBSERVED:
            continue
        if (other.status.rank >= Status.WARN.rank) != (check.status.rank >= Status.WARN.rank):
            findings.append(
                Finding(
                    f"{SIDES_CHECK}/observed-differently",
                    Status.INFO,
                    f"{check.id}: {other.status} on the customer's side, {check.status} on the integration's side; the "
                    "difference lies between the two places (network, proxy, credentials or files given).",
                    evidence={"check": check.id, "customer": other.status.value, "vendor": check.status.value},
                    subject=check.id,
                )
            )
    if agree and not any(f.status.rank >= Status.WARN.rank for f in findings):
        findings.append(
            Finding(
                f"{SIDES_CHECK}/agree",
                Status.PASS,
                f"Both sides saw the same {', '.join(agree)}.",
                evidence={"compared": agree},
            )
        )
    if not findings:
        return CheckResult.skipped(
            SIDES_CHECK, SIDES_TITLE, "no fact (public key, consumer key, Base URL) was seen on both sides"
        )
    return CheckResult.from_findings(SIDES_CHECK, SIDES_TITLE, findings)


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def merge(customer: Report, vendor: Report) -> Report:
    """One report of both sides; the order is the customer's, then checks only the vendor ran."""
    ids = list(dict.fromkeys([c.id for c in customer.checks] + [c.id for c in vendor.checks]))
    cust, vend = {c.id: c for c in customer.checks}, {c.id: c for c in vendor.checks}
    checks = [merge_check(cust.get(i), vend.get(i)) for i in ids if i != SIDES_CHECK]
    checks.append(sides_check(checks, customer, vendor))
    c, v = customer.target, vendor.target
    target = TargetSummary(
        url=_first(v.url, c.url),
        integration=v.integration if v.integration != "generic" else c.integration,
        auth=v.auth if v.auth != "none" else c.auth,
        jira=JiraFacts(
            _first(v.jira.deployment, c.jira.deployment),
            _first(v.jira.version, c.jira.version),
            _first(v.jira.base_url, c.jira.base_url),
            # either side seeing Jira is enough; False only when a side asked and none saw it
            True if True in (v.jira.identified, c.jira.identified)
            else False if False in (v.jira.identified, c.jira.identified) else None,
            _first(v.jira.identified_by, c.jira.identified_by),
        ),
    )
    started = min([s for s in (customer.started_at, vendor.started_at) if s] or [""])
    return Report(
        tool_version=__version__,
        target=target,
        started_at=started,
        duration_s=round(customer.duration_s + vendor.duration_s, 3),
        checks=tuple(checks),
    )
