"""auth: log in as the integration does and say why Jira refuses, from its own signals.

Title: Login as the integration's user (live).
Codes: auth/ok, auth/invalid-credentials, auth/captcha-required, auth/anonymous-fallback,
auth/password-on-cloud, auth/pat-as-password, auth/sso-redirect, auth/method-unsupported,
auth/no-application-access, auth/no-answer, auth/unexpected-answer, auth/method-fallback,
auth/cloud-token-refused, auth/oauth1-deprecated-on-cloud, auth/ip-allowlist, auth/cloudflare-block,
auth/basic-disabled, auth/cloud-token-on-server, auth/pat-as-password-captcha, auth/throttled.
"""

from __future__ import annotations

from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.jira.permissions import parse_mypermissions
from jiradoctor.jira import blockers
from jiradoctor.jira.fingerprint import answered_as_jira, identify
from jiradoctor.jira.rate_limit import is_throttled, rate_limit_fixes, rate_limit_headers, read_signal
from jiradoctor.shared_findings import blocker_finding
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.auth import AUTH_LOGIN, LoginAttempt
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.registry import Check
from jiradoctor.probes.server_info import SERVER_INFO

METHOD_NAMES = {
    "basic": "username and password (Basic)",
    "token": "account e-mail and API token (Basic)",
    "pat": "personal access token (Bearer)",
    "oauth1": "OAuth 1.0a access token",
    "oauth2": "OAuth 2.0 access token (Bearer)",
}
API_TOKENS = "https://id.atlassian.com/manage-profile/security/api-tokens"
DOCS_PAT = "https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html"
DOCS_CLOUD_BASIC = (
    "https://developer.atlassian.com/cloud/jira/platform/deprecation-notice-basic-auth-and-cookie-based-auth/"
)
DOCS_API_TOKEN = "https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/"

_FIX_CREDENTIALS = {
    "basic": "Check the username and password stored in the integration: log in once through Jira's login page with "
    "them. Each failed login counts towards Jira's CAPTCHA lockout, so fix the stored password before "
    "retrying.",
    "token": f"Create a new API token for the account ({API_TOKENS}) while logged in as the service account, and use "
    f"the account's e-mail address as the username.",
    "pat": "The personal access token is unknown, expired or revoked: create a new one as the service user "
    "(Profile > Personal Access Tokens) and store it in the integration.",
    "oauth1": "Jira refused the OAuth access token: authorise the integration again (the OAuth dance) to get a new "
    "one; the oauth-signature check shows Jira's oauth_problem.",
    "oauth2": "Jira refused the OAuth 2.0 access token (expired or revoked): let the integration obtain a new one "
    "(its refresh, or authorise it again); the oauth2 check says more.",
}


def _evidence(login_method: str, user: str | None, answer: HttpAnswer) -> dict[str, Any]:
    evidence: dict[str, Any] = {"method": login_method, "url": answer.url, "status": answer.status}
    if user:
        evidence["user"] = user
    for name in (sig.SERAPH_REASON, sig.DENIED_REASON, "location"):
        if (value := answer.header(name)) is not None:
            evidence[name] = value[:300]
    if (seen := sig.seen_as(answer)) is not None:
        evidence[sig.AUSERNAME] = seen  # decoded: Jira sends it URL-encoded
    messages = sig.error_messages(answer.body) if answer.content_type.endswith("json") or answer.status == 401 else []
    if messages:
        evidence["jira_says"] = messages
    return evidence


def not_tested(reason: str, blocked_by: tuple[str, ...] = ()) -> NotObserved:
    """No login was observed: the check is ``skip``, never a green tick."""
    return NotObserved(f"login not tested: {reason}", blocked_by=blocked_by)


