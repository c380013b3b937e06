"""tls: does the handshake the integration makes succeed, and if not, which certificate is at fault?

Judged by OpenSSL's verify code and the presented chain itself, never by message text
(JIRA-FACTS §7): code 20 is ambiguous, and only the chain tells a missing intermediate from an
unknown root.

Title: TLS handshake and certificate chain.
Codes: tls/self-signed, tls/untrusted-root, tls/incomplete-chain, tls/expired, tls/not-yet-valid,
tls/hostname-mismatch, tls/expiring-soon, tls/weak-key, tls/weak-signature, tls/verification-disabled,
tls/plain-http, tls/handshake-failed, tls/intercepted, tls/chain-order, tls/client-certificate-required,
tls/client-certificate-refused, tls/ok.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.net.verify_codes import (
    CA_KEY_TOO_SMALL,
    CA_MD_TOO_WEAK,
    CERT_HAS_EXPIRED,
    CERT_NOT_YET_VALID,
    DEPTH_ZERO_SELF_SIGNED_CERT,
    EE_KEY_TOO_SMALL,
    HOSTNAME_MISMATCH,
    IP_ADDRESS_MISMATCH,
    SELF_SIGNED_CERT_IN_CHAIN,
    UNABLE_TO_GET_ISSUER_CERT,
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE,
)
from jiradoctor.net.chain import EXPIRY_WARNING_DAYS, MIN_RSA_BITS, CertInfo, ChainAnalysis, analyse
from jiradoctor.probes.tls import TLS, TlsFact
from jiradoctor.registry import Check

DOCS = (
    "https://confluence.atlassian.com/kb/unable-to-connect-to-ssl-services-due-to-pkix-path-building-failed-error-779355358.html",
    "https://docs.openssl.org/3.0/man3/X509_STORE_CTX_get_error/",
)
CHAIN_DOCS = ("https://nginx.org/en/docs/http/configuring_https_servers.html#chains",)


LAST_RESORT = (
    "Last resort only: switching certificate verification off in the integration (e.g. an unticked 'Verify "
    "TLS/SSL certificates' box, or --insecure here) would make this connection work, but then anyone on the "
    "path can read and replay the OAuth tokens and passwords. Use it for a test at most, never as the fix."
)
NO_HELP = (
    "Switching certificate verification off would not help: the connection fails before any certificate is checked."
)


@dataclass(frozen=True)
class View:
    """What every finding of one run shares: the fact, the chain analysis, the evidence."""

    fact: TlsFact
    analysis: ChainAnalysis
    evidence: dict[str, Any]
    now: dt.datetime

    @property
    def leaf_fp(self) -> str | None:
        return self.fact.chain[0].sha256 if self.fact.chain else None

    def finding(
        self,
        slug: str,
        status: Status,
        message: str,
        remediation: Sequence[str] = (),
        commands: Sequence[str] = (),
        docs: Sequence[str] = DOCS,
        **extra: object,
    ) -> Finding:
        return Finding(
            f"tls/{slug}",
            status,
            message,
            evidence={**self.evidence, **extra},
            remediation=tuple(remediation),
            commands=tuple(commands),
            docs=tuple(docs),
            subject=self.leaf_fp,
        )


def _names(certs: Sequence[CertInfo]) -> str:
    return ", ".join(f"'{c.name}'" for c in certs)


def _role(view: View, cert: CertInfo) -> str:
    if view.fact.chain and cert.sha256 == view.fact.chain[0].sha256:
        return "the server's own (leaf) certificate"
    return "the root CA certificate" if cert.self_issued else "the intermediate CA certificate"


def show_chain_command(fact: TlsFact) -> str:
    return f"openssl s_client -connect {fact.host}:{fact.port} -servername {fact.host} -showcerts </dev/null"


def trust_fix(fact: TlsFact, ca_name: str) -> tuple[str, ...]:
    return (
        f"Give the integration the CA certificate '{ca_name}' as a trusted CA (its trust store or CA-file setting; "
        f"for this doctor: --ca-bundle FILE). Compare its SHA-256 fingerprint with the one your CA administrator "
        f"gives you before trusting it.",
    )


def judge_chain_trust(view: View) -> Finding:
    """Code 20 (or 2): a missing intermediate or an unknown root; the presented chain decides."""
    a, fact = view.analysis, view.fact
    path = a.path
    if path and len(path) == 1 and not path[0].is_ca and not path[0].self_issued:
        return judge_incomplete(view, verified_anyway=False)
    top = a.top
    root_name = top.issuer if top is not None else "?"
    cn = root_name.split("CN=", 1)[1].split(",", 1)[0] if "CN=" in root_name else root_name
    in_store = root_name in fact.trusted_subjects
    return view.finding(
        "untrusted-root",
        Status.FAIL,
        f"The chain ends at '{top.name if top else '?'}', issued by '{cn}', which {fact.trust} does not trust"
        + (" (a certificate of that name is there, but not the one that signed this chain)" if in_store else "")
        + ".",
        remediation=(
            *trust_fix(fact, cn),
            f"If the server's certificate comes from a public CA, the server may instead be missing an "
            f"intermediate certificate between '{top.name if top else '?'}' and the root: compare with the "
            f"CA's chain.",
            LAST_RESORT,
        ),
        commands=(show_chain_command(fact),),
        untrusted_issuer=root_name,
    )


def judge_incomplete(view: View, verified_anyway: bool) -> Finding:
    a, fact = view.analysis, view.fact
    top = a.top or a.leaf
    missing = a.missing_issuer or (top.issuer if top else "?")
    cn = missing.split("CN=", 1)[1].split(",", 1)[0] if "CN=" in missing else missing
    where = f" It can be downloaded from {', '.join(top.ca_issuer_urls)}." if top and top.ca_issuer_urls else ""
    server_fix = (
        f"Make the server send the intermediate CA certificate '{cn}' after its own certificate.{where} "
        f"nginx: ssl_certificate must hold the leaf then the intermediate; Apache: SSLCertificateFile with "
        f"the chain (or SSLCertificateChainFile); Tomcat/Jira: import the whole chain into the connector's "
        f"keystore."
    )
    commands = (
        show_chain_command(fact),
        "cat server.crt intermediate.crt > fullchain.pem   # leaf first, for nginx's ssl_certificate",
    )
    if verified_anyway:
        return view.finding(
            "incomplete-chain",
            Status.WARN,
            f"The server sends only {_names(fact.chain)}, without the intermediate '{cn}': it verifies here only "
            f"because {fact.trust} holds that intermediate; clients that trust just the root fail.",
            remediation=(server_fix,),
            commands=commands,
            docs=(*DOCS, *CHAIN_DOCS),
            missing_intermediate=missing,
        )
    if top is not None and not top.ca_issuer_urls:
        # no "CA Issuers" link, as with most in-house CAs: '{cn}' may be an intermediate the server
        # omits, or the company's own root that signed the leaf directly; the chain cannot tell
        return view.finding(
            "incomplete-chain",
            Status.FAIL,
            f"The server sends only {_names(fact.chain)}, issued by '{cn}', which {fact.trust} does not hold: either "
            f"'{cn}' is an intermediate CA the server must send too, or it is your own root CA that the integration "
            f"must trust.",
            remediation=(server_fix, *trust_fix(fact, cn), LAST_RESORT),
            commands=commands,
            docs=(*DOCS, *CHAIN_DOCS),
            missing_intermediate=missing,
            ambiguous=True,
        )
    return view.finding(
        "incomplete-chain",
        Status.FAIL,
        f"The server sends only {_names(fact.chain)}: the intermediate CA certificate '{cn}' that issued it is "
        f"missing, so the chain cannot be built to a trusted root.",
        remediation=(
            server_fix,
            "A client-side workaround: add that intermediate to the integration's trust store.",
            LAST_RESORT,
        ),
        commands=commands,
        docs=(*DOCS, *CHAIN_DOCS),
        missing_intermediate=missing,
    )


def judge_validity(view: View, code: int) -> Finding:
    a, fact = view.analysis, view.fact
    expired = code == CERT_HAS_EXPIRED
    bad = a.expired if expired else a.not_yet_valid
    if bad:
        what = "; ".join(
            f"{_role(view, c)} '{c.name}' "
            + (
                f"expired on {c.not_after:%Y-%m-%d %H:%M} UTC"
                if expired
                else f"is valid only from {c.not_before:%Y-%m-%d %H:%M} UTC"
            )
            for c in bad
        )
    else:
        what = "a certificate of the trust store's path (not one the server sent) " + (
            "has expired" if expired else "is not yet valid"
        )
    fix = (
        "Renew the certificate and install it (with its chain) on the server."
        if expired
        else "Check the clocks: the certificate's start lies in the future for this machine. If the clock is right, "
        "the certificate was issued with a wrong start date: reissue it."
    )
    return view.finding(
        "expired" if expired else "not-yet-valid",
        Status.FAIL,
        f"Certificate validity: {what}.",
        remediation=(fix, LAST_RESORT),
        commands=(show_chain_command(fact),),
        certificates=[c.sha256 for c in bad],
    )


def judge_hostname(view: View) -> Finding:
    fact = view.fact
    leaf = fact.chain[0] if fact.chain else None
    names = ", ".join(leaf.sans) if leaf and leaf.sans else "no subjectAltName (only the CN, which clients ignore)"
    return view.finding(
        "hostname-mismatch",
        Status.FAIL,
        f"The certificate is not valid for {fact.host}: it names {names}.",
        remediation=(
            f"Use the host name the certificate was issued for in the integration's URL (and as Jira's Base "
            f"URL), or issue a certificate whose subjectAltName includes {fact.host}.",
            LAST_RESORT,
        ),
        commands=(show_chain_command(fact),),
    )


def judge_weak(view: View, code: int, failed: bool) -> Finding:
    a = view.analysis
    key = code in (EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL) or (not failed and bool(a.weak_keys) and code == 0)
    if key:
        certs = a.weak_keys
        what = (
            "; ".join(f"'{c.name}' has a {c.key_type} key of {c.key_bits} bits" for c in certs)
            or "a key in the chain is too small"
        )
        fix = f"Reissue the certificate with an RSA key of at least {MIN_RSA_BITS} bits (or an EC P-256 key)."
    else:
        certs = a.weak_signatures
        what = (
            "; ".join(
                f"'{c.name}' is signed with {c.signature_hash.upper() if c.signature_hash else '?'}" for c in certs
            )
            or "a signature in the chain uses a weak hash"
        )
        fix = "Reissue the certificate signed with SHA-256 or better."
    if failed:
        message = (
            f"The handshake fails: {what}. OpenSSL 3 refuses this at its default security level 2, so every "
            f"client built on it (Python, curl, most current stacks) fails the same way; some older Java "
            f"clients still accept it."
        )
        status = Status.FAIL
        remediation: tuple[str, ...] = (fix, LAST_RESORT)
    else:
        message = f"{what}: accepted here, but OpenSSL 3 clients at their default security level refuse it."
        status = Status.WARN
        remediation = (fix,)
    return view.finding(
        "weak-key" if key else "weak-signature",
        status,
        message,
        remediation=remediation,
        certificates=[c.sha256 for c in certs],
    )


def verification_failure(view: View, code: int) -> Finding:
    fact = view.fact
    if code == DEPTH_ZERO_SELF_SIGNED_CERT:
        leaf = fact.chain[0] if fact.chain else None
        return view.finding(
            "self-signed",
            Status.FAIL,
            f"The server presents a self-signed certificate ('{leaf.name if leaf else '?'}'), which no trust store "
            f"holds.",
            remediation=(
                "Best: replace it with a certificate from your organisation's CA or a public CA.",
                *trust_fix(fact, leaf.name if leaf else "the server's certificate"),
                LAST_RESORT,
            ),
            commands=(show_chain_command(fact),),
            trust_this_pem=leaf.pem if leaf else None,
        )
    if code == SELF_SIGNED_CERT_IN_CHAIN:
        root = view.analysis.presented_root
        name = root.name if root else "the root the server sends"
        return view.finding(
            "untrusted-root",
            Status.FAIL,
            f"The chain ends at the root CA '{name}', which {fact.trust} does not trust "
            "(typically a company's own CA).",
            remediation=(*trust_fix(fact, name), LAST_RESORT),
            commands=(show_chain_command(fact),),
            trust_this_pem=root.pem if root else None,
        )
    if code in (UNABLE_TO_GET_ISSUER_CERT_LOCALLY, UNABLE_TO_GET_ISSUER_CERT):
        return judge_chain_trust(view)
    if code == UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return judge_incomplete(view, verified_anyway=False)
    if code in (CERT_HAS_EXPIRED, CERT_NOT_YET_VALID):
        return judge_validity(view, code)
    if code in (HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH):
        return judge_hostname(view)
    if code in (EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL, CA_MD_TOO_WEAK):
        return judge_weak(view, code, failed=True)
    return view.finding(
        "handshake-failed",
        Status.FAIL,
        f"Certificate verification failed with OpenSSL code {code} ({fact.verify_message}).",
        remediation=(LAST_RESORT,),
        commands=(show_chain_command(fact),),
    )


def judge_connection_error(view: View) -> Finding:
    fact = view.fact
    assert fact.error is not None
    if fact.plain_http:
        return view.finding(
            "plain-http",
            Status.FAIL,
            f"The URL says https, but {fact.host}:{fact.port} speaks plain HTTP.",
            remediation=(
                "Enter the URL of Jira's HTTPS port (often 443 or 8443) in the integration, or configure TLS "
                "on the port (a TLS connector in server.xml, or a TLS-terminating proxy).",
                NO_HELP,
            ),
            commands=(f"curl -sI http://{fact.host}:{fact.port}/",),
        )
    if fact.error.kind == "tls":
        return view.finding(
            "handshake-failed",
            Status.FAIL,
            f"{fact.error.message} with {fact.host}:{fact.port}: no protocol version or cipher both sides accept, "
            "or the server broke off the handshake.",
            remediation=(
                "Enable TLS 1.2 or 1.3 with current ciphers on the server (or the proxy in front of it).",
                NO_HELP,
            ),
            commands=(show_chain_command(fact), f"testssl --protocols --std {fact.host}:{fact.port}"),
        )
    if fact.error.kind == "unsupported":
        raise NotObserved(f"TLS was not probed: {fact.error.message}")
    # refused, reset, silent: no handshake to judge; the reachability check names the cause (once)
    raise NotObserved(
        f"no connection for a TLS handshake with {fact.host}:{fact.port} ({fact.error.message}); "
        "see the reachability check"
    )


# nginx's own pages for ssl_verify_client (ngx_http_special_response.c): a missing and a refused certificate
NGINX_NO_CERT = "No required SSL certificate was sent"
NGINX_BAD_CERT = "The SSL certificate error"
MTLS_DOCS = ("https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client",)


def client_certificate_refusal(fact: TlsFact) -> str | None:
    """How the server refused the connection for want of an accepted client certificate, or None.

    Only after it asked for one (its CertificateRequest): an alert or a reset then is about the
    certificate (TLS 1.2 refuses in the handshake, TLS 1.3 on the first read), and nginx answers
    400 with its own sentence; a server that asked for nothing broke off for another reason."""
    if not fact.client_cert_requested:
        return None
    if fact.error is not None and fact.error.kind in ("tls", "reset") and fact.verify_code is None:
        return f"the handshake ended with {fact.error.message}"
    first = fact.first_answer
    if first is None:
        return None
    if first.error is not None:
        return f"the handshake completed, then the first read got {first.error}"
    if first.status in (400, 495, 496) and (NGINX_NO_CERT in first.body or NGINX_BAD_CERT in first.body):
        said = NGINX_NO_CERT if NGINX_NO_CERT in first.body else NGINX_BAD_CERT
        return f"the handshake completed, then the first request got HTTP {first.status} '{said}' (nginx)"
    return None


def judge_client_certificate(view: View, how: str) -> Finding:
    fact = view.fact
    where = f"{fact.host}:{fact.port}"
    if fact.client_cert_presented:
        return view.finding(
            "client-certificate-refused",
            Status.FAIL,
            f"{where} demands a client certificate (mutual TLS) and refused the one presented "
            f"('{fact.client_cert_presented}'): {how}.",
            remediation=(
                "Present a client certificate issued by a CA the proxy trusts (nginx: ssl_client_certificate), "
                "valid today, together with its own private key; ask the proxy's administrator which CA that is.",
                "The server's TLS versions and ciphers are not at fault: the refusal is about the client certificate.",
            ),
            commands=(
                f"openssl s_client -connect {where} -servername {fact.host} -cert CERT.pem -key KEY.pem </dev/null",
            ),
            docs=MTLS_DOCS,
            client_certificate=fact.client_cert_presented,
        )
    return view.finding(
        "client-certificate-required",
        Status.FAIL,
        f"{where} demands a client certificate (mutual TLS) and none was presented: {how}. The integration "
        "cannot connect until it presents the certificate the proxy expects.",
        remediation=(
            "Configure the integration's client certificate and key (its mutual-TLS or client-certificate "
            "setting); to check with this doctor: --client-cert CERT.pem --client-key KEY.pem, or --client-cert "
            "BUNDLE.p12 with JIRADOCTOR_CLIENT_CERT_PASSWORD.",
            "Or have the proxy's administrator exempt the integration's requests from client certificates "
            "(nginx: ssl_verify_client optional, and require $ssl_client_verify only where people log in).",
            "Enabling other TLS versions or ciphers would not help: the server refuses for want of a certificate.",
        ),
        commands=(f"openssl s_client -connect {where} -servername {fact.host} </dev/null",),
        docs=MTLS_DOCS,
    )


def judge_interception(view: View, failed: bool) -> Finding:
    fact = view.fact
    assert fact.direct_chain
    seen, real = fact.chain[0], fact.direct_chain[0]
    message = (
        f"The proxy {fact.route.proxy_display} intercepts TLS: through it the server's certificate is issued by "
        f"'{seen.issuer}', directly by '{real.issuer}' (fingerprints differ)."
    )
    if failed:
        return view.finding(
            "intercepted",
            Status.FAIL,
            message + " The integration does not trust the proxy's CA.",
            remediation=(
                f"Add the proxy's CA "
                f"('{view.analysis.top.name if view.analysis.top else seen.issuer}') to the "
                f"integration's trust store (--ca-bundle here), or have the proxy exempt "
                f"Jira's host from inspection.",
                LAST_RESORT,
            ),
            direct_chain=[c.evidence() for c in fact.direct_chain],
        )
    return view.finding(
        "intercepted",
        Status.WARN,
        message + " It works because the proxy's CA is trusted; clients that pin Jira's certificate, "
        "or a cloud-hosted integration outside this network, see another certificate.",
        remediation=("Exempt Jira's host from TLS inspection if the integration pins certificates.",),
        direct_chain=[c.evidence() for c in fact.direct_chain],
    )


def judge_verified(view: View) -> list[Finding]:
    fact, a = view.fact, view.analysis
    findings: list[Finding] = []
    presented = {c.sha256 for c in fact.chain}
    borrowed = [c for c in fact.verified_chain if c.sha256 not in presented and not c.self_issued]
    if borrowed:
        findings.append(judge_incomplete(view, verified_anyway=True))
    if a.weak_keys:
        findings.append(judge_weak(view, 0, failed=False))
    if a.weak_signatures:
        findings.append(judge_weak(view, CA_MD_TOO_WEAK, failed=False))
    return findings


def expiring(view: View) -> Finding | None:
    soon = [c for c in view.analysis.expiring_soon if c not in view.analysis.expired]
    if not soon:
        return None
    now = view.now
    what = "; ".join(
        f"{_role(view, c)} '{c.name}' expires on {c.not_after:%Y-%m-%d} (in {int(c.days_left(now))} days)" for c in soon
    )
    return view.finding(
        "expiring-soon",
        Status.WARN,
        f"Expires within {EXPIRY_WARNING_DAYS} days: {what}.",
        remediation=(
            "Renew the certificate now and install it with its chain; the integration stops "
            "working the moment it expires.",
        ),
        certificates=[c.sha256 for c in soon],
    )


def soften(finding: Finding) -> Finding:
    """Under --insecure the integration does not verify: the problem is real but does not break the path."""
    return Finding(
        finding.code,
        Status.INFO,
        "With verification on: " + finding.message,
        finding.evidence,
        finding.remediation,
        finding.commands,
        finding.docs,
        finding.subject,
    )


def judge_fact(fact: TlsFact, now: dt.datetime) -> list[Finding]:
    """``now``: the run's clock, passed in (a judge never reads the clock)."""
    if not fact.applies:
        raise NotObserved(
            "the URL is plain http: there is no TLS to check (passwords and tokens cross the network "
            "unencrypted; prefer an https URL for Jira if it has one)"
        )
    analysis = analyse(fact.chain, fact.host, now)
    evidence = {
        "host": fact.host,
        "port": fact.port,
        "route": fact.route.describe(),
        "trust": fact.trust,
        "verify_code": fact.verify_code,
        "verify_message": fact.verify_message,
        "protocol": fact.protocol,
        "cipher": fact.cipher,
        "chain": [c.evidence() for c in fact.chain],
    }
    if fact.client_cert_requested:
        evidence["client_certificate_requested"] = True
        evidence["client_certificate_presented"] = fact.client_cert_presented
        if fact.first_answer is not None:
            first = fact.first_answer
            evidence["first_answer"] = first.error or f"HTTP {first.status}: {first.body[:200]}"
    view = View(fact, analysis, evidence, now)
    refusal = client_certificate_refusal(fact)
    if refusal is not None:
        return [judge_client_certificate(view, refusal)]
    if fact.error is not None:
        return [judge_connection_error(view)]
    findings: list[Finding] = []
    failed = fact.verify_code is not None
    if failed:
        findings.append(
            judge_interception(view, True) if fact.intercepted else verification_failure(view, fact.verify_code or 0)
        )
    else:
        if fact.intercepted:
            findings.append(judge_interception(view, False))
        findings += judge_verified(view)
    if analysis.out_of_order and not fact.intercepted:
        findings.append(
            view.finding(
                "chain-order",
                Status.WARN,
                f"The server sends its certificates out of order ({_names(fact.chain)}): each one should be followed "
                f"by the one that issued it. OpenSSL copes; stricter TLS stacks (some Java versions) reject such a "
                f"chain.",
                remediation=("Reorder the server's chain file: its own certificate first, then each issuer in turn.",),
                commands=(show_chain_command(fact),),
                docs=(*DOCS, *CHAIN_DOCS),
            )
        )
    soon = None if fact.intercepted else expiring(view)  # a proxy's minted leaf is short-lived on purpose
    if soon is not None:
        findings.append(soon)
    if fact.insecure:
        findings = [soften(f) if f.status == Status.FAIL else f for f in findings]
        findings.insert(
            0,
            view.finding(
                "verification-disabled",
                Status.WARN,
                "Certificate verification is off (--insecure): the connection works whatever certificate is presented, "
                "so anyone on the path can read and replay credentials and OAuth tokens."
                + (" The certificate would verify anyway: switch verification back on." if not failed else ""),
                remediation=(
                    "Fix the certificate problem reported here and switch verification back on in the integration.",
                ),
            ),
        )
    if not any(f.status.rank >= Status.WARN.rank for f in findings) and not failed:
        leaf = fact.chain[0] if fact.chain else None
        findings.append(
            view.finding(
                "ok",
                Status.PASS,
                f"{fact.protocol or 'TLS'} handshake verified against {fact.trust}: "
                f"{' -> '.join(c.name for c in fact.chain)}"
                + (f", valid until {leaf.not_after:%Y-%m-%d}" if leaf else "")
                + "."
                + (
                    f" The server asked for a client certificate and accepted '{fact.client_cert_presented}'."
                    if fact.client_cert_requested and fact.client_cert_presented and fact.first_answer is not None
                    else ""
                ),
            )
        )
    return findings


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    return judge_fact(await ctx.fact(TLS), ctx.now)


