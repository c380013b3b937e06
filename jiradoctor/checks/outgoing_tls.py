"""outgoing-tls: would Jira's JVM trust the integration's certificate chain, with the truststore it has?

Judged as Java's PKIX does it: a path from the presented leaf through presented certificates to any
*trusted certificate entry* of the truststore (an anchor may be a root or an intermediate; Java does
not fetch missing intermediates by default), every certificate on the path within its validity
(the anchor's own dates are not checked), and the leaf's names matching the host (HTTPS endpoint
identification). The fix for an unknown CA is the ``keytool -importcert`` command, file and alias named.

Title: Jira's truststore trusts the integration (outgoing).
Codes: outgoing-tls/trusted, outgoing-tls/unknown-ca, outgoing-tls/missing-intermediate, outgoing-tls/expired,
outgoing-tls/not-yet-valid, outgoing-tls/hostname-mismatch, outgoing-tls/truststore-password,
outgoing-tls/truststore-unreadable.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.net.chain import CertInfo, hostname_matches, issued
from jiradoctor.net.truststore import Truststore
from jiradoctor.probes.outgoing_tls import OUTGOING_TLS, OutgoingTlsFact
from jiradoctor.registry import Check


DOCS = (
    "https://confluence.atlassian.com/kb/unable-to-connect-to-ssl-services-due-to-pkix-path-building-failed-error-779355358.html",
    "https://docs.oracle.com/en/java/javase/17/docs/specs/man/keytool.html",
)
PASSWORD_ENV = "JIRA_TRUSTSTORE_PASSWORD"
RESTART = "Restart Jira: its JVM reads the truststore when it starts."


def signed_by(child: CertInfo, parent: CertInfo) -> bool:
    """Names and key identifiers agree, and parent's key verifies child's signature."""
    from cryptography import x509

    if not issued(child, parent):
        return False
    try:
        x509.load_der_x509_certificate(child.der).verify_directly_issued_by(x509.load_der_x509_certificate(parent.der))
    except Exception:  # noqa: BLE001 - wrong key, unsupported algorithm: not issued by it
        return False
    return True


def build_path(chain: Sequence[CertInfo], store: Truststore) -> tuple[list[CertInfo], tuple[str, CertInfo] | None]:
    """The path from the leaf through presented certificates, and the anchor that ends it (None: untrusted)."""
    path = [chain[0]]
    while True:
        current = path[-1]
        for alias, anchor in store.anchors:
            if anchor.der == current.der:
                return path[:-1], (alias, anchor)  # the certificate itself is a trusted entry
            if signed_by(current, anchor):
                return path, (alias, anchor)
        if current.self_issued:
            return path, None
        parent = next((c for c in chain if c not in path and signed_by(current, c)), None)
        if parent is None:
            return path, None
        path.append(parent)


def alias_for(cert: CertInfo, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", cert.name.lower()).strip("-")[:40] or "integration-ca"
    alias, n = base, 2
    while alias in taken:
        alias, n = f"{base}-{n}", n + 1
    return alias


def import_commands(cert: CertInfo, store: Truststore) -> tuple[str, str, tuple[str, ...]]:
    """Alias, file name, and the commands that put ``cert`` into the truststore (the password from the environment)."""
    alias = alias_for(cert, store.aliases())
    filename = f"{alias}.pem"
    save = f"cat > {shlex.quote(filename)} <<'EOF'\n{cert.pem.strip()}\nEOF"
    keytool = (
        f"keytool -importcert -noprompt -trustcacerts -alias {shlex.quote(alias)} -file {shlex.quote(filename)} "
        f"-keystore {shlex.quote(store.path)} -storetype {store.store_type} -storepass:env {PASSWORD_ENV}"
    )
    return alias, filename, (save, keytool)


def _validity(path: Sequence[CertInfo], now: dt.datetime) -> list[Finding]:
    out = []
    for cert in path:
        role = "the integration's certificate" if cert is path[0] else f"intermediate CA certificate {cert.name!r}"
        if cert.not_after < now:
            out.append(
                Finding(
                    "outgoing-tls/expired",
                    Status.FAIL,
                    f"{role[0].upper() + role[1:]} expired on {cert.not_after.date()}: Jira's JVM refuses "
                    f"the chain (CertificateExpiredException).",
                    evidence={"certificate": cert.evidence()},
                    remediation=("Renew the certificate on the integration's server and install it with its chain.",),
                    docs=DOCS,
                    subject=cert.sha256,
                )
            )
        elif cert.not_before > now:
            out.append(
                Finding(
                    "outgoing-tls/not-yet-valid",
                    Status.FAIL,
                    f"{role[0].upper() + role[1:]} is valid only from {cert.not_before.date()} "
                    f"(CertificateNotYetValidException).",
                    evidence={"certificate": cert.evidence()},
                    remediation=("Check the clocks, or install a certificate valid now.",),
                    docs=DOCS,
                    subject=cert.sha256,
                )
            )
    return out


def judge_fact(fact: OutgoingTlsFact, now: dt.datetime) -> list[Finding]:
    """``now``: the run's clock, passed in (a judge never reads the clock)."""
    if fact.truststore_error is not None:
        error = fact.truststore_error
        code = "outgoing-tls/truststore-password" if error.kind == "password" else "outgoing-tls/truststore-unreadable"
        return [
            Finding(
                code,
                Status.FAIL,
                f"Jira's truststore cannot be read: {error.message}.",
                evidence={"kind": error.kind},
                remediation=(
                    "Give the truststore's password with JIRADOCTOR_TRUSTSTORE_PASSWORD (Java's "
                    "default is 'changeit'); the file is $JAVA_HOME/lib/security/cacerts unless "
                    "Jira's setenv sets -Djavax.net.ssl.trustStore.",
                )
                if error.kind == "password"
                else (
                    "Give the JKS or PKCS#12 file Jira's JVM uses (-Djavax.net.ssl.trustStore, else "
                    "$JAVA_HOME/lib/security/cacerts).",
                ),
            )
        ]
    if not fact.https:
        raise NotObserved(
            f"{fact.url or 'the integration URL'} is not https: there is no certificate for Jira to trust"
        )
    if not fact.chain:
        what = f"{fact.error.message} ({fact.error.kind})" if fact.error else "no certificate presented"
        raise NotObserved(f"no TLS handshake with {fact.host}:{fact.port}: {what}")
    leaf = fact.chain[0]
    top = fact.chain[-1]
    if fact.truststore is None:
        need = top.name if top.self_issued else top.issuer
        raise NotObserved(
            f"no --truststore given: to call {fact.host}, Jira's JVM must trust {need!r} "
            f"(the issuer of the chain {fact.host} presents); give --truststore to check that it does"
        )
    store = fact.truststore
    path, anchor = build_path(fact.chain, store)
    findings = _validity(path, now)
    if not hostname_matches(leaf, fact.host):
        findings.append(
            Finding(
                "outgoing-tls/hostname-mismatch",
                Status.FAIL,
                f"The integration's certificate is for {', '.join(leaf.sans) or leaf.name}, not "
                f"{fact.host}: Jira's JVM refuses it (No subject alternative names matching).",
                evidence={"host": fact.host, "sans": list(leaf.sans), "subject": leaf.subject},
                remediation=(
                    f"Issue the integration's certificate with {fact.host} in its subject "
                    f"alternative names, or configure the link with a URL whose host the "
                    f"certificate names.",
                ),
                docs=DOCS,
            )
        )
    evidence = {
        "truststore": store.path,
        "store_type": store.store_type,
        "anchors": len(store.anchors),
        "chain": [c.evidence() for c in fact.chain],
        "path": [c.name for c in path],
    }
    if anchor is None:
        top_path = path[-1]
        if not top_path.is_ca and not top_path.self_issued:
            findings.append(
                Finding(
                    "outgoing-tls/missing-intermediate",
                    Status.FAIL,
                    f"{fact.host} sends only its own certificate, issued by {top_path.issuer!r}, which Jira's "
                    f"truststore does not hold: Java does not fetch missing intermediates, so it fails with 'PKIX path "
                    f"building failed'.",
                    evidence={**evidence, "missing_issuer": top_path.issuer},
                    remediation=(
                        "Configure the integration's server to send its full chain (leaf, then intermediates): in "
                        "nginx, ssl_certificate points at a file with the leaf followed by the intermediates.",
                        f"Or import the CA certificate {top_path.issuer!r} into Jira's truststore with keytool "
                        f"-importcert, and " + RESTART.lower(),
                    ),
                    docs=DOCS,
                    subject=top_path.issuer,
                )
            )
        else:
            alias, filename, commands = import_commands(top_path, store)
            what = "its self-signed certificate" if top_path is leaf else f"the CA {top_path.name!r}"
            findings.append(
                Finding(
                    "outgoing-tls/unknown-ca",
                    Status.FAIL,
                    f"Jira's truststore does not trust {what}, which {fact.host}'s chain ends in: Jira's calls fail "
                    f"with 'PKIX path building failed: unable to find valid certification path to requested target'.",
                    evidence={
                        **evidence,
                        "import": {"alias": alias, "file": filename, "certificate": top_path.evidence()},
                    },
                    remediation=(
                        f"Save the certificate as {filename} and import it into {store.path} with the alias "
                        f"{alias} (the password from ${PASSWORD_ENV}), then check again.",
                        RESTART,
                    ),
                    commands=commands,
                    docs=DOCS,
                    subject=top_path.sha256,
                )
            )
    if not findings:
        alias, trusted = anchor  # type: ignore[misc]
        findings.append(
            Finding(
                "outgoing-tls/trusted",
                Status.PASS,
                f"Jira's JVM trusts {fact.host}'s chain: it ends in the truststore's entry {alias!r} ({trusted.name}).",
                evidence={**evidence, "anchor": {"alias": alias, **trusted.evidence()}},
            )
        )
    return findings


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    if ctx.target.truststore_password:
        ctx.add_secret(ctx.target.truststore_password.reveal())
    return judge_fact(await ctx.fact(OUTGOING_TLS), ctx.now)