def method_unsupported(method: str, deployment: str | None, profile: IntegrationProfile) -> Finding | None:
    """The integration cannot log in this way on this deployment (profile ``auth_cloud``/``auth_server``)."""
    if deployment is None or method == "none":
        return None
    allowed = profile.auth_cloud if deployment == "Cloud" else profile.auth_server
    if not allowed or method in allowed:
        return None
    where = "Jira Cloud" if deployment == "Cloud" else "Jira Server/Data Center"
    names = ", ".join(METHOD_NAMES.get(m, m) for m in allowed)
    return Finding(
        "auth/method-unsupported",
        Status.WARN,
        f"{profile.name} cannot log in to {where} this way ({METHOD_NAMES.get(method, method)}); it supports: {names}. "
        "What works for jiradoctor here will not work for the integration.",
        evidence={"method": method, "deployment": deployment, "integration": profile.id, "supported": list(allowed)},
        remediation=(f"Connect {profile.name} with one of: {names}, and run jiradoctor with those credentials.",),
        docs=profile.docs,
        subject=method,
    )


def _anonymous_fallback(probe: HttpAnswer | None) -> bool:
    """Jira answered an anonymous-allowed resource with 200 as anonymous and grants anonymous something."""
    if probe is None or probe.status != 200:
        return False
    fell_back = sig.is_anonymous(probe) or sig.login_reason(probe) == sig.AUTHENTICATED_FAILED
    granted = parse_mypermissions(probe.body) or {}
    # Server ignores permissions= and answers every key (JIRA-FACTS §3): read the one asked
    return fell_back and granted.get("BROWSE_PROJECTS") is True


