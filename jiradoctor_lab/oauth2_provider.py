"""The lab's OAuth 2.0 provider, in Jira Data Center's shape and in Atlassian Cloud's.

Why Authlib: client authentication, redirect-URI and scope validation, grant dispatch and error
answers are Authlib's ``AuthorizationServer`` and grants, not protocol code of ours; this module
only adapts the lab's :class:`Request`/:class:`Response` to it and stores clients and tokens.

Paths served (the lab is one server; the CLI is pointed at it with ``JIRADOCTOR_OAUTH2_AUTH_URL``
and ``JIRADOCTOR_OAUTH2_API_URL`` for Cloud):
- Data Center: ``/rest/oauth2/latest/authorize`` and ``/rest/oauth2/latest/token``.
- Cloud: ``/authorize``, ``/oauth/token``, ``/oauth/token/accessible-resources`` and
  ``/ex/jira/{cloudId}/rest/api/{2,3}/myself``.

Configuration is the scenario's ``[scenario.NAME.oauth2]`` table (read here from the raw TOML, so
the shared scenario model needs no change). The provider counts refresh-token grants per lab, so a
test can prove that jiradoctor sent none.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import tomllib
import urllib.parse
import weakref
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Mapping

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Payload, OAuth2Request, TokenMixin
from authlib.oauth2.rfc6749 import grants

from jiradoctor_lab import rest
from jiradoctor_lab.messages import Request, Response
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.scenarios import Scenario, _build, _resolve

DC_PREFIX = "/rest/oauth2/latest/"
CLOUD_PATHS = ("/authorize", "/oauth/token", "/oauth/token/accessible-resources")
GATEWAY_PREFIX = "/ex/jira/"
DC_MYSELF = "/rest/api/2/myself"


@dataclass(frozen=True)
class TokenSpec:
    user: str
    scopes: tuple[str, ...]
    expired: bool = False


@dataclass(frozen=True)
class OAuth2Spec:
    """A scenario's OAuth 2.0 provider: one registered client, the tokens it already holds."""

    flavour: str  # datacenter | cloud
    enabled: bool
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]  # what the registration allows
    grant_types: tuple[str, ...]
    cloud_id: str = ""
    site_listed: bool = True  # Cloud: the site appears in accessible-resources
    site_name: str = "lab"
    tokens: Mapping[str, TokenSpec] = field(default_factory=dict)
    refresh_tokens: Mapping[str, TokenSpec] = field(default_factory=dict)
    client: Mapping[str, Any] = field(default_factory=dict)  # what the integration sends (test hints)


def _tokens(table: Mapping[str, Any]) -> dict[str, TokenSpec]:
    return {
        k: TokenSpec(v["user"], tuple(v.get("scopes", ())), bool(v.get("expired", False))) for k, v in table.items()
    }


def spec_from(data: Mapping[str, Any]) -> OAuth2Spec:
    return OAuth2Spec(
        flavour=data["flavour"],
        enabled=bool(data.get("enabled", True)),
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        redirect_uris=tuple(data.get("redirect_uris", ())),
        scopes=tuple(data.get("scopes", ())),
        grant_types=tuple(data.get("grant_types", ("authorization_code", "refresh_token"))),
        cloud_id=data.get("cloud_id", ""),
        site_listed=bool(data.get("site_listed", True)),
        site_name=data.get("site_name", "lab"),
        tokens=_tokens(data.get("tokens", {})),
        refresh_tokens=_tokens(data.get("refresh_tokens", {})),
        client=dict(data.get("client", {})),
    )


def _read(name: str) -> dict[str, Any]:
    text = resources.files("jiradoctor_lab").joinpath(name).read_text(encoding="utf-8")
    tables: dict[str, Any] = tomllib.loads(text).get("scenario", {})
    return tables


def _own_tables() -> dict[str, Any]:
    return _read("oauth2_scenarios.toml")


def _raw_tables() -> dict[str, Any]:
    """The shared scenarios (for ``based_on``) and ours; ours win a name clash."""
    return {**_read("scenarios.toml"), **_own_tables()}


def spec_for(scenario_name: str) -> OAuth2Spec | None:
    """The scenario's ``oauth2`` table (with ``based_on`` merged), or None when it has none."""
    tables = _raw_tables()
    if scenario_name not in tables:
        return None
    data = _resolve(scenario_name, tables).get("oauth2")
    return spec_from(data) if data else None


def oauth2_scenarios() -> list[str]:
    """The OAuth 2.0 scenarios, in file order."""
    return list(_own_tables())


