"""oauth2: is the integration's OAuth 2.0 client, redirect URI, scopes and token what Jira accepts?

Title: OAuth 2.0 client, redirect URI, scopes and token (live).
Codes: oauth2/client-ok, oauth2/client-unproven, oauth2/invalid-client, oauth2/client-not-allowed,
oauth2/provider-missing,
oauth2/redirect-not-refused, oauth2/redirect-mismatch, oauth2/missing-scopes, oauth2/scopes-ok,
oauth2/token-ok, oauth2/token-rejected, oauth2/site-not-accessible, oauth2/site-url-not-gateway,
oauth2/clock-skew, oauth2/tls-error, oauth2/no-answer, oauth2/refresh-not-used, oauth2/refresh-rotated,
oauth2/refresh-token-invalid, oauth2/not-offered, oauth2/not-observed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira import oauth2 as o2
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.oauth2 import OAUTH2, OAuth2Observation
from jiradoctor.registry import Check
from jiradoctor.secrets import Redactor, clip

Redact = Callable[[str], str]
_SLOTS_ONLY: Redact = Redactor().text  # no known secret: still masks userinfo and Authorization values
DESCRIPTION_SHOWN = 200  # characters of a provider's error_description in a report


def _shown(error: o2.TokenError, redact: Redact) -> o2.TokenError:
    """The provider's error as a report may show it: redacted, THEN cut (issue 23: cut first, a secret
    at the cut would leak its first characters; the parser's own bound is far above this one)."""
    return o2.TokenError(clip(error.error, 100, redact), clip(error.description, DESCRIPTION_SHOWN, redact))

DOCS_DC = "https://confluence.atlassian.com/adminjiraserver101/jira-oauth-2-0-provider-api-1455427907.html"
DOCS_DC_SCOPES = (
    "https://confluence.atlassian.com/adminjiraserver101/oauth-2-0-scopes-for-incoming-links-1455427906.html"
)
DOCS_CLOUD = "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/"
DOCS_CLOUD_CALLS = "https://developer.atlassian.com/cloud/oauth/getting-started/making-calls-to-api/"
CLOCK_SKEW_WARN_S = 60.0
WHERE = {
    "datacenter": "Jira's incoming link (Administration > Applications > Application links)",
    "cloud": "the app in Atlassian's developer console (or the service account's credential)",
}


def _docs(flavour: str) -> tuple[str, ...]:
    return (DOCS_CLOUD,) if flavour == "cloud" else (DOCS_DC,)


def _transport(answer: HttpAnswer, what: str) -> Finding | None:
    """TLS and network trouble seen on the provider's endpoints."""
    if answer.error is None:
        return None
    if answer.error.kind == "tls":
        return Finding(
            "oauth2/tls-error",
            Status.FAIL,
            f"TLS to the OAuth 2.0 {what} failed: {answer.error.message}.",
            evidence={"url": answer.url, "verify_code": answer.error.ssl_verify_code},
            remediation=(
                "The integration must trust the certificate chain of this endpoint: give it the "
                "issuing CA, or have the server send its full chain (see the tls check).",
            ),
            subject=what,
        )
    return Finding(
        "oauth2/no-answer",
        Status.FAIL,
        f"No answer from the OAuth 2.0 {what} ({answer.error.kind}: {answer.error.message}).",
        evidence={"url": answer.url, "error": answer.error.kind},
        remediation=("See the dns and proxy checks: the integration must reach this URL.",),
        subject=what,
    )


def _clock(answer: HttpAnswer | None) -> Finding | None:
    """The token endpoint's Date against this machine's clock: tokens carry lifetimes."""
    if answer is None or answer.date is None or not answer.sent_at:
        return None
    skew = answer.date.timestamp() - (answer.sent_at + answer.elapsed_s / 2)
    if abs(skew) <= CLOCK_SKEW_WARN_S:
        return None
    return Finding(
        "oauth2/clock-skew",
        Status.WARN,
        f"The token endpoint's clock is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} this "
        f"machine's: tokens may look expired (or not yet valid) to one side.",
        evidence={"url": answer.url, "date": answer.header("date"), "skew_s": round(skew, 1)},
        remediation=("Synchronise both clocks with NTP (timedatectl set-ntp true).",),
    )