def judge_answer(attempt: LoginAttempt, jira_url: str, is_jira: bool, profile: IntegrationProfile) -> Finding:
    login, myself = attempt.login, attempt.myself
    method = login.method
    if myself is None:
        error = attempt.oauth.sign_error if attempt.oauth else None
        raise not_tested(
            f"the signed request could not be made ({error or 'no access token'}); see oauth-signature",
            ("oauth-signature",) if error else (),
        )
    if myself.ok and (found := blockers.recognise(myself)) is not None:
        return blocker_finding(found, myself, profile, prefix="auth/")  # an allowlist's refusal: never the password
    sso = sig.sso(myself, myself.looks_like_html, myself.url) if myself.ok else None
    jira_here = is_jira or (myself.ok and answered_as_jira(myself) is not None)
    # where nothing showed Jira, only a login page or a redirect away from the site says who owns the login
    owned = sso is not None and (sso.kind == "login-page" or sig.leaves_origin(sso.location or "", jira_url))
    if not jira_here and not owned:
        raise not_tested("the URL does not answer like Jira; see the reachability check", ("reachability",))
    if myself.error is not None:
        return Finding(
            "auth/no-answer",
            Status.FAIL,
            f"No answer to {myself.url}: {myself.error.message} ({myself.error.kind}).",
            evidence={"url": myself.url, "error": myself.error.kind},
            remediation=("See the dns, tls and proxy checks for the network path to Jira.",),
        )
    evidence = _evidence(method, login.user, myself)
    if attempt.upgraded_from:
        evidence["redirected_from"] = attempt.upgraded_from
    if is_throttled(myself):
        return throttled_login(myself, evidence, login.user)
    if (captcha := sig.captcha(myself)) is not None:
        if attempt.bearer_retry is not None and attempt.bearer_retry.status == 200:
            return pat_as_password_captcha(attempt, captcha, evidence)
        where = f" at {captcha.login_url}" if captcha.login_url else ""
        return Finding(
            "auth/captcha-required",
            Status.FAIL,
            f"Jira refuses to check the password of {login.user or 'this user'}: after failed logins it demands a "
            f"CAPTCHA (X-Seraph-LoginReason: {captcha.login_reason or '-'}, X-Authentication-Denied-Reason: "
            f"{captcha.denied_reason or '-'}). No REST call with a password works until it is answered.",
            evidence={**evidence, "login_url": captcha.login_url},
            remediation=(
                f"Log in once through a browser as {login.user or 'the service user'}{where} and answer the "
                f"CAPTCHA, or have a Jira administrator reset the user's failed-login count (User management "
                f"> the user > Reset failed login count).",
                "Then send the personal access token in the password field as 'Authorization: Bearer' (the "
                "integration's PAT option), or replace it with the user's password: sent as a password, it locks "
                "the user again."
                if attempt.secret_shape == "token"
                else "Then correct the password stored in the integration: a wrong stored password locks the user "
                "again.",
            ),
            subject=login.user,
        )
    if sso is not None:
        return sso_refused(attempt, sso, jira_here, evidence, profile)
    if sig.basic_auth_disabled(myself):
        return basic_disabled(attempt, myself, evidence)
    if myself.status == 200:
        identity = sig.read_identity(myself.body)
        if identity is None:
            return _unexpected(myself, evidence)
        return Finding(
            "auth/ok",
            Status.PASS,
            f"Jira accepts the {METHOD_NAMES.get(method, method)} and sees the user {identity.describe()}.",
            evidence={**{k: v for k, v in evidence.items() if k != "jira_says"}, "jira_user": identity.to_json()},
            subject=identity.account_id or identity.name or identity.key,
        )
    token_given = method == "token" or attempt.secret_shape == "cloud-api-token"
    if token_given and sig.cloud_password_refused(myself):
        # Cloud words a refused token like a refused password: a token was given, so it is about the token
        return cloud_token_refused(attempt, myself, {**evidence, "jira_says": [myself.body.strip()[:300]]})
    if method in ("basic", "token") and sig.cloud_password_refused(myself):
        # the text alone identifies Cloud, whatever serverInfo said (JIRA-FACTS §4)
        return Finding(
            "auth/password-on-cloud",
            Status.FAIL,
            "Jira Cloud refuses the account password: Basic authentication takes the account's e-mail and "
            "an API token, never the password.",
            evidence={
                **evidence,
                "jira_says": [myself.body.strip()[:300]],
                "cloud_signals": list(attempt.cloud_signals),
            },
            remediation=(
                f"Create an API token at {API_TOKENS} (logged in as the service account) and enter "
                f"it in the integration's password/token field, with the account's e-mail as the "
                f"username.",
            ),
            docs=(DOCS_CLOUD_BASIC, DOCS_API_TOKEN),
        )
    if attempt.bearer_retry is not None and attempt.bearer_retry.status == 200:
        identity = sig.read_identity(attempt.bearer_retry.body)
        return Finding(
            "auth/pat-as-password",
            Status.FAIL,
            f"The password is a personal access token: Jira refuses it as a Basic password, and accepts it "
            f"as 'Authorization: Bearer' (as {identity.describe() if identity else 'a user'}).",
            evidence={
                **evidence,
                "bearer_status": attempt.bearer_retry.status,
                "jira_user_with_bearer": identity.to_json() if identity else None,
            },
            remediation=(
                "Choose the integration's personal-access-token option (sent as 'Authorization: "
                "Bearer'). If it only offers username and password, enter the user's real password "
                "or use OAuth.",
            ),
            docs=(DOCS_PAT,),
            subject=login.user,
        )
    if attempt.secret_shape == "cloud-api-token" and attempt.deployment != "Cloud" and myself.status in (401, 403):
        return cloud_token_on_server(attempt, myself, evidence)
    if attempt.deployment == "Cloud" and token_given and myself.status == 401:
        return cloud_token_refused(attempt, myself, evidence)
    if myself.status in (401, 403):
        return _refused(attempt, myself, evidence)
    return _unexpected(myself, evidence)


TOKEN_EXPIRY = (
    "Atlassian API tokens expire: tokens created since 2024-12-15 live at most one year (the expiry is "
    "chosen when the token is created), and older tokens were given expiry dates between 2026-03-14 and "
    "2026-05-12."
)
DOCS_SCOPED_TOKEN = "https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/"


def gateway_url(cloud_id: str | None) -> str:
    return f"https://api.atlassian.com/ex/jira/{cloud_id or '{cloudId}'}"


