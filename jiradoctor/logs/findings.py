"""Matched records become the doctor's own findings: the same codes and fixes a live run gives.

``Tally`` gathers every match of one cause (a signature and what it names: the oauth_problem, the
user, the link): how many, first and last seen, the node and threads, and a few redacted lines as
evidence. ``to_finding`` then builds the finding with the live checks' own judgement where one
exists (``checks.oauth_signature.judge_signature_invalid`` diffs Jira's base string against the
integration's view given with --url / --consumer-key), and the ``logs/…`` codes where none does.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from jiradoctor.jira import consumer_keys as ck
from jiradoctor.jira.integrations import get_profile
from jiradoctor.jira.oauth1 import BaseString, OAuthProblem, SignedRequest
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.logs import signatures as sig
from jiradoctor.logs.records import Record, Stamp
from jiradoctor.logs.redact import LogRedactor, base_string_of
from jiradoctor.model import Finding, Status

MAX_SAMPLES = 3  # records shown per finding
# A logged oauth_problem does not say who refused: Jira's OAuth provider (the integration calling Jira), or
# the application Jira called through a link (Atlassian's guide lists it for "the local application").
_DIRECTION = (" The line alone does not say which side refused: Jira (the integration calling it) or the "
              "application Jira called through a link; the URL and the logger in the lines tell.")
MAX_SAMPLE_LINES = 12
MAX_LINE_SHOWN = 1000
MAX_DISTINCT = 10  # threads, files, keys, URLs named per finding
SIGNATURE_DOCS = "docs/LOG-SIGNATURES.md"

_CONSUMER_KEY = re.compile(
    r'oauth_consumer_key\s*[=:]\s*"([^"\n]{1,200})"'  # quoted: whitespace kept, it is often the fault
    r"|oauth_consumer_key\s*[=:]\s*([^\s\"&,;]{1,200})"
    r"|oauth_consumer_key(?:%3D|%253D)((?:(?!%26|%2526)[^&\s\"]){1,600})"  # inside a base string
)
_NODE = re.compile(r"X-ANODEID[\"']?\s*[=:]\s*[\"']?([\w.-]{1,100})")
_REALM = re.compile(r"OAuth realm=\\?\"([^\"\\]{1,500})")
_TRUSTED_APP_ERROR = re.compile(r"X-Seraph-Trusted-App-Error=([A-Z_]{1,60})")
_HOST_IN_PKIX = re.compile(r"(?:invoking|connect(?:ing)? to|url[=:]\s*)\s*(https://[^\s\"'<>]{1,300})", re.I)


@dataclass
class Tally:
    """Every match of one cause; bounded whatever the log's size."""

    signature: sig.Signature
    key: str
    count: int = 0
    first: Stamp | None = None
    last: Stamp | None = None
    threads: Counter[str] = field(default_factory=Counter)
    nodes: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, record: Record, source: str, node: str | None, redactor: LogRedactor) -> None:
        self.count += 1
        if record.stamp:
            if self.first is None or record.stamp.when < self.first.when:
                self.first = record.stamp
            if self.last is None or record.stamp.when > self.last.when:
                self.last = record.stamp
        for counter, value in ((self.threads, record.thread), (self.files, source),
                               (self.nodes, node or _first(_NODE, record.text))):
            if value and (value in counter or len(counter) < MAX_DISTINCT):
                counter[value] += 1
        if len(self.samples) < MAX_SAMPLES:
            lines = redactor.text(record.text).split("\n")
            shown = [line[:MAX_LINE_SHOWN] for line in lines[:MAX_SAMPLE_LINES]]
            if len(lines) > MAX_SAMPLE_LINES:
                shown.append(f"… {len(lines) - MAX_SAMPLE_LINES} more lines")
            self.samples.append("\n".join(shown))

    def note(self, name: str, value: str | None) -> None:
        if value is None:
            return
        kept = self.values.setdefault(name, [])
        if value not in kept and len(kept) < MAX_DISTINCT:
            kept.append(value)

    def evidence(self) -> dict[str, Any]:
        """What a person needs: how many, when (UTC), where (node, thread, file), and the lines."""
        return {
            "count": self.count,
            "first_seen": self.first.text() if self.first else None,
            "last_seen": self.last.text() if self.last else None,
            "nodes": sorted(self.nodes) or None,
            "threads": [t for t, _ in self.threads.most_common(5)],
            "files": sorted(self.files),
            "urls": list(self.values.get("url") or []),
            "lines": list(self.samples),
            "signature": self.signature.id,
            "signature_sources": list(self.signature.sources),
        }


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return m.group(1) if m else None