def judge_client(obs: OAuth2Observation, client_id: str | None, redact: Redact = _SLOTS_ONLY) -> list[Finding]:
    answer = obs.client_auth
    if answer is None:
        return []
    if (bad := _transport(answer, "token endpoint")) is not None:
        return [bad]
    evidence: dict[str, Any] = {"url": answer.url, "status": answer.status, "client_id": client_id}
    if answer.status == 404 and obs.flavour == "datacenter":
        return [
            Finding(
                "oauth2/provider-missing",
                Status.FAIL,
                f"Jira answers 404 at {answer.url}: no OAuth 2.0 provider there (Jira older than 8.22, a wrong "
                "context path, or a proxy that does not pass /rest/oauth2/).",
                evidence=evidence,
                remediation=(
                    "Upgrade Jira to 8.22 or later, or fix the URL/proxy so /rest/oauth2/latest/ reaches Jira.",
                ),
                docs=_docs(obs.flavour),
            )
        ]
    error = o2.parse_token_error(answer.body)
    if error is None:
        raise NotObserved(f"the token endpoint answered HTTP {answer.status} without an OAuth 2.0 error")
    error = _shown(error, redact)
    evidence |= {"error": error.error, "error_description": error.description}
    if error.error == "invalid_client":
        return [
            Finding(
                "oauth2/invalid-client",
                Status.FAIL,
                f"The provider does not accept the client id {client_id!r} with this secret (invalid_client).",
                evidence=evidence,
                remediation=(
                    f"Copy the client id and secret again from {WHERE[obs.flavour]} into the "
                    f"integration; a secret shown once and retyped, or a regenerated one, is the "
                    f"usual cause.",
                ),
                docs=_docs(obs.flavour),
                subject=client_id,
            )
        ]
    if error.error == "unauthorized_client":
        return [
            Finding(
                "oauth2/client-not-allowed",
                Status.FAIL,
                f"The client {client_id!r} authenticates but may not use this grant "
                f"({error.description or error.error}).",
                evidence=evidence,
                remediation=(
                    "Use the flow the registration was made for: an incoming link/3LO app uses the "
                    "authorization code, a service account uses client credentials (--oauth2-flow).",
                ),
                docs=_docs(obs.flavour),
                subject=client_id,
            )
        ]
    if error.error in ("invalid_grant", "invalid_request"):
        # JIRA-FACTS §10: Data Center checks the grant before the client, so a made-up code is refused
        # whatever the secret; no order is captured for Cloud. Either way the secret is not proven.
        return [_unproven(obs, client_id, f"a made-up authorization code was refused with {error.error}", evidence)]
    raise NotObserved(f"the token endpoint answered {error.error}, which does not tell whether the client is known")


UNPROVEN_WHY = {
    "datacenter": "Jira Data Center checks the grant before the client (an unknown code is invalid_request "
    "whatever the secret), and no read-only request reaches its client check: the secret is proven only "
    "when a real code or refresh token is exchanged (--allow-refresh-token-rotation does that, and "
    "rotates the token)",
    "cloud": "in which order Atlassian's authorization server checks grant and client is not known, so its "
    "refusal of a made-up code does not prove the secret; an exchange that issues a token does",
}


def _unproven(obs: OAuth2Observation, client_id: str | None, seen: str, evidence: dict[str, Any]) -> Finding:
    return Finding(
        "oauth2/client-unproven",
        Status.INFO,
        f"Whether the provider accepts the client secret of {client_id!r} is not known: {seen}, and "
        f"{UNPROVEN_WHY[obs.flavour]}.",
        evidence=evidence,
        subject=client_id,
    )


def _client_ok(client_id: str | None, how: str, answer: HttpAnswer) -> Finding:
    return Finding(
        "oauth2/client-ok",
        Status.PASS,
        f"The provider accepts the client {client_id!r} with this secret: {how}.",
        evidence={"url": answer.url, "status": answer.status, "client_id": client_id},
        subject=client_id,
    )


