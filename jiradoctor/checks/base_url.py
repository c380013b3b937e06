"""base-url: do the integration's URL, Jira's Base URL and Tomcat's connector agree?"""

from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import quoteattr

from jiradoctor.context import CheckContext
from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml
from jiradoctor.jira.tomcat import Connector, request_url
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.model import Finding, Status
from jiradoctor.registry import Check
from jiradoctor.secrets import MASK

DOCS = (
    "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",
    "https://tomcat.apache.org/tomcat-9.0-doc/proxy-howto.html",
)
_PART_WORDS = {"scheme": "scheme", "host": "host name", "port": "port", "path": "context path"}


def compare_urls(integration: JiraUrl, base: JiraUrl, base_source: str) -> list[Finding]:
    """One finding per differing part of the integration's URL against Jira's Base URL."""
    findings = []
    for part in integration.differences(base):
        hidden = hidden_in_hosts(integration, base) if part == "host" else {}
        findings.append(Finding(
            f"base-url/{part}-mismatch", Status.FAIL,
            f"The integration uses {integration} but Jira's Base URL ({base_source}) is {base}: the {_PART_WORDS[part]} differs "
            f"({getattr(integration, part) or '(none)'} vs {getattr(base, part) or '(none)'}). OAuth signatures are made over the "
            "URL, so Jira answers signature_invalid." + "".join(f" Hidden in the {w} host: {'; '.join(n)}." for w, n in hidden.items()),
            evidence={"integration_url": str(integration), "jira_base_url": str(base), "differs": part, "base_url_source": base_source,
                      **({"hidden_characters": hidden} if hidden else {})},
            remediation=(f"Enter {base} as the Jira URL in the integration, exactly; or, if the integration's URL is the right one, "
                         "change Jira's Base URL (Administration > System > General configuration) and server.xml to match it.",),
            docs=DOCS, subject=part,
        ))
    return findings


def hidden_in_hosts(integration: JiraUrl, base: JiraUrl) -> dict[str, list[str]]:
    """Look-alike letters, hidden characters and punycode in either host (issue 15: named, with position)."""
    from jiradoctor.jira.lookalike import host_findings_text

    found = {"integration's": host_findings_text(integration.host), "Base URL's": host_findings_text(base.host)}
    return {side: notes for side, notes in found.items() if notes}


def corrected_connector(connector: Connector, base: JiraUrl) -> str:
    """The connector element with proxy attributes set for ``base``; passwords masked."""
    attrs = {k: (MASK if "pass" in k.lower() else v) for k, v in connector.attributes.items()}
    for key in ("proxyName", "proxyPort", "scheme", "secure"):
        attrs.pop(key, None)
    attrs.update({"proxyName": base.host, "proxyPort": str(base.port), "scheme": base.scheme,
                  "secure": "true" if base.scheme == "https" else "false"})
    body = "\n           ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<Connector {body}/>"


def connector_serves_directly(connector: Connector, base: JiraUrl) -> bool:
    """Clients reach this connector itself at the Base URL (no proxy in between)."""
    return base.port == connector.port and base.scheme == connector.effective_scheme


def url_jira_sees(connector: Connector, base: JiraUrl) -> JiraUrl:
    """The URL Tomcat rebuilds when a request for ``base`` reaches this connector.

    Assumes a proxy in front passes the client's Host name without a port (nginx's ``$host``),
    unless clients reach the connector directly (then the Host header carries its port).
    """
    host_header = f"{base.host}:{connector.port}" if connector_serves_directly(connector, base) else base.host
    return request_url(connector, host_header)


def judge_connector(connector: Connector, base: JiraUrl) -> Finding:
    seen = url_jira_sees(connector, base)
    diffs = seen.differences(base)
    evidence = {"connector": connector.label, "jira_sees": str(seen), "jira_base_url": str(base),
                "proxyName": connector.proxy_name, "proxyPort": connector.proxy_port, "scheme": connector.scheme,
                "context_path": connector.context_path or "/"}
    if not diffs:
        return Finding("base-url/ok", Status.PASS, f"{connector.label} makes Jira see {seen}, its Base URL.",
                       evidence=evidence, subject=connector.label)
    fix = corrected_connector(connector, base)
    path_fix = (f'Set <Context path="{base.path}"> in server.xml (and the proxy\'s path) to match the Base URL.',) if "path" in diffs else ()
    only_proto = set(diffs) <= {"scheme", "port"} and base.scheme == "https"
    if connector.remote_ip_valve and only_proto and not connector.has_proxy_attributes:
        return Finding(
            "base-url/proxy-attributes-missing", Status.WARN,
            f"{connector.label} has no proxyName/proxyPort/scheme; Jira sees {seen} unless the proxy sends "
            f"{connector.remote_ip_valve.protocol_header}: https (a RemoteIpValve is configured).",
            evidence={**evidence, "remote_ip_valve": True}, commands=(fix,),
            remediation=(f"Make sure the proxy sends {connector.remote_ip_valve.protocol_header}: https, or set the attributes below.",),
            docs=DOCS, subject=connector.label,
        )
    what = ", ".join(_PART_WORDS[d] for d in diffs)
    if not connector.has_proxy_attributes and set(diffs) - {"path"}:
        return Finding(
            "base-url/proxy-attributes-missing", Status.FAIL,
            f"The Base URL {base} is not what {connector.label} serves ({connector.effective_scheme} on port {connector.port}), and the "
            f"connector has no proxyName, proxyPort or scheme to make up for it: Jira sees {seen} ({what} differ).",
            evidence=evidence,
            remediation=("Tell Tomcat the public URL: replace the connector in conf/server.xml with the one below and restart Jira.", *path_fix),
            commands=(fix,), docs=DOCS, subject=connector.label,
        )
    return Finding(
        "base-url/server-xml-mismatch", Status.FAIL,
        f"{connector.label} makes Jira see {seen}, but the Base URL is {base} ({what} differ).",
        evidence=evidence,
        remediation=("Correct the connector in conf/server.xml as below and restart Jira.", *path_fix),
        commands=(fix,) if set(diffs) - {"path"} else (), docs=DOCS, subject=connector.label,
    )


