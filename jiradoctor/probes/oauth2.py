"""``oauth2``: look at an OAuth 2.0 connection without breaking it.

What is sent, and why each request is safe for the integration:
- a token request with an authorization code that cannot exist (authorization-code flow only):
  nothing is issued, nothing stored is used up. What it proves depends on the provider's order:
  Data Center checks the grant *before* the client (JIRA-FACTS §10), so a made-up code answers
  ``invalid_request`` whatever the secret: it shows the provider is there, never that the secret is
  right. Only ``invalid_client`` says something of the client;
- the authorize URL, without a session and without following the answer: the provider validates
  client, redirect URI and scopes before asking anyone to log in; no authorisation is completed;
- with an access token, GETs only: who the token belongs to, the sites it reaches (Cloud);
- client credentials (``--oauth2-flow client-credentials``): that grant only (no made-up code, no
  authorize URL), one token request, as the service account itself does every hour; no refresh token
  exists in that flow. An issued token proves the id and secret;
- a refresh token is sent only with ``--allow-refresh-token-rotation``: using one rotates it, and the
  integration's stored copy stops working.
New tokens that come back are registered with the redactor at once and never kept as text.
"""

from __future__ import annotations

import secrets
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jiradoctor.facts import Fact
from jiradoctor.jira import oauth2 as o2
from jiradoctor.jira.auth_signals import cloud_id as cloud_id_of
from jiradoctor.probes.http import HttpAnswer, fetch
from jiradoctor.secrets import Secret

if TYPE_CHECKING:
    from jiradoctor.context import Facts

MYSELF = "/rest/api/2/myself"
TENANT_INFO = "/_edge/tenant_info"  # Cloud: the site's cloudId, anonymously (JIRA-FACTS §10)


@dataclass(frozen=True)
class OAuth2Observation:
    """Everything the OAuth 2.0 probe saw; ``None`` where it did not ask (input missing)."""

    flavour: str
    endpoints: o2.Endpoints
    client_auth: HttpAnswer | None = None
    authorize: HttpAnswer | None = None
    requested_scopes: tuple[str, ...] = ()
    client_credentials: HttpAnswer | None = None
    client_credentials_scopes: tuple[str, ...] | None = None
    token_source: str | None = None  # given | client-credentials | refresh
    resources: HttpAnswer | None = None
    myself: HttpAnswer | None = None  # through the gateway on Cloud, at the site on Data Center
    site_myself: HttpAnswer | None = None  # Cloud: the same token sent to the site URL
    cloud_id: str | None = None
    cloud_id_from: str | None = None  # accessible-resources | tenant_info | the URL (the gateway given as --url)
    gateway_given: bool = False  # --url is api.atlassian.com/ex/jira/{cloudId}: the integration calls the gateway
    refresh: HttpAnswer | None = None
    refresh_given: bool = False
    refresh_allowed: bool = False
    secret_withheld: str | None = None  # why a secret was not sent
    notes: tuple[str, ...] = field(default=())


def flavour_for(deployment: str | None) -> str:
    return "cloud" if deployment == "Cloud" else "datacenter"


def _strip_tokens(facts: "Facts", answer: HttpAnswer) -> tuple[HttpAnswer, dict[str, Any] | None]:
    """Register any token in a token answer with the redactor, then keep the answer without them."""
    fields = o2.token_fields(answer.body)
    if fields is None:
        return answer, None
    for name in ("access_token", "refresh_token", "id_token"):
        if isinstance(fields.get(name), str):
            facts.redactor.add(fields[name])
    return replace(answer, body=facts.redactor.text(answer.body)), fields