def judge_client_credentials(
    obs: OAuth2Observation, client_id: str | None, redact: Redact = _SLOTS_ONLY
) -> list[Finding]:
    """The client-credentials grant: an issued token proves the id and secret; a refusal of the client
    (or no provider at all) is judged as the client check judges it."""
    answer = obs.client_credentials
    if answer is None:
        return []
    if (bad := _transport(answer, "token endpoint")) is not None:
        return [bad]
    if answer.status == 200 and o2.token_fields(answer.body) is not None:
        return [_client_ok(client_id, "the client-credentials grant issued a token", answer)]
    error = o2.parse_token_error(answer.body)
    if answer.status == 404 or (error is not None and error.error in ("invalid_client", "unauthorized_client")):
        return judge_client(replace(obs, client_auth=answer), client_id, redact)
    if error is None:
        raise NotObserved(f"the client-credentials request answered HTTP {answer.status} without an OAuth 2.0 error")
    return []  # invalid_scope is judged with the scopes; other errors say nothing of the client


def judge_authorize(
    obs: OAuth2Observation, redirect_uri: str | None, client_id: str | None, redact: Redact = _SLOTS_ONLY
) -> list[Finding]:
    answer = obs.authorize
    if answer is None:
        return []
    if (bad := _transport(answer, "authorize endpoint")) is not None:
        return [bad]
    location = answer.header("location")
    error = o2.error_in_location(location) or (
        o2.parse_token_error(answer.body) if answer.status and answer.status >= 400 else None
    )
    evidence = {
        "url": answer.url,
        "status": answer.status,
        "redirect_uri": redirect_uri,
        "location": clip(location or "", 300, redact) or None,
    }
    if error is None:
        if answer.status in (301, 302, 303, 307) and location:
            # UNCONFIRMED that Jira DC and auth.atlassian.com validate redirect URI and scopes before the
            # login: a redirect to the login page proves they were not refused, not that they were accepted
            scopes = " ".join(obs.requested_scopes) or "(none asked)"
            return [
                Finding(
                    "oauth2/redirect-not-refused",
                    Status.INFO,
                    f"The provider did not refuse the redirect URI or the scopes {scopes} before asking for a "
                    "login (jiradoctor stops there; a provider that checks them only after the login would "
                    "refuse them then).",
                    evidence=evidence,
                    subject=redirect_uri,
                )
            ]
        raise NotObserved(f"the authorize endpoint answered HTTP {answer.status} without a redirect or an error")
    text = f"{error.error} {error.description}".lower()  # judged on the whole text, shown redacted and cut
    error = _shown(error, redact)
    evidence |= {"error": error.error, "error_description": error.description}
    if "redirect" in text:  # description wording is the only signal both providers give
        return [
            Finding(
                "oauth2/redirect-mismatch",
                Status.FAIL,
                f"The redirect URI {redirect_uri!r} is not the one registered for the client ({error.error}: "
                f"{error.description}). Users see an error page instead of the consent screen.",
                evidence=evidence,
                remediation=(
                    f"Make the redirect (callback) URL in {WHERE[obs.flavour]} exactly the one the "
                    "integration sends: scheme, host, port, path and trailing slash included.",
                ),
                docs=_docs(obs.flavour),
                subject=redirect_uri,
            )
        ]
    if error.error == "invalid_scope":
        return [
            Finding(
                "oauth2/missing-scopes",
                Status.FAIL,
                f"The client may not ask for the scopes {' '.join(obs.requested_scopes)} (invalid_scope): "
                "the registration does not allow all of them.",
                evidence=evidence,
                remediation=(
                    f"Add the scopes to {WHERE[obs.flavour]}, or make the integration ask only for registered ones.",
                ),
                docs=(DOCS_DC_SCOPES,) if obs.flavour == "datacenter" else (DOCS_CLOUD,),
                subject="registration",
            )
        ]
    if error.error in ("invalid_client", "unauthorized_client"):
        return [
            Finding(
                "oauth2/invalid-client",
                Status.FAIL,
                f"The authorize endpoint does not know the client {client_id!r} ({error.error}).",
                evidence=evidence,
                remediation=(f"Copy the client id again from {WHERE[obs.flavour]}.",),
                docs=_docs(obs.flavour),
                subject=client_id,
            )
        ]
    raise NotObserved(f"the authorize endpoint refused with {error.error}, which jiradoctor cannot place")