def oauth2_scenario(name: str) -> Scenario:
    """A :class:`Scenario` for :class:`LabServer` (which takes a Scenario as well as a name)."""
    return _build(name, _resolve(name, _raw_tables()))


# ---------------------------------------------------------------------------- Authlib models ---


@dataclass
class LabClient(ClientMixin):
    spec: OAuth2Spec

    def get_client_id(self) -> str:
        return self.spec.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.spec.redirect_uris[0] if self.spec.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        asked = (scope or "").split()
        return " ".join(asked) if all(s in self.spec.scopes for s in asked) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.spec.redirect_uris  # exact string match, as both providers do

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret.encode(), self.spec.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.spec.grant_types


@dataclass
class LabRefreshToken(TokenMixin):
    value: str
    token: TokenSpec

    def check_client(self, client: Any) -> bool:
        return True

    def get_scope(self) -> str:
        return " ".join(self.token.scopes)

    def get_expires_in(self) -> int:
        return 0

    def is_expired(self) -> bool:
        return self.token.expired

    def is_revoked(self) -> bool:
        return self.token.expired


class _Payload(OAuth2Payload):
    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self._data.items()}


class _LabRequest(OAuth2Request):
    def __init__(self, req: Request) -> None:
        # Authlib refuses plain-http URIs; the lab serves loopback, and the URI is only informational
        super().__init__(req.method, "https://lab.invalid" + req.path, headers=dict(req.headers))
        self._args = dict(req.query_params)
        self._form = _form_of(req)
        self.payload = _Payload({**self._args, **self._form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _form_of(req: Request) -> dict[str, str]:
    """Form fields, or a JSON object's string fields (Cloud's token endpoint takes JSON)."""
    if req.is_form:
        return dict(req.form)
    if (req.header("content-type") or "").startswith("application/json"):
        try:
            data = json.loads(req.body.decode("utf-8", "replace") or "{}")
        except ValueError:
            return {}
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int))}
    return {}


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: the old refresh token stops working

    def authenticate_refresh_token(self, refresh_token: str) -> LabRefreshToken | None:
        lab = self.server.lab
        with lab.lock:
            spec = lab.refresh_tokens.get(refresh_token)
        if spec is None or spec.expired:
            return None
        return LabRefreshToken(refresh_token, spec)

    def authenticate_user(self, refresh_token: LabRefreshToken) -> str:
        return refresh_token.token.user

    def revoke_old_credential(self, refresh_token: LabRefreshToken) -> None:
        with self.server.lab.lock:
            self.server.lab.refresh_tokens.pop(refresh_token.value, None)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

    def save_authorization_code(self, code: str, request: Any) -> None:  # never reached: no consent in the lab
        raise NotImplementedError

    def query_authorization_code(self, code: str, client: Any) -> None:
        return None  # the lab never completes an authorisation, so no code is ever valid

    def delete_authorization_code(self, authorization_code: Any) -> None:
        return None

    def authenticate_user(self, authorization_code: Any) -> None:
        return None


class _ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]


class LabAuthorizationServer(AuthorizationServer):
    def __init__(self, lab: "OAuth2Lab") -> None:
        super().__init__()
        self.lab = lab
        self.register_grant(_CodeGrant)
        self.register_grant(_RefreshGrant)
        self.register_grant(_ClientCredentialsGrant)
        self.register_token_generator("default", lab.issue)

    def query_client(self, client_id: str) -> LabClient | None:
        return LabClient(self.lab.spec) if client_id == self.lab.spec.client_id else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        pass  # issue() stored it already

    def create_oauth2_request(self, request: Request) -> _LabRequest:
        return _LabRequest(request)

    def create_json_request(self, request: Request) -> _LabRequest:
        return _LabRequest(request)

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        resp = Response(status, json.dumps(body).encode() if isinstance(body, dict) else (body or "").encode())
        for name, value in headers or []:
            resp.add(name, value)
        if isinstance(body, dict) and not resp.has("Content-Type"):
            resp.add("Content-Type", "application/json")
        return resp

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class OAuth2Lab:
    """One lab's provider state: issued tokens, rotated refresh tokens, the refresh counter."""

    def __init__(self, spec: OAuth2Spec, runtime: LabRuntime) -> None:
        self.spec = spec
        self.runtime = runtime
        self.lock = threading.Lock()
        self.tokens: dict[str, TokenSpec] = dict(spec.tokens)
        self.refresh_tokens: dict[str, TokenSpec] = dict(spec.refresh_tokens)
        self.refresh_grants = 0  # token requests that carried a refresh_token
        self.token_requests = 0
        self.server = LabAuthorizationServer(self)

    def issue(
        self,
        grant_type: str,
        client: Any,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        scopes = tuple((scope or " ".join(self.spec.scopes)).split())
        owner = user or f"service-account-{self.spec.client_id}"
        access = secrets.token_urlsafe(24)
        token: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": " ".join(scopes),
        }
        with self.lock:
            self.tokens[access] = TokenSpec(owner, scopes)
            if include_refresh_token and grant_type != "client_credentials":
                refresh = secrets.token_urlsafe(24)
                self.refresh_tokens[refresh] = TokenSpec(owner, scopes)
                token["refresh_token"] = refresh
        return token

    def bearer(self, req: Request) -> TokenSpec | None:
        value = req.header("authorization") or ""
        if not value.startswith("Bearer "):
            return None
        with self.lock:
            spec = self.tokens.get(value[7:].strip())
        return None if spec is None or spec.expired else spec