# api.atlassian.com's X-Failure-Category (JIRA-FACTS §10): what each one narrows the refusal to
FAILURE_CATEGORIES = {
    "FAILURE_CLIENT_AUTH_MISMATCH": "the e-mail and the token belong to different accounts (or no credential arrived)",
    "FAILURE_CLIENT_SCOPE_CHECK": "the token's scopes do not cover this call (\"scope does not match\")",
}


def cloud_token_refused(attempt: LoginAttempt, myself: HttpAnswer, evidence: dict[str, Any]) -> Finding:
    """Cloud refused the API token: at the site URL every cause looks alike (JIRA-FACTS §10), so the
    finding lists them honestly; the gateway's ``X-Failure-Category`` narrows it when it answered.

    Never "the password": a token was given (``--token``, or an ``ATATT...`` secret as the password).
    The cloudId comes from the site's anonymous /_edge/tenant_info when it answers.
    """
    tenant = attempt.tenant_info
    cloud_id = sig.cloud_id(tenant.body) if tenant is not None and tenant.status == 200 else None
    gateway = gateway_url(cloud_id)
    on_gateway = sig.GATEWAY_HOST in (myself.url or "")
    category = sig.failure_category(myself) if on_gateway else None
    owner = attempt.login.user or "the account"
    fixes = [
        f"Create a new API token at {API_TOKENS} while logged in as {owner} "
        "(it gets an expiry date of at most one year: note it, and renew the token before then), and store it in "
        "the integration with that account's e-mail as the username (the e-mail must be the token owner's)."
    ]
    if not on_gateway:
        fixes.append(
            f"If the token is a scoped API token, it works only through Atlassian's API gateway: use "
            f"{gateway} as the Jira URL"
            + ("" if cloud_id else " (the cloudId is shown at https://<site>/_edge/tenant_info)")
            + ", not the site URL."
        )
    fixes.append(
        "If the organisation blocks user API tokens (Atlassian Guard's API token policy), an organisation admin "
        "allows them for this account at admin.atlassian.com, or the integration uses a service account or OAuth."
    )
    if category in FAILURE_CATEGORIES:
        why = f"Atlassian's API gateway names the cause (X-Failure-Category: {category}): "
        why += FAILURE_CATEGORIES[category] + "."
    else:
        causes = [
            "wrong or mistyped", "expired", "revoked",
            *([] if on_gateway else ["a scoped token (the site URL never accepts one)"]),
            "blocked by an organisation admin (Atlassian Guard)", f"not a token of {owner} (e-mail and token of "
            "different accounts)",
        ]
        alike = (
            "The gateway named no cause (no X-Failure-Category)" if on_gateway
            else "At the site URL these causes all answer alike (401 \"Client must be authenticated to access "
            "this resource.\", X-Seraph-LoginReason: AUTHENTICATED_FAILED)"
        )
        why = alike + ", so it is one of: the token is " + ", ".join(causes[:-1]) + ", or " + causes[-1] + "."
    return Finding(
        "auth/cloud-token-refused",
        Status.FAIL,
        f"Jira Cloud refuses the API token given for {owner} (HTTP {myself.status}). {why} {TOKEN_EXPIRY}",
        evidence={
            **evidence,
            "cloud_signals": list(attempt.cloud_signals),
            "cloud_id": cloud_id,
            "gateway_url": gateway if cloud_id else None,
            **({"x-failure-category": category} if category else {}),
        },
        remediation=tuple(fixes),
        docs=(DOCS_API_TOKEN,),
        subject=attempt.login.user,
    )