def classify(record: Record, signature: sig.Signature) -> tuple[str, dict[str, str | None]] | None:
    """The cause a record names (the tally's key) and the values it carries; None when it does not match."""
    m = signature.pattern.search(record.text)
    if m is None:
        return None
    text = record.text
    if signature is sig.OAUTH_PROBLEM:
        km = _CONSUMER_KEY.search(text)
        key = next((g for g in km.groups() if g is not None), None) if km else None
        return m.group(1), {
            "consumer_key": urllib.parse.unquote(urllib.parse.unquote(key)) if key else None,
            "base_string": base_string_of(text),
            "url": record.url,
        }
    if signature is sig.APPLINK_AUTH_FAILED:
        realm = _first(_REALM, text)
        return m.group("name"), {
            "link_id": m.group("id"),
            "link_url": m.group("url"),
            "realm": urllib.parse.unquote(realm) if realm else None,
            "trusted_app_error": _first(_TRUSTED_APP_ERROR, text),
        }
    if signature in (sig.LOGIN_FAILED, sig.LOGIN_NOT_ALLOWED):
        return m.group("user"), {"failure_count": m.groupdict().get("n")}
    if signature is sig.PKIX:
        return "pkix", {"url": _first(_HOST_IN_PKIX, text) or record.url}
    if signature is sig.REQUEST_TARGET:
        return "request-target", {"target": m.group("target")}
    return signature.id, {}


@dataclass(frozen=True)
class IntegrationView:
    """What the integration says it uses (--url, --consumer-key): the other side of the diff."""

    url: str | None = None
    consumer_key: str | None = None


def _integration_base_string(jira: BaseString, view: IntegrationView) -> str | None:
    """The base string the integration would have signed for the request Jira logged: its own Jira URL
    (--url) in front of the same path, its own consumer key, the same other parameters."""
    if not view.url:
        return None
    try:
        ours = JiraUrl.parse(view.url)
        seen = JiraUrl.parse(jira.url)
    except InvalidUrl:
        return None
    path = seen.path
    for marker in ("/plugins/servlet/", "/rest/"):
        if marker in path:
            path = path[path.index(marker):]
            break
    signed_url = ours.join(path)
    params = [(k, view.consumer_key if k == "oauth_consumer_key" and view.consumer_key is not None else v)
              for k, v in jira.params]
    joined = "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(params))
    return "&".join((jira.method, quote(signed_url), quote(joined)))


def quote(text: str) -> str:
    """RFC 5849 percent-encoding (unreserved characters kept)."""
    return urllib.parse.quote(text, safe="~")


def _signature_invalid(tally: Tally, view: IntegrationView, redactor: LogRedactor) -> Finding:
    from jiradoctor.checks.oauth_signature import DOCS, judge_signature_invalid
    from jiradoctor.probes.oauth import OAuthExchange

    found = tally.values.get("base_string") or []
    jira_bs = found[0] if found else None
    parsed = BaseString.parse(jira_bs) if jira_bs else None
    safe_jira = redactor.base_string(jira_bs) if jira_bs else None
    seen_url = parsed.url if parsed else None
    ours = _integration_base_string(parsed, view) if parsed else None
    if parsed is not None and ours is not None:
        exchange = OAuthExchange(
            view.consumer_key or "",
            SignedRequest(parsed.method, urllib.parse.unquote(ours.split("&")[1]), {}, ours),
            None,
            OAuthProblem("signature_invalid", {"oauth_signature_base_string": jira_bs or ""}),
            False,
        )
        live = judge_signature_invalid(exchange, None, None, get_profile("generic"))
        evidence = {**live.evidence, "jira_base_string": safe_jira,
                    "signed_base_string": redactor.base_string(ours), "integration_url": view.url}
        return replace(live, message=f"Jira's log: {live.message}", evidence=evidence)
    where = f" for {seen_url}" if seen_url else ""
    return Finding(
        "oauth-signature/problem",
        Status.FAIL,
        f"Jira's log records {tally.count} OAuth request(s) refused with signature_invalid{where}"
        + (": the base string the refusing side computed is below." if jira_bs else ": the log holds no base "
           "string.") + _DIRECTION,
        evidence={"oauth_problem": "signature_invalid", "jira_base_string": safe_jira, "jira_saw_url": seen_url},
        remediation=(
            "Run `jiradoctor logs` again with --url (the Jira URL exactly as entered in the integration) and "
            "--consumer-key: it diffs this base string against the one the integration signs and names the part "
            "that differs (scheme, host, port, path, a parameter, or the public key).",
        ),
        docs=DOCS,
        subject="signature_invalid",
    )