_LABS: "weakref.WeakKeyDictionary[LabRuntime, OAuth2Lab | None]" = weakref.WeakKeyDictionary()
_LABS_LOCK = threading.Lock()


def lab_for(runtime: LabRuntime) -> OAuth2Lab | None:
    with _LABS_LOCK:
        if runtime not in _LABS:
            spec = spec_for(runtime.scenario.name)
            _LABS[runtime] = OAuth2Lab(spec, runtime) if spec else None
        return _LABS[runtime]


def handles(req: Request, runtime: LabRuntime) -> bool:
    lab = lab_for(runtime)
    if lab is None or not lab.spec.enabled:
        return False
    if lab.spec.flavour == "datacenter":
        return req.path.startswith(DC_PREFIX) or (req.path == DC_MYSELF and lab.bearer(req) is not None)
    return req.path in CLOUD_PATHS or req.path.startswith(GATEWAY_PREFIX)


def handle(req: Request, runtime: LabRuntime) -> Response:
    lab = lab_for(runtime)
    assert lab is not None
    resp = _route(req, lab)
    resp.jira_headers = lab.spec.flavour == "datacenter"  # Cloud's auth server and gateway are not Jira
    return resp


def _route(req: Request, lab: OAuth2Lab) -> Response:
    path = req.path
    if path.endswith("/authorize"):
        return _authorize(req, lab)
    if path == "/oauth/token/accessible-resources":
        return _accessible_resources(req, lab)
    if path.startswith(GATEWAY_PREFIX):
        return _gateway(req, lab)
    if path == DC_MYSELF:
        return _myself(lab, lab.bearer(req))
    if path.endswith("/token") and req.method == "POST":
        sent_refresh = "refresh_token" in _form_of(req)  # counted on arrival, whatever the provider decides
        with lab.lock:
            lab.token_requests += 1
            lab.refresh_grants += int(sent_refresh)
        form = _form_of(req)
        if lab.spec.flavour == "datacenter" and (refused := _grant_first(form, lab)) is not None:
            return refused
        answer: Response = lab.server.create_token_response(req)
        refresh = form.get("grant_type") == "refresh_token"
        if lab.spec.flavour == "cloud" and refresh and _error_of(answer) == "invalid_grant":
            return Response.json(403, CLOUD_BAD_REFRESH)
        return answer
    return Response.json(405 if path.endswith("/token") else 404, {"error": "invalid_request"})


# Cloud's refusal of an unknown refresh token, as captured (JIRA-FACTS §10)
CLOUD_BAD_REFRESH = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def _error_of(answer: Response) -> str | None:
    try:
        data = json.loads(answer.body or b"{}")
    except ValueError:
        return None
    return data.get("error") if isinstance(data, dict) and isinstance(data.get("error"), str) else None


def _grant_first(form: Mapping[str, str], lab: OAuth2Lab) -> Response | None:
    """Jira Data Center's provider checks the grant before the client (JIRA-FACTS §10, from its
    sources): an unknown authorization code is ``invalid_request`` whatever the client and secret; an
    unknown, foreign or expired refresh token ``invalid_grant``. Only a valid grant reaches the client
    check (a wrong secret then: ``invalid_client``). UNCONFIRMED, as §10 says: the HTTP status (400
    here) and the field names (RFC 6749's here)."""
    grant = form.get("grant_type")
    if grant == "authorization_code":  # the lab never completes an authorisation: every code is unknown
        return Response.json(400, {"error": "invalid_request", "error_description": "Invalid authorization code"})
    if grant == "refresh_token":
        with lab.lock:
            spec = lab.refresh_tokens.get(form.get("refresh_token") or "")
        if spec is None or spec.expired:
            return Response.json(400, {"error": "invalid_grant", "error_description": "Invalid refresh token"})
    return None


