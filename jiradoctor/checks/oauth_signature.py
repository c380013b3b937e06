"""oauth-signature: make the request-token call the integration makes, and explain Jira's answer.

Title: OAuth 1.0a signature (live).
Codes: oauth-signature/url-mismatch, oauth-signature/parameter-mismatch, oauth-signature/key-mismatch,
oauth-signature/timestamp-refused, oauth-signature/nonce-used, oauth-signature/token-rejected,
oauth-signature/callback-rejected, oauth-signature/token-expired, oauth-signature/signature-method-rejected,
oauth-signature/permission-unknown, oauth-signature/additional-authorization-required,
oauth-signature/blocked, oauth-signature/problem, oauth-signature/not-jira, oauth-signature/no-answer,
oauth-signature/cannot-sign, oauth-signature/ok, oauth-signature/rest-ok, oauth-signature/integration-method-rejected,
oauth-signature/integration-method-fallback, oauth-signature/integration-method-ok.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import oauth_methods, pem
from jiradoctor.jira.auth_signals import read_identity
from jiradoctor.jira.integrations import IntegrationProfile, paste_text
from jiradoctor.jira.oauth1 import BaseString, BaseStringDiff, diff_base_strings
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.jira.tomcat import Connector
from jiradoctor.model import Finding, Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.oauth import OAUTH_REQUEST_TOKEN, OAUTH_REST_CALL, OAuthExchange
from jiradoctor.registry import Check
from jiradoctor.probes.server_info import SERVER_INFO

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes


DOCS = (
    "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",
    "https://tomcat.apache.org/tomcat-9.0-doc/proxy-howto.html",
)
DOCS_METHODS = (
    "https://developer.atlassian.com/server/jira/platform/oauth/",
    "https://github.com/pycontribs/jira/issues/1677",
)
# Problems with a code of their own; anything else is oauth-signature/problem.
_PROBLEM_CODES = {
    "timestamp_refused": (
        "timestamp-refused",
        "Jira refused the request's timestamp: the clocks differ by more than Jira's 5-minute window.",
        "Synchronise the clock of the integration's host and of Jira's server with NTP; see the clock-skew check.",
    ),
    "nonce_used": (
        "nonce-used",
        "Jira says the nonce was already used: the request was replayed or the client reuses nonces.",
        "Make sure nothing between the integration and Jira retries or replays signed requests, and that "
        "the integration makes a new nonce per request.",
    ),
    "token_rejected": (
        "token-rejected",
        "Jira rejected the OAuth token: it is unknown, expired or was revoked.",
        "Authorise the integration again (the OAuth dance) to get a new access token.",
    ),
    "token_expired": (
        "token-expired",
        "Jira says the OAuth access token has expired (oauth_problem=token_expired): "
        "Jira's application links issue access tokens with a lifetime, and this one is past it.",
        "Authorise the integration again (the OAuth dance) to get a new access token; if it keeps "
        "expiring, check the token lifetime Jira is configured with (atlassian.oauth.access.token.ttl / "
        "the link's settings).",
    ),
    "signature_method_rejected": (
        "signature-method-rejected",
        "Jira refused the signature method (oauth_problem=signature_method_rejected): "
        "application links accept RSA-SHA1 only, and the request was signed with another one. "
        f"Common libraries default to another: {oauth_methods.common_defaults()}.",
        "Configure the integration's OAuth client to sign with RSA-SHA1 and the private key "
        "(atlassian-python-api and pycontribs jira: oauth={..., 'signature_method': "
        "oauthlib.oauth1.SIGNATURE_RSA}).",
    ),
    "permission_unknown": (
        "permission-unknown",
        "Jira does not know the permission the access token was granted for "
        "(oauth_problem=permission_unknown): the token comes from another service provider or an "
        "application link that has been recreated.",
        "Authorise the integration again against this Jira to get a token this application link knows.",
    ),
    "additional_authorization_required": (
        "additional-authorization-required",
        "Jira wants the token authorised first "
        "(oauth_problem=additional_authorization_required): the user never approved "
        "it (a request token used as an access token, or the dance stopped before "
        "the access-token step).",
        "Complete the OAuth dance: open the authorize URL as the integration's user, "
        "approve, then exchange the request token for an access token and give that "
        "one to the integration.",
    ),
    "token_revoked": (
        "token-rejected",
        "Jira says the OAuth token was revoked.",
        "Authorise the integration again to get a new access token.",
    ),
}


def _url(text: str | None) -> JiraUrl | None:
    try:
        return JiraUrl.parse(text) if text else None
    except InvalidUrl:
        return None


def _servlet_root(url: JiraUrl | None) -> JiraUrl | None:
    """The Jira root of a signed URL: the path before /plugins/servlet/ or /rest/."""
    if url is None:
        return None
    for marker in ("/plugins/servlet/", "/rest/"):
        if marker in url.path:
            return JiraUrl(url.scheme, url.host, url.port, url.path[: url.path.index(marker)])
    return url


def _connector_naming(connectors: Sequence[Connector], attribute: str, value: object) -> Connector | None:
    """The connector whose proxyName/proxyPort is the value Jira saw: it, not the proxy, chose that value."""
    for connector in connectors:
        mine = connector.proxy_name if attribute == "proxyName" else connector.proxy_port
        if mine is not None and str(mine).lower() == str(value).lower():
            return connector
    return None


def fix_for_url_parts(
    diff: BaseStringDiff, base: JiraUrl | None, connectors: Sequence[Connector] | None = None
) -> tuple[list[str], list[str]]:
    """Prose and snippets that fix the part of the URL that changed on the way to Jira.

    ``connectors``: the HTTP connectors of the customer's server.xml, or None when it was not given. With
    them the fix names the attribute that made Jira see what it saw (a proxyName set to the internal host
    is why the Host header cannot help); without them it says what each possible cause needs, and the
    whole corrected ``<Connector>`` is left to the base-url check, which has the file.
    """
    signed, seen = _url(diff.signed_url), _url(diff.seen_url)
    prose: list[str] = []
    commands: list[str] = []
    signed_root = _servlet_root(signed)
    if base and signed_root and signed_root != base:
        prose.append(
            f"The integration uses {signed_root}, which is not Jira's Base URL {base}: enter the Base URL in "
            f"the integration, exactly."
        )
        return prose, commands
    target = signed or base
    if target is None:
        return ["Make the URL the integration uses and the URL Jira sees the same."], commands
    if "host" in diff.url_parts:
        seen_host = seen.host if seen else "?"
        named_by = _connector_naming(connectors, "proxyName", seen_host) if connectors is not None else None
        if named_by is not None:
            prose.append(
                f'Jira saw the host {seen_host} because {named_by.label} sets proxyName="{named_by.proxy_name}" '
                f"(proxyName overrides whatever Host header the proxy sends): set "
                f'proxyName="{target.host}" on that connector.'
            )
        elif connectors is not None and not any(c.proxy_name for c in connectors):
            prose.append(
                f"Jira saw the host {seen_host}: no connector in server.xml sets proxyName, so Tomcat takes the "
                f"Host header, and the reverse proxy passes another one (nginx's default is its upstream's "
                f'name). Make the proxy pass the original Host (below), or set proxyName="{target.host}" on '
                f"the connector."
            )
            commands.append("proxy_set_header Host $host;   # nginx, in the location that proxies to Jira")
        else:
            prose.append(
                f"Jira saw the host {seen_host}: either the connector's proxyName names it, or (with no "
                f"proxyName) the reverse proxy passes another Host header to Tomcat (nginx's default is its "
                f'upstream\'s name). Set proxyName="{target.host}" on the connector, or, when it has no '
                f"proxyName, make the proxy pass the original Host (nginx: proxy_set_header Host $host;). "
                f"--server-xml tells which."
            )
    if "port" in diff.url_parts:
        seen_port = seen.port if seen else "?"
        named_by = _connector_naming(connectors, "proxyPort", seen_port) if connectors is not None else None
        if named_by is not None:
            prose.append(
                f'Jira saw port {seen_port} because {named_by.label} sets proxyPort="{named_by.proxy_port}": '
                f'set proxyPort="{target.port}" on that connector.'
            )
        else:
            prose.append(
                f'Jira saw port {seen_port} instead of {target.port}: set proxyPort="{target.port}" on the '
                f"connector."
            )
    if "scheme" in diff.url_parts:
        prose.append(
            f"Jira saw {seen.scheme if seen else '?'} instead of {target.scheme}: TLS ends at the proxy, so "
            f"tell Tomcat with scheme and secure on the connector (or X-Forwarded-Proto with a RemoteIpValve)."
        )
    if "path" in diff.url_parts:
        prose.append(
            f"Jira saw the path {seen.path if seen else '?'} instead of {signed.path if signed else '?'}: the "
            f"context path in server.xml, the proxy's path mapping and the URL entered in the integration "
            f"must agree."
        )
    if {"host", "port", "scheme"} & set(diff.url_parts):
        secure = "true" if target.scheme == "https" else "false"
        wanted = (
            f'proxyName="{target.host}" proxyPort="{target.port}" scheme="{target.scheme}" secure="{secure}"'
        )
        if connectors is not None:
            prose.append(
                f"The connector needs {wanted}; the base-url check shows the whole corrected <Connector> for "
                f"this server.xml."
            )
        else:
            prose.append(
                f"On the connector the proxy forwards to, set {wanted} (with --server-xml the base-url check "
                f"prints the whole corrected <Connector>)."
            )
    return prose, commands


def judge_signature_invalid(
    exchange: OAuthExchange,
    base: JiraUrl | None,
    private_public: PublicKeyTypes | None,
    profile: IntegrationProfile,
    connectors: Sequence[Connector] | None = None,
) -> Finding:
    assert exchange.request is not None and exchange.problem is not None
    ours = BaseString.parse(exchange.request.base_string)
    echoed = exchange.problem.base_string
    theirs = BaseString.parse(echoed) if echoed else None
    evidence: dict[str, Any] = {"signed_base_string": exchange.request.base_string, "jira_base_string": echoed}
    if ours is None or theirs is None:
        return Finding(
            "oauth-signature/problem",
            Status.FAIL,
            "Jira answered signature_invalid without echoing its base string, so the cause cannot be pinned down: "
            "either the URL Jira sees differs from the one signed, or Jira holds another public key.",
            evidence=evidence,
            remediation=("Run the base-url and public-key checks with --server-xml, --base-url and --public-key.",),
            docs=DOCS,
            subject="signature_invalid",
        )
    diff = diff_base_strings(ours, theirs)
    if diff.url_parts or diff.method:
        prose, commands = fix_for_url_parts(diff, base, connectors)
        parts = ", ".join(diff.url_parts) or "method"
        return Finding(
            "oauth-signature/url-mismatch",
            Status.FAIL,
            f"signature_invalid: the integration signed {diff.signed_url} but Jira saw {diff.seen_url} ({parts} "
            f"differ).",
            evidence={
                **evidence,
                "signed_url": diff.signed_url,
                "jira_saw_url": diff.seen_url,
                "differs": list(diff.url_parts),
                "jira_base_url": str(base) if base else None,
            },
            remediation=tuple(prose),
            commands=tuple(commands),
            docs=DOCS,
            subject=",".join(diff.url_parts),
        )
    if diff.missing or diff.added or diff.changed:
        return Finding(
            "oauth-signature/parameter-mismatch",
            Status.FAIL,
            "signature_invalid: the request's parameters changed on the way to Jira"
            + (f"; dropped: {', '.join(diff.missing)}" if diff.missing else "")
            + (f"; added: {', '.join(diff.added)}" if diff.added else "")
            + (f"; changed: {', '.join(diff.changed)}" if diff.changed else "")
            + ".",
            evidence={
                **evidence,
                "dropped": list(diff.missing),
                "added": list(diff.added),
                "changed": list(diff.changed),
            },
            remediation=(
                "Something between the integration and Jira (CDN, WAF, proxy cache) rewrites the request: "
                "make it pass query parameters, the Authorization header and the method through unchanged for "
                "/plugins/servlet/oauth and /rest.",
            ),
            docs=DOCS,
        )
    paste = {}
    if private_public is not None:
        paste = {
            "private_key_public_half_fingerprint": pem.fingerprint(private_public),
            "paste_into_jira": paste_text(profile, private_public),
        }
    return Finding(
        "oauth-signature/key-mismatch",
        Status.FAIL,
        "signature_invalid although Jira's base string is the same as the one signed: Jira's application link holds "
        "another public key than the pair of this private key.",
        evidence={**evidence, **paste},
        remediation=(
            "Replace the public key in the application link (Incoming Authentication) with the public half of "
            "the integration's private key, shown below.",
        ),
        commands=(paste["paste_into_jira"],) if paste else (),
        docs=DOCS,
    )


def _host(url: str | None) -> str | None:
    parsed = _url(url)
    return parsed.host if parsed else None


def token_rejected(exchange: OAuthExchange, realm: str | None, evidence: dict[str, Any]) -> Finding:
    """An access token Jira does not know: name the Jira that refused it, and the host the URL points at
    when they differ (a token obtained against one host name is unknown at another)."""
    signed_for = _host(exchange.request.url if exchange.request else None)
    rejected_by = _host(realm)
    evidence = {**evidence, "rejected_by": realm, "signed_for_host": signed_for}
    message = (
        f"Jira{' at ' + realm if realm else ''} rejected the OAuth access token (oauth_problem=token_rejected): "
        f"it does not know it (never issued here, or revoked)."
    )
    if signed_for and rejected_by and signed_for != rejected_by:
        message += (
            f" The integration calls {signed_for} while this Jira's Base URL is on {rejected_by}: a token "
            f"obtained through one host name or Jira is not valid at another."
        )
    return Finding(
        "oauth-signature/token-rejected",
        Status.FAIL,
        message,
        evidence=evidence,
        remediation=(
            "Authorise the integration again (the OAuth dance) against this Jira, through the URL "
            "it will use, to get a new access token.",
        ),
        docs=DOCS,
    )


def not_jira(answer: HttpAnswer) -> Finding:
    from jiradoctor.shared_findings import blocker_finding
    from jiradoctor.jira.blockers import recognise

    if (found := recognise(answer)) is not None:  # an IP allowlist or Cloudflare answered for Jira's OAuth servlet
        return blocker_finding(found, answer, None, prefix="oauth-signature/", code="blocked")
    if answer.status in (301, 302, 303, 307, 308):
        what = f"a redirect to {answer.header('location') or '(no Location)'}"
    elif answer.looks_like_html:
        what = f"an HTML page (HTTP {answer.status})"
    else:
        what = f"HTTP {answer.status} ({answer.content_type or 'no content type'})"
    return Finding(
        "oauth-signature/not-jira",
        Status.FAIL,
        f"The URL does not answer like Jira's OAuth servlet: {what}.",
        evidence={
            "url": answer.url,
            "status": answer.status,
            "content_type": answer.content_type,
            "server": answer.header("server"),
            "location": answer.header("location"),
            "body_start": answer.body[:300],
        },
        remediation=(
            "Check that --url is Jira's Base URL (with its context path), and that a proxy or SSO gateway "
            "does not answer /plugins/servlet/oauth/* in Jira's place.",
        ),
        docs=DOCS,
    )


def judge_exchange(
    exchange: OAuthExchange,
    base: JiraUrl | None,
    private_public: PublicKeyTypes | None,
    profile: IntegrationProfile,
    connectors: Sequence[Connector] | None = None,
) -> Finding:
    answer = exchange.answer
    if exchange.sign_error or answer is None:
        return Finding(
            "oauth-signature/cannot-sign",
            Status.FAIL,
            f"The request could not be signed: {exchange.sign_error}.",
            remediation=("See the public-key check for what is wrong with the private key.",),
        )
    if answer.error is not None:
        return Finding(
            "oauth-signature/no-answer",
            Status.FAIL,
            f"No answer from Jira's OAuth servlet: {answer.error.message} ({answer.error.kind}).",
            evidence={"url": answer.url, "error": answer.error.kind, "elapsed_s": round(answer.elapsed_s, 3)},
            remediation=("See the dns, tls and proxy checks for the network path to Jira.",),
        )
    if exchange.granted:
        return Finding(
            "oauth-signature/ok",
            Status.PASS,
            "Jira granted a request token: the consumer key, the public key and the URL all agree.",
            evidence={"url": answer.url, "status": answer.status},
        )
    problem = exchange.problem
    if problem is None or problem.problem is None:
        return not_jira(answer)
    name = problem.problem
    evidence = {
        "oauth_problem": name,
        "status": answer.status,
        **{k: v for k, v in problem.params.items() if k != "oauth_problem"},
    }
    if name == "signature_invalid":
        return judge_signature_invalid(exchange, base, private_public, profile, connectors)
    if name == "token_rejected":
        return token_rejected(exchange, problem.realm, evidence)
    if name in _PROBLEM_CODES:
        slug, message, fix = _PROBLEM_CODES[name]
        if name == "signature_method_rejected":
            sent = exchange.request.headers.get("Authorization", "") if exchange.request else ""
            method = next(
                (
                    p.split("=", 1)[1].strip('"')
                    for p in sent.replace(",", " ").split()
                    if p.startswith("oauth_signature_method=")
                ),
                None,
            )
            evidence = {
                **evidence,
                "signed_with": method,
                "acceptable": problem.params.get("oauth_acceptable_signature_methods", "RSA-SHA1"),
            }
            if method:
                message = message.replace(
                    "signed with another one", f"signed with {method}{oauth_methods.library_for_method(method)}"
                )
        return Finding(
            f"oauth-signature/{slug}", Status.FAIL, message, evidence=evidence, remediation=(fix,), docs=DOCS
        )
    if name == "parameter_rejected" and "oauth_callback" in problem.params.get("oauth_parameters_rejected", ""):
        return Finding(
            "oauth-signature/callback-rejected",
            Status.FAIL,
            "Jira rejected the oauth_callback: it does not match the callback URL set in the application link.",
            evidence=evidence,
            remediation=(
                "Set the integration's callback URL in the application link (Incoming "
                "Authentication > Consumer Callback URL), or leave it empty.",
            ),
            docs=DOCS,
        )
    return Finding(
        "oauth-signature/problem",
        Status.FAIL,
        f"Jira answered oauth_problem={name}.",
        evidence=evidence,
        remediation=(
            problem.params.get("oauth_problem_advice") or "See Jira's OAuth troubleshooting guide for this problem.",
        ),
        docs=DOCS,
        subject=name,
    )


def customer_connectors(ctx: CheckContext) -> tuple[Connector, ...] | None:
    """The HTTP connectors of the customer's server.xml; None when it was not given or cannot be read
    (the base-url check reports why)."""
    if not ctx.target.given("server_xml"):
        return None
    read = ctx.target.server_xml_read
    return None if read is None or isinstance(read, Exception) else read.connectors


def judge_integration_method(method: str | None, library: str | None) -> Finding | None:
    """The integration's own signature method (``--signature-method``, or its ``--client-library``'s
    default): jiradoctor signs RSA-SHA1, so its own call passing proves nothing about another method."""
    lib = oauth_methods.LIBRARIES.get(library or "")
    tries = (method,) if method else lib.tries if lib else ()
    if not tries:
        return None
    said = f"--signature-method {method}" if method else f"{lib.name if lib else library}: {lib.source if lib else ''}"
    evidence = {"integration_signs_with": list(tries), "jira_accepts": oauth_methods.JIRA_ACCEPTS,
                "told_by": "--signature-method" if method else "--client-library", "client_library": library}
    fix = lib.fix if lib is not None else "set the OAuth client's signature method to RSA-SHA1"
    if tries == (oauth_methods.JIRA_ACCEPTS,):
        return Finding(
            "oauth-signature/integration-method-ok",
            Status.PASS,
            f"The integration signs with RSA-SHA1 ({said}), the only method Jira's application links accept.",
            evidence=evidence,
        )
    if oauth_methods.JIRA_ACCEPTS in tries:
        first = ", ".join(t for t in tries if t != oauth_methods.JIRA_ACCEPTS)
        return Finding(
            "oauth-signature/integration-method-fallback",
            Status.WARN,
            f"The integration first signs with {first} ({said}): Jira accepts RSA-SHA1 only and refuses "
            f"that first request (HTTP 400, oauth_problem=signature_method_rejected), then the library retries "
            f"with RSA-SHA1. It works, at the cost of a refused request and a logged error per session; a "
            f"library version without the fallback fails outright.",
            evidence=evidence,
            remediation=(f"Make the integration sign RSA-SHA1 from the start: {fix}",),
            docs=DOCS_METHODS,
        )
    return Finding(
        "oauth-signature/integration-method-rejected",
        Status.FAIL,
        f"The integration signs with {', '.join(tries)} ({said}), but Jira's application links accept RSA-SHA1 "
        f"only: every request of the integration is refused (for HMAC-SHA1 Jira answers HTTP 400 "
        f"oauth_problem=signature_method_rejected; for other methods the exact answer is not captured). "
        f"jiradoctor signs RSA-SHA1 itself, so its own calls passing does not mean the integration's do. "
        f"Common libraries default to another method: {oauth_methods.common_defaults()}.",
        evidence=evidence,
        remediation=(f"Make the integration sign with RSA-SHA1 and its private key: {fix}",),
        docs=DOCS_METHODS,
    )


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    # the three exchanges are independent: ask them at once (one round trip, not three)
    import asyncio

    async def rest_call() -> OAuthExchange | None:
        return await ctx.fact(OAUTH_REST_CALL) if ctx.target.access_token else None

    exchange, info, rest = await asyncio.gather(ctx.fact(OAUTH_REQUEST_TOKEN), ctx.fact(SERVER_INFO), rest_call())
    base = _url(ctx.target.base_url) or _url(getattr(info, "base_url", None) or getattr(info, "realm", None))
    private = ctx.target.private_key_read
    connectors = customer_connectors(ctx)
    findings = [judge_exchange(exchange, base, private.public_key if private else None, ctx.profile, connectors)]
    if ctx.target.access_token:
        rest_http = rest.answer if rest is not None else None
        identity = read_identity(rest_http.body) if rest_http is not None and rest_http.status == 200 else None
        if rest_http is not None and identity is not None:
            findings.append(
                Finding(
                    "oauth-signature/rest-ok",
                    Status.PASS,
                    f"A signed REST call with the access token works: Jira sees user {identity.describe()}.",
                    evidence={"url": rest_http.url, "user": identity.to_json()},
                )
            )
        elif rest is not None:
            finding = judge_exchange(rest, base, private.public_key if private else None, ctx.profile, connectors)
            if finding.code == "oauth-signature/ok" and rest_http is not None:  # a 200 naming no user: not /myself
                finding = not_jira(rest_http)
            findings.append(dataclasses.replace(finding, subject=finding.subject or "rest-call"))
    own = judge_integration_method(ctx.target.signature_method, ctx.target.client_library)
    return one_finding_per_cause(findings) + ([own] if own is not None else [])


def one_finding_per_cause(findings: list[Finding]) -> list[Finding]:
    """The request-token call and the REST call often fail for one reason: report it once,
    naming both requests, with the first one's evidence and fix (the key text is not printed twice)."""
    merged: list[Finding] = []
    for finding in findings:
        same = next((m for m in merged if m.code == finding.code), None)
        if same is None:
            merged.append(finding)
            continue
        where = finding.subject or "rest-call"
        seen = list(same.evidence.get("seen_in", ["request-token"]))
        seen.append(where)
        # what the second request adds (its own echo, its URL), without repeating what is the same
        own = {k: v for k, v in finding.evidence.items() if same.evidence.get(k) != v}
        evidence = {**same.evidence, "seen_in": seen, **({where: own} if own else {})}
        merged[merged.index(same)] = dataclasses.replace(same, evidence=evidence)
    return merged


