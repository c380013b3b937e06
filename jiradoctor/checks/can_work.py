"""can-work: can the integration really work? Its own kinds of request, none of which changes anything.

Codes: can-work/write-accepted, can-work/xsrf-refused, can-work/write-refused, can-work/blocked,
can-work/endpoints-ok, can-work/endpoint-removed, can-work/endpoint-missing, can-work/endpoint-refused,
can-work/endpoint-error, can-work/head-ok, can-work/head-rewritten, can-work/head-refused,
can-work/sessions-ok, can-work/not-sticky, can-work/session-lost.

Title: The integration's own requests work (non-mutating probes).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import blockers, endpoints
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.can_work import (
    CAN_WORK_ENDPOINTS,
    CAN_WORK_HEAD_GET,
    CAN_WORK_STICKY,
    CAN_WORK_WRITE,
    EndpointProbe,
    HeadGetProbe,
    StickyProbe,
    WriteProbe,
)
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.registry import Check

P = "can-work/"
XSRF_DOCS = ("https://developer.atlassian.com/server/jira/platform/form-token-handling/",)
HEAD_DOCS = ("https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",)
STICKY_DOCS: tuple[str, ...] = ()


def blocked(answer: HttpAnswer, profile: IntegrationProfile | None, what: str) -> Finding | None:
    """A blocker's own page instead of Jira's answer (reachability names the same on the anonymous path)."""
    from jiradoctor.shared_findings import blocker_finding

    found = blockers.recognise(answer) if answer.ok else None
    if found is None:
        return None
    finding = blocker_finding(found, answer, profile, prefix=P, code="blocked")
    return Finding(
        finding.code,
        finding.status,
        f"{what}: {finding.message}",
        evidence=finding.evidence,
        remediation=finding.remediation,
        docs=finding.docs,
        subject=what,
    )


def _error_text(answer: HttpAnswer) -> str:
    try:
        data = json.loads(answer.body) if answer.body.lstrip().startswith("{") else {}
    except ValueError:
        data = {}
    if isinstance(data, dict):
        messages = data.get("errorMessages") or ([data["message"]] if isinstance(data.get("message"), str) else [])
        if isinstance(messages, list) and messages:
            return " ".join(str(m) for m in messages)[:300]
    return " ".join(answer.body.split())[:200]


def judge_write(probe: WriteProbe, profile: IntegrationProfile) -> Finding | None:
    answer = probe.answer
    if answer is None:
        return None
    if not answer.ok:
        return None  # the network path has its own checks
    what = f"POST {probe.path} (a search for 0 issues; changes nothing)"
    evidence: dict[str, Any] = {"request": what, "user_agent": probe.user_agent, "status": answer.status}
    if (b := blocked(answer, profile, "a write-shaped request")) is not None:
        return b
    status = answer.status or 0
    text = _error_text(answer)
    if status in (403, 404) and endpoints.XSRF_MARK in answer.body.lower():
        return xsrf_finding(probe, answer, status, text, evidence)
    if 200 <= status < 300 or (status == 400 and text):
        return Finding(
            P + "write-accepted",
            Status.PASS,
            f"A write-shaped POST with the integration's User-Agent passed Jira's XSRF filter (HTTP {status}).",
            evidence=evidence,
        )
    if status in (401,):
        raise NotObserved("the POST was not authenticated", blocked_by=("auth",))
    if status in (404, 405, 410):
        return None  # no write-shaped read at this path on this Jira: nothing observed
    return Finding(
        P + "write-refused",
        Status.WARN,
        f"Jira refused a write-shaped POST that reads work for (HTTP {status}: {text or 'no message'}).",
        evidence={**evidence, "answer": text},
        remediation=(
            "Find what refuses POSTs (a WAF rule, a proxy allowing GET only, Jira's own answer "
            "above) and let the integration's writes through.",
        ),
    )


FIXED_USER_AGENT = "jiradoctor-xsrf-check/1.0"  # any User-Agent that does not look like a browser's
CURL_BODY = '{"jql":"","maxResults":0}'


def xsrf_curl(user_agent: str, url: str, no_check: bool) -> str:
    """The whole command (nothing cut short), quoted for a POSIX shell: it prints the HTTP status."""
    import shlex

    parts = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\\n", "-X", "POST",
             "-H", "Content-Type: application/json"]
    if no_check:
        parts += ["-H", "X-Atlassian-Token: no-check"]
    parts += ["-A", user_agent]
    quoted = " ".join(shlex.quote(p) for p in parts)
    return f'{quoted} -u "$JIRA_USER" -d {shlex.quote(CURL_BODY)} {shlex.quote(url)}'


def xsrf_finding(probe: WriteProbe, answer: HttpAnswer, status: int, text: str, evidence: dict[str, Any]) -> Finding:
    """Jira's XSRF filter refused the write (JIRA-FACTS §10: as 403, or as 404 with the same body). With
    a browser-looking User-Agent ``X-Atlassian-Token: no-check`` did not help in three reports: the fix
    that works leads, a User-Agent of the integration's own."""
    browser = bool(endpoints.BROWSER_UA.match(probe.user_agent))
    remediation: tuple[str, ...]
    if browser:
        why = (f"the requests carry a browser's User-Agent ({probe.user_agent}), which Jira's XSRF filter "
               "treats as a browser form post")
        remediation = (
            "Make the integration send a User-Agent of its own, not a browser's (anything not starting with "
            f"'Mozilla/', e.g. {FIXED_USER_AGENT!r}); embedded browsers and Electron apps send the browser's. "
            "With a browser-looking User-Agent the header X-Atlassian-Token: no-check did not help in three "
            "independent reports.",
            "Also send X-Atlassian-Token: no-check on every POST/PUT/DELETE, and no Origin or Referer header "
            "when the integration logs in with a session cookie.",
        )
        fixed = xsrf_curl(FIXED_USER_AGENT, answer.url, no_check=True)
    else:
        why = f"the requests carry the User-Agent {probe.user_agent} and no X-Atlassian-Token: no-check header"
        remediation = (
            "Make the integration's HTTP client send the header X-Atlassian-Token: no-check on every "
            "POST/PUT/DELETE, and no Origin or Referer header when it logs in with a session cookie.",
        )
        fixed = xsrf_curl(probe.user_agent, answer.url, no_check=True)
    return Finding(
        "can-work/xsrf-refused",
        Status.FAIL,
        f"Jira refuses the integration's writes with 'XSRF check failed' (HTTP {status}) while reads work: "
        f"{why}.",
        evidence={**evidence, "answer": text, "fixed_user_agent": FIXED_USER_AGENT if browser else None},
        remediation=remediation,
        commands=(
            xsrf_curl(probe.user_agent, answer.url, no_check=False) + "   # as the integration sends it: refused",
            fixed + "   # fixed: accepted (a 2xx, or 400 for the empty search)",
        ),
        docs=XSRF_DOCS,
    )


