"""proxy: the route to Jira (forward proxy or direct), whether the proxy lets it through, and a reverse
proxy in front of Jira.

Title: Proxies between the integration and Jira.
Codes: proxy/configured, proxy/bypassed, proxy/unreachable, proxy/auth-required, proxy/connect-refused,
proxy/reverse-proxy, proxy/intercepting, proxy/ok, proxy/direct.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Mapping, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.net.proxy_route import Route, target_authority
from jiradoctor.net.reverse_proxy import read_signs
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.proxy import PROXY, PROXY_ROUTE, ProxyAnswer
from jiradoctor.registry import Check
from jiradoctor.probes.tls import TLS
from jiradoctor.probes.server_info import SERVER_INFO
from jiradoctor.jira.urls import default_port

DOCS = (
    "https://confluence.atlassian.com/kb/proxying-atlassian-server-applications-with-nginx-1048574911.html",
    "https://tomcat.apache.org/tomcat-9.0-doc/proxy-howto.html",
)


def route_evidence(route: Route) -> dict[str, Any]:
    return {
        "route": route.kind,
        "proxy": route.proxy_display,
        "source": route.source,
        "no_proxy_entry": route.no_proxy_entry,
        "ignored_variables": list(route.ignored),
    }


def judge_route(route: Route) -> Finding:
    evidence = route_evidence(route)
    if route.kind == "direct":
        return Finding("proxy/direct", Status.PASS, f"No proxy applies: {route.describe()}.", evidence=evidence)
    if route.kind == "bypassed":
        return Finding(
            "proxy/bypassed",
            Status.INFO,
            f"Requests go {route.describe()}.",
            evidence=evidence,
            remediation=(
                "If the integration's host must use the proxy to reach Jira, remove the entry from NO_PROXY.",
            ),
            subject=route.no_proxy_entry,
        )
    ignored = f" ({', '.join(route.ignored)} ignored: --proxy wins)" if route.ignored else ""
    return Finding(
        "proxy/configured",
        Status.INFO,
        f"Requests go {route.describe()}{ignored}.",
        evidence=evidence,
        subject=route.proxy_display,
    )


def judge_answer(answer: ProxyAnswer, url: str) -> Finding:
    route = answer.route
    proxy = route.proxy_display
    evidence = {
        **route_evidence(route),
        "method": answer.method,
        "status": answer.status,
        "reason": answer.reason,
        "proxy_headers": dict(answer.headers),
        "error": answer.error.message if answer.error else None,
        "elapsed_s": round(answer.elapsed_s, 3),
    }
    authority = target_authority(url)
    if answer.error is not None and answer.reachable is False:
        return Finding(
            "proxy/unreachable",
            Status.FAIL,
            f"The proxy {proxy} ({route.source}) does not accept connections: {answer.error.message}. "
            "Every request fails here, whatever the state of Jira.",
            evidence=evidence,
            subject=proxy,
            remediation=(
                "Check the proxy's host and port, and that it is running; or unset the variable / "
                "--proxy if the integration's host reaches Jira directly.",
            ),
            commands=(f"curl -v --proxy '{proxy}' {url}",),
        )
    if answer.error is not None and answer.error.kind == "unsupported":
        # the route is known, but whether the proxy lets requests through was not seen: no green tick
        raise NotObserved(f"the proxy {proxy} is configured but was not probed: {answer.error.message}")
    # a CONNECT never reaches Jira before a 2xx, so a 401 to it is the proxy's too (tinyproxy answers a
    # wrong password so)
    if answer.status == 407 or (answer.method == "CONNECT" and answer.status == 401):
        given = route.proxy_credentials is not None
        return Finding(
            "proxy/auth-required",
            Status.FAIL,
            f"The proxy {proxy} demands authentication (407"
            + (f", {answer.headers['proxy-authenticate']}" if "proxy-authenticate" in answer.headers else "")
            + (
                "): it refused the credentials in the proxy URL."
                if given
                else "): the proxy URL carries no credentials."
            ),
            evidence=evidence,
            subject=proxy,
            remediation=(
                "Put the proxy account in the proxy URL the integration uses "
                "(http://USER:PASSWORD@proxy:port, percent-encoding special characters), or have "
                "the proxy allow the integration's host without authentication.",
            ),
        )
    refused = answer.status is not None and (
        (answer.method == "CONNECT" and not 200 <= answer.status < 300)
        or forward_refused(answer.status, answer.headers)
    )
    if refused or answer.error is not None:
        if answer.status is not None and answer.status >= 500:
            why = f"the proxy could not reach {authority} itself ({answer.status} {answer.reason})"
        elif answer.status is not None and answer.method != "CONNECT":
            why = f"the proxy refuses to forward requests to {authority} ({answer.status} {answer.reason})"
        elif answer.status is not None:
            why = (
                f"the proxy refuses to tunnel to {authority} ({answer.status} {answer.reason}); proxies often allow "
                "CONNECT only to port 443 (squid's SSL_ports, tinyproxy's ConnectPort)"
            )
        else:
            detail = answer.error.message if answer.error else "?"
            why = f"the proxy accepted the connection but the tunnel failed: {detail}"
        return Finding(
            "proxy/connect-refused",
            Status.FAIL,
            f"Through {proxy}: {why}.",
            evidence=evidence,
            subject=proxy,
            remediation=(
                f"Ask the proxy's administrators to allow CONNECT to {authority}, or exempt Jira's "
                f"host with NO_PROXY if the integration's host reaches it directly.",
            ),
            commands=(f"curl -v --proxy '{proxy}' {url}",),
        )
    return Finding(
        "proxy/ok",
        Status.PASS,
        f"The proxy {proxy} lets requests to {authority} through ({answer.method} answered {answer.status}).",
        evidence=evidence,
        subject=proxy,
    )


def forward_refused(status: int, headers: Mapping[str, str]) -> bool:
    """A plain-HTTP GET the proxy answered itself with a refusal: squid's error header, or a
    403/5xx that carries none of the headers Jira puts on its answers."""
    lowered = {k.lower() for k in headers}
    if "x-squid-error" in lowered:
        return True
    return status in (403, 502, 503, 504) and not lowered & {"x-arequestid", "x-ausername", "x-asessionid"}


def judge_reverse_proxy(answer: HttpAnswer, url: str, forward_hops: int) -> Finding | None:
    """Signs of a reverse proxy in Jira's own answer, tied to the connector settings it requires."""
    if answer is None or not answer.ok:
        return None
    signs = read_signs(answer.status, answer.headers, answer.body, forward_hops)
    if not signs.found:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        scheme, hostname = parts.scheme or "https", parts.hostname
        port = parts.port or default_port(scheme)
    except ValueError:  # "http://[…": name the settings, not the values
        scheme, hostname, port = "https", "…", None  # shown as …
    connector = (
        f'<Connector port="…" protocol="HTTP/1.1" proxyName="{hostname}" proxyPort="{port}" '
        f'scheme="{scheme}" secure="{"true" if scheme == "https" else "false"}" ... />'
    )
    evidence = {"signs": list(signs.signs), "product": signs.product, "status": answer.status, "url": answer.url}
    if signs.gateway_error:
        return Finding(
            "proxy/reverse-proxy",
            Status.WARN,
            f"A reverse proxy ({signs.product or 'unknown'}) answers for Jira with {answer.status}: Jira "
            f"behind it does not answer ({'; '.join(signs.signs)}).",
            evidence=evidence,
            subject=signs.product,
            remediation=(
                "Check that Jira is running and that the proxy's upstream (proxy_pass, ProxyPass) "
                "points at Jira's connector.",
            ),
            docs=DOCS,
        )
    return Finding(
        "proxy/reverse-proxy",
        Status.INFO,
        f"Jira answers through a reverse proxy ({'; '.join(signs.signs)}). Tomcat must then be told the "
        f"public URL, or OAuth signatures fail.",
        evidence=evidence,
        subject=signs.product,
        remediation=(
            "Set proxyName, proxyPort, scheme and secure on Jira's connector in server.xml to the "
            "URL the integration uses (the base-url check compares them when given --server-xml).",
        ),
        commands=(connector,),
        docs=DOCS,
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    route: Route = await ctx.fact(PROXY_ROUTE)
    url = ctx.target.url or ""
    findings = [judge_route(route)]
    if route.via_proxy:
        answer: ProxyAnswer = await ctx.fact(PROXY)
        verdict = judge_answer(answer, url)
        findings.append(verdict)
        if verdict.status == Status.FAIL:
            return findings
        if url.lower().startswith("https") and ctx.can_probe(TLS):
            tls = await ctx.fact(TLS)
            if tls.intercepted:
                findings.append(
                    Finding(
                        "proxy/intercepting",
                        Status.INFO,
                        f"The proxy {route.proxy_display} re-signs TLS with its own CA "
                        f"('{tls.chain[0].issuer}'): see tls/intercepted.",
                        evidence={"proxy": route.proxy_display, "issuer": tls.chain[0].issuer},
                        subject=route.proxy_display,
                    )
                )
    if ctx.can_probe(SERVER_INFO):
        info = await ctx.fact(SERVER_INFO)
        if getattr(info, "deployment", None) != "Cloud":
            forward_hops = 1 if route.via_proxy and url.lower().startswith("http:") else 0
            finding = judge_reverse_proxy(info.answer, url, forward_hops)
            if finding is not None:
                findings.append(finding)
    return findings


CHECK = Check(
    id="proxy",
    title="Proxies between the integration and Jira",
    explanation="""\
Looks at: the route to --url decided before any request, from --proxy (which overrides the
environment) or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY in any case (httpx's rules);
then the proxy itself: its socket first (a dead proxy looks like a dead Jira), then the CONNECT
an https client sends (or the forwarded GET for http). And Jira's own answer, for signs of a
reverse proxy in front of it (Via, a Server header that is not Tomcat's, X-Forwarded-* echoes,
nginx/Apache error pages).
Why it fails: the proxy does not accept connections, demands authentication (407), or refuses
to tunnel to Jira's port (403, often only 443 is allowed).
How to fix: correct the proxy URL (credentials as http://user:password@host:port), allow the
CONNECT, or exempt Jira with NO_PROXY. Behind a reverse proxy, set proxyName, proxyPort and
scheme on Jira's connector. Proxy passwords never appear in the report.""",
    judge=judge,
    inputs_all=("url",),
    facts=(PROXY_ROUTE.name, PROXY.name),
    reads=(TLS.name, SERVER_INFO.name),
    live=True,
    order=30,
    codes=(
        "proxy/configured",
        "proxy/bypassed",
        "proxy/unreachable",
        "proxy/auth-required",
        "proxy/connect-refused",
        "proxy/reverse-proxy",
        "proxy/intercepting",
        "proxy/ok",
        "proxy/direct",
    ),
)
