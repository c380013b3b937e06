"""reachability: does the URL answer, and is it Jira that answers?

The one place that says "connection refused", "nginx answered 502", "this is a proxy's block
page" or "Jira lives under another path". Every live check after it leans on its verdict: when
Jira did not answer, they are ``skip`` with ``blocked_by: reachability``, never ``pass``.

Codes: reachability/ok, reachability/anonymous-refused, reachability/refused, reachability/reset,
reachability/timeout, reachability/unreachable, reachability/no-connection, reachability/proxy-refused,
reachability/broken-answer, reachability/server-error, reachability/not-jira,
reachability/proxy-block-page, reachability/wrong-context-path, reachability/not-found,
reachability/login-page, reachability/sso-redirect, reachability/redirect-elsewhere,
reachability/redirect-loop, reachability/unconfirmed-jira, reachability/http-error,
reachability/unreadable-answer, reachability/ip-allowlist, reachability/cloudflare-block (the blockers' own pages,
jira/blockers.py), reachability/cloud-port-unreachable (an Atlassian Cloud product cannot reach this port),
reachability/https-redirect (a plain http->https redirect, never single sign-on),
reachability/sso-anonymous-only (anonymous calls meet SSO, the integration's credentials get Jira's JSON).

Title: Jira answers at the URL.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import blockers
from jiradoctor.jira.auth_signals import https_upgrade, read_identity
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.jira.fingerprint import Identity, answered_as_jira, identify, idp_host, origin_of, same_site
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.server_info import SERVER_INFO, ServerInfo
from jiradoctor.registry import Check
from jiradoctor.shared_findings import blocker_finding, egress_advice
from jiradoctor.probes.site_root import SITE_ROOT_INFO
from jiradoctor.probes.auth import AUTH_LOGIN, LoginAttempt
from jiradoctor.jira.urls import default_port

PREFIX = "reachability/"
SERVER_INFO_PATH = "/rest/api/2/serverInfo"
DOCS_CONTEXT_PATH = ("https://confluence.atlassian.com/adminjiraserver/configure-the-base-url-938847830.html",)


def _evidence(answer: HttpAnswer, ident: Identity | None = None, **extra: Any) -> dict[str, Any]:
    evidence: dict[str, Any] = {"url": answer.url, "status": answer.status, "time_s": round(answer.elapsed_s, 3)}
    if ident is not None:
        evidence.update(
            {"server": ident.server, "via": ident.via, "title": ident.title, "jira_traces": list(ident.jira)}
        )
    if answer.error is not None:
        evidence["error"] = answer.error.message
    evidence.update(extra)
    return {k: v for k, v in evidence.items() if v not in (None, [], "")}


def _curl(url: str) -> str:
    return f"curl -sS -o /dev/null -w '%{{http_code}} %{{time_total}}s\\n' --max-time 20 '{url}'"


def _host_port(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or default_port(parts.scheme)
        return f"{parts.hostname}:{port}"
    except ValueError:
        return url


def judge_transport(answer: HttpAnswer, timeout_s: float) -> Finding:
    """No HTTP answer at all: name what happened on the wire."""
    assert answer.error is not None
    kind, message, where = answer.error.kind, answer.error.message, _host_port(answer.url)
    check_jira: tuple[str, ...] = (
        "Check that Jira (or the proxy in front of it) runs and listens on that port, and that the URL's "
        "host and port are the ones entered in the integration.",
    )
    curl: tuple[str, ...] = (_curl(answer.url),)
    # kind -> (code, what happened, how to fix it, what to run)
    slug, said, fixes, commands = "no-connection", f"No connection to {where}: {message}.", check_jira, curl
    if kind == "connect" and "refused" in message:
        slug, said = "refused", (f"Nothing listens at {where}: the connection was refused. Jira is down, or the URL "
                                 "names the wrong port.")
    elif kind == "reset":
        slug, said = "reset", (f"{where} accepted the connection, then reset it before answering: a firewall, a load "
                               "balancer without a healthy backend, or a TLS/plain-HTTP mix-up on that port.")
    elif kind == "timeout":
        slug = "timeout"
        said = (f"No answer from {where} within --timeout {timeout_s:g} s: a firewall dropping packets, an "
                "overloaded Jira, or a proxy that holds the request.")
        fixes = ("If Jira is merely slow, raise the limit (--timeout 30 or JIRADOCTOR_TIMEOUT=30) and run again; "
                 "the integration's own timeout meets the same wait.", *check_jira)
    elif kind == "unreachable":
        slug, said = "unreachable", f"There is no network route from this machine to {where} ({message})."
        fixes = ("Run jiradoctor from a machine on Jira's network, or fix the routing / VPN to it.",)
        commands = (f"ip route get {where.rsplit(':', 1)[0]}",)
    elif kind == "proxy":
        slug, said = "proxy-refused", f"The forward proxy did not pass the request to {where}: {message}."
        fixes, commands = ("See the proxy check; ask the proxy's owners to allow Jira's host.",), ()
    elif kind in ("protocol", "other"):
        slug, said = "broken-answer", f"{where} answered something that is not HTTP ({message})."
        fixes = ("Check that the URL's scheme and port match the service on that port (https on a plain port, "
                 "or the reverse).",)
    return Finding(PREFIX + slug, Status.FAIL, said, evidence=_evidence(answer, timeout_s=timeout_s),
                   remediation=fixes, commands=commands)


def _redirects(info: ServerInfo, url: str, ident: Identity) -> Finding | None:
    if not info.redirects:
        return None
    evidence = _evidence(info.answer, ident, redirects=list(info.redirects[:8]))
    if info.redirect_loop:
        return Finding(
            PREFIX + "redirect-loop",
            Status.FAIL,
            f"{url} redirects in a loop ({' -> '.join(info.redirects[:6])}): no client can reach Jira there.",
            evidence=evidence,
            remediation=(
                "Fix the proxy or load balancer rules that redirect these URLs to each other "
                "(often http<->https, or a Base URL that differs from the proxy's idea of it).",
            ),
        )
    final = info.redirects[-1]
    idp = idp_host(final)
    if idp and not ident.is_jira:
        return Finding(
            PREFIX + "sso-redirect",
            Status.WARN,
            f"Anonymous requests to {url} are sent to the sign-in page of {idp}: Jira sits behind single "
            "sign-on. REST calls of the integration must log in without it (see auth).",
            evidence=evidence,
            remediation=(
                "Let the service user authenticate to the REST API without SSO (an API token, a "
                "personal access token, OAuth, or the SSO app's REST bypass for Basic auth).",
            ),
        )
    upgraded = https_upgrade(url.rstrip("/") + SERVER_INFO_PATH, info.redirects[0])
    if upgraded and ident.is_jira and len(info.redirects) == 1:
        https_url = upgraded[: -len(SERVER_INFO_PATH)] or upgraded
        return Finding(
            PREFIX + "https-redirect",
            Status.WARN,
            f"{url} redirects to {https_url}: a plain http->https redirect, and Jira answers there. Not single "
            "sign-on: every call of the integration makes this detour, sends its "
            "credentials unencrypted on the first leg, and many clients drop the Authorization header or turn a "
            "POST into a GET on a redirect.",
            evidence=evidence,
            remediation=(f"Enter {https_url} as the Jira URL in the integration (and keep Jira's Base URL https).",),
            commands=(f"curl -sS -I --max-time 20 '{info.answer.url}'",),
            subject=https_url,
        )
    if not ident.is_jira and not same_site(final, url):
        return Finding(
            PREFIX + "redirect-elsewhere",
            Status.FAIL,
            f"{url} redirects to {final}, where no Jira answers.",
            evidence=evidence,
            remediation=(
                "Enter Jira's own URL (its Base URL) in the integration; find out who redirects (a "
                "proxy, a captive portal, a retired host name).",
            ),
            commands=(f"curl -sS -I --max-time 20 '{info.answer.url}'",),
        )
    return None


def _wrong_path(url: str, root: HttpAnswer | None, ident: Identity, answer: HttpAnswer) -> Finding | None:
    root_ident = identify(root) if root is not None and root.ok else None
    root_is_jira = root_ident is not None and root_ident.serverinfo_json and root_ident.is_jira
    if not (ident.is_jira or root_is_jira):  # one stray header is not enough to call it Jira's 404
        return None
    path = urllib.parse.urlsplit(url).path.rstrip("/") or "/"
    evidence = _evidence(answer, ident)
    if root_is_jira and root is not None:
        origin = origin_of(url) or url
        evidence["jira_answers_at"] = origin
        return Finding(
            PREFIX + "wrong-context-path",
            Status.FAIL,
            f"Jira does not live under {path}: it answers at {origin} (serverInfo there is Jira's). The "
            f"path in the URL is not Jira's context path.",
            evidence=evidence,
            remediation=(f"Enter {origin} in the integration (Jira's Base URL, without {path}).",),
            docs=DOCS_CONTEXT_PATH,
        )
    return Finding(
        PREFIX + "wrong-context-path",
        Status.FAIL,
        f"Jira answers 404 for serverInfo under {path}: the URL's path is not Jira's context path "
        f"({', '.join(ident.jira)} show it is Jira).",
        evidence=evidence,
        remediation=(
            "Use Jira's Base URL (Administration > System > General configuration) as the "
            "integration's URL; the context path is the part after the host.",
        ),
        docs=DOCS_CONTEXT_PATH,
    )


# Ports Atlassian Cloud products reach an on-premises application (Atlassian KB "Cloud applinks and SSL")
CLOUD_APPLINK_PORTS = (80, 443, 8080, 8443, 8444, 7990, 8090, 8085, 8060, 8900, 9900)
ATLASSIAN_IP_RANGES = "https://ip-ranges.atlassian.com/"


def cloud_port_finding(
    url: str, profile: IntegrationProfile, hosting: str | None, deployment: str | None
) -> Finding | None:
    """An Atlassian Cloud product reaches an on-premises Jira only on Atlassian's fixed list of ports."""
    cloud = hosting == "cloud" or (hosting is None and profile.cloud_hosted)
    if not (cloud and profile.cloud_product) or deployment == "Cloud":
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or default_port(parts.scheme)
    except ValueError:
        return None
    if port in CLOUD_APPLINK_PORTS:
        return None
    return Finding(
        PREFIX + "cloud-port-unreachable",
        Status.FAIL,
        f"{profile.cloud_product} runs in Atlassian Cloud, whose application links reach an on-premises "
        f"Jira only on ports {', '.join(map(str, CLOUD_APPLINK_PORTS))}; this Jira is on port {port}: "
        f"unreachable from Cloud, whatever this machine sees.",
        evidence={
            "url": url,
            "port": port,
            "allowed_ports": list(CLOUD_APPLINK_PORTS),
            "integration": profile.id,
            "cloud_product": profile.cloud_product,
        },
        remediation=(
            "Publish Jira on one of those ports (usually 443 through the reverse proxy) and use "
            "that URL in the integration and as Jira's Base URL.",
            f"Allowlist Atlassian's published egress ranges ({ATLASSIAN_IP_RANGES}) on the firewall in front of Jira.",
        ),
        subject=str(port),
    )