def judge_endpoints(
    probe: EndpointProbe, deployment: str | None, profile: IntegrationProfile | None = None
) -> list[Finding]:
    out: list[Finding] = []
    if probe.specs_error:
        return [
            Finding(
                P + "endpoint-error", Status.WARN, f"The profile's endpoint list cannot be read: {probe.specs_error}."
            )
        ]
    fine: list[str] = []
    for spec, answer in probe.answers:
        note = "" if spec.confirmed else " (listed from what the integration does; not confirmed in the vendor's docs)"
        evidence = {
            "endpoint": str(spec),
            "url": answer.url,
            "status": answer.status,
            "listed_as_confirmed": spec.confirmed,
        }
        if not answer.ok:
            out.append(
                Finding(
                    P + "endpoint-error",
                    Status.WARN,
                    f"{spec}: no answer ({answer.error.message if answer.error else '?'}).",
                    evidence=evidence,
                    subject=str(spec),
                )
            )
            continue
        status = answer.status or 0
        if (b := blocked(answer, profile, str(spec))) is not None:  # a WAF or allowlist in front of this path
            out.append(b)
        elif 200 <= status < 300:
            fine.append(str(spec))
        elif status in (404, 410):
            removal = endpoints.removal_for(spec.path, deployment)
            if removal is not None:
                out.append(
                    Finding(
                        P + "endpoint-removed",
                        Status.FAIL,
                        f"The integration calls {spec.bare_path}{note}, which this Jira no longer serves "
                        f"(HTTP {status}): removed in {removal.since}; use {removal.replacement}.",
                        evidence={
                            **evidence,
                            "answer": _error_text(answer),
                            "replacement": removal.replacement,
                            "source": removal.source,
                        },
                        remediation=(
                            f"Update the integration to a release that calls {removal.replacement} "
                            f"(ask its vendor), or point it at a Jira that still serves the old "
                            f"path.",
                        ),
                        subject=str(spec),
                    )
                )
            else:
                out.append(
                    Finding(
                        P + "endpoint-missing",
                        Status.FAIL,
                        f"The integration calls {spec.bare_path}{note}, and Jira answers HTTP {status}: the "
                        f"API is not there (removed or moved in this Jira version, or the app that serves "
                        f"it is not installed).",
                        evidence={**evidence, "answer": _error_text(answer)},
                        remediation=(
                            "Check the integration's supported Jira versions and the app that provides this REST path.",
                        ),
                        subject=str(spec),
                    )
                )
        elif status == 403:
            out.append(
                Finding(
                    P + "endpoint-refused",
                    Status.INFO,
                    f"{spec}: the resource exists, and refuses this user (HTTP 403): see the permissions check.",
                    evidence={**evidence, "answer": _error_text(answer)},
                    subject=str(spec),
                )
            )
        elif status == 401:
            continue  # not observed for this one
        else:
            out.append(
                Finding(
                    P + "endpoint-error",
                    Status.WARN,
                    f"{spec}: HTTP {status} ({_error_text(answer)}).",
                    evidence=evidence,
                    subject=str(spec),
                )
            )
    if fine:
        out.insert(
            0,
            Finding(
                P + "endpoints-ok",
                Status.PASS,
                f"Every REST endpoint of the profile that was asked answers: {', '.join(fine)}.",
                evidence={"endpoints": fine},
            ),
        )
    return out