async def oauth2_probe(facts: "Facts") -> OAuth2Observation:
    from jiradoctor.probes.deployment import deployment_of

    target = facts.target
    url = (target.url or "").rstrip("/")
    info = await facts.get("server_info")
    gateway_id = o2.gateway_cloud_id(url)
    flavour = "cloud" if gateway_id else flavour_for(deployment_of(info, url))
    eps = o2.endpoints(flavour, url)
    scopes = o2.split_scopes(target.scopes) if target.scopes else ()
    obs = OAuth2Observation(flavour, eps, requested_scopes=scopes,
                            refresh_given=bool(target.oauth2_refresh_token),
                            refresh_allowed=bool(target.allow_refresh_token_rotation),
                            gateway_given=gateway_id is not None,
                            cloud_id=gateway_id, cloud_id_from="the URL" if gateway_id else None)
    client_id = target.client_id
    secret = target.client_secret.reveal() if target.client_secret else None
    if secret and target.insecure:
        # fetch verifies certificates only for requests with an Authorization header; a secret in a
        # body would travel over the unverified connection --insecure asks for: never send it so
        obs = replace(obs, secret_withheld="--insecure: the client secret is not sent over an unverified connection")
        secret = None

    code_flow = target.oauth2_flow != "client-credentials"
    if client_id and secret and code_flow:
        headers, body = o2.invalid_code_request(flavour, client_id, secret, target.redirect_uri)
        obs = replace(obs, client_auth=await fetch(facts, "POST", eps.token, headers=headers, content=body))

    if client_id and target.redirect_uri and code_flow:
        state = secrets.token_urlsafe(8)
        authorize = o2.authorize_url(eps, client_id, target.redirect_uri, scopes, state)
        obs = replace(obs, authorize=await fetch(facts, "GET", authorize))

    token: str | None = target.oauth2_token.reveal() if target.oauth2_token else None
    if token:
        obs = replace(obs, token_source="given")
    if client_id and secret and target.oauth2_flow == "client-credentials":
        fields = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        if scopes:
            fields["scope"] = " ".join(scopes)
        headers, body = o2.token_request(flavour, fields)
        answer, issued = _strip_tokens(facts, await fetch(facts, "POST", eps.token, headers=headers, content=body))
        granted = o2.split_scopes(issued.get("scope")) if issued and isinstance(issued.get("scope"), str) else None
        obs = replace(obs, client_credentials=answer, client_credentials_scopes=granted)
        if issued and not token:
            token, obs = issued["access_token"], replace(obs, token_source="client-credentials")

    if target.oauth2_refresh_token and target.allow_refresh_token_rotation and client_id and secret:
        fields = {"grant_type": "refresh_token", "refresh_token": target.oauth2_refresh_token.reveal(),
                  "client_id": client_id, "client_secret": secret}
        headers, body = o2.token_request(flavour, fields)
        answer, issued = _strip_tokens(facts, await fetch(facts, "POST", eps.token, headers=headers, content=body))
        obs = replace(obs, refresh=answer)
        if issued and not token:
            token, obs = issued["access_token"], replace(obs, token_source="refresh")

    if token:
        obs = await _with_token(facts, obs, Secret(token), url)
    return obs


async def _with_token(facts: "Facts", obs: OAuth2Observation, token: Secret, url: str) -> OAuth2Observation:
    bearer = {"Authorization": f"Bearer {token.reveal()}"}
    if obs.flavour == "datacenter":
        return replace(obs, myself=await fetch(facts, "GET", url + MYSELF, headers=bearer))
    assert obs.endpoints.accessible_resources is not None
    listed = await fetch(facts, "GET", obs.endpoints.accessible_resources, headers=bearer)
    obs = replace(obs, resources=listed)
    sites = o2.parse_resources(listed.body) if listed.status == 200 else None
    if obs.gateway_given:  # the integration calls the gateway: the token is used where it is meant to be
        site = next((s for s in sites or [] if s.id == obs.cloud_id), None)
        return replace(obs, myself=await fetch(facts, "GET", url + MYSELF, headers=bearer)) if site else obs
    site = next((s for s in sites or [] if o2.same_site(s.url, url)), None)
    if site is None:
        if sites is not None:  # the site's own cloudId (anonymous), to name the gateway URL all the same
            tenant = await fetch(facts, "GET", _origin(url) + TENANT_INFO)
            found = cloud_id_of(tenant.body) if tenant.status == 200 else None
            obs = replace(obs, cloud_id=found, cloud_id_from="tenant_info") if found else obs
        return obs
    gateway = obs.endpoints.gateway(site.id)
    # what the integration sees when it sends the token to the URL it was given (the site's)
    return replace(obs, cloud_id=site.id, cloud_id_from="accessible-resources",
                   myself=await fetch(facts, "GET", gateway + MYSELF, headers=bearer),
                   site_myself=await fetch(facts, "GET", url + MYSELF, headers=bearer))


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def rest_base(facts: "Facts", method: str) -> str:
    """Where REST calls with this login go: Cloud takes OAuth 2.0 tokens only at
    ``api.atlassian.com/ex/jira/{cloudId}``, never at the site URL; everything else at ``--url``."""
    url = facts.target.url or ""
    if method != "oauth2" or not facts.has("oauth2"):
        return url
    obs: OAuth2Observation = await facts.get("oauth2")
    reached = obs.cloud_id_from in ("accessible-resources", "the URL")  # the token reaches that site
    return obs.endpoints.gateway(obs.cloud_id) if obs.flavour == "cloud" and obs.cloud_id and reached else url


OAUTH2: Fact[OAuth2Observation] = Fact("oauth2", "The OAuth 2.0 client, authorisation, token and resource answers")

FACTS = {OAUTH2.name: oauth2_probe}