def cloud_token_on_server(attempt: LoginAttempt, myself: HttpAnswer, evidence: dict[str, Any]) -> Finding:
    """An Atlassian Cloud API token (``ATATT...``) sent to Server/Data Center, which never knows one."""
    how = "as a personal access token (Bearer)" if attempt.login.method == "pat" else "as the password"
    return Finding(
        "auth/cloud-token-on-server",
        Status.FAIL,
        f"The secret given {how} is an Atlassian Cloud API token (it starts ATATT), and this Jira is Server/Data "
        f"Center (HTTP {myself.status}): Cloud API tokens work only on Jira Cloud (*.atlassian.net, with the "
        "account's e-mail), never on a self-hosted Jira.",
        evidence={**evidence, "secret_shape": "Atlassian Cloud API token (ATATT...)"},
        remediation=(
            "For this Jira, create a personal access token as the service user (Profile > Personal Access "
            "Tokens) and store it in the integration's personal-access-token field (sent as 'Authorization: "
            "Bearer'), or use the user's Jira password or OAuth.",
            "If the integration should talk to Jira Cloud instead, enter the Cloud site's URL "
            "(https://<site>.atlassian.net) with the account's e-mail and this token.",
        ),
        docs=(DOCS_PAT,),
        subject=attempt.login.user,
    )


def basic_disabled(attempt: LoginAttempt, myself: HttpAnswer, evidence: dict[str, Any]) -> Finding:
    """Data Center answers Basic auth 403 "Basic Authentication has been disabled on this instance." (§10)."""
    fixes = [
        "Use a personal access token: create one as the service user (Profile > Personal Access Tokens) and "
        "choose the integration's personal-access-token option (sent as 'Authorization: Bearer').",
        "Or connect the integration with OAuth (an application link: OAuth 2.0 or 1.0a), if it offers it.",
    ]
    if attempt.secret_shape == "token":
        fixes.insert(0, "The password field already holds something shaped like a personal access token: send it "
                        "as 'Authorization: Bearer' (the integration's PAT option), not as a password.")
    return Finding(
        "auth/basic-disabled",
        Status.FAIL,
        f"Jira refuses Basic authentication altogether (HTTP {myself.status}: \"Basic Authentication has been "
        "disabled on this instance.\"): an administrator switched it off, so no username and password works "
        "here, however right; the password was not checked.",
        evidence={**evidence, "jira_says": [" ".join(myself.body.split())[:300]]},
        remediation=tuple(fixes),
        docs=(DOCS_PAT,),
        subject=attempt.login.user,
    )


def pat_as_password_captcha(attempt: LoginAttempt, captcha: sig.Captcha, evidence: dict[str, Any]) -> Finding:
    """A PAT sent as a password until Jira demanded a CAPTCHA: both named, and a fix that does not relock."""
    retry = attempt.bearer_retry
    identity = sig.read_identity(retry.body) if retry is not None else None
    user = attempt.login.user or "the service user"
    where = f" at {captcha.login_url}" if captcha.login_url else ""
    return Finding(
        "auth/pat-as-password-captcha",
        Status.FAIL,
        f"The password is a personal access token, and Jira now demands a CAPTCHA for {user}: every Basic login "
        f"with the token as the password failed and counted, until Jira locked the password login "
        f"(X-Seraph-LoginReason: {captcha.login_reason or '-'}, X-Authentication-Denied-Reason: "
        f"{captcha.denied_reason or '-'}). Sent as 'Authorization: Bearer' the token works "
        f"(as {identity.describe() if identity else 'a user'}).",
        evidence={**evidence, "login_url": captcha.login_url, "bearer_status": retry.status if retry else None,
                  "jira_user_with_bearer": identity.to_json() if identity else None},
        remediation=(
            "Choose the integration's personal-access-token option so the token goes as 'Authorization: Bearer'; "
            "as long as it is sent as a password, each call fails and locks the user again.",
            f"Then lift the CAPTCHA: log in once through a browser as {user}{where} (with the user's real "
            "password) and answer it, or have a Jira administrator reset the user's failed-login count (User "
            "management > the user > Reset failed login count).",
        ),
        docs=(DOCS_PAT,),
        subject=attempt.login.user,
    )