def judge_head_get(probe: HeadGetProbe) -> Finding | None:
    get, head = probe.get, probe.head
    if get is None or head is None or not get.ok or not head.ok or get.status != 200:
        return None  # the GET itself fails: oauth-signature names why
    evidence: dict[str, Any] = {"get_status": get.status, "head_status": head.status, "url": get.url}
    if head.status in (200, 204):
        return Finding(
            P + "head-ok",
            Status.PASS,
            "A signed HEAD is accepted like the signed GET: nothing rewrites the method.",
            evidence=evidence,
        )
    problem = probe.head_problem
    if problem is not None and problem.problem == "signature_invalid":
        echoed = problem.base_string or ""
        method_seen = echoed.split("&", 1)[0] if echoed else None
        evidence.update({"oauth_problem": "signature_invalid", "jira_saw_method": method_seen})
        certain = method_seen == "GET"
        return Finding(
            "can-work/head-rewritten",
            Status.FAIL,
            "A signed HEAD fails with signature_invalid while the same signed GET works: "
            + ("Jira saw a GET (its base string starts with GET&): " if certain else "")
            + "something between the integration and Jira turns HEAD into GET, e.g. nginx's proxy_cache "
            "(proxy_cache_convert_head is on by default).",
            evidence=evidence,
            remediation=(
                "Stop the proxy converting HEAD requests for Jira: in nginx, "
                "'proxy_cache_convert_head off;' (and a cache key that includes $request_method), "
                "or no proxy_cache for /rest and /plugins/servlet.",
            ),
            commands=(
                "proxy_cache_convert_head off;   # nginx, in the location that proxies to Jira",
                "proxy_cache_key $scheme$request_method$proxy_host$request_uri;",
            ),
            docs=HEAD_DOCS,
        )
    if head.status == 405:
        return Finding(
            P + "head-refused",
            Status.INFO,
            "Jira (or the proxy) refuses HEAD (405): clients must use GET there.",
            evidence=evidence,
        )
    return Finding(
        P + "head-refused",
        Status.WARN,
        f"A signed HEAD gets HTTP {head.status} while the signed GET works"
        f"{' (oauth_problem=' + problem.problem + ')' if problem and problem.problem else ''}.",
        evidence=evidence,
        remediation=("Find what treats HEAD differently on the way to Jira (a cache, a WAF).",),
    )