def judge_reachability(
    info: ServerInfo,
    url: str,
    timeout_s: float,
    root: HttpAnswer | None = None,
    profile: IntegrationProfile | None = None,
) -> Finding:
    """One verdict on the site: did Jira answer, or who answered instead."""
    answer = info.answer
    if not answer.ok:
        if answer.error is not None and answer.error.kind == "tls":
            raise NotObserved("the TLS handshake failed; the tls check names the cause", blocked_by=("tls",))
        return judge_transport(answer, timeout_s)
    ident = identify(answer, info.challenge)
    redirected = _redirects(info, url, ident)
    if redirected is not None:
        return redirected
    status = answer.status or 0
    evidence = _evidence(answer, ident, problem=info.problem)
    who = ident.who()
    found = blockers.recognise(answer)
    if found is not None:
        return blocker_finding(found, answer, profile)
    unreadable = answer.problem or (
        info.problem if info.problem and not info.problem.startswith(_PLAIN_PROBLEMS) else None
    )
    if status == 200 and unreadable and not ident.serverinfo_json:
        return Finding(
            PREFIX + "unreadable-answer",
            Status.FAIL,
            f"{who} answered serverInfo with something jiradoctor cannot read: {unreadable}. Jira's "
            f"serverInfo is a few hundred bytes of plain JSON; an integration meets the same answer.",
            evidence=evidence,
            remediation=(
                "Find what sits in front of Jira and rewrites or pads its answers (a proxy, a "
                "compression module, a WAF), or what answers in Jira's place.",
            ),
            commands=(_curl(answer.url),),
        )
    if ident.block_page:
        return Finding(
            PREFIX + "proxy-block-page",
            Status.FAIL,
            f"A proxy answered instead of Jira (HTTP {status}, "
            f"{who}{', page ' + repr(ident.title) if ident.title else ''}): it blocks the way to "
            f"{_host_port(url)}.",
            evidence=evidence,
            remediation=(
                "Ask the proxy's owners to allow Jira's host for this machine and for the "
                "integration's hosts, or set NO_PROXY for Jira if it is reached directly.",
                *egress_advice(profile)[1:],
            ),
        )
    if status >= 500:
        return Finding(
            PREFIX + "server-error",
            Status.FAIL,
            f"HTTP {status} from {who}{' (page ' + repr(ident.title) + ')' if ident.title else ''}"
            + (
                ": Jira itself failed; see its atlassian-jira.log."
                if who == "Jira itself"
                else ": the server in front of Jira cannot reach it, or Jira is down behind it."
            ),
            evidence=evidence,
            remediation=(
                "Check that Jira runs and that the proxy's upstream (host and port) points at Jira's connector.",
            )
            if who != "Jira itself"
            else ("Look in Jira's atlassian-jira.log at the time of the request (X-AREQUESTID in evidence).",),
            commands=(_curl(answer.url),),
        )
    if status == 404:
        return _wrong_path(url, root, ident, answer) or Finding(
            PREFIX + "not-found",
            Status.FAIL,
            f"HTTP 404 from {who} for Jira's serverInfo: no Jira answers under this URL.",
            evidence=evidence,
            remediation=("Check the URL: host, port and context path must be Jira's Base URL.",),
            commands=(_curl(answer.url),),
        )
    if status in (401, 403):
        if ident.is_jira:
            return Finding(
                PREFIX + "anonymous-refused",
                Status.INFO,
                f"Jira answered (identified by {', '.join(ident.jira)}) but refuses anonymous serverInfo "
                f"(HTTP {status}); its version and Base URL are read after login.",
                evidence=evidence,
            )
        return Finding(
            PREFIX + "http-error",
            Status.FAIL,
            f"HTTP {status} from {who}, without Jira's traces: something in front of Jira refuses this "
            "machine (an IP allowlist, a web application firewall, a proxy).",
            evidence=evidence,
            remediation=(
                "Find who answered (Server header and page title in evidence) and have this "
                "machine's and the integration's addresses allowed.",
                *egress_advice(profile),
            ),
        )
    if status == 200 and ident.serverinfo_json:
        if ident.is_jira:
            return Finding(
                PREFIX + "ok",
                Status.PASS,
                f"Jira{' ' + info.version if info.version else ''}"
                f"{' (' + info.deployment + ')' if info.deployment else ''} answered in "
                f"{answer.elapsed_s * 1000:.0f} ms; identified by {', '.join(ident.jira)}.",
                evidence={**evidence, "base_url": info.base_url},
            )
        return Finding(
            PREFIX + "unconfirmed-jira",
            Status.WARN,
            "The answer has the shape of Jira's serverInfo but none of Jira's own headers: a cache, a stub "
            "or a gateway answers in Jira's place.",
            evidence=evidence,
            remediation=("Check what sits in front of Jira; it may serve stale or rewritten answers.",),
        )
    if status == 200 and ident.login_page:
        return Finding(
            PREFIX + "login-page",
            Status.WARN,
            f"Jira's REST API answers with a login page ({ident.title or 'HTML'}) instead of JSON: "
            f"anonymous calls are caught by single sign-on. The integration's REST calls must log in "
            f"without it (see auth).",
            evidence=evidence,
            remediation=(
                "Let the service user authenticate to the REST API without SSO (an API token, a "
                "personal access token, OAuth, or the SSO app's REST bypass for Basic auth).",
            ),
        )
    if 200 <= status < 300:
        what = (
            f"an HTML page{' titled ' + repr(ident.title) if ident.title else ''}"
            if ident.title or "html" in answer.content_type
            else "JSON that is not Jira's serverInfo"
            if ident.json_body
            else f"{answer.content_type or 'an unnamed kind of'} content"
        )
        return Finding(
            PREFIX + "not-jira",
            Status.FAIL,
            f"{answer.url} answers {what} from {who}: this URL does not lead to Jira.",
            evidence=evidence,
            remediation=(
                "Enter Jira's Base URL in the integration; check what the proxy or host serves at this address.",
            ),
            commands=(_curl(answer.url),),
        )
    location = answer.header("location")
    if 300 <= status < 400:  # a redirect that was not followed: no Location, or one that is not a URL
        return Finding(
            PREFIX + "http-error",
            Status.FAIL,
            f"HTTP {status} from {who} redirects to {location[:300]!r}, which is not an address a client can follow."
            if location
            else f"HTTP {status} from {who} without a Location to follow.",
            evidence={**evidence, "location": location[:500] if location else None},
            remediation=("Fix the redirect rule of the server or proxy in front of Jira.",),
            commands=(_curl(answer.url),),
        )
    return Finding(
        PREFIX + "http-error",
        Status.FAIL,
        f"HTTP {status} from {who} for Jira's serverInfo.",
        evidence=evidence,
        remediation=("Check the URL and what answers there.",),
        commands=(_curl(answer.url),),
    )