def sso_refused(attempt: LoginAttempt, sso: sig.SsoSignal, jira_here: bool, evidence: dict[str, Any],
                profile: IntegrationProfile) -> Finding:
    """The credentialed call got a login page or a redirect too: single sign-on lets no credential through."""
    what = f"a redirect to {sso.location}" if sso.kind == "redirect" else "an HTML login page"
    idp = f" (looks like an identity provider: {sso.idp_hint})" if sso.idp_hint else ""
    method = METHOD_NAMES.get(attempt.login.method, attempt.login.method)
    fixes = [
        f"In the SSO app, let REST calls authenticate with {method} (its REST-bypass setting: allow Basic "
        "authentication / personal access tokens for REST API calls to /rest/*), or exempt the service user "
        "from SSO so it logs in with Jira's own credentials.",
        "Or use a credential the SSO app lets through for REST (a personal access token or OAuth), and run "
        "jiradoctor with it.",
    ]
    if profile.sso_forbidden:
        fixes.append(f"{profile.name}'s setup guide: the service user must not need to log in through single sign-on.")
    said = (
        f"Jira's REST API answered the login with {what}{idp}: single sign-on owns the login and does not let "
        f"the {method} through, and an integration cannot pass a login page."
        if jira_here
        else f"The URL answered the call made with the {method} with {what}{idp}, as it answers anonymous calls: "
        "single sign-on in front of it (an SSO app or an authenticating gateway) lets no credential through — or "
        "the URL does not lead to Jira at all (no answer here carried Jira's own traces)."
    )
    return Finding(
        "auth/sso-redirect",
        Status.FAIL,
        said,
        evidence={**evidence, "kind": sso.kind},
        remediation=tuple(fixes),
        docs=profile.docs,
    )


DOCS_OAUTH1_CLOUD = "https://developer.atlassian.com/cloud/jira/platform/jira-rest-api-oauth-authentication/"


def oauth1_on_cloud(attempt: LoginAttempt) -> Finding | None:
    """OAuth 1.0a for REST is marked deprecated on Cloud (no removal date found, JIRA-FACTS §4)."""
    if attempt.login.method != "oauth1" or attempt.deployment != "Cloud":
        return None
    return Finding(
        "auth/oauth1-deprecated-on-cloud",
        Status.INFO,
        "Atlassian marks OAuth 1.0a for Jira Cloud's REST API as deprecated: it works today, but plan a "
        "move to OAuth 2.0 (3LO) or an API token.",
        evidence={"method": "oauth1", "cloud_signals": list(attempt.cloud_signals)},
        remediation=(
            "Check whether the integration offers OAuth 2.0 or API-token authentication for Jira "
            "Cloud, and switch before Atlassian removes OAuth 1.0a.",
        ),
        docs=(DOCS_OAUTH1_CLOUD,),
    )