def judge_sticky(probe: StickyProbe) -> Finding | None:
    if len(probe.statuses) < 2 or any(s != 200 for s in probe.statuses):
        return None
    nodes = list(probe.nodes)
    named = [n for n in nodes if n]
    evidence = {
        "requests": len(nodes),
        "x_anodeid": nodes,
        "cookie_names": list(probe.cookie_names),
        "session_cookie_sent": list(probe.cookie_sent),
        "new_session_set": list(probe.new_session),
    }
    with_cookie = [n for n, sent in zip(nodes, probe.cookie_sent, strict=False) if sent and n]
    if len(set(with_cookie)) > 1 or (named and len(set(named[1:])) > 1 and any(probe.cookie_sent)):
        return Finding(
            P + "not-sticky",
            Status.FAIL,
            f"Requests carrying the same session cookie were answered by different Jira nodes "
            f"({' -> '.join(str(n) for n in nodes)}): the load balancer does not keep a session on one "
            f"node, so logins do not stick and the integration sees random 401s and lost state.",
            evidence=evidence,
            remediation=(
                "Turn on session affinity (sticky sessions) on the load balancer, keyed on the "
                "JSESSIONID cookie or its own cookie (AWS ALB: stickiness with an application "
                "cookie). An AWS NLB over TLS cannot read cookies: use source-IP stickiness or an "
                "ALB.",
            ),
            docs=STICKY_DOCS,
        )
    if any(probe.new_session[1:]):
        return Finding(
            P + "session-lost",
            Status.WARN,
            "Jira set a new session cookie although the previous one was sent back: the session is not kept "
            f"between requests{' (nodes ' + ' -> '.join(str(n) for n in nodes) + ')' if named else ''}.",
            evidence=evidence,
            remediation=(
                "Check the load balancer's session affinity and that it passes the Cookie header through unchanged.",
            ),
            docs=STICKY_DOCS,
        )
    where = (
        f"node {named[0]} answered all {len(nodes)} requests"
        if named
        else f"{len(nodes)} requests, no X-ANODEID (a single node, or the id is hidden)"
    )
    return Finding(P + "sessions-ok", Status.PASS, f"Sessions stay where they are: {where}.", evidence=evidence)


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    import asyncio  # not at import time: `jiradoctor checks` loads every check and must not load asyncio (issue 14)

    write, eps, head_get, sticky = await asyncio.gather(
        ctx.fact(CAN_WORK_WRITE),
        ctx.fact(CAN_WORK_ENDPOINTS),
        ctx.fact(CAN_WORK_HEAD_GET),
        ctx.fact(CAN_WORK_STICKY),
    )
    if write.prepared.login is None:
        raise NotObserved(write.prepared.reason or "no proven login", blocked_by=write.prepared.blocked_by)
    findings: list[Finding] = []
    for found in (
        judge_write(write, ctx.profile),
        *judge_endpoints(eps, eps.prepared.deployment, ctx.profile),
        judge_head_get(head_get),
        judge_sticky(sticky),
    ):
        if found is not None:
            findings.append(found)
    if not findings:
        raise NotObserved(
            "none of the integration's own requests could be judged (see evidence of auth and reachability)"
        )
    return findings


CHECK = Check(
    id="can-work",
    title="The integration's own requests work (non-mutating probes)",
    explanation="""\
Looks at: what the integration will do, without changing anything: a write-shaped POST (a JQL
search for 0 issues) sent with the integration's User-Agent (--user-agent, or its profile's);
each REST endpoint the integration's profile lists, read with GET; with OAuth 1.0a, a signed
HEAD next to a signed GET; and a few authenticated GETs of /myself sending back the session
cookie, comparing the X-ANODEID of the node that answers.
Why it fails: Jira's XSRF filter refuses POSTs with a browser User-Agent ("XSRF check failed");
an endpoint was removed (Cloud's /rest/api/3/search answers 410: use /rest/api/3/search/jql) or
moved (Jira 10's webhooks); a proxy cache turns HEAD into GET (signature_invalid on HEAD only);
a load balancer without sticky sessions bounces requests between nodes.
How to fix: each finding names the header, replacement path or load-balancer setting.""",
    judge=judge,
    inputs_all=("url",),
    facts=(CAN_WORK_WRITE.name, CAN_WORK_ENDPOINTS.name, CAN_WORK_HEAD_GET.name, CAN_WORK_STICKY.name),
    after=("reachability", "auth"),
    live=True,
    deep=True,
    deep_cost="about 8 more requests in 3 more round trips: a write-shaped POST that changes nothing, a GET per "
    "endpoint the profile uses, a signed HEAD beside a GET, and /myself 3 times with the session cookie",
    order=88,
    codes=tuple(
        P + c
        for c in (
            "write-accepted",
            "xsrf-refused",
            "write-refused",
            "blocked",
            "endpoints-ok",
            "endpoint-removed",
            "endpoint-missing",
            "endpoint-refused",
            "endpoint-error",
            "head-ok",
            "head-rewritten",
            "head-refused",
            "sessions-ok",
            "not-sticky",
            "session-lost",
        )
    ),
)