def required_scopes(profile: IntegrationProfile, flavour: str) -> tuple[str, ...]:
    return profile.oauth2_scopes_cloud if flavour == "cloud" else profile.oauth2_scopes_server


def judge_requested(obs: OAuth2Observation, profile: IntegrationProfile) -> list[Finding]:
    """What the integration asks for (--scopes) against what its profile needs."""
    need = required_scopes(profile, obs.flavour)
    if not obs.requested_scopes or not need:
        return []
    missing = o2.missing_scopes(need, obs.requested_scopes, obs.flavour)
    if not missing:
        return []
    return [
        Finding(
            "oauth2/missing-scopes",
            Status.FAIL,
            f"The integration asks for {' '.join(obs.requested_scopes)}, but {profile.name} needs also: "
            f"{' '.join(missing)}. Calls that need them answer 401/403.",
            evidence={"requested": list(obs.requested_scopes), "required": list(need), "missing": missing},
            remediation=(f"Add {' '.join(missing)} to the scopes the integration requests (and to the registration).",),
            docs=(DOCS_DC_SCOPES,) if obs.flavour == "datacenter" else (DOCS_CLOUD,),
            subject="requested",
        )
    ]


def _granted_scopes_finding(
    granted: tuple[str, ...], need: tuple[str, ...], flavour: str, where: str
) -> Finding | None:
    if not need:
        return None
    missing = o2.missing_scopes(need, granted, flavour)
    if missing:
        return Finding(
            "oauth2/missing-scopes",
            Status.FAIL,
            f"The token's scopes ({' '.join(granted) or 'none'}, from {where}) lack {' '.join(missing)}: "
            "reads may work while writes answer 401/403.",
            evidence={"granted": list(granted), "required": list(need), "missing": missing, "seen_in": where},
            remediation=(
                "Add the scopes to the registration, then have the user authorise the integration "
                "again: a token keeps the scopes it was issued with.",
            ),
            docs=(DOCS_DC_SCOPES,) if flavour == "datacenter" else (DOCS_CLOUD,),
            subject="token",
        )
    return Finding(
        "oauth2/scopes-ok",
        Status.PASS,
        f"The token's scopes ({' '.join(granted)}, from {where}) cover what the integration needs.",
        evidence={"granted": list(granted), "required": list(need)},
        subject="token",
    )


