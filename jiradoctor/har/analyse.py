"""Judge a recorded browser session: the doctor's own finding codes, each pointing at its HAR entry.

The exchanges are read with the same parsers and judged by the same functions as a live run
(``jira.oauth1``, ``jira.auth_signals``, ``checks.oauth_signature.judge_exchange``), so a HAR of a
failing click names the same cause ``jiradoctor doctor`` would. Nothing is sent anywhere: the
HAR is the only evidence, and every finding is scrubbed of the secrets the file holds before it
is returned.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
import urllib.parse
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from jiradoctor import __version__
from jiradoctor.checks.oauth_signature import judge_exchange
from jiradoctor.har.entry import HarEntry
from jiradoctor.har.reader import HarStream, iter_entries
from jiradoctor.har.redact import redact_entry, redact_url
from jiradoctor.har.shapes import Collector
from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira.integrations import get_profile
from jiradoctor.jira.oauth1 import SignedRequest, base_string_of, parse_problem, parse_token_answer
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.secrets import Redactor

OAUTH_SERVLET = "/plugins/servlet/oauth/"
JIRA_HEADERS = (
    "x-arequestid",
    "x-asessionid",
    "x-seraph-loginreason",
    "x-ausername",
    "x-anodeid",
    "atl-traceid",
    "x-asen",
)
JIRA_PATHS = ("/rest/api/", OAUTH_SERVLET, "/secure/", "/login.jsp", "/rest/auth/", "/rest/applinks/")
MAX_FINDINGS_PER_CODE = 20  # a HAR of a retry loop holds thousands of the same failure

TITLES = {
    "har": "HAR file: the recorded session",
    "oauth-signature": "OAuth 1.0a answers in the HAR",
    "consumer-key": "Consumer key (from the HAR)",
    "auth": "Logins in the HAR",
    "base-url": "Jira URL and Base URL seen in the HAR",
}


def locate(e: HarEntry, c: Collector) -> dict[str, Any]:
    """Where the finding's evidence sits in the HAR (URL redacted)."""
    return {"index": e.index, "method": e.method, "url": redact_url(e.url, c)[:2048], "time": e.started}


def is_jira(e: HarEntry) -> bool:
    return any(h in e.response_headers for h in JIRA_HEADERS) or any(p in e.path for p in JIRA_PATHS)


def _credential(e: HarEntry) -> str | None:
    """The auth scheme the request carried: basic, bearer, oauth (None: none)."""
    value = e.request_headers.get("authorization", "").strip()
    scheme = value.split(" ", 1)[0].lower()
    return {"basic": "basic", "bearer": "pat", "oauth": "oauth1"}.get(scheme) if value else None


def _basic_password(e: HarEntry) -> str | None:
    value = e.request_headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(value[6:].strip(), validate=True).decode("utf-8", "replace").partition(":")[2]
    except (binascii.Error, ValueError):
        return None


def _jira_root(e: HarEntry) -> JiraUrl | None:
    """The Jira URL a request used: the part of its URL before /rest/ or /plugins/servlet/."""
    try:
        url = JiraUrl.parse(e.url)
    except InvalidUrl:
        return None
    for marker in ("/plugins/servlet/", "/rest/", "/secure/", "/login.jsp"):
        if marker in url.path:
            return JiraUrl(url.scheme, url.host, url.port, url.path[: url.path.index(marker)])
    return None