def _refused(attempt: LoginAttempt, myself: HttpAnswer, evidence: dict[str, Any]) -> Finding:
    """/myself said 401/403: no application access, a silent anonymous fallback, or wrong credentials."""
    login, method = attempt.login, attempt.login.method
    if sig.login_reason(myself) == "AUTHORISATION_FAILED":
        return Finding(
            "auth/no-application-access",
            Status.FAIL,
            f"Jira accepts the credentials of {login.user or 'the user'} but does not let the user in "
            "(X-Seraph-LoginReason: AUTHORISATION_FAILED): no Jira application access, or deactivated.",
            evidence=evidence,
            remediation=(
                "Give the service user Jira application access (a Jira Software/Core licence "
                "group) and make sure the account is active.",
            ),
            subject=login.user,
        )
    if _anonymous_fallback(attempt.anonymous_probe):
        probe = attempt.anonymous_probe
        assert probe is not None
        return Finding(
            "auth/anonymous-fallback",
            Status.FAIL,
            f"Jira refuses the credentials (/myself: HTTP {myself.status}) but answers {probe.url} with 200 as "
            f"{sig.seen_as(probe) or 'anonymous'}: projects open to anonymous users make the integration look "
            "connected while it works without its user's permissions.",
            evidence={
                **evidence,
                "anonymous_url": probe.url,
                "anonymous_status": probe.status,
                "anonymous_x-seraph-loginreason": sig.login_reason(probe),
                "anonymous_x-ausername": sig.seen_as(probe),
            },
            remediation=(
                _FIX_CREDENTIALS.get(method, _FIX_CREDENTIALS["basic"]),
                "Never take a 200 as proof of a login: only /rest/api/2/myself shows who Jira sees. Consider "
                'removing anonymous ("Anyone"/"Public") from Browse Projects in the permission schemes.',
            ),
            subject=login.user,
        )
    problem = attempt.oauth.problem.problem if attempt.oauth and attempt.oauth.problem else None
    detail = f"oauth_problem={problem}" if problem else f"X-Seraph-LoginReason: {sig.login_reason(myself) or '-'}"
    fixes = [_FIX_CREDENTIALS.get(method, _FIX_CREDENTIALS["basic"])]
    if attempt.deployment == "Cloud" and method in ("basic", "pat"):
        fixes.append(
            f"Jira Cloud takes the account's e-mail with an API token ({API_TOKENS}) or OAuth; "
            "it has no personal access tokens and refuses passwords."
        )
    return Finding(
        "auth/invalid-credentials",
        Status.FAIL,
        f"Jira refuses the {METHOD_NAMES.get(method, method)} (HTTP {myself.status}, {detail}).",
        evidence={**evidence, **({"oauth_problem": problem} if problem else {})},
        remediation=tuple(fixes),
        subject=login.user,
    )


def throttled_login(myself: HttpAnswer, evidence: dict[str, Any], user: str | None) -> Finding:
    """/myself met Jira's rate limit (after a short burst was waited out): the login itself was not
    judged, and nothing can be asked as this user until the limit lifts (JIRA-FACTS §10)."""
    signal = read_signal(myself)
    who = f"the user {user}" if user else "the integration's user"
    return Finding(
        "auth/throttled",
        Status.FAIL,
        (
            f"Jira's rate limit refused the login ({signal.describe()})"
            if signal.status == 429
            else f"Jira asked to come back later instead of answering the login ({signal.describe()}: a busy or "
            "starting node, or a limit)"
        )
        + f": whether the credentials are right is not known yet, and nothing can be asked as {who} until it lifts.",
        evidence={
            **{k: v for k, v in evidence.items() if k != "jira_says"},
            "jira_says": rate_limit_headers(myself.headers),
            "limit": {"reason": signal.reason, "resets_at": signal.reset, "retry_after_s": signal.retry_after_s,
                      "fill_rate": signal.fill_rate, "interval_s": signal.interval_s, "answer_page": signal.page},
        },
        remediation=rate_limit_fixes(signal, who),
        docs=("https://developer.atlassian.com/cloud/jira/platform/rate-limiting/",),
        subject=user,
    )


def _unexpected(answer: HttpAnswer, evidence: dict[str, Any]) -> Finding:
    return Finding(
        "auth/unexpected-answer",
        Status.FAIL,
        f"Jira's /myself answered HTTP {answer.status} ({answer.content_type or 'no content type'}) without a user.",
        evidence={**evidence, "content_type": answer.content_type, "body_start": answer.body[:200]},
        remediation=("Check that --url is Jira's URL and that nothing in front of Jira answers /rest/api/2/myself.",),
    )