def judge_token(obs: OAuth2Observation, jira_url: str, profile: IntegrationProfile) -> list[Finding]:
    if obs.token_source is None:
        return []
    need = required_scopes(profile, obs.flavour)
    findings: list[Finding] = []
    if obs.flavour == "cloud":
        listed = obs.resources
        assert listed is not None
        if (bad := _transport(listed, "accessible-resources endpoint")) is not None:
            return [bad]
        if listed.status in (401, 403):
            return [_rejected(listed, "accessible-resources")]
        sites = o2.parse_resources(listed.body) if listed.status == 200 else None
        if sites is None:
            raise NotObserved(f"accessible-resources answered HTTP {listed.status} without a list of sites")
        if obs.gateway_given:
            site = next((s for s in sites if s.id == obs.cloud_id), None)
        else:
            site = next((s for s in sites if o2.same_site(s.url, jira_url)), None)
        if site is None:
            gateway = obs.endpoints.gateway(obs.cloud_id) if obs.cloud_id else None
            return [
                Finding(
                    "oauth2/site-not-accessible",
                    Status.FAIL,
                    f"The token does not reach {jira_url}"
                    + (f" (cloudId {obs.cloud_id}, gateway {gateway})" if gateway else "")
                    + f": accessible-resources lists {', '.join(s.url for s in sites) or 'no site'}.",
                    evidence={"url": listed.url, "sites": [s.to_json() for s in sites],
                              "cloud_id": obs.cloud_id, "cloud_id_from": obs.cloud_id_from},
                    remediation=(
                        "Authorise the integration again and choose this site on the consent screen "
                        "(a user grants an app one site at a time), or fix --url/the integration's "
                        "site.",
                    ),
                    docs=(DOCS_CLOUD_CALLS,),
                )
            ]
        if (f := _granted_scopes_finding(site.scopes, need, "cloud", "accessible-resources")) is not None:
            findings.append(f)
    elif obs.client_credentials_scopes is not None:
        if (
            f := _granted_scopes_finding(obs.client_credentials_scopes, need, obs.flavour, "the token answer")
        ) is not None:
            findings.append(f)
    myself = obs.myself
    if myself is None:
        raise NotObserved("the token's user could not be asked for")
    if (bad := _transport(myself, "REST API")) is not None:
        return findings + [bad]
    if myself.status in (401, 403):
        return findings + [_rejected(myself, "/myself")]
    identity = sig.read_identity(myself.body) if myself.status == 200 else None
    if identity is None:
        raise NotObserved(f"/myself with the token answered HTTP {myself.status} without a user")
    where = obs.endpoints.gateway(obs.cloud_id or "") if obs.flavour == "cloud" else jira_url
    findings.append(
        Finding(
            "oauth2/token-ok",
            Status.PASS,
            f"The OAuth 2.0 access token ({obs.token_source}) works at {where} and belongs to {identity.describe()}.",
            evidence={"url": myself.url, "jira_user": identity.to_json(), "cloud_id": obs.cloud_id},
            subject=identity.account_id or identity.name or identity.key,
        )
    )
    site_answer = obs.site_myself
    if obs.flavour == "cloud" and site_answer is not None and site_answer.status in (401, 403):
        gateway = obs.endpoints.gateway(obs.cloud_id or "")
        # what the integration sees: it calls the URL it was given, the site's, and Cloud refuses the
        # token there; jiradoctor's own calls went through the gateway, so the token itself is fine
        findings.append(
            Finding(
                "oauth2/site-url-not-gateway",
                Status.WARN,
                f"The integration's URL {jira_url} is the site's, and Jira Cloud refuses OAuth 2.0 tokens there "
                f"(HTTP {site_answer.status} for this token): REST calls must go to {gateway}. An integration "
                f"that sends its requests to {jira_url} gets 401 on every call; jiradoctor itself called the "
                "gateway, where the token works.",
                evidence={
                    "site_url": site_answer.url,
                    "site_status": site_answer.status,
                    "gateway": gateway,
                    "cloud_id": obs.cloud_id,
                    "cloud_id_from": obs.cloud_id_from,
                },
                remediation=(
                    f"Configure the integration's REST base URL as {gateway} (then /rest/api/...), not "
                    f"{jira_url}. Integrations that ask for the site URL and look the gateway up themselves "
                    f"(accessible-resources) are fine: run this doctor with --url {gateway} to confirm.",
                ),
                docs=(DOCS_CLOUD_CALLS,),
                subject=obs.cloud_id,
            )
        )
    return findings


def _rejected(answer: HttpAnswer, where: str) -> Finding:
    return Finding(
        "oauth2/token-rejected",
        Status.FAIL,
        f"The OAuth 2.0 access token is refused at {where} (HTTP {answer.status}): expired or revoked.",
        evidence={
            "url": answer.url,
            "status": answer.status,
            # redacted whole at fetch (probes.http.kept_headers), then cut here
            "www-authenticate": (answer.header("www-authenticate") or "")[:200] or None,
        },
        remediation=(
            "Access tokens live about an hour: the integration must refresh it (or, for a service "
            "account, request a new one). If refreshing fails too, a user revoked the app or the "
            "registration changed: authorise the integration again.",
        ),
    )