class Analysis:
    """Accumulates findings entry by entry (the HAR is streamed once)."""

    def __init__(self, integration: str = "generic") -> None:
        self.profile = get_profile(integration)
        self.c = Collector()
        self.findings: dict[str, list[Finding]] = {k: [] for k in TITLES}
        self.counts: dict[str, int] = {}
        self.entries = 0
        self.jira_entries = 0
        self.jira_urls: dict[str, int] = {}
        self.base_urls: dict[str, dict[str, Any]] = {}
        self.page_schemes: set[str] = set()
        self.last_basic_401: dict[str, HarEntry] = {}

    # -- plumbing ------------------------------------------------------------------------------
    def add(self, check: str, finding: Finding, e: HarEntry | None) -> None:
        n = self.counts.get(finding.code, 0) + 1
        self.counts[finding.code] = n
        if n > MAX_FINDINGS_PER_CODE:
            return
        evidence = dict(finding.evidence)
        if e is not None:
            evidence["har_entry"] = locate(e, self.c)
            where = f"HAR entry #{e.index} ({e.method} {redact_url(e.url, self.c)[:200]}"
            where += f" at {e.started})" if e.started else ")"
            finding = replace(
                finding, message=f"{finding.message} [{where}]", subject=finding.subject or f"entry-{e.index}"
            )
        self.findings[check].append(replace(finding, evidence=evidence))

    # -- per entry -----------------------------------------------------------------------------
    def entry(self, e: HarEntry) -> None:
        self.entries += 1
        jira = is_jira(e)
        if jira:
            self.jira_entries += 1
            root = _jira_root(e)
            if root is not None:
                self.jira_urls[str(root)] = self.jira_urls.get(str(root), 0) + 1
        if not e.url_ok:
            self.bad_url(e)
            return
        if e.error or e.blocked:
            self.failed(e)
            return
        if e.status is None:
            return
        self.base_url_seen(e)
        handled = False
        if OAUTH_SERVLET in e.path or _credential(e) == "oauth1" or self.oauth_answer(e):
            handled = self.oauth(e)
        if not handled and jira:
            handled = self.auth(e)
        if not handled:
            self.http_status(e, jira)
        self.mixed(e)

    def oauth_answer(self, e: HarEntry) -> bool:
        answer = e.answer()
        return parse_problem(answer.header("www-authenticate"), answer.body) is not None and "oauth_problem" in (
            (answer.header("www-authenticate") or "") + answer.body[:4000]
        )

    def oauth(self, e: HarEntry) -> bool:
        answer = e.answer()
        if "/oauth/authorize" in e.path:
            return self.authorize(e)
        problem = parse_problem(answer.header("www-authenticate"), answer.body)
        granted = bool(answer.status == 200 and parse_token_answer(answer.body))
        if granted:
            for name in ("oauth_token", "oauth_token_secret"):
                self.c.mask((parse_token_answer(answer.body) or {}).get(name, ""))
        if not granted and (problem is None or problem.problem is None) and OAUTH_SERVLET not in e.path:
            return False
        request = None
        authorization = e.request_headers.get("authorization", "")
        if authorization.lower().startswith("oauth"):
            try:
                body = e.request_body if "x-www-form-urlencoded" in e.request_headers.get("content-type", "") else None
                request = SignedRequest(
                    e.method,
                    e.url,
                    {"Authorization": authorization},
                    base_string_of(e.method, e.url, {"Authorization": authorization}, body),
                )
            except (ValueError, TypeError):  # an unparseable header is still judged by its answer
                request = None
        consumer_key = ""
        if problem and problem.problem in ("consumer_key_unknown", "consumer_key_rejected"):
            from jiradoctor.jira.oauth1 import parse_www_authenticate

            consumer_key = parse_www_authenticate(authorization).get("oauth_consumer_key", "") if authorization else ""
            self.consumer_key(e, problem.problem, consumer_key)
            return True
        if problem and problem.problem == "signature_invalid" and request is None:
            # the browser relayed Jira's answer (no signed request of ours to diff against)
            self.add(
                "oauth-signature",
                Finding(
                    "oauth-signature/problem",
                    Status.FAIL,
                    "Jira answered signature_invalid"
                    + (" and echoed the base string it computed" if problem.base_string else "")
                    + ", but the HAR does not hold the signed request, so there is nothing to diff it against.",
                    evidence={
                        "oauth_problem": "signature_invalid",
                        "status": e.status,
                        "jira_base_string": problem.base_string,
                    },
                    remediation=(
                        "Run `jiradoctor doctor` with the integration's --url, --consumer-key and --private-key: "
                        "it signs the same request and diffs the base strings.",
                    ),
                ),
                e,
            )
            return True
        exchange = OAuthExchange(consumer_key, request, answer, problem, granted)
        base = None
        if problem and problem.realm:
            try:
                base = JiraUrl.parse(problem.realm)
            except InvalidUrl:
                base = None
        finding = judge_exchange(exchange, base, None, self.profile)
        if finding.code == "oauth-signature/not-jira" and OAUTH_SERVLET not in e.path:
            return False
        self.add("oauth-signature", finding, e)
        return True

    def consumer_key(self, e: HarEntry, problem: str, typed: str) -> None:
        from jiradoctor.jira import consumer_keys as ck

        shown = ck.visible(typed) if typed else "(not in the HAR)"
        if problem == "consumer_key_rejected":
            self.add(
                "consumer-key",
                Finding(
                    "consumer-key/rejected",
                    Status.FAIL,
                    f"Jira knows the consumer key {shown} but refuses it (oauth_problem=consumer_key_rejected).",
                    evidence={"as_sent": shown, "oauth_problem": problem},
                    remediation=(
                        "Check the application link in Jira: it may be disabled, or not allow incoming OAuth.",
                    ),
                ),
                e,
            )
            return
        cleaned = ck.cleaned(typed) if typed else ""
        extra = f" It holds stray characters; the cleaned key is {cleaned!r}." if typed and cleaned != typed else ""
        self.add(
            "consumer-key",
            Finding(
                "consumer-key/unknown",
                Status.FAIL,
                f"Jira does not know the consumer key {shown} (oauth_problem={problem}).{extra}",
                evidence={"as_sent": shown, "oauth_problem": problem, "status": e.status},
                remediation=(
                    "Set the same consumer key in Jira's application link (Incoming Authentication) and in the "
                    "integration.",
                ),
                docs=(
                    "https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",
                ),
            ),
            e,
        )

    def authorize(self, e: HarEntry) -> bool:
        """The browser step of the OAuth dance: Jira's allow/deny page and where it sends the user."""
        answer = e.answer()
        location = sig.redirect_location(answer)
        if location:
            query = dict(urllib.parse.parse_qsl(location.partition("?")[2].partition("#")[0]))
            for name in ("oauth_token", "oauth_verifier"):
                self.c.mask(query.get(name, ""))
            if "login" in location.lower() and "oauth_verifier" not in query:
                f = Finding(
                    "oauth-signature/authorize-login",
                    Status.INFO,
                    "The authorize step sent the user to log in first (normal when not logged in to Jira).",
                    evidence={"status": e.status, "location": redact_url(location, self.c)},
                )
            elif "oauth_verifier" in query and query.get("oauth_verifier") not in ("", "denied"):
                f = Finding(
                    "oauth-signature/authorize-ok",
                    Status.PASS,
                    "The user allowed the integration: Jira redirected back to its callback with a verifier.",
                    evidence={"status": e.status, "location": redact_url(location, self.c)},
                )
            else:
                f = Finding(
                    "oauth-signature/authorize-denied",
                    Status.WARN,
                    "The authorize step returned to the integration without a verifier: the user denied access "
                    "(or Jira refused the request token).",
                    evidence={"status": e.status, "location": redact_url(location, self.c)},
                    remediation=("Authorise again and choose Allow, logged in as the user the integration acts for.",),
                )
            self.add("oauth-signature", f, e)
            return True
        body = answer.body[:20000].lower()
        if answer.status == 200 and "denied" in body:
            self.add(
                "oauth-signature",
                Finding(
                    "oauth-signature/authorize-denied",
                    Status.WARN,
                    "The user denied the integration access on Jira's authorize page.",
                    evidence={"status": e.status},
                    remediation=("Authorise again and choose Allow.",),
                ),
                e,
            )
        elif answer.status == 200 and "verification code" in body:
            self.add(
                "oauth-signature",
                Finding(
                    "oauth-signature/authorize-ok",
                    Status.PASS,
                    "The user allowed the integration (out-of-band verification code shown).",
                    evidence={"status": e.status},
                ),
                e,
            )
        elif answer.status == 200:
            self.add(
                "oauth-signature",
                Finding(
                    "oauth-signature/authorize-shown",
                    Status.INFO,
                    "Jira showed its authorize (allow/deny) page.",
                    evidence={"status": e.status},
                ),
                e,
            )
        else:
            self.add(
                "oauth-signature",
                Finding(
                    "oauth-signature/authorize-failed",
                    Status.FAIL,
                    f"Jira's authorize page answered HTTP {answer.status}: the request "
                    f"token is invalid, expired or already used.",
                    evidence={"status": e.status, "body_start": self.c.shapes(answer.body[:200])},
                    remediation=(
                        "Start the connection again from the integration: request "
                        "tokens are single-use and expire within minutes.",
                    ),
                ),
                e,
            )
        return True

    def auth(self, e: HarEntry) -> bool:
        answer = e.answer()
        method = _credential(e)
        evidence = {"status": e.status, "credential": method}
        for name in (sig.SERAPH_REASON, sig.DENIED_REASON, sig.AUSERNAME):
            if (value := answer.header(name)) is not None:
                evidence[name] = self.c.shapes(urllib.parse.unquote(value))[:300]
        if (captcha := sig.captcha(answer)) is not None:
            self.add(
                "auth",
                Finding(
                    "auth/captcha-required",
                    Status.FAIL,
                    f"Jira refuses to check the password: after failed logins it demands a CAPTCHA "
                    f"(X-Seraph-LoginReason: {captcha.login_reason or '-'}, X-Authentication-Denied-Reason: "
                    f"{captcha.denied_reason or '-'}).",
                    evidence={
                        **evidence,
                        "login_url": redact_url(captcha.login_url, self.c) if captcha.login_url else None,
                    },
                    remediation=(
                        "Log in once through a browser as the service user and answer the CAPTCHA, or have an "
                        "administrator reset the user's failed-login count; then fix the stored password.",
                    ),
                ),
                e,
            )
            return True
        if "/rest/" in e.path and (sso := sig.sso(answer, answer.looks_like_html, e.url)) is not None:
            where = f"a redirect to {redact_url(sso.location, self.c)}" if sso.location else "an HTML login page"
            self.add(
                "auth",
                Finding(
                    "auth/sso-redirect",
                    Status.FAIL,
                    f"Jira's REST API answered with {where}: single sign-on owns the login, and an integration cannot "
                    f"pass an identity provider's login page.",
                    evidence={**evidence, "kind": sso.kind, "idp_hint": sso.idp_hint},
                    remediation=(
                        "Exempt the service user (or REST calls) from SSO so it logs in with Jira's own credentials.",
                    ),
                ),
                e,
            )
            return True
        if sig.cloud_password_refused(answer):
            self.add(
                "auth",
                Finding(
                    "auth/password-on-cloud",
                    Status.FAIL,
                    "Jira Cloud refuses the account password: Basic authentication takes the account's e-mail and an "
                    "API token.",
                    evidence=evidence,
                    remediation=(
                        "Create an API token at https://id.atlassian.com/manage-profile/security/api-tokens and "
                        "use it in place of the password.",
                    ),
                ),
                e,
            )
            return True
        if (
            answer.status == 200
            and method
            and (sig.is_anonymous(answer) or sig.login_reason(answer) == sig.AUTHENTICATED_FAILED)
        ):
            self.add(
                "auth",
                Finding(
                    "auth/anonymous-fallback",
                    Status.FAIL,
                    f"Jira answered 200 although it refused the credentials (X-Seraph-LoginReason: "
                    f"{sig.login_reason(answer) or '-'}, X-AUSERNAME: {sig.seen_as(answer) or '-'}): the integration "
                    f"works as anonymous.",
                    evidence=evidence,
                    remediation=("Fix the stored credentials; only /rest/api/2/myself proves a login.",),
                ),
                e,
            )
            return True
        if answer.status in (401, 403) and method:
            password = _basic_password(e)
            if method == "basic" and password and sig.is_cloud_api_token(password):
                cloud = (urllib.parse.urlsplit(e.url).hostname or "").endswith(sig.CLOUD_HOST_SUFFIXES)
                self.add(
                    "auth",
                    Finding(
                        "auth/cloud-token-refused" if cloud else "auth/cloud-token-on-server",
                        Status.FAIL,
                        f"Jira refused Basic auth (HTTP {answer.status}) whose password is an Atlassian Cloud API "
                        "token (it starts ATATT): "
                        + ("the token is wrong, expired, revoked, scoped (the site URL never accepts one), blocked "
                           "by an organisation admin, or not the e-mail's own; at the site URL these look alike."
                           if cloud else "a self-hosted Jira never knows a Cloud API token."),
                        evidence=evidence,
                        remediation=(
                            "Create a new API token for the account and use it with the account's e-mail."
                            if cloud else "Create a personal access token on this Jira and send it as "
                            "'Authorization: Bearer' (the integration's PAT option), or use the user's password.",
                        ),
                    ),
                    e,
                )
                return True
            if method == "basic" and password and sig.looks_like_token(password):
                self.add(
                    "auth",
                    Finding(
                        "auth/pat-as-password",
                        Status.FAIL,
                        f"Jira refused Basic auth (HTTP {answer.status}) whose password has the shape of a personal "
                        f"access token: a PAT is sent as 'Authorization: Bearer', never as a password.",
                        evidence=evidence,
                        remediation=(
                            "Choose the integration's personal-access-token option, or enter the user's real password.",
                        ),
                    ),
                    e,
                )
                return True
            if sig.login_reason(answer) == "AUTHORISATION_FAILED":
                code, text = (
                    "auth/no-application-access",
                    "Jira accepts the credentials but does not let the user in (AUTHORISATION_FAILED).",
                )
            else:
                code, text = (
                    "auth/invalid-credentials",
                    (
                        f"Jira refuses the credentials (HTTP {answer.status}, "
                        f"X-Seraph-LoginReason: {sig.login_reason(answer) or '-'})."
                    ),
                )
            self.add(
                "auth",
                Finding(
                    code,
                    Status.FAIL,
                    text,
                    evidence={**evidence, "jira_says": [self.c.shapes(m) for m in sig.error_messages(answer.body)]},
                    remediation=("Check the credentials stored in the integration.",),
                ),
                e,
            )
            return True
        identity = sig.read_identity(answer.body) if answer.status == 200 and method else None
        if identity is not None:
            self.add(
                "auth",
                Finding(
                    "auth/ok",
                    Status.PASS,
                    f"Jira accepted the login and sees the user {identity.describe()}.",
                    evidence=evidence,
                ),
                e,
            )
            return True
        return False

    def http_status(self, e: HarEntry, jira: bool) -> None:
        status = e.status or 0
        where = "Jira" if jira else "the integration (or another site)"
        evidence = {
            "status": status,
            "jira": jira,
            "server": self.c.shapes(e.response_headers.get("server", ""))[:100] or None,
        }
        if status == 407:
            self.add(
                "har",
                Finding(
                    "har/proxy-auth-required",
                    Status.FAIL,
                    "A proxy between the browser and the server asked for authentication (HTTP 407).",
                    evidence=evidence,
                    remediation=("Give the proxy's credentials, or exempt the host from the proxy.",),
                ),
                e,
            )
        elif status >= 500:
            self.add(
                "har",
                Finding(
                    "har/server-error",
                    Status.FAIL,
                    f"{where} answered HTTP {status}.",
                    evidence=evidence,
                    remediation=("Look at the server's log for the time of this entry.",),
                ),
                e,
            )
        elif status in (401, 403):
            self.add(
                "har",
                Finding("har/refused", Status.WARN, f"{where} refused a request (HTTP {status}).", evidence=evidence),
                e,
            )

    def failed(self, e: HarEntry) -> None:
        evidence = {
            "error": self.c.shapes(e.error or "")[:300] or None,
            "blocked": self.c.shapes(e.blocked or "")[:300] or None,
        }
        if e.blocked:
            self.add(
                "har",
                Finding(
                    "har/blocked",
                    Status.FAIL,
                    f"The browser blocked the request ({evidence['blocked']}): a content-security "
                    f"policy, mixed content, CORS or a browser extension stopped it before it reached "
                    f"the server.",
                    evidence=evidence,
                    remediation=("Open the browser's console at this time: it names the rule that blocked it.",),
                ),
                e,
            )
        else:
            self.add(
                "har",
                Finding(
                    "har/request-failed",
                    Status.FAIL,
                    f"The request got no answer ({evidence['error']}): connection refused or reset, "
                    f"DNS, TLS, or a timeout.",
                    evidence=evidence,
                    remediation=(
                        "Run `jiradoctor doctor --url …` from the same network for the dns, tls and proxy checks.",
                    ),
                ),
                e,
            )

    def bad_url(self, e: HarEntry) -> None:
        self.add(
            "har",
            Finding(
                "har/bad-url",
                Status.WARN,
                "The entry's URL cannot be parsed (a broken IPv6 host, a bad port): the entry is not judged.",
                evidence={"status": e.status},
                remediation=("Export the HAR again; if the URL is really so, the page built it wrongly.",),
            ),
            e,
        )

    def mixed(self, e: HarEntry) -> None:
        if e.scheme == "http" and "https" in self.page_schemes:
            self.add(
                "har",
                Finding(
                    "har/mixed-content",
                    Status.WARN,
                    "An https session made a plain-http request: browsers block or downgrade it, and "
                    "Jira's Base URL or a link to it says http where https is meant.",
                    evidence={"scheme": "http"},
                    remediation=("Make every URL (Jira's Base URL, the integration's Jira URL) https.",),
                ),
                e,
            )
        if e.scheme in ("http", "https") and "html" in e.mime_type.lower():
            self.page_schemes.add(e.scheme)

    def base_url_seen(self, e: HarEntry) -> None:
        answer = e.answer()
        base = None
        problem = parse_problem(answer.header("www-authenticate"), None)
        if problem and problem.realm and "://" in problem.realm:
            base = ("WWW-Authenticate realm", problem.realm)
        elif e.path.endswith("/rest/api/2/serverInfo") and e.status == 200:
            try:
                import json

                data = json.loads(e.response_body)
                if isinstance(data, dict) and isinstance(data.get("baseUrl"), str):
                    base = ("serverInfo baseUrl", data["baseUrl"][:2048])
            except ValueError:
                pass
        if base:  # a Base URL can carry user:password@: never quoted
            self.base_urls.setdefault(redact_url(base[1], self.c), {"source": base[0], "entry": locate(e, self.c)})

    # -- summary -------------------------------------------------------------------------------
    def finish(self, stream: HarStream) -> None:
        if stream.problem is not None:
            # a file cut short is never a green gate either: what it held is judged, the rest is unknown
            status = Status.FAIL
            self.add(
                "har",
                Finding(
                    f"har/{'truncated' if stream.problem.kind == 'truncated' else 'unreadable'}",
                    status,
                    f"The HAR cannot be read "
                    f"{'to its end' if stream.problem.kind == 'truncated' else ''}: "
                    f"{stream.problem.message}.".replace("  ", " "),
                    evidence={"kind": stream.problem.kind, "entries_read": self.entries},
                    remediation=(
                        "Export the HAR again from the browser's network panel (Save all as HAR with content).",
                    ),
                ),
                None,
            )
        for code, n in self.counts.items():
            if n > MAX_FINDINGS_PER_CODE:
                check = code.split("/")[0]
                self.findings[check if check in self.findings else "har"].append(
                    Finding(
                        f"{code.split('/')[0]}/more",
                        Status.INFO,
                        f"{n - MAX_FINDINGS_PER_CODE} more entries with {code} not listed.",
                        evidence={"code": code, "count": n},
                    )
                )
        jira_urls = sorted(self.jira_urls)
        if self.jira_entries:
            self.add(
                "har",
                Finding(
                    "har/jira-seen",
                    Status.INFO,
                    f"{self.jira_entries} of {self.entries} entries are Jira's; Jira URL(s) used: "
                    f"{', '.join(jira_urls) or 'unknown'}.",
                    evidence={
                        "jira_urls": jira_urls,
                        "entries": self.entries,
                        "jira_entries": self.jira_entries,
                        "creator": self.c.shapes(
                            str(
                                (stream.meta.get("creator") or {}).get("name", "")
                                if isinstance(stream.meta.get("creator"), dict)
                                else ""
                            )
                        )[:100],
                    },
                ),
                None,
            )
        for base, where in self.base_urls.items():
            roots = [u for u in jira_urls if u.rstrip("/") != base.rstrip("/")]
            if jira_urls and roots and len(jira_urls) == len(roots):
                self.add(
                    "base-url",
                    Finding(
                        "base-url/mismatch",
                        Status.FAIL,
                        f"Jira's Base URL is {base} ({where['source']}) but the session used "
                        f"{', '.join(roots)}: OAuth signatures, redirects and links break when "
                        f"they differ.",
                        evidence={"base_url": base, "used": roots, **where},
                        remediation=(
                            "Make the URL entered in the integration and Jira's Base URL "
                            "the same, exactly (scheme, host, port, context path).",
                        ),
                    ),
                    None,
                )
            else:
                self.add(
                    "base-url",
                    Finding(
                        "base-url/seen",
                        Status.PASS,
                        f"Jira's Base URL is {base} ({where['source']}), the URL the session used.",
                        evidence={"base_url": base, **where},
                    ),
                    None,
                )

    def report(self, source: str, duration_s: float, extra_secrets: Iterable[str] = ()) -> Report:
        # values masked by the HAR's own structure: only distinctive ones are searched for in prose
        redactor = Redactor([*self.c.values(), *extra_secrets])
        self.c.echoes_on = True
        checks = []
        for check, findings in self.findings.items():
            if not findings:
                if check == "har":
                    reason = "the HAR holds no Jira exchange" if self.entries else "the HAR holds no entries"
                    if not self.jira_entries:
                        checks.append(CheckResult.skipped(check, TITLES[check], reason))
                continue
            safe = [
                replace(
                    f,
                    message=self.c.echoes(redactor.text(self.c.shapes(f.message, prose=True))),
                    evidence=redactor.value(self.c_scrub(f.evidence)),
                    remediation=tuple(self.c.echoes(redactor.text(r)) for r in f.remediation),
                )
                for f in findings
            ]
            checks.append(CheckResult.from_findings(check, TITLES[check], safe))
        base = next(iter(self.base_urls), None)
        return Report(
            tool_version=__version__,
            target=TargetSummary(url=source, integration=self.profile.id, auth="none", jira=JiraFacts(base_url=base)),
            started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            duration_s=round(duration_s, 3),
            checks=tuple(checks),
        )

    def c_scrub(self, evidence: Mapping[str, Any]) -> dict[str, Any]:
        """Evidence scrubbed by shape; echoed base strings keep their parameter names, not values."""
        from jiradoctor.har.redact import echo, redact_base_string, scrub_strings

        out = dict(evidence)
        for key in ("signed_base_string", "jira_base_string"):
            if isinstance(out.get(key), str):
                out[key] = redact_base_string(out[key], self.c)
        scrubbed: dict[str, Any] = echo(scrub_strings(out, self.c), self.c)
        return scrubbed


def analyse_stream(fh: IO[bytes], source: str, integration: str = "generic") -> Report:
    started = time.monotonic()
    analysis = Analysis(integration)
    stream = HarStream()
    for index, raw in enumerate(iter_entries(fh, stream)):
        redact_entry(raw, analysis.c)  # learn every secret the entry holds, to scrub the findings of them
        analysis.entry(HarEntry.from_json(index, raw))
    analysis.finish(stream)
    return analysis.report(source, time.monotonic() - started)


def analyse_file(path: str | Path, integration: str = "generic") -> Report:
    with open(path, "rb") as fh:
        return analyse_stream(fh, Path(path).name, integration)
