"""dns: does the Jira host name resolve, to an address the integration can reach?

Title: Name resolution of the Jira host.
Codes: dns/nxdomain, dns/no-address, dns/no-answer, dns/private-address, dns/resolver-mismatch, dns/cname,
dns/ip-address, dns/ok.
"""

from __future__ import annotations

from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, Status
from jiradoctor.net.addresses import AddressClass, classify
from jiradoctor.net.proxy_route import Route
from jiradoctor.probes.dns import DNS, DnsFact, Lookup
from jiradoctor.registry import Check
from jiradoctor.probes.proxy import PROXY_ROUTE

DOCS = (
    "https://confluence.atlassian.com/cloudkb/ip-addresses-and-domains-for-atlassian-cloud-products-1041402006.html",
)


def _evidence(fact: DnsFact) -> dict[str, Any]:
    def one(lookup: Lookup | None) -> dict[str, Any] | None:
        if lookup is None:
            return None
        return {
            "source": lookup.source,
            "outcome": lookup.outcome,
            "addresses": list(lookup.addresses),
            "cnames": list(lookup.cnames),
            "message": lookup.message,
            "elapsed_s": round(lookup.elapsed_s, 3),
        }

    return {"host": fact.host, "system_resolver": one(fact.system), "dns": one(fact.dns), "dns_server": fact.dns_server}


def primary_and_other(fact: DnsFact) -> tuple[Lookup, Lookup | None]:
    """The lookup that decides: --dns-server when given (the integration's resolver), else the system's."""
    assert fact.system is not None and fact.dns is not None
    return (fact.dns, fact.system) if fact.dns_server else (fact.system, fact.dns)


def private_finding(
    classes: list[AddressClass], host: str, cloud: bool, name: str, evidence: dict[str, Any]
) -> Finding:
    shown = ", ".join(f"{c.address} ({c.label})" for c in classes)
    if cloud:
        return Finding(
            "dns/private-address",
            Status.FAIL,
            f"{host} resolves only to internal addresses ({shown}): {name} runs in the cloud and cannot reach them.",
            evidence=evidence,
            subject=host,
            docs=DOCS,
            remediation=(
                "Publish Jira on an address reachable from the internet (a reverse proxy or "
                "gateway with a public name), and enter that public URL in the integration and as "
                "Jira's Base URL.",
                "Or allow the vendor's published egress addresses through the firewall to a public address.",
            ),
        )
    # an internal Jira is the normal case for an integration that runs inside the same network
    return Finding(
        "dns/private-address",
        Status.INFO,
        f"{host} resolves only to internal addresses ({shown}): only clients inside that network can reach "
        f"Jira; a cloud-hosted integration could not.",
        evidence=evidence,
        subject=host,
        remediation=(
            "Fine when the integration runs inside the same network; otherwise publish Jira under a public name.",
        ),
    )


def judge_ip(fact: DnsFact, cloud: bool, name: str) -> list[Finding]:
    cls = classify(fact.host)
    evidence = {"host": fact.host, "range": cls.kind}
    if cls.internal and cloud:
        return [private_finding([cls], fact.host, True, name, evidence)]
    note = "" if not cls.internal else f"; it is a {cls.label} address, out of reach of clients elsewhere"
    return [
        Finding(
            "dns/ip-address",
            Status.INFO,
            f"The URL uses the IP address {fact.host}: no name to resolve{note}.",
            evidence=evidence,
            subject=fact.host,
            remediation=(
                "Certificates and OAuth Base URLs are usually issued for a name: prefer Jira's host name in the URL.",
            )
            if cls.internal
            else (),
        )
    ]


def judge_names(fact: DnsFact, route: Route | None, cloud: bool, name: str) -> list[Finding]:
    primary, other = primary_and_other(fact)
    evidence = _evidence(fact)
    host = fact.host
    proxied = route is not None and route.via_proxy
    findings: list[Finding] = []
    if primary.outcome != "ok":
        findings.append(_no_address(primary, host, proxied, evidence))
    else:
        classes = [classify(a) for a in primary.addresses]
        if all(c.internal for c in classes):
            findings.append(private_finding(classes, host, cloud, name, evidence))
        chain = primary.cnames or (other.cnames if other else ())
        if chain:
            findings.append(
                Finding(
                    "dns/cname",
                    Status.INFO,
                    f"{host} is an alias: {' -> '.join(chain)}.",
                    evidence={**evidence, "chain": list(chain)},
                    subject=host,
                    remediation=("A certificate must name the host in the URL, not the alias's target.",),
                )
            )
    mismatch = _mismatch(primary, other, host, evidence)
    if mismatch is not None:
        findings.append(mismatch)
    if not any(f.status.rank >= Status.WARN.rank for f in findings) and primary.outcome == "ok":
        findings.append(
            Finding(
                "dns/ok",
                Status.PASS,
                f"{host} resolves to {', '.join(primary.addresses)} ({primary.source}).",
                evidence=evidence,
                subject=host,
            )
        )
    return findings