def judge_refresh(obs: OAuth2Observation, redact: Redact = _SLOTS_ONLY) -> list[Finding]:
    if not obs.refresh_given:
        return []
    if not obs.refresh_allowed:
        return [
            Finding(
                "oauth2/refresh-not-used",
                Status.INFO,
                "The refresh token was not sent: using it rotates it, and the integration's stored copy would "
                "stop working. Add --allow-refresh-token-rotation to test it anyway.",
            )
        ]
    answer = obs.refresh
    if answer is None:
        return [
            Finding(
                "oauth2/refresh-not-used",
                Status.INFO,
                "The refresh token was not sent: it needs --client-id and --client-secret (and no --insecure).",
            )
        ]
    if (bad := _transport(answer, "token endpoint")) is not None:
        return [bad]
    error = o2.parse_token_error(answer.body)
    if error is not None and error.error == "invalid_client":
        # the refresh token passed the grant check (checked first on Data Center): the client did not
        return [
            Finding(
                "oauth2/invalid-client",
                Status.FAIL,
                "The provider refuses the client id or secret (invalid_client) on a refresh-token exchange.",
                evidence={"url": answer.url, "status": answer.status, "error": error.error},
                remediation=(
                    f"Copy the client id and secret again from {WHERE[obs.flavour]} into the integration.",
                ),
                docs=_docs(obs.flavour),
            )
        ]
    if answer.status == 200 and error is None:
        return [
            Finding(
                "oauth2/refresh-rotated",
                Status.WARN,
                "The refresh token worked, and was used up: the provider rotates refresh tokens, so the one "
                "stored in the integration is no longer valid. Authorise the integration again (or store the "
                "new token).",
                evidence={"url": answer.url, "status": answer.status},
            )
        ]
    error = _shown(error, redact) if error else None
    evidence = {"url": answer.url, "status": answer.status, "error": error.error if error else None}
    return [
        Finding(
            "oauth2/refresh-token-invalid",
            Status.FAIL,
            f"The provider refuses the refresh token ({error.error if error else f'HTTP {answer.status}'}): "
            f"expired, revoked, or already rotated by another use.",
            evidence=evidence,
            remediation=("Authorise the integration again to get a new refresh token.",),
        )
    ]


def judge_offered(obs: OAuth2Observation, profile: IntegrationProfile) -> list[Finding]:
    allowed = profile.auth_cloud if obs.flavour == "cloud" else profile.auth_server
    if not allowed or "oauth2" in allowed:
        return []
    where = "Jira Cloud" if obs.flavour == "cloud" else "Jira Server/Data Center"
    return [
        Finding(
            "oauth2/not-offered",
            Status.WARN,
            f"{profile.name} does not offer OAuth 2.0 on {where} (it supports: {', '.join(allowed)}).",
            evidence={"integration": profile.id, "supported": list(allowed)},
            docs=profile.docs,
        )
    ]