def _error_page(lab: OAuth2Lab, error: OAuth2Error) -> Response:
    """Where a browser is sent when the request cannot go back to the client.

    Cloud: ``id.atlassian.com/error?error=unauthorized_client&error_description=redirect_uri is
    not registered for client: ...`` (github/copilot-cli#4901); the lab keeps Authlib's error
    and serves the page under its own ``/error``. Data Center: UNCONFIRMED what Jira shows; the lab
    answers 400 with the error as JSON.
    """
    description = error.description or ""
    code = error.error
    if "Redirect URI" in description:
        code, description = "unauthorized_client", f"redirect_uri is not registered for client: {lab.spec.client_id}"
    if lab.spec.flavour == "cloud":
        query = urllib.parse.urlencode({"error": code, "error_description": description})
        return Response.redirect(f"{lab.runtime.url}/error?{query}")
    return Response.json(400, {"error": code, "error_description": description})


def _authorize(req: Request, lab: OAuth2Lab) -> Response:
    """Validate as the provider does before any login; an anonymous caller then goes to log in.
    The lab never shows a consent page nor issues a code."""
    try:
        lab.server.get_consent_grant(req)
    except OAuth2Error as error:
        if error.redirect_uri:  # the client's own redirect URI is trusted: the error goes there
            status, _body, headers = error()
            resp = Response(status)
            for name, value in headers:
                resp.add(name, value)
            return resp
        return _error_page(lab, error)
    destination = urllib.parse.quote(req.url_with_query(), safe="")
    if lab.spec.flavour == "cloud":
        return Response.redirect(f"{lab.runtime.url}/login?continue={destination}")
    return Response.redirect(f"{lab.runtime.base_url}/login.jsp?os_destination={destination}")


def _unauthorized() -> Response:
    # UNCONFIRMED body: Atlassian's gateway answers 401 with a JSON error; the exact text varies
    return Response.json(401, {"code": 401, "message": "Unauthorized"})


def _accessible_resources(req: Request, lab: OAuth2Lab) -> Response:
    token = lab.bearer(req)
    if token is None:
        return _unauthorized()
    sites = []
    if lab.spec.site_listed:
        sites.append(
            {
                "id": lab.spec.cloud_id,
                "name": lab.spec.site_name,
                "url": lab.runtime.base_url,
                "scopes": list(token.scopes),
                "avatarUrl": "",
            }
        )
    return Response.json(200, sites)


def _gateway(req: Request, lab: OAuth2Lab) -> Response:
    """``/ex/jira/{cloudId}/...``: the site's REST API as the token's user, when the token reaches
    that site (the lab's own REST resources answer; a service account without a user gets /myself)."""
    token = lab.bearer(req)
    if token is None:
        return _unauthorized()
    tail = req.path[len(GATEWAY_PREFIX) :]
    cloud_id, _, inner = tail.partition("/")
    if cloud_id != lab.spec.cloud_id or not lab.spec.site_listed:
        return Response.json(404, {"code": 404, "message": "Not Found"})  # UNCONFIRMED shape
    user = lab.runtime.users_by_name.get(token.user)
    if user is None or inner.rstrip("/") in ("rest/api/2/myself", "rest/api/3/myself"):
        return _myself(lab, token)
    inner_req = dataclasses.replace(req, path="/" + inner)
    found = rest.match(inner_req, lab.runtime)
    if found is None:
        return rest.not_found(inner_req)
    route, match = found
    if req.method not in route.methods:
        return rest.method_not_allowed(route)
    return route.handler(inner_req, lab.runtime, user, match)


def _myself(lab: OAuth2Lab, token: TokenSpec | None) -> Response:
    """The token's user in the deployment's shape (a service account has no user entry)."""
    if token is None:
        return _unauthorized()
    user = lab.runtime.users_by_name.get(token.user)
    if lab.spec.flavour == "cloud":
        if user is None:
            return Response.json(
                200, {"accountId": token.user, "accountType": "app", "displayName": token.user, "active": True}
            )
        return Response.json(
            200,
            {
                "accountId": user.account_id,
                "accountType": "atlassian",
                "emailAddress": user.email,
                "displayName": user.display_name,
                "active": user.active,
            },
        )
    if user is None:
        return Response.json(200, {"name": token.user, "key": token.user, "displayName": token.user, "active": True})
    return Response.json(
        200,
        {
            "name": user.name,
            "key": user.key,
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": user.active,
        },
    )