def _oauth(tally: Tally, view: IntegrationView, redactor: LogRedactor) -> Finding:
    from jiradoctor.checks.oauth_signature import _PROBLEM_CODES, DOCS

    problem = tally.key
    keys = tally.values.get("consumer_key") or []
    if problem == "signature_invalid":
        return _signature_invalid(tally, view, redactor)
    if problem in ("consumer_key_unknown", "consumer_key_rejected"):
        shown = ", ".join(ck.visible(k) for k in keys) or "(the log does not name it)"
        typed = view.consumer_key
        extra = ""
        if typed is not None and keys and typed not in keys:
            extra = f" The integration's key is {ck.visible(typed)}: it is not the one Jira received."
        elif keys and any(ck.cleaned(k) != k for k in keys):
            extra = " It holds stray characters (shown above)."
        code = "consumer-key/unknown" if problem == "consumer_key_unknown" else "consumer-key/rejected"
        text = ("Jira's log: the OAuth provider does not know the consumer key" if code.endswith("unknown")
                else "Jira's log: the OAuth provider knows the consumer key but refuses it")
        return Finding(
            code,
            Status.FAIL,
            f"{text} {shown} (oauth_problem={problem}, {tally.count} time(s) in Jira's log).{extra}",
            evidence={"oauth_problem": problem, "consumer_key": keys[0] if keys else None, "as_sent": keys},
            remediation=(
                "Set the same consumer key in Jira's application link (Incoming Authentication) and in the "
                "integration, character for character."
                if code.endswith("unknown")
                else "Check the application link in Jira: it may be disabled, or not allow incoming OAuth.",
            ),
            docs=DOCS,
            subject=problem,
        )
    if problem in _PROBLEM_CODES:
        slug, message, fix = _PROBLEM_CODES[problem]
        return Finding(f"oauth-signature/{slug}", Status.FAIL, f"Jira's log: {message}",
                       evidence={"oauth_problem": problem, "consumer_key": keys[0] if keys else None},
                       remediation=(fix,), docs=DOCS, subject=problem)
    return Finding(
        "oauth-signature/problem",
        Status.FAIL,
        f"Jira's log records {tally.count} OAuth request(s) refused with oauth_problem={problem}.{_DIRECTION}",
        evidence={"oauth_problem": problem, "consumer_key": keys[0] if keys else None},
        remediation=("See Jira's OAuth troubleshooting guide for this problem.",),
        docs=DOCS,
        subject=problem,
    )


def _pkix(tally: Tally) -> Finding:
    from jiradoctor.checks.outgoing_tls import DOCS, RESTART

    urls = tally.values.get("url") or []
    where = f" (calling {', '.join(urls)})" if urls else ""
    return Finding(
        "outgoing-tls/unknown-ca",
        Status.FAIL,
        f"Jira's JVM refused a certificate {tally.count} time(s){where}: 'PKIX path building failed', its "
        f"truststore holds no CA that issued the other side's chain (or the server sends its leaf only). "
        f"Jira's outgoing calls (application links, webhooks) to that server fail.",
        evidence={"called": urls},
        remediation=(
            "Run `jiradoctor doctor --integration-url https://<that server> --truststore <Jira's cacerts>`: it names "
            "the missing CA and prints the keytool -importcert command; or make the server send its full chain.",
            RESTART,
        ),
        docs=DOCS,
        subject=urls[0] if urls else "pkix",
    )