def judge_observation(
    obs: OAuth2Observation, target: Any, profile: IntegrationProfile, redact: Redact = _SLOTS_ONLY
) -> list[Finding]:
    """``redact``: the run's redactor, applied to the provider's text before it is cut for the report."""
    findings: list[Finding] = []
    skipped: list[str] = []
    parts: tuple[Callable[[], list[Finding]], ...] = (
        lambda: judge_client(obs, target.client_id, redact),
        lambda: judge_client_credentials(obs, target.client_id, redact),
        lambda: judge_authorize(obs, target.redirect_uri, target.client_id, redact),
        lambda: judge_requested(obs, profile),
        lambda: judge_token(obs, target.url or "", profile),
    )
    for part in parts:
        try:
            findings.extend(part())
        except NotObserved as exc:
            skipped.append(exc.reason)
    for answer in (obs.client_auth, obs.client_credentials, obs.refresh):
        if (f := _clock(answer)) is not None:
            findings.append(f)
            break
    if (
        obs.client_credentials is not None
        and obs.token_source != "client-credentials"
        and not obs.client_credentials.error
    ):
        error = o2.parse_token_error(obs.client_credentials.body)
        if error is not None and error.error == "invalid_scope":
            findings.append(
                Finding(
                    "oauth2/missing-scopes",
                    Status.FAIL,
                    f"The service account may not have the scopes {' '.join(obs.requested_scopes)} (invalid_scope).",
                    evidence={"url": obs.client_credentials.url, "error": error.error},
                    remediation=(f"Give the credential these scopes in {WHERE[obs.flavour]}.",),
                    subject="client-credentials",
                )
            )
    # a redirect to the login page alone shows nothing was refused, not that anything is healthy; an
    # unproven secret is not an observation of health either
    observed = any(f.code not in ("oauth2/redirect-not-refused", "oauth2/client-unproven") for f in findings)
    refreshed = judge_refresh(obs, redact)
    observed = observed or any(f.code != "oauth2/refresh-not-used" for f in refreshed)
    if any(f.code in ("oauth2/refresh-rotated", "oauth2/invalid-client") for f in refreshed):
        findings = [f for f in findings if f.code != "oauth2/client-unproven"]  # the exchange told
        if obs.refresh is not None and any(f.code == "oauth2/refresh-rotated" for f in refreshed):
            findings.append(_client_ok(target.client_id, "a refresh-token exchange issued a token", obs.refresh))
    findings.extend(refreshed)
    findings.extend(judge_offered(obs, profile))
    if not observed:
        reason = "; ".join(skipped + [f.message for f in findings]) or (
            obs.secret_withheld
            or "no OAuth 2.0 input that can be checked "
            "(give --client-id with --client-secret or --redirect-uri, or --oauth2-token)"
        )
        raise NotObserved(reason)
    for reason in skipped:
        findings.append(Finding("oauth2/not-observed", Status.INFO, f"Not observed: {reason}."))
    return findings


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    obs: OAuth2Observation = await ctx.fact(OAUTH2)
    return judge_observation(obs, ctx.target, ctx.profile, ctx.facts.redactor.text)


CHECK = Check(
    id="oauth2",
    title="OAuth 2.0 client, redirect URI, scopes and token (live)",
    explanation="""\
Looks at: the OAuth 2.0 provider the integration uses — Jira Data Center's incoming links
(/rest/oauth2/latest/authorize and /token, Jira 8.22+), Atlassian Cloud's authorization server
(auth.atlassian.com) and API gateway (api.atlassian.com), or a service account's client credentials.
Nothing is broken on the way: a made-up authorization code is sent (it shows the provider is there;
Data Center checks the grant before the client, so it never proves the secret: only an exchange that
issues a token does, e.g. --oauth2-flow client-credentials), the authorize URL is asked once without
a session and its answer not followed, an access token is used for GETs only, and a refresh token is
never sent unless --allow-refresh-token-rotation says so (it rotates the integration's stored
token).
Why it fails: a wrong client id or secret; a redirect URI other than the registered one; scopes
the registration or the token lack; an expired or revoked token; a Cloud site the token was not
granted for; a token sent to the site URL instead of api.atlassian.com/ex/jira/{cloudId}; clock
or TLS problems on the token endpoint.
How to fix: each finding names the registration field or the re-authorisation to do.""",
    judge=judge,
    inputs_all=("url",),
    inputs_any=("client_id", "oauth2_token", "oauth2_refresh_token"),
    facts=(OAUTH2.name,),
    after=("dns", "proxy"),
    live=True,
    order=78,
    codes=(
        "oauth2/client-ok",
        "oauth2/client-unproven",
        "oauth2/invalid-client",
        "oauth2/client-not-allowed",
        "oauth2/provider-missing",
        "oauth2/redirect-not-refused",
        "oauth2/redirect-mismatch",
        "oauth2/missing-scopes",
        "oauth2/scopes-ok",
        "oauth2/token-ok",
        "oauth2/token-rejected",
        "oauth2/site-not-accessible",
        "oauth2/site-url-not-gateway",
        "oauth2/clock-skew",
        "oauth2/tls-error",
        "oauth2/no-answer",
        "oauth2/refresh-not-used",
        "oauth2/refresh-rotated",
        "oauth2/refresh-token-invalid",
        "oauth2/not-offered",
        "oauth2/not-observed",
    ),
)