def judge_login(
    attempt: LoginAttempt, jira_url: str, is_jira: bool, profile: IntegrationProfile, integration_method: str
) -> list[Finding]:
    login = attempt.login
    if not login.given:
        raise not_tested(
            login.note
            or "no credentials given (--user with --password or --token, --pat, or OAuth "
            "--consumer-key, --private-key and --access-token)"
        )
    main = judge_answer(attempt, jira_url, is_jira, profile)
    findings = [main]
    if login.note:
        findings.append(
            Finding("auth/method-fallback", Status.INFO, f"{login.note}.", evidence={"method": login.method})
        )
    if (deprecated := oauth1_on_cloud(attempt)) is not None:
        findings.append(deprecated)
    if main.code != "auth/password-on-cloud":
        unsupported = method_unsupported(integration_method, attempt.deployment, profile)
        if unsupported is not None:
            findings.append(unsupported)
    return findings


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    attempt: LoginAttempt = await ctx.fact(AUTH_LOGIN)
    info = await ctx.fact(SERVER_INFO)
    is_jira = bool(getattr(info, "is_jira", True)) or identify(info.answer, info.challenge).is_jira
    return judge_login(attempt, ctx.target.url or "", is_jira, ctx.profile, ctx.target.auth)


CHECK = Check(
    id="auth",
    title="Login as the integration's user (live)",
    explanation="""\
Looks at: GET /rest/api/2/myself sent with the credentials exactly as the integration sends them:
Basic user/password (Server/DC), e-mail + API token as Basic (Cloud), a personal access token as
'Authorization: Bearer' (Server/DC), or an OAuth 1.0a access token (signed). Only /myself proves
a login: Jira silently answers as anonymous where anonymous access is allowed.
Why it fails: wrong credentials (401, X-Seraph-LoginReason: AUTHENTICATED_FAILED); a CAPTCHA
lockout after failed logins (AUTHENTICATION_DENIED, X-Authentication-Denied-Reason:
CAPTCHA_CHALLENGE); an anonymous fallback that makes a broken login look fine; a password on
Cloud (API tokens only); a personal access token typed as a password (confirmed by one Bearer
retry), also once it brought the CAPTCHA on; single sign-on that answers even the credentialed call
with its login page or a redirect to the identity provider (when anonymous calls get the login page
and the credentialed one gets Jira's JSON, the SSO app's REST bypass works: pass); Basic
authentication disabled on Data Center (403 "Basic Authentication has been disabled on this
instance."); an IP allowlist's refusal (any spelling: allowed list, allowedlist, allowlist,
whitelist), never named as bad credentials; a Cloud API token that is wrong, expired, revoked,
scoped (then only api.atlassian.com/ex/jira/{cloudId} accepts it), blocked by an organisation admin
or not the e-mail's own; a Cloud API token (ATATT...) sent to Server/Data Center; or a method the
integration does not support on this deployment. A plain http->https redirect is followed once and
named by reachability, never taken for single sign-on. Cloud is recognised
from any of its signals (the password 401 text, Server: AtlassianProxy, atl-traceid, the host,
the realm, deploymentType). OAuth 1.0a on Cloud is noted as deprecated by Atlassian. A short
rate-limit burst (429, Retry-After of a few seconds) is waited out and asked again; a longer one
(Cloud's hourly quota) is reported as throttling with the limit and when it resets.
How to fix: each finding names the credential to change, or the browser login / admin reset that
lifts a CAPTCHA, or the SSO exemption the service user needs.""",
    judge=judge,
    inputs_all=("url",),
    inputs_any=("password", "token", "pat", "access_token", "oauth2_token"),
    facts=(AUTH_LOGIN.name, SERVER_INFO.name),
    after=("dns", "tls", "proxy", "reachability", "oauth-signature"),
    live=True,
    order=80,
    codes=(
        "auth/ok",
        "auth/invalid-credentials",
        "auth/captcha-required",
        "auth/anonymous-fallback",
        "auth/password-on-cloud",
        "auth/pat-as-password",
        "auth/sso-redirect",
        "auth/method-unsupported",
        "auth/no-application-access",
        "auth/no-answer",
        "auth/unexpected-answer",
        "auth/method-fallback",
        "auth/cloud-token-refused",
        "auth/oauth1-deprecated-on-cloud",
        "auth/ip-allowlist",
        "auth/cloudflare-block",
        "auth/basic-disabled",
        "auth/cloud-token-on-server",
        "auth/pat-as-password-captcha",
        "auth/throttled",
    ),
)