def _no_address(primary: Lookup, host: str, proxied: bool, evidence: dict[str, Any]) -> Finding:
    code, what = {
        "nxdomain": ("dns/nxdomain", f"{host} does not exist in DNS (NXDOMAIN)"),
        "nodata": ("dns/no-address", f"{host} exists in DNS but has no A or AAAA record"),
    }.get(primary.outcome, ("dns/no-answer", f"{host} could not be resolved: {primary.message or primary.outcome}"))
    if proxied:
        return Finding(
            code,
            Status.WARN,
            f"{what} ({primary.source}); requests go through a proxy, which resolves the name itself.",
            evidence=evidence,
            subject=host,
            remediation=(
                "Nothing to do if the proxy resolves it (see the proxy and tls checks); "
                "otherwise correct the name or its DNS records.",
            ),
        )
    fixes = {
        "dns/nxdomain": (
            "Check the spelling of the host in the URL entered in the integration.",
            "If Jira has this name only inside a network (split-horizon DNS), the integration must use a "
            "resolver in that network, or Jira needs a public name.",
        ),
        "dns/no-address": ("Add an A (IPv4) or AAAA (IPv6) record for the name, or a CNAME to a name that has them.",),
        "dns/no-answer": (
            "The resolver failed or did not answer (SERVFAIL or timeout): check the DNS servers of the "
            "integration's host, or ask another with --dns-server.",
        ),
    }[code]
    return Finding(
        code,
        Status.FAIL,
        f"{what} ({primary.source}).",
        evidence=evidence,
        subject=host,
        remediation=fixes,
        commands=(f"dig +trace {host}", f"getent hosts {host}"),
    )


def is_local_name(host: str) -> bool:
    """``localhost`` and ``*.localhost`` never come from DNS (RFC 6761), so DNS not knowing them says nothing."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _mismatch(primary: Lookup, other: Lookup | None, host: str, evidence: dict[str, Any]) -> Finding | None:
    """System resolver and DNS disagree. Only answers count: a resolver that failed to answer says nothing."""
    if other is None or not other.definitive or not primary.definitive or is_local_name(host):
        return None
    system, dns = (primary, other) if primary.source == "system" else (other, primary)
    if system.outcome == "ok" and dns.outcome == "ok":
        if set(system.addresses) & set(dns.addresses):
            return None
        message = (
            f"The system resolver gives {', '.join(system.addresses)} for {host} but {dns.source} gives "
            f"{', '.join(dns.addresses)}: a hosts-file entry or split-horizon DNS; the integration sees what "
            f"its own resolver says."
        )
        status = Status.WARN
    elif system.outcome == "ok":
        message = (
            f"The system resolver finds {host} ({', '.join(system.addresses)}) but {dns.source} does not "
            f"({dns.outcome}): the name comes from the hosts file or a local override that the integration's "
            f"host does not have."
        )
        status = Status.WARN
    elif dns.outcome == "ok":
        message = (
            f"{dns.source} finds {host} ({', '.join(dns.addresses)}) but this machine's resolver does not "
            f"({system.outcome}): this machine uses other DNS than the one asked."
        )
        status = Status.INFO
    else:
        return None
    return Finding(
        "dns/resolver-mismatch",
        status,
        message,
        evidence=evidence,
        subject=host,
        remediation=(
            "Compare /etc/hosts (C:\\Windows\\System32\\drivers\\etc\\hosts) on the integration's "
            "host with DNS; the address the integration must use is the one its own resolver "
            "returns.",
        ),
        commands=(f"getent hosts {host}", f"dig +short {host}"),
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    fact: DnsFact = await ctx.fact(DNS)
    hosting = ctx.target.integration_hosting  # the user knows where their integration runs
    cloud = ctx.profile.cloud_hosted if hosting is None else hosting == "cloud"
    if fact.ip_literal:
        return judge_ip(fact, cloud, ctx.profile.name)
    route = await ctx.fact(PROXY_ROUTE) if ctx.can_probe(PROXY_ROUTE) else None
    return judge_names(fact, route, cloud, ctx.profile.name)


CHECK = Check(
    id="dns",
    title="Name resolution of the Jira host",
    explanation="""\
Looks at: the host of --url, resolved by this machine's system resolver (hosts file, then DNS)
and by DNS itself (the system's name servers, or --dns-server HOST[:PORT]), A and AAAA records
and CNAME chains, each lookup bounded by --timeout.
Why it fails: a name that does not exist (NXDOMAIN) or has no address record; an answer that is
only internal (loopback, RFC 1918, link-local, ULA, carrier-grade NAT), which a cloud-hosted
integration cannot reach; a hosts-file entry or split-horizon DNS that makes this machine see
another address than the integration. With a proxy on the route, the proxy resolves the name,
so a local failure is only a warning. A URL with an IP address has no name to check.
How to fix: correct the name or its records, publish Jira under a public name for cloud-hosted
integrations, and compare the hosts file with DNS.""",
    judge=judge,
    inputs_all=("url",),
    facts=(DNS.name,),
    reads=(PROXY_ROUTE.name,),
    live=True,
    order=10,
    # this machine reached an answer; only the (cloud-hosted) integration cannot use it
    nonblocking_codes=("dns/private-address",),
    codes=(
        "dns/nxdomain",
        "dns/no-address",
        "dns/no-answer",
        "dns/private-address",
        "dns/resolver-mismatch",
        "dns/cname",
        "dns/ip-address",
        "dns/ok",
    ),
)