CHECK = Check(
    id="outgoing-tls",
    title="Jira's truststore trusts the integration (outgoing)",
    explanation="""\
Looks at: the certificate chain the integration's server (--integration-url) presents, and Jira's
JVM truststore (--truststore, JKS or PKCS#12, --truststore-password; Java's default is changeit).
Why it fails: Jira calls the integration too (outgoing application links, webhooks). Java trusts
only the truststore's trusted certificate entries and does not fetch missing intermediates, so a
private or new CA, a server that sends only its leaf, an expired certificate or a certificate for
another host fails with "PKIX path building failed" in Jira's log.
How to fix: import the CA with the keytool -importcert command shown (file and alias named) and
restart Jira, or make the integration's server send its full chain. Without --truststore the check
is skipped and names the CA Jira would need.""",
    judge=judge,
    inputs_all=("integration_url",),
    facts=(OUTGOING_TLS.name,),
    live=True,
    order=25,
    codes=(
        "outgoing-tls/trusted",
        "outgoing-tls/unknown-ca",
        "outgoing-tls/missing-intermediate",
        "outgoing-tls/expired",
        "outgoing-tls/not-yet-valid",
        "outgoing-tls/hostname-mismatch",
        "outgoing-tls/truststore-password",
        "outgoing-tls/truststore-unreadable",
    ),
)