def judge_server_xml(text: str, base: JiraUrl | None, ctx: CheckContext) -> list[Finding]:
    try:
        parsed = parse_server_xml(text)
    except ServerXmlError as exc:
        return [Finding(
            "base-url/invalid-server-xml", Status.FAIL, f"server.xml cannot be used: {exc}.",
            evidence={"file": ctx.target.server_xml_path},
            remediation=("Send the unmodified conf/server.xml from the Jira installation directory.",),
        )]
    for secret in parsed.secrets:
        ctx.add_secret(secret)
    if base is None:
        return [Finding("base-url/connector", Status.INFO,
                        f"{c.label}: scheme {c.effective_scheme}, proxyName {c.proxy_name or '(Host header)'}, "
                        f"proxyPort {c.proxy_port or '(Host header)'}, context path {c.context_path or '/'}. "
                        "Give --base-url to compare it with Jira's Base URL.", subject=c.label)
                for c in parsed.connectors]
    verdicts = [judge_connector(c, base) for c in parsed.connectors]
    if any(v.status == Status.PASS for v in verdicts):
        # another connector serves the Base URL; the rest serve other URLs (direct access, say)
        return [v if v.status == Status.PASS else Finding(
            "base-url/connector", Status.INFO, f"{v.evidence['connector']} serves another URL ({v.evidence['jira_sees']}).",
            evidence=dict(v.evidence), subject=v.subject) for v in verdicts]
    return verdicts


def parse_url_input(value: str, option: str) -> tuple[JiraUrl | None, list[Finding]]:
    try:
        return JiraUrl.parse(value), []
    except InvalidUrl as exc:
        return None, [Finding("base-url/invalid-url", Status.FAIL, f"{option} is not a usable URL: {exc}.", subject=option)]


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    target = ctx.target
    findings: list[Finding] = []
    url = base = None
    base_source = "--base-url"
    if target.url:
        url, bad = parse_url_input(target.url, "--url")
        findings += bad
    if target.base_url:
        base, bad = parse_url_input(target.base_url, "--base-url")
        findings += bad
    if ctx.can_probe("server_info") and target.url:
        from jiradoctor.checks._base_url_live import judge_live

        live_findings, live_base = await judge_live(ctx, url)
        findings += live_findings
        if live_base is not None:  # what Jira says of itself beats what we were told
            base, base_source = live_base, "reported by Jira"
    if url and base:
        findings += compare_urls(url, base, base_source)
    if target.server_xml is not None:
        findings += judge_server_xml(target.server_xml, base or url, ctx)
    if not any(f.status.rank >= Status.WARN.rank or f.code == "base-url/ok" for f in findings):
        findings.append(Finding("base-url/ok", Status.PASS,
                                f"The integration's URL matches Jira's Base URL ({base or url})." if base and url
                                else "Nothing contradicts the Base URL.",
                                evidence={"jira_base_url": str(base) if base else None, "integration_url": str(url) if url else None}))
    return findings


CHECK = Check(
    id="base-url",
    title="Base URL, integration URL and server.xml",
    explanation="""\
Looks at: the Jira URL entered in the integration (--url), Jira's Base URL (--base-url, or what
Jira reports), and the HTTP connectors and Context path in Tomcat's conf/server.xml
(--server-xml, parsed with DTDs and entities refused).
Why it fails: OAuth 1.0a signs the request URL. Jira checks the signature against the URL Tomcat
rebuilds from the connector: scheme (default http), proxyName or the Host header, proxyPort or
the Host header's port, and the Context path. Behind a reverse proxy or with https terminated
in front of Tomcat, a connector without proxyName/proxyPort/scheme makes Jira see another URL
than the one the integration signed, and every request is signature_invalid.
How to fix: enter Jira's Base URL in the integration exactly; set proxyName, proxyPort, scheme
and secure on the connector (the corrected element is shown) so Tomcat sees the Base URL.""",
    judge=judge,
    inputs_any=("server_xml", "base_url", "url"),
    facts=("server_info",),
    order=40,
    codes=("base-url/scheme-mismatch", "base-url/host-mismatch", "base-url/port-mismatch", "base-url/path-mismatch",
           "base-url/server-xml-mismatch", "base-url/proxy-attributes-missing", "base-url/invalid-server-xml",
           "base-url/invalid-url", "base-url/redirect", "base-url/redirect-loop", "base-url/not-reported",
           "base-url/realm-mismatch", "base-url/reported-mismatch",
           "base-url/connector", "base-url/ok"),
)