# serverInfo problems that the verdicts below name in their own words
_PLAIN_PROBLEMS = ("the answer is an HTML page", "JSON without baseUrl", "HTTP ", "no answer")


def wants_site_root(info: ServerInfo, url: str) -> bool:
    """A 404 under a URL with a path: ask the site root once, to name the path that works."""
    if not info.answer.ok or info.answer.status != 404:
        return False
    try:
        return urllib.parse.urlsplit(url).path.strip("/") != ""
    except ValueError:
        return False


SSO_CODES = (PREFIX + "login-page", PREFIX + "sso-redirect")


def sso_with_credentials(verdict: Finding, attempt: LoginAttempt) -> Finding:
    """Anonymous calls meet single sign-on; did the call with the integration's credentials get Jira's JSON?

    Many SSO apps let Basic auth or a personal access token through for REST (their REST bypass):
    then the integration gets in, and the login page is only what anonymous callers see.
    """
    myself = attempt.myself
    if not attempt.login.given or myself is None or not myself.ok or myself.status != 200:
        return verdict
    identity = read_identity(myself.body)
    trace = answered_as_jira(myself)
    if identity is None or trace is None:
        return verdict
    what = "a login page" if verdict.code == PREFIX + "login-page" else "a redirect to a sign-in page"
    return Finding(
        PREFIX + "sso-anonymous-only",
        Status.INFO,
        f"Anonymous calls get single sign-on's {what}, but Jira's REST API answered the call with the "
        f"integration's credentials as Jira ({trace}): the SSO app lets them through for REST. See auth.",
        evidence={**verdict.evidence, "credentialed_url": myself.url, "credentialed_status": myself.status},
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    url = ctx.target.url or ""
    info: ServerInfo = await ctx.fact(SERVER_INFO)
    root = await ctx.fact(SITE_ROOT_INFO) if wants_site_root(info, url) else None
    verdict = judge_reachability(info, url, ctx.target.timeout, root, ctx.profile)
    if verdict.code in SSO_CODES:
        verdict = sso_with_credentials(verdict, await ctx.fact(AUTH_LOGIN))
    from jiradoctor.probes.deployment import deployment_of

    port = cloud_port_finding(url, ctx.profile, ctx.target.integration_hosting, deployment_of(info, url))
    return [verdict, port] if port is not None else [verdict]


CHECK = Check(
    id="reachability",
    title="Jira answers at the URL",
    explanation="""\
Looks at: an anonymous GET of /rest/api/2/serverInfo at the URL (redirects followed, up to 5)
and an unauthenticated /rest/api/2/myself; Jira is recognised by several of its traces
(serverInfo's JSON shape, X-AREQUESTID, X-Seraph-LoginReason, X-ASEN, Server: AtlassianProxy,
atl-traceid, the OAuth realm of its 401), never by one field.
Why it fails: nothing listens (refused), the connection is reset or never answers (naming
--timeout), an HTTP 5xx (saying who answered: Jira, nginx, a proxy), a page that is not Jira
(an HTML page, a proxy's block page, another product), Jira's 404 under a wrong context path
(naming the path that works when the site root answers), SSO login pages and redirects (with
credentials given: whether the credentialed call still gets Jira's JSON through SSO), a plain
http->https redirect (named as such, never single sign-on).
How to fix: the finding names the URL to use, or who must let the request through.""",
    judge=judge,
    inputs_all=("url",),
    facts=(SERVER_INFO.name, SITE_ROOT_INFO.name, AUTH_LOGIN.name),
    after=("dns", "tls", "proxy"),
    live=True,
    order=35,
    codes=tuple(
        PREFIX + c
        for c in (
            "ok",
            "anonymous-refused",
            "refused",
            "reset",
            "timeout",
            "unreachable",
            "no-connection",
            "proxy-refused",
            "broken-answer",
            "server-error",
            "not-jira",
            "proxy-block-page",
            "wrong-context-path",
            "not-found",
            "login-page",
            "sso-redirect",
            "redirect-elsewhere",
            "redirect-loop",
            "unconfirmed-jira",
            "http-error",
            "unreadable-answer",
            "ip-allowlist",
            "cloudflare-block",
            "cloud-port-unreachable",
            "https-redirect",
            "sso-anonymous-only",
        )
    ),
    nonblocking_codes=(
        PREFIX + "https-redirect",
        PREFIX + "login-page",
        PREFIX + "sso-redirect",
        PREFIX + "unconfirmed-jira",
        PREFIX + "cloud-port-unreachable",
    ),
)