CHECK = Check(
    id="oauth-signature",
    title="OAuth 1.0a signature (live)",
    explanation="""\
Looks at: Jira's answer to the request-token call an integration makes first
(POST /plugins/servlet/oauth/request-token), signed exactly as the integration signs it:
RSA-SHA1, the consumer key as typed, the given private key. With --access-token, also one signed
REST call (GET /rest/api/2/myself).
Why it fails: on signature_invalid Jira echoes the base string it computed. When its URL differs
from the one signed, a proxy or Tomcat connector changes scheme, host, port or path on the way
(oauth-signature/url-mismatch); when parameters differ, something rewrote the request; when
both agree, Jira holds another public key (key-mismatch). Other problems: timestamp_refused
(clocks), nonce_used, token_rejected, a rejected callback, or a URL that is not Jira at all.
The integration's own method (--signature-method, or --client-library's default): Jira accepts
RSA-SHA1 only; atlassian-python-api signs RSA-SHA512 by default and pycontribs jira tries
HMAC-SHA1 first, so such an integration fails on a Jira that passes here.
How to fix: each finding names the part to change: connector attributes (proxyName, proxyPort,
scheme, secure), the proxy's Host header, the URL entered in the integration, or the public key.""",
    judge=judge,
    inputs_all=("url", "consumer_key", "private_key"),
    facts=(OAUTH_REQUEST_TOKEN.name, SERVER_INFO.name, OAUTH_REST_CALL.name),
    after=("consumer-key", "dns", "tls", "proxy", "reachability"),
    prefetch=True,  # signed OAuth requests only: no password, nothing a lockout counts
    live=True,
    order=70,
    codes=(
        "oauth-signature/url-mismatch",
        "oauth-signature/parameter-mismatch",
        "oauth-signature/key-mismatch",
        "oauth-signature/timestamp-refused",
        "oauth-signature/nonce-used",
        "oauth-signature/token-rejected",
        "oauth-signature/callback-rejected",
        "oauth-signature/token-expired",
        "oauth-signature/signature-method-rejected",
        "oauth-signature/permission-unknown",
        "oauth-signature/additional-authorization-required",
        "oauth-signature/blocked",
        "oauth-signature/problem",
        "oauth-signature/not-jira",
        "oauth-signature/no-answer",
        "oauth-signature/cannot-sign",
        "oauth-signature/ok",
        "oauth-signature/rest-ok",
        "oauth-signature/integration-method-rejected",
        "oauth-signature/integration-method-fallback",
        "oauth-signature/integration-method-ok",
    ),
)
