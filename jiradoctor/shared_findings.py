"""Findings more than one check makes: a blocker's page (IP allowlist, Cloudflare) and the egress advice.

Why here and not in a check: reachability, can-work and oauth-signature all meet a blocker's page
on their own requests, and no check imports another check.
"""

from __future__ import annotations

from jiradoctor.jira import blockers
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.model import Finding, Status
from jiradoctor.probes.http import HttpAnswer


def egress_advice(profile: IntegrationProfile | None, caller: str | None = None) -> tuple[str, ...]:
    """Which addresses an allowlist must admit: this machine's, and the integration's published ones."""
    advice = []
    if caller:
        advice.append(
            f"This machine reached it from {caller} (as the block page shows): allowlist that address to run "
            "jiradoctor from here."
        )
    if profile is not None and profile.egress_addresses:
        advice.append(
            f"{profile.name} calls from {', '.join(profile.egress_addresses)}"
            f"{' (published at ' + profile.egress_source + ')' if profile.egress_source else ''}: the allowlist "
            "must admit these addresses."
        )
    elif profile is not None and profile.egress_source:
        advice.append(
            f"{profile.name} calls from the addresses published at {profile.egress_source}: the allowlist "
            f"must admit them."
        )
    elif profile is not None and profile.cloud_hosted:
        advice.append(f"{profile.name} runs in the cloud: ask its vendor for its egress addresses and allowlist those.")
    else:
        advice.append(
            "Allowlist the public (egress) address of the host the integration runs on (curl -s "
            "https://ifconfig.me run there shows it)."
        )
    return tuple(advice)


def blocker_finding(
    found: blockers.Blocker,
    answer: HttpAnswer,
    profile: IntegrationProfile | None,
    prefix: str = "reachability/",
    code: str | None = None,
) -> Finding:
    """The blocker named for what it is, with the fix: allowlist which address, where."""
    evidence = {"url": answer.url, "status": answer.status, "blocker": found.kind, **found.evidence}
    if found.kind == "atlassian-ip-allowlist":
        caller = found.caller_address
        this_machine = (
            f"This machine called from {caller} (the refusal names it): allow that address to run jiradoctor from here."
            if caller
            else "This machine's own public address is not shown in the refusal: run `curl -s https://ifconfig.me` "
            "here to see it, and allow it to run jiradoctor from here."
        )
        return Finding(
            prefix + (code or "ip-allowlist"),
            Status.FAIL,
            f"An IP allowlist refuses this caller's address (HTTP {answer.status}: "
            f"\"{found.evidence.get('message', '')}\"), not the credentials: the site admits only listed "
            f"addresses (on Atlassian Cloud, a Premium plan's IP allowlisting)"
            + (f"; the refused address is {caller}." if caller else "."),
            evidence=evidence,
            remediation=(
                "Have the caller's egress address added to the allowlist: on Atlassian Cloud an organisation "
                "admin does it at admin.atlassian.com > Security > IP allowlisting (the list that covers this "
                "site's Jira); elsewhere, whoever runs the firewall or proxy that wrote the refusal. Or the "
                "integration calls from a listed address.",
                this_machine,
                *egress_advice(profile),
            ),
            docs=(
                "https://support.atlassian.com/security-and-access-policies/docs/specify-ip-addresses-for-product-access/",
            ),
        )
    meaning = blockers.cloudflare_meaning(found.error_code)
    ray = found.evidence.get("ray_id")
    return Finding(
        prefix + (code or "cloudflare-block"),
        Status.FAIL,
        f"Cloudflare refuses the request in front of the site (HTTP {answer.status}"
        f"{', error ' + found.error_code if found.error_code else ''}: {meaning})"
        f"{'; Cloudflare Ray ID ' + ray if ray else ''}. The application behind it never saw the call.",
        evidence=evidence,
        remediation=(
            "The site's owner allowlists the caller's egress address in their Cloudflare firewall "
            "(for Jira Align: give Atlassian support the addresses of your Jira Data Center, test "
            "and production), quoting the Ray ID.",
            *egress_advice(profile, found.caller_address),
        ),
    )
