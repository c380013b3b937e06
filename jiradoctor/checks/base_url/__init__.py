"""base-url: do the integration's URL, Jira's Base URL and Tomcat's connector agree?

Title: Base URL, integration URL and server.xml.
Codes: base-url/scheme-mismatch, base-url/host-mismatch, base-url/port-mismatch, base-url/path-mismatch,
base-url/server-xml-mismatch, base-url/proxy-attributes-missing, base-url/invalid-server-xml,
base-url/invalid-url, base-url/redirect, base-url/realm-mismatch, base-url/reported-mismatch,
base-url/connector, base-url/ok, base-url/assumes-proxy-host, base-url/connector-choice,
base-url/proxy-mismatch, base-url/proxy-cache, base-url/proxy-public-mismatch,
base-url/proxy-upstream-unknown, base-url/invalid-proxy-config, base-url/assumes-proxy-trusted,
base-url/assumes-request-url.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from jiradoctor.checks.base_url.children import connector_children
from jiradoctor.checks.base_url.observed import RequestUrlSeen
from jiradoctor.context import CheckContext
from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml
from jiradoctor.jira.tomcat import Connector, request_url
from jiradoctor.jira.urls import DEFAULT_PORTS, InvalidUrl, JiraUrl
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.net.addresses import internal_host
from jiradoctor.registry import Check
from jiradoctor.secrets import MASK
from jiradoctor.probes.server_info import SERVER_INFO

DOCS = (
    "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",
    "https://tomcat.apache.org/tomcat-9.0-doc/proxy-howto.html",
)
_PART_WORDS = {"scheme": "scheme", "host": "host name", "port": "port", "path": "context path"}


def compare_urls(
    integration: JiraUrl, base: JiraUrl, base_source: str, cloud_integration: str | None = None
) -> list[Finding]:
    """The integration's URL against Jira's Base URL: one cause, one finding, naming every part that differs.

    http-vs-https moves the default port too; that is one mistake, not two. The code names the
    first differing part (scheme, host, port, path), so baselines keep matching. Look-alike or
    hidden characters in a host are named, since both hosts may print identically.
    ``cloud_integration``: the name of a cloud-hosted integration; when Jira's Base URL is internal
    and the integration's is not, the fix is Jira's Base URL, never the internal address typed into
    an integration that cannot reach it (issue 25).
    """
    parts = list(integration.differences(base))
    if not parts:
        return []
    part = parts[0]
    hidden = hidden_in_hosts(integration, base) if "host" in parts else {}
    each = "; ".join(
        f"{_PART_WORDS[p]}: {getattr(integration, p) or '(none)'} vs {getattr(base, p) or '(none)'}" for p in parts
    )
    what = (
        f"the {_PART_WORDS[part]} differs"
        if len(parts) == 1
        else f"the {' and the '.join(_PART_WORDS[p] for p in parts)} differ"
    )
    remediation: tuple[str, ...] = (
        f"Enter {base} as the Jira URL in the integration, exactly; or, if the integration's URL is the "
        f"right one, change Jira's Base URL (Administration > System > General configuration) and "
        f"server.xml to match it.",
    )
    internal = internal_host(base.host)
    extra: dict[str, str] = {}
    if cloud_integration and internal:
        extra = {"base_url_internal": internal}
        each += f"; Jira's Base URL is {internal}, which {cloud_integration} (it runs in the cloud) cannot reach"
        reach = (
            "make Jira answer there from the internet (the reverse proxy, and proxyName/proxyPort/scheme on the "
            "connector in server.xml)"
        )
        first = (
            f"Set Jira's Base URL to the public address {integration} (Administration > System > General "
            f"configuration), and {reach}."
            if not internal_host(integration.host)
            else f"Publish Jira on a public address, set Jira's Base URL to it (Administration > System > General "
            f"configuration), {reach}, and enter that public address in {cloud_integration}."
        )
        remediation = (
            first,
            f"Do not enter {base} in {cloud_integration}: it runs in the cloud and cannot reach {internal}.",
        )
    return [
        Finding(
            f"base-url/{part}-mismatch",
            Status.FAIL,
            f"The integration uses {integration} but Jira's Base URL ({base_source}) is {base}: {what} ({each}). "
            "OAuth signatures are made over the URL, so Jira answers signature_invalid."
            + "".join(f" Hidden in the {w} host: {'; '.join(n)}." for w, n in hidden.items()),
            evidence={
                "integration_url": str(integration),
                "jira_base_url": str(base),
                "differs": part,
                "all_differences": parts,
                "base_url_source": base_source,
                **({"hidden_characters": hidden} if hidden else {}),
                **extra,
            },
            remediation=remediation,
            docs=DOCS,
            subject=part,
        )
    ]


def hidden_in_hosts(integration: JiraUrl, base: JiraUrl) -> dict[str, list[str]]:
    """Look-alike letters, hidden characters and punycode in either host (issue 15: named, with position)."""
    from jiradoctor.jira.lookalike import host_findings_text

    found = {"integration's": host_findings_text(integration.host), "Base URL's": host_findings_text(base.host)}
    return {side: notes for side, notes in found.items() if notes}


def corrected_connector(connector: Connector, base: JiraUrl, children: str = "") -> str:
    """The connector element with proxy attributes set for ``base``; passwords masked.

    ``children``: the original connector's child elements (see ``children.py``), kept so that a TLS
    connector's <SSLHostConfig> survives the replacement.
    """
    attrs = {k: (MASK if "pass" in k.lower() else v) for k, v in connector.attributes.items()}
    for key in ("proxyName", "proxyPort", "scheme", "secure"):
        attrs.pop(key, None)
    attrs.update(
        {
            "proxyName": base.host,
            "proxyPort": str(base.port),
            "scheme": base.scheme,
            "secure": "true" if base.scheme == "https" else "false",
        }
    )
    from xml.sax.saxutils import quoteattr  # pulls in urllib.request and ssl: only when a fix is written

    body = "\n           ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    element = f"<Connector {body}>\n{children}\n</Connector>" if children else f"<Connector {body}/>"
    if MASK in element:  # a pasted element with the mask in it would not start: say what to put back
        element = f"<!-- jiradoctor masked the passwords ({MASK}): put your own back before pasting -->\n{element}"
    return element


def connector_serves_directly(connector: Connector, base: JiraUrl) -> bool:
    """Clients reach this connector itself at the Base URL (no proxy in between)."""
    return base.port == connector.port and base.scheme == connector.effective_scheme


def host_styles(connector: Connector, base: JiraUrl) -> list[tuple[str, str, dict[str, str]]]:
    """(label, Host header, X-Forwarded-* headers) Tomcat gets under each common proxy set-up.

    Offline, without the proxy's configuration, which one applies is unknown (JIRA-FACTS §2), so a
    verdict is given under each: the upstream address (nginx's default Host, Apache's
    ProxyPreserveHost Off), the name only (nginx ``Host $host``), name and port (``$http_host``).
    With a RemoteIpValve the latter two assume the proxy sends the public scheme in its header.
    """
    if connector_serves_directly(connector, base):
        return [("clients reach this connector directly", f"{base.host}:{connector.port}", {})]
    forwarded = connector.remote_ip_valve.forwarded_headers(base.scheme) if connector.remote_ip_valve else {}
    with_port = base.host if DEFAULT_PORTS.get(base.scheme) == base.port else f"{base.host}:{base.port}"
    return [
        (UPSTREAM_STYLE, f"127.0.0.1:{connector.port}", {}),
        ("proxy sends the name only (nginx: proxy_set_header Host $host)", base.host, forwarded),
        ("proxy sends name and port (nginx: proxy_set_header Host $http_host)", with_port, forwarded),
    ]


UPSTREAM_STYLE = "proxy sends its upstream address (nginx's default; Apache: ProxyPreserveHost Off)"


def url_jira_sees(connector: Connector, base: JiraUrl) -> JiraUrl:
    """The URL Tomcat rebuilds when the proxy passes the client's Host name without a port (``$host``),
    or, when clients reach the connector directly, the Host header with its port."""
    _, host, headers = (
        host_styles(connector, base)[-2]
        if not connector_serves_directly(connector, base)
        else host_styles(connector, base)[0]
    )
    return request_url(connector, host, forwarded_headers=headers)


def valve_cases(connector: Connector, base: JiraUrl) -> dict[str, JiraUrl]:
    """What Jira sees through a proxy that sends the client's Host name, in each case the valve knows:
    the proxy's address matches internalProxies/trustedProxies (X-Forwarded-* honoured), it does not
    (ignored: the connector's own scheme and Host), and a matching proxy that sends
    ``X-Forwarded-Proto: http`` (TLS ended before it: Jira then sees http, port 80). Offline the
    proxy's address is unknown (JIRA-FACTS §2, §10), so every case is named. Empty without a valve."""
    valve = connector.remote_ip_valve
    if valve is None or connector_serves_directly(connector, base):
        return {}
    cases = {
        "the proxy's address matches": request_url(
            connector, base.host, forwarded_headers=valve.forwarded_headers(base.scheme)
        ),
        "the proxy's address does not match": request_url(connector, base.host),
    }
    if base.scheme == "https" and valve.protocol_header:
        cases["a matching proxy sends X-Forwarded-Proto: http"] = request_url(
            connector, base.host, forwarded_headers={valve.protocol_header: "http"}
        )
    return cases


def _valve_evidence(connector: Connector, cases: dict[str, JiraUrl]) -> dict[str, object]:
    valve = connector.remote_ip_valve
    assert valve is not None
    return {
        "internalProxies": valve.internal_proxies,
        "trustedProxies": valve.trusted_proxies,
        "level": valve.level,
        "jira_sees": {case: str(url) for case, url in cases.items()},
    }


def _trust_sentence(connector: Connector, cases: dict[str, JiraUrl]) -> str:
    valve = connector.remote_ip_valve
    assert valve is not None
    return (
        f" The RemoteIpValve honours X-Forwarded-* only from a proxy whose address matches {valve.trust_rule()}: "
        + "; ".join(f"if {case}, Jira sees {url}" for case, url in cases.items())
        + "."
    )


def judge_connector(connector: Connector, base: JiraUrl, children: str = "") -> Finding:
    styles = {
        label: request_url(connector, host, forwarded_headers=headers)
        for label, host, headers in host_styles(connector, base)
    }
    seen = url_jira_sees(connector, base)
    diffs = seen.differences(base)
    cases = valve_cases(connector, base)
    evidence: dict[str, object] = {
        "connector": connector.label,
        "jira_sees": str(seen),
        "jira_base_url": str(base),
        "proxyName": connector.proxy_name,
        "proxyPort": connector.proxy_port,
        "scheme": connector.scheme,
        "context_path": connector.context_path or "/",
        "jira_sees_by_host_style": {label: str(url) for label, url in styles.items()},
    }
    if cases:
        evidence["remote_ip_valve"] = _valve_evidence(connector, cases)
    trust_matters = bool(cases) and cases["the proxy's address does not match"] != base
    # all styles right implies the connector alone is right (the upstream style sends no X-Forwarded-*),
    # so the valve's trust can only matter for the verdicts below
    if all(url == base for url in styles.values()):
        http_case = cases.get("a matching proxy sends X-Forwarded-Proto: http")
        return Finding(
            "base-url/ok",
            Status.PASS,
            f"{connector.label} makes Jira see {seen}, its Base URL, whatever Host the proxy sends"
            + (
                f" (but a proxy whose address matches {connector.remote_ip_valve.trust_rule()} and sends "
                f"X-Forwarded-Proto: http would make Jira see {http_case})."
                if connector.remote_ip_valve is not None and http_case is not None and http_case != base
                else "."
            ),
            evidence=evidence,
            subject=connector.label,
        )
    fix = corrected_connector(connector, base, children)
    if any(url == base for url in styles.values()):
        broken = [f"{label}: Jira sees {url}" for label, url in styles.items() if url != base]
        valve_header = connector.remote_ip_valve.protocol_header if connector.remote_ip_valve else None
        return Finding(
            "base-url/assumes-proxy-host",
            Status.WARN,
            f"{connector.label} makes Jira see its Base URL {base} only if the proxy sends the right Host"
            f"{' and ' + valve_header if valve_header else ''}; "
            f"otherwise: {'; '.join(broken)}. Give --proxy-config to judge the proxy you have."
            + (_trust_sentence(connector, cases) if trust_matters else ""),
            evidence=evidence,
            commands=(fix,),
            remediation=(
                "Set proxyName, proxyPort and scheme on the connector (below): Jira then sees the Base URL "
                "whatever Host the proxy sends; or make the proxy send the Host name "
                "(nginx: proxy_set_header Host $host;  Apache: ProxyPreserveHost On).",
            ),
            docs=DOCS,
            subject=connector.label,
        )
    path_fix = (
        (f'Set <Context path="{base.path}"> in server.xml (and the proxy\'s path) to match the Base URL.',)
        if "path" in diffs
        else ()
    )
    what = ", ".join(_PART_WORDS[d] for d in diffs)
    if not connector.has_proxy_attributes and set(diffs) - {"path"}:
        return Finding(
            "base-url/proxy-attributes-missing",
            Status.FAIL,
            f"The Base URL {base} is not what {connector.label} serves ({connector.effective_scheme} on port "
            f"{connector.port}), and the connector has no proxyName, proxyPort or scheme to make up for it: Jira sees "
            f"{seen} ({what} differ).",
            evidence=evidence,
            remediation=(
                "Tell Tomcat the public URL: replace the connector in conf/server.xml with the one below and "
                "restart Jira.",
                *path_fix,
            ),
            commands=(fix,),
            docs=DOCS,
            subject=connector.label,
        )
    return Finding(
        "base-url/server-xml-mismatch",
        Status.FAIL,
        f"{connector.label} makes Jira see {seen}, but the Base URL is {base} ({what} differ).",
        evidence=evidence,
        remediation=("Correct the connector in conf/server.xml as below and restart Jira.", *path_fix),
        commands=(fix,) if set(diffs) - {"path"} else (),
        docs=DOCS,
        subject=connector.label,
    )


def judge_server_xml(text: str, base: JiraUrl | None, ctx: CheckContext) -> list[Finding]:
    """``text`` judged; the Target's own server.xml is the one it parsed already (once per run)."""
    try:
        once = ctx.target.server_xml_read if text == ctx.target.server_xml else None
        if isinstance(once, ServerXmlError):
            raise once
        parsed = once if once is not None else parse_server_xml(text)
    except ServerXmlError as exc:
        return [
            Finding(
                "base-url/invalid-server-xml",
                Status.FAIL,
                f"server.xml cannot be used: {exc}.",
                evidence={"file": ctx.target.server_xml_path},
                remediation=("Send the unmodified conf/server.xml from the Jira installation directory.",),
            )
        ]
    for secret in parsed.secrets:
        ctx.add_secret(secret)
    if base is None:
        return [
            Finding(
                "base-url/connector",
                Status.INFO,
                f"{c.label}: scheme {c.effective_scheme}, proxyName {c.proxy_name or '(Host header)'}, "
                f"proxyPort {c.proxy_port or '(Host header)'}, context path {c.context_path or '/'}. "
                "Give --base-url to compare it with Jira's Base URL.",
                subject=c.label,
            )
            for c in parsed.connectors
        ]
    if ctx.target.proxy_config_path:
        from jiradoctor.checks.base_url.proxy import judge_with_proxy

        read = ctx.target.proxy_config_read
        source = read if read is not None else ctx.target.proxy_config_path
        return judge_with_proxy(parsed, base, source, connector_children(text))
    kids = connector_children(text)
    verdicts = [judge_connector(c, base, kids.get(c.port, "")) for c in parsed.connectors]
    passing = [v for v in verdicts if v.status == Status.PASS]
    if passing and len(passing) < len(verdicts):
        direct = [c for c in parsed.connectors if connector_serves_directly(c, base)]
        names = ", ".join(v.subject or "" for v in passing)
        if direct:  # clients at the Base URL reach that connector itself; the others serve other URLs
            return [
                v
                if v.status == Status.PASS
                else Finding(
                    "base-url/connector",
                    Status.INFO,
                    f"{v.evidence['connector']} serves another URL ({v.evidence['jira_sees']}).",
                    evidence=dict(v.evidence),
                    subject=v.subject,
                )
                for v in verdicts
            ]
        # behind a proxy, server.xml cannot say which connector the proxy reaches: name the right one
        return [
            v
            if v.status == Status.PASS
            else Finding(
                "base-url/connector-choice",
                Status.WARN,
                f"{v.evidence['connector']} makes Jira see {v.evidence['jira_sees']}, not the Base URL {base}; only "
                f"{names} makes Jira see it. The proxy must reach {names}.",
                evidence=dict(v.evidence),
                subject=v.subject,
                remediation=(
                    f"Point the proxy at {names} (nginx proxy_pass / Apache ProxyPass to that port), or give "
                    "--proxy-config to check the one it reaches.",
                ),
                commands=v.commands,
                docs=DOCS,
            )
            for v in verdicts
        ]
    return verdicts


def _unobserved(seen: "RequestUrlSeen", base: JiraUrl | None) -> Finding | None:
    """Live, the integration signs with OAuth 1.0a: what Jira rebuilt from the signed request either
    differs from the Base URL (observed: a failure), or was not shown (an assumption, never a plain
    match). None when it matches, or when the integration does not sign (the rebuilt URL then does not
    decide its login)."""
    if base is None or not seen.signs:
        return None
    if seen.observed and seen.jira_url:
        try:
            rebuilt = JiraUrl.parse(seen.jira_url)
        except InvalidUrl:
            return None
        parts = [p for p in ("scheme", "host", "port") if getattr(rebuilt, p) != getattr(base, p)]
        if base.path and not (rebuilt.path + "/").startswith(base.path.rstrip("/") + "/"):
            parts.append("path")  # the request was under the Base URL's context path; Jira saw it elsewhere
        if not parts:
            return None
        return Finding(
            "base-url/server-xml-mismatch",
            Status.FAIL,
            f"{seen.how[0].upper() + seen.how[1:]}: Jira rebuilds {rebuilt} from a request under its Base URL "
            f"{base} ({', '.join(_PART_WORDS[p] for p in parts)} differ). Tomcat's "
            "connector, or a RemoteIpValve taking X-Forwarded-* from the proxy, makes Jira see another URL.",
            evidence={"jira_rebuilt": seen.jira_url, "jira_base_url": str(base), "differs": parts},
            remediation=(
                "Set proxyName, proxyPort and scheme on the connector the proxy reaches to the Base URL's, and make a "
                "proxy trusted by a RemoteIpValve send X-Forwarded-Proto: https (give --server-xml and "
                "--proxy-config for the exact lines).",
            ),
            docs=DOCS,
        )
    if seen.observed:
        return None
    if seen.refused:  # oauth-signature names why the signed request failed: the root cause, shown once
        raise NotObserved(
            f"the integration's URL matches Jira's Base URL {base}, but what Jira rebuilds from a signed request was "
            f"not observed: {seen.how}",
            blocked_by=("oauth-signature",),
        )
    return Finding(
        "base-url/assumes-request-url",
        Status.WARN,
        f"The integration's URL matches Jira's Base URL {base}, but the URL Jira rebuilds from a signed request was "
        f"not observed ({seen.how}): this assumes the proxy in front of Jira, Tomcat's connector and any "
        "RemoteIpValve make Jira see the Base URL (a proxy sending X-Forwarded-Proto: http to a trusting valve, or "
        "a connector without proxyName/proxyPort/scheme behind a proxy, would not).",
        evidence={"jira_base_url": str(base), "observed": seen.how},
        remediation=(
            "Fix what stops the signed request (see oauth-signature), or give --server-xml and --proxy-config to "
            "judge the connector and the proxy.",
        ),
        docs=DOCS,
    )


def parse_url_input(value: str, option: str) -> tuple[JiraUrl | None, list[Finding]]:
    try:
        return JiraUrl.parse(value), []
    except InvalidUrl as exc:
        return None, [
            Finding("base-url/invalid-url", Status.FAIL, f"{option} is not a usable URL: {exc}.", subject=option)
        ]


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
    live_unseen = False
    live_seen = False  # a live run that compared: what Jira rebuilds from a request is asked for below
    realm_note: dict[str, str] = {}
    if ctx.can_probe(SERVER_INFO) and target.url:
        from jiradoctor.checks.base_url.live import judge_live

        live_findings, live_base = await judge_live(ctx, url)
        findings += live_findings
        if live_base is not None:  # what Jira says of itself beats what we were told
            base, base_source = live_base, "reported by Jira"
        live_unseen = live_base is None
        live_seen = live_base is not None
        realm = (await ctx.fact(SERVER_INFO)).realm
        # a healthy OAuth-signed /myself is a 200: no 401, so no realm to set beside serverInfo
        realm_note = {"oauth_realm": realm or "not seen: no request of this run drew Jira's 401"}
    compared = bool(url and base)
    if url is not None and base is not None and compared:
        hosting = target.integration_hosting
        cloud = ctx.profile.cloud_hosted if hosting is None else hosting == "cloud"
        findings += compare_urls(url, base, base_source, ctx.profile.name if cloud else None)
    if target.given("server_xml"):
        import asyncio  # here: `jiradoctor checks` imports this module and must not load asyncio (issue 14)

        # off the event loop: server.xml and up to 64 proxy-config files are parsed here (--timeout holds)
        findings += await asyncio.to_thread(judge_server_xml, target.server_xml or "", base or url, ctx)
        compared = compared or bool(base or url)
    if not compared and all(f.status.rank <= Status.INFO.rank for f in findings):
        # nothing was set side by side: a green tick here would be a guess
        why = (
            "Jira did not report its Base URL (see reachability), and no --base-url or --server-xml was given"
            if live_unseen
            else "give --base-url (Jira's Base URL) or --server-xml besides --url, or run online"
        )
        if findings:
            why += "; " + " ".join(f.message for f in findings)[:400]
        raise NotObserved(
            f"nothing to compare the URL with: {why}", blocked_by=("reachability",) if live_unseen else ()
        )
    if not any(f.status.rank >= Status.WARN.rank or f.code == "base-url/ok" for f in findings) and live_seen:
        from jiradoctor.checks.base_url.observed import request_url_seen

        seen = await request_url_seen(ctx)
        realm_note["jira_request_url"] = ("observed: " if seen.observed else "not observed: ") + seen.how
        if (unseen := _unobserved(seen, base or url)) is not None:
            findings.append(replace(unseen, evidence={**unseen.evidence, **realm_note}))
    if not any(f.status.rank >= Status.WARN.rank or f.code == "base-url/ok" for f in findings):
        findings.append(
            Finding(
                "base-url/ok",
                Status.PASS,
                f"The integration's URL matches Jira's Base URL ({base or url})."
                if base and url
                else f"server.xml makes Jira see its Base URL ({base or url}).",
                evidence={"jira_base_url": str(base) if base else None, "integration_url": str(url) if url else None,
                          **realm_note},
            )
        )
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
than the one the integration signed, and every request is signature_invalid. A RemoteIpValve
takes X-Forwarded-* only from a proxy whose address matches internalProxies/trustedProxies;
where that address is unknown the finding names the regex and what Jira sees either way, and
a trusted proxy sending X-Forwarded-Proto: http makes Jira see http even behind TLS. Live, what
Jira rebuilt is observed only through an OAuth-signed request (accepted, or its echoed base
string); otherwise the verdict says what it assumes.
How to fix: enter Jira's Base URL in the integration exactly; set proxyName, proxyPort, scheme
and secure on the connector (the corrected element is shown) so Tomcat sees the Base URL.""",
    judge=judge,
    inputs_any=("server_xml", "base_url", "url"),
    facts=(SERVER_INFO.name,),
    reads=("oauth_request_token",),  # live with OAuth 1.0a: what Jira rebuilt from a signed request
    order=40,
    codes=(
        "base-url/scheme-mismatch",
        "base-url/host-mismatch",
        "base-url/port-mismatch",
        "base-url/path-mismatch",
        "base-url/server-xml-mismatch",
        "base-url/proxy-attributes-missing",
        "base-url/invalid-server-xml",
        "base-url/invalid-url",
        "base-url/redirect",
        "base-url/realm-mismatch",
        "base-url/reported-mismatch",
        "base-url/connector",
        "base-url/ok",
        "base-url/assumes-proxy-host",
        "base-url/connector-choice",
        "base-url/proxy-mismatch",
        "base-url/proxy-cache",
        "base-url/proxy-public-mismatch",
        "base-url/proxy-upstream-unknown",
        "base-url/invalid-proxy-config",
        "base-url/assumes-proxy-trusted",
        "base-url/assumes-request-url",
    ),
)
