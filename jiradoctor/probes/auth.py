"""``auth_login``: log in exactly as the integration does and ask Jira who we are.

Also home of :class:`Login` and :func:`fetch_as`, the one place that turns the run's credentials
into request headers, so the permission probe asks as the very same user. GET only; a secret
never leaves this module except inside an ``Authorization`` header.
"""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from jiradoctor.facts import Fact
from jiradoctor.jira import auth_signals
from jiradoctor.jira.oauth1 import sign_request
from jiradoctor.probes.deployment import cloud_signals_of, deployment_of
from jiradoctor.probes.http import HttpAnswer, TransportError, fetch
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.probes.server_info import api_url
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

if TYPE_CHECKING:
    from jiradoctor.context import Facts

MYSELF = "/rest/api/2/myself"
# Allows anonymous callers: a 200 here proves nothing about the login (JIRA-FACTS §4, JRA-41559).
ANONYMOUS_ALLOWED = "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS"
CLOUD_HOST_SUFFIXES = auth_signals.CLOUD_HOST_SUFFIXES
TENANT_INFO = "/_edge/tenant_info"


def _site(url: str) -> str:
    """The site's origin (scheme://host[:port]): tenant_info lives at the root, not under a path."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Login:
    """The credentials one request is sent with; ``method`` as the report names it.

    ``note`` says why the method differs from the one the target names (OAuth without an
    access token falls back to the other credentials given).
    """

    method: str  # basic | token | pat | oauth1 | none
    user: str | None = None
    secret: Secret | None = None
    consumer_key: str | None = None
    private_key: Secret | None = None
    note: str | None = None
    signing_key: Any = None  # the private key as the Target parsed it once (an RSAPrivateKey when usable)

    @property
    def given(self) -> bool:
        return self.method != "none"

    def headers(self, http_method: str, url: str) -> dict[str, str]:
        """The Authorization header for this request (OAuth signs method and URL, so per request)."""
        secret = self.secret.reveal() if self.secret else ""
        if self.method in ("basic", "token"):
            raw = f"{self.user or ''}:{secret}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        if self.method in ("pat", "oauth2"):  # an OAuth 2.0 access token is a Bearer credential too
            return {"Authorization": f"Bearer {secret}"}
        if self.method == "oauth1" and self.private_key is not None:
            text = self.private_key.reveal()
            loaded = self.signing_key  # parsed once, by the Target
            from cryptography.hazmat.primitives.asymmetric import rsa

            key = loaded if isinstance(loaded, rsa.RSAPrivateKey) else text  # not RSA: oauthlib names the fault
            signed = sign_request(http_method, url, self.consumer_key or "", key,
                                  token=secret)
            return dict(signed.headers)
        return {}

    def as_bearer(self) -> "Login":
        """The same secret sent as a personal access token (to confirm a PAT typed as a password)."""
        return replace(self, method="pat", user=None)


def login_for(target: Target) -> Login:
    """The login the given credentials select (DESIGN.md "Credentials decide")."""
    method = target.auth
    if method == "oauth1":
        if target.access_token:
            read = target.private_key_read
            return Login("oauth1", secret=target.access_token, consumer_key=target.consumer_key,
                         private_key=target.private_key, signing_key=read.private_key if read else None)
        fallback = _password_login(target)
        note = "OAuth without --access-token cannot log in as a user"
        if fallback.given:
            return replace(fallback, note=f"{note}; using --{'pat' if fallback.method == 'pat' else 'user'} "
                                          f"credentials instead")
        return Login("none", note=note + "; give --access-token (the integration's OAuth token) to log in as its user")
    login = _password_login(target)
    if not login.given and (target.password or target.token) and not target.user:
        return Login("none", note="--password/--token need --user (the Jira username, or the account e-mail on Cloud)")
    return login


def _password_login(target: Target) -> Login:
    if target.pat:
        return Login("pat", secret=target.pat)
    if target.oauth2_token:
        return Login("oauth2", secret=target.oauth2_token)
    if target.user and target.token:
        return Login("token", user=target.user, secret=target.token)
    if target.user and target.password:
        return Login("basic", user=target.user, secret=target.password)
    return Login("none")


async def fetch_as(facts: "Facts", login: Login, method: str, url: str, json: Any = None, **limits: Any) -> HttpAnswer:
    """``fetch`` with the login's credentials; a key that cannot sign becomes the answer's error.
    ``limits`` are fetch's ``max_body``/``budget_s``/``via``."""
    try:
        headers = login.headers(method, url)
    except Exception as exc:  # an unusable private key: the public-key check says why
        return HttpAnswer(method, url, error=TransportError("other", f"cannot sign the request ({type(exc).__name__})"))
    return await fetch(facts, method, url, headers=headers, json=json, **limits)


@dataclass(frozen=True)
class LoginAttempt:
    """What logging in showed.

    ``myself``: ``GET /rest/api/2/myself`` with the credentials. ``anonymous_probe``: an
    anonymous-allowed resource asked without credentials, only when /myself refused (a 200 there
    means an integration with a broken login would silently get anonymous answers). ``bearer_retry``: the password
    sent once as ``Authorization: Bearer``, only when it looks like a PAT and Basic failed.
    """

    login: Login
    deployment: str | None = None
    myself: HttpAnswer | None = None
    anonymous_probe: HttpAnswer | None = None
    bearer_retry: HttpAnswer | None = None
    oauth: OAuthExchange | None = None
    cloud_signals: tuple[str, ...] = ()  # what showed the deployment is Cloud
    tenant_info: HttpAnswer | None = None  # the site's anonymous /_edge/tenant_info (Cloud token refused)
    # the http URL whose /myself answered only a redirect to the same URL over https: ``myself`` is then
    # the answer there (a plain http->https redirect is followed once, never taken for single sign-on)
    upgraded_from: str | None = None
    # what the secret looks like, never the secret: "cloud-api-token" (ATATT...), "token" (a PAT's shape)
    secret_shape: str | None = None