def _applink(tally: Tally) -> Finding:
    link_urls = tally.values.get("link_url") or []
    realms = tally.values.get("realm") or []
    errors = tally.values.get("trusted_app_error") or []
    message = (f"Jira's requests through the application link {tally.key!r} ({', '.join(link_urls) or '?'}) were "
               f"refused {tally.count} time(s)")
    fix = ["Make the application link's URL the linked application's Base URL, exactly; if a reverse proxy sits "
           "between them, set the proxy up so both sides see the same scheme, host, port and path."]
    if realms and link_urls and all(r.rstrip("/").lower() != u.rstrip("/").lower() for r in realms for u in link_urls):
        message += (f": the other side calls itself {', '.join(realms)} (its OAuth realm, i.e. its Base URL), "
                    f"not the link's URL, so signatures made for one do not verify at the other.")
    else:
        message += "."
    if errors:
        message += f" It answered {', '.join(errors)}."
    return Finding(
        "logs/applink-auth-failed",
        Status.FAIL,
        message,
        evidence={"link": tally.key, "link_url": link_urls, "remote_realm": realms, "trusted_app_error": errors},
        remediation=tuple(fix),
        docs=("https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",),
        subject=tally.key,
    )


def _request_target(tally: Tally) -> Finding:
    targets = [t for t in tally.values.get("target") or [] if t]
    return Finding(
        "logs/request-target-refused",
        Status.WARN,
        f"Tomcat refused {tally.count} request(s) with HTTP 400 before Jira saw them: the request target held "
        f"characters RFC 7230/3986 do not allow (Tomcat logs only the first; later ones at DEBUG)."
        + (f" Example: {targets[0]}" if targets else ""),
        evidence={"targets": targets},
        remediation=(
            "Have the client (or the proxy in front of Jira) percent-encode the URL; a proxy that decodes the path "
            "before passing it on causes this. If the characters are wanted, allow them on the Connector with "
            "relaxedPathChars / relaxedQueryChars in server.xml.",
        ),
        docs=("https://tomcat.apache.org/tomcat-9.0-doc/config/http.html",),
        subject="request-target",
    )


def _login(tally: Tally) -> Finding:
    from jiradoctor.checks.auth import _FIX_CREDENTIALS

    counts = [int(n) for n in tally.values.get("failure_count") or [] if n and n.isdigit()]
    if tally.signature is sig.LOGIN_NOT_ALLOWED:
        return Finding(
            "auth/no-application-access",
            Status.FAIL,
            f"Jira refused {tally.count} login(s) of {tally.key!r}: the user was not found, or has no application "
            f"access (USE permission).",
            evidence={"user": tally.key},
            remediation=("Check the user name stored in the integration, and give the user access to Jira "
                         "(User management > the user's application access).",),
            subject=tally.key,
        )
    worst = max(counts) if counts else None
    captcha = (f" Its failure count reached {worst}: once it passes the limit set in General configuration, Jira "
               f"asks for a CAPTCHA and refuses even the right password." if worst else "")
    return Finding(
        "auth/invalid-credentials",
        Status.FAIL,
        f"{tally.count} failed login(s) of {tally.key!r} in Jira's security log.{captcha}",
        evidence={"user": tally.key, "highest_failure_count": worst},
        remediation=(_FIX_CREDENTIALS["basic"],
                     "To clear a CAPTCHA: log in once through a browser as that user, or have an administrator "
                     "reset the failed-login count."),
        docs=("https://support.atlassian.com/jira/kb/user-receives-repeated-captcha-prompts-on-login-to-jira-data-"
              "center/",),
        subject=tally.key,
    )


def to_finding(tally: Tally, view: IntegrationView, redactor: LogRedactor) -> Finding:
    """The finding for one cause, with the log's own evidence under ``log``."""
    s = tally.signature
    if s is sig.OAUTH_PROBLEM:
        finding = _oauth(tally, view, redactor)
    elif s is sig.PKIX:
        finding = _pkix(tally)
    elif s is sig.APPLINK_AUTH_FAILED:
        finding = _applink(tally)
    elif s is sig.REQUEST_TARGET:
        finding = _request_target(tally)
    else:
        finding = _login(tally)
    return replace(finding, evidence={**finding.evidence, "log": tally.evidence()})
