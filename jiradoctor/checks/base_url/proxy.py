"""base-url with the reverse proxy's own configuration (--proxy-config): an exact verdict.

Why: which connector the proxy reaches and which Host/X-Forwarded-* it sends decide the URL Jira
rebuilds (JIRA-FACTS §2); read from the proxy's file, the model gives that URL exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from jiradoctor.checks.base_url import DOCS, corrected_connector
from jiradoctor.jira.proxy_config import ProxyConfig, ProxyConfigError, ProxyRoute, read_proxy_config
from jiradoctor.jira.serverxml import ServerXml
from jiradoctor.jira.tomcat import Connector, request_url
from jiradoctor.jira.urls import DEFAULT_PORTS, JiraUrl
from jiradoctor.model import Finding, Status

CACHE_KB = "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def proxy_snippet(route: ProxyRoute, connector: Connector, base: JiraUrl) -> str:
    """The proxy's block, corrected: the client's Host name, the public scheme, no cache. The URL path
    of proxy_pass/ProxyPass is kept as the customer wrote it: the proxy maps the rest of the request
    after it, so another path would move every page (/jira/ to /jira turns /jira/x into /jirax)."""
    scheme = "https" if connector.ssl_enabled else "http"  # a TLS connector answers plain HTTP with 400
    uri = route.upstream_path or ""
    if route.kind == "apache":  # https upstream needs SSLProxyEngine (proven on real httpd)
        target = f"{scheme}://{route.upstream_host}:{connector.port}{uri}"
        return (
            ("SSLProxyEngine On\n" if scheme == "https" else "")
            + f'ProxyPreserveHost On\nRequestHeader set X-Forwarded-Proto "{base.scheme}"\n'
            f"ProxyPass {route.location} {target}\nProxyPassReverse {route.location} {target}"
        )
    return (
        f"location {route.location} {{\n    proxy_pass {scheme}://{route.upstream_host}:{connector.port}{uri};\n"
        f"    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-Proto $scheme;\n"
        f"    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    proxy_cache off;\n}}"
    )


def with_block_only(
    route: ProxyRoute, connector: Connector, base: JiraUrl, client_host: str, peer: str | None
) -> JiraUrl:
    """The URL Jira would rebuild if only the proxy's block were corrected (:func:`proxy_snippet`), the
    connector left as it is. Why: the finding must say whether the block alone is enough or the connector
    must change too (a bare connector ignores X-Forwarded-Proto and, with ``Host $host``, the port)."""
    if route.kind == "apache":
        fixed = replace(route, host_header="preserve", headers={"X-Forwarded-Proto": base.scheme}, cache=None)
    else:
        fixed = replace(
            route,
            host_header="$host",
            headers={"X-Forwarded-Proto": "$scheme", "X-Forwarded-For": "$proxy_add_x_forwarded_for"},
            cache=None,
        )
    host, headers = fixed.upstream_headers(client_host, peer or "127.0.0.1")
    return request_url(connector, host, forwarded_headers=headers, peer=peer)


def judge_with_proxy(
    parsed: ServerXml,
    base: JiraUrl,
    source: "str | ProxyConfig | ProxyConfigError",
    children: Mapping[int, str] | None = None,
) -> list[Finding]:
    """``source``: the file's path, or what the Target read of it (its credentials already with the redactor)."""
    try:
        if isinstance(source, ProxyConfigError):
            raise source
        config = read_proxy_config(source) if isinstance(source, str) else source
    except ProxyConfigError as exc:
        return [
            Finding(
                "base-url/invalid-proxy-config",
                Status.FAIL,
                f"The proxy configuration cannot be used: {exc}.",
                remediation=(
                    "Give the nginx file with the server {} that proxies to Jira, or Apache's "
                    "<VirtualHost> with its ProxyPass.",
                ),
            )
        ]
    findings: list[Finding] = []
    for problem in config.problems[:5]:
        findings.append(
            Finding("base-url/invalid-proxy-config", Status.INFO, f"In the proxy configuration: {problem}.")
        )
    route = config.route_for(base.path)
    if route is None:
        return findings + [
            Finding(
                "base-url/proxy-upstream-unknown",
                Status.FAIL,
                f"No proxied location in the proxy configuration serves {base.path or '/'}.",
            )
        ]
    connector = next((c for c in parsed.connectors if c.port == route.upstream_port), None)
    if connector is None:
        ports = ", ".join(str(c.port) for c in parsed.connectors)
        return findings + [
            Finding(
                "base-url/proxy-upstream-unknown",
                Status.FAIL,
                f"The proxy ({route.where}) forwards to port {route.upstream_port}, but server.xml has HTTP connectors "
                f"on {ports}.",
                evidence={"proxy_upstream": f"{route.upstream_host}:{route.upstream_port}", "connectors": ports},
                remediation=(
                    "Point the proxy at the connector that carries proxyName/proxyPort/scheme for the Base URL.",
                ),
            )
        ]
    public_port = route.listen_port or DEFAULT_PORTS[route.public_scheme]
    if route.public_scheme != base.scheme or public_port != base.port:
        findings.append(
            Finding(
                "base-url/proxy-public-mismatch",
                Status.WARN,
                f"The proxy ({route.where}) listens with {route.public_scheme} on port {public_port}, but the Base URL "
                f"is {base}.",
                evidence={"proxy_listens": f"{route.public_scheme}:{public_port}", "jira_base_url": str(base)},
                docs=DOCS,
            )
        )
    client_host = base.host if DEFAULT_PORTS.get(base.scheme) == base.port else f"{base.host}:{base.port}"
    # a proxy reaching Tomcat on loopback connects from loopback; otherwise its address is unknown here
    peer = "127.0.0.1" if route.upstream_host in LOOPBACK_NAMES else None
    sent_host, sent_headers = route.upstream_headers(client_host, peer or "127.0.0.1")
    seen = request_url(connector, sent_host, forwarded_headers=sent_headers, peer=peer)  # None: as if trusted
    evidence = {
        "connector": connector.label,
        "proxy": route.where,
        "proxy_sends_host": sent_host,
        "proxy_sends_headers": sent_headers,
        "jira_sees": str(seen),
        "jira_base_url": str(base),
    }
    if route.cache:
        findings.append(
            Finding(
                "base-url/proxy-cache",
                Status.FAIL,
                f"The proxy caches Jira's location ({route.where}: proxy_cache {route.cache}); a cache turns HEAD into "
                f"GET and serves signed answers again, a known cause of signature_invalid.",
                evidence={"proxy": route.where, "proxy_cache": route.cache},
                remediation=("Switch the cache off for Jira's location.",),
                commands=("proxy_cache off;",),
                docs=(CACHE_KB,),
                subject=route.where,
            )
        )
    valve = connector.remote_ip_valve
    ignored = request_url(connector, sent_host)  # what the valve leaves: the connector's own scheme and Host
    if peer is None and valve is not None and ignored != seen and base in (seen, ignored):
        # the verdict turns on the proxy's address, which neither file says: name both outcomes
        evidence["remote_ip_valve"] = {
            "internalProxies": valve.internal_proxies,
            "trustedProxies": valve.trusted_proxies,
            "jira_sees_if_the_proxy_address_matches": str(seen),
            "jira_sees_if_it_does_not": str(ignored),
        }
        right, wrong = ("matches", ignored) if seen == base else ("does not match", seen)
        findings.append(
            Finding(
                "base-url/assumes-proxy-trusted",
                Status.WARN,
                f"Through {route.where} the proxy reaches {connector.label} at {route.upstream_host}, from an address "
                f"neither file shows. The RemoteIpValve honours the proxy's X-Forwarded-* only when that address "
                f"matches {valve.trust_rule()}: then Jira sees {seen}; otherwise it sees {ignored}. Jira sees its Base "
                f"URL {base} only if the proxy's address {right}; else {wrong}.",
                evidence=evidence,
                remediation=(
                    f"Check the address the proxy connects from (on the Jira host: ss -tn sport = :{connector.port}) "
                    f"against {valve.trust_rule()}"
                    + (
                        "; if it does not match, add it to the valve's internalProxies or trustedProxies."
                        if seen == base
                        else "; a matching proxy's X-Forwarded-* headers make Jira see the wrong URL: correct them."
                    ),
                ),
                docs=DOCS,
                subject=connector.label,
            )
        )
        return findings
    if seen == base:
        findings.append(
            Finding(
                "base-url/ok",
                Status.PASS,
                f"Through {route.where} the proxy reaches {connector.label} and sends Host "
                f"{sent_host}: Jira sees {seen}, its Base URL.",
                evidence=evidence,
                subject=connector.label,
            )
        )
        return findings
    what = ", ".join(seen.differences(base))
    block_only = with_block_only(route, connector, base, client_host, peer)
    evidence["jira_sees_with_proxy_block_only"] = str(block_only)
    how = (
        "Either is enough: set the connector as below (Jira then sees the Base URL whatever Host the proxy "
        "sends) and restart Jira, or correct the proxy's block as below and reload the proxy."
        if block_only == base
        else "Replace the connector as below and restart Jira: that is the fix (with the proxy's block below "
        f"alone, Jira would still see {block_only}). The block below is advised as well (the client's Host and "
        "scheme, no cache); reload the proxy."
    )
    overridden = valve is not None and ignored == base  # the connector is right; the trusted valve is not
    commands: tuple[str, ...] = (
        corrected_connector(connector, base, (children or {}).get(connector.port, "")),
        proxy_snippet(route, connector, base),
    )
    if overridden:
        assert valve is not None
        header = valve.protocol_header or "X-Forwarded-Proto"
        how = (
            f"Correct the proxy's {header} (block below) and reload the proxy: the connector alone makes Jira see the "
            f"Base URL, but the RemoteIpValve takes the scheme and port from a proxy it trusts ({valve.trust_rule()}), "
            "so a proxy sending http makes Jira see http on port 80 even behind TLS. Changing the connector does "
            "not help."
        )
        commands = commands[1:]
    findings.append(
        Finding(
            "base-url/proxy-mismatch",
            Status.FAIL,
            f"Through {route.where} the proxy reaches {connector.label} with Host "
            f"{sent_host}{' and ' + ', '.join(f'{k}: {v}' for k, v in sent_headers.items()) if sent_headers else ''}: "
            f"Jira sees {seen}, but the Base URL is {base} ({what} differ)."
            + (" The RemoteIpValve trusts the proxy and overrides the connector with its headers." if overridden
               else "")
            + (
                f" (That assumes the proxy's address matches {valve.trust_rule()}; if not, Jira sees {ignored}, "
                "wrong as well.)"
                if valve is not None and peer is None and ignored != seen
                else ""
            ),
            evidence=evidence,
            remediation=(how,),
            commands=commands,
            docs=DOCS,
            subject=connector.label,
        )
    )
    return findings