CHECK = Check(
    id="tls",
    title="TLS handshake and certificate chain",
    explanation="""\
Looks at: one TLS handshake with the integration's own settings (certifi's CAs, or --ca-bundle;
through --proxy or the environment's proxy with CONNECT), OpenSSL's verify code, and the chain
the server presents (subject, issuer, validity, SANs, SHA-256 fingerprints), collected by a
second, unverified handshake when the first fails. No HTTP request and no credential is ever
sent on an unverified connection.
Why it fails: a self-signed certificate, a root the integration does not trust, a missing
intermediate, an expired or not yet valid certificate, a host name the certificate does not
name, a key or signature OpenSSL 3 refuses, an https URL on a plain-HTTP port, a proxy that
re-signs TLS with its own CA; expiry within 30 days and --insecure are warnings.
How to fix: the finding names the certificate at fault, the missing intermediate, or the CA
file to give the integration; switching verification off is shown as the last resort it is.""",
    judge=judge,
    inputs_all=("url",),
    facts=(TLS.name,),
    after=("dns", "proxy"),
    live=True,
    order=20,
    codes=(
        "tls/self-signed",
        "tls/untrusted-root",
        "tls/incomplete-chain",
        "tls/expired",
        "tls/not-yet-valid",
        "tls/hostname-mismatch",
        "tls/expiring-soon",
        "tls/weak-key",
        "tls/weak-signature",
        "tls/verification-disabled",
        "tls/plain-http",
        "tls/handshake-failed",
        "tls/intercepted",
        "tls/chain-order",
        "tls/client-certificate-required",
        "tls/client-certificate-refused",
        "tls/ok",
    ),
)