async def _myself(facts: "Facts", login: Login) -> tuple[HttpAnswer | None, OAuthExchange | None]:
    from jiradoctor.probes.oauth2 import rest_base  # OAuth 2.0 on Cloud goes through the gateway

    url = api_url(await rest_base(facts, login.method), MYSELF)
    if login.method == "oauth1":
        # the oauth probe already makes exactly this signed call; share it instead of a second one
        exchange: OAuthExchange | None = await facts.get("oauth_rest_call")
        if exchange is not None and exchange.answer is not None:
            return exchange.answer, exchange
        return None, exchange
    from jiradoctor.probes.throttled import fetch_waiting  # a burst's 429 is waited out, not reported

    return await fetch_waiting(lambda: fetch_as(facts, login, "GET", url)), None


async def login_probe(facts: "Facts") -> LoginAttempt:
    target = facts.target
    login = login_for(target)
    info = await facts.get("server_info")
    deployment = deployment_of(info, target.url)
    if not login.given:
        return LoginAttempt(login, deployment)
    myself, exchange = await _myself(facts, login)
    base, upgraded_from = target.url or "", None
    location = auth_signals.redirect_location(myself) if myself is not None and myself.ok else None
    upgraded = auth_signals.https_upgrade(myself.url, location) if myself is not None and location else None
    if myself is not None and upgraded:
        # http -> https on the same host and path: the same call once more over TLS (never less safe)
        upgraded_from, myself = myself.url, await fetch_as(facts, login, "GET", upgraded)
        base = auth_signals.https_upgrade(base, upgraded) or base
    signals = cloud_signals_of(info, target.url, myself)
    deployment = "Cloud" if signals else deployment
    secret = login.secret.reveal() if login.secret and login.method in ("basic", "token", "pat") else ""
    shape = ("cloud-api-token" if auth_signals.is_cloud_api_token(secret)
             else "token" if auth_signals.looks_like_token(secret) else None)
    attempt = LoginAttempt(login, deployment, myself, oauth=exchange, cloud_signals=signals,
                           upgraded_from=upgraded_from, secret_shape=shape)
    if myself is None or not myself.ok or myself.status not in (401, 403):
        return attempt
    token_shaped = shape == "token"
    pat_as_basic = login.method == "basic" and deployment != "Cloud" and token_shaped
    if auth_signals.captcha(myself):
        if pat_as_basic:
            # a PAT sent as a password until Jira demanded a CAPTCHA: a Bearer retry carries no password,
            # so it cannot add to the failed-login count (UNCONFIRMED: that a PAT is exempt from the CAPTCHA)
            return replace(attempt, bearer_retry=await fetch_as(facts, login.as_bearer(), "GET", api_url(base, MYSELF)))
        return attempt
    if auth_signals.cloud_password_refused(myself) or auth_signals.basic_auth_disabled(myself):
        return attempt
    if deployment == "Cloud" and login.method in ("token", "basic") and myself.status == 401:
        # anonymous, no credential: the cloudId a scoped token's gateway URL needs
        tenant = await fetch_as(facts, Login("none"), "GET", api_url(_site(base), TENANT_INFO))
        return replace(attempt, tenant_info=tenant)
    if pat_as_basic:
        retry = await fetch_as(facts, login.as_bearer(), "GET", api_url(base, MYSELF))
        attempt = replace(attempt, bearer_retry=retry)
        if retry.status == 200:
            return attempt
    # asked without credentials: the answer shows whether anonymous access would hand the integration
    # 200s, and a second wrong login would count towards Jira's CAPTCHA (3 by default)
    anonymous = await fetch_as(facts, Login("none"), "GET", api_url(base, ANONYMOUS_ALLOWED))
    return replace(attempt, anonymous_probe=anonymous)


def login_base(attempt: LoginAttempt, base: str) -> str:
    """Where calls with the login go: ``base``, or its https twin when the login followed a plain
    http->https redirect (the same detour for every further call would only answer 301)."""
    myself = attempt.myself
    if not attempt.upgraded_from or myself is None or attempt.upgraded_from != api_url(base, MYSELF):
        return base
    return myself.url[: -len(MYSELF)] if myself.url.endswith(MYSELF) else base


async def login_proven(facts: "Facts") -> bool:
    """Did /myself (or the Bearer retry) name a user? Only then may more requests carry the login."""
    attempt: LoginAttempt = await facts.get("auth_login")
    for answer in (attempt.myself, attempt.bearer_retry):
        if answer is not None and answer.status == 200 and auth_signals.read_identity(answer.body) is not None:
            return True
    return False


AUTH_LOGIN: Fact[LoginAttempt] = Fact("auth_login", "The login with the given credentials: /myself as Jira answers it")

FACTS = {AUTH_LOGIN.name: login_probe}
