"""Lab scenarios: one way a Jira connection breaks, described as data in ``scenarios.toml``.

Why data: a scenario is read by the lab server (how to behave), by the end-to-end tests (which
finding codes jiradoctor must report) and by ``jiradoctor lab scenarios`` (documentation). Keeping
it in one TOML file means adding a failure mode is a data change, not a code change.

A scenario may say ``based_on = "other"``: it starts from that scenario's table (deep-merged;
lists and scalars replace, tables merge).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

from jiradoctor.jira.tomcat import Connector, RemoteIpValve

SERVER = "Server"
CLOUD = "Cloud"
MISBEHAVIOURS = ("", "html-login", "not-found", "redirect-loop", "connection-reset", "never-answers",
                 # the blockers' own pages (issue 19, lab/blockers.py)
                 "ip-allowlist", "cloudflare-1006", "corporate-proxy")
AUTH_KINDS = ("oauth1", "basic", "token", "pat", "none")


class ScenarioError(ValueError):
    """The scenario data is inconsistent or a name is unknown."""


@dataclass(frozen=True)
class ConnectorSpec:
    """The server.xml Connector/Context of the lab's Tomcat (empty string = attribute absent)."""

    scheme: str = ""
    secure: bool = False
    proxy_name: str = ""
    proxy_port: int = 0
    context_path: str = ""
    remote_ip_valve: bool = False

    def build(self, port: int) -> Connector:
        return Connector(
            port=port,
            scheme=self.scheme or None,
            secure=self.secure,
            proxy_name=self.proxy_name or None,
            proxy_port=self.proxy_port or None,
            context_path=self.context_path.rstrip("/"),
            remote_ip_valve=RemoteIpValve() if self.remote_ip_valve else None,
        )


@dataclass(frozen=True)
class FrontProxy:
    """What a simulated proxy/CDN between the client and Tomcat does to each request.

    ``strip_prefix``/``add_prefix`` rewrite the path (a proxy mapping ``/jira`` to ``/``);
    ``drop_query_params`` removes query parameters by name (``*`` = the whole query string);
    ``replay_oauth`` makes the proxy send each OAuth-signed request twice and return the second
    answer (a retrying load balancer), so Jira sees every nonce twice.
    """

    strip_prefix: str = ""
    add_prefix: str = ""
    drop_query_params: tuple[str, ...] = ()
    replay_oauth: bool = False
    # nginx proxy_cache with proxy_cache_convert_head on (its default): HEAD reaches Jira as GET
    head_to_get: bool = False


@dataclass(frozen=True)
class ConsumerSpec:
    """The application link's incoming OAuth consumer as Jira stores it.

    ``public_key`` names which key pair's public half Jira holds: ``consumer`` (the pair of the
    private key the lab hands to the client) or ``other`` (a different pair: key mismatch).
    ``callback_prefix``, when set, is a callback URL registered with the consumer; Jira then
    refuses any other ``oauth_callback`` (UNCONFIRMED: modelled on the request-token servlet's
    callback validation, JIRA-FACTS §1).
    """

    key: str = "piplanning.io"
    registered: bool = True
    name: str = "piplanning.io"
    public_key: str = "consumer"
    callback_prefix: str = ""


@dataclass(frozen=True)
class Behaviour:
    """Switches for the ways Jira (or what stands in its place) misbehaves."""

    misbehave: str = ""
    captcha_after_failures: int = 0  # 0 = never; Jira's default is 3, off here so runs repeat
    sso_redirect: str = ""  # IdP login URL template; non-empty = Basic/anonymous gets a 302
    unknown_permissions: tuple[str, ...] = ()  # keys this Jira does not know (no Jira Software)
    # SSO that answers REST calls with 200 and the HTML login page (Data Center behind Okta SAML)
    sso_login_page: bool = False
    # Cloud's password-on-Basic 401 wording: "2020" (links confluence.atlassian.com) or "2022" (developer.atlassian.com)
    cloud_password_wording: str = "2022"
    # Jira's REST XSRF refusal: 403 (Cloud KB) or 404 with the same "XSRF check failed" body
    # (jira.atlassian.com itself, 2024; JIRA-FACTS §10)
    xsrf_status: int = 403
    # serverInfo fields left out (Atlassian's own Cloud example omits deploymentType)
    server_info_omit: tuple[str, ...] = ()
    # Cloud's bulk permissions/check answers 403 "Only Jira administrators can perform this operation."
    bulk_check_refused: bool = False
    # Rate limit on the permission fan-out (mypermissions with a project): after this many such
    # requests (0 = never), every /rest request within ``throttle_window_s`` is answered
    # ``throttle_status`` with Retry-After; ``throttle_forever`` never lifts it.
    throttle_after: int = 0
    throttle_window_s: float = 1.0
    throttle_status: int = 429
    throttle_forever: bool = False
    # the captured shape (jiradoctor_lab/throttle.py): cloud, cloud-html, cloud-quota, dc-bucket; for
    # dc-bucket, throttle_after is the bucket's size and bucket_fill_rate tokens come every throttle_window_s
    throttle_shape: str = "cloud"
    bucket_fill_rate: int = 0
    throttle_login: int = 0  # the first N /myself requests are refused by the rate limit
    beta_rate_limit_headers: bool = False  # Cloud's Beta-Retry-After/Beta-RateLimit* on answers (not a throttle)
    # OAuth problem every signed REST call with an access token gets (token_expired, permission_unknown,
    # additional_authorization_required): the lab's stand-in for a token in that state
    access_token_problem: str = ""
    # Data Center cluster behind a load balancer: node ids answered in X-ANODEID; sticky = the node
    # follows the JSESSIONID cookie, else requests go round-robin
    cluster_nodes: tuple[str, ...] = ()
    sticky_sessions: bool = True
    # one node configured differently (an app disabled there, issue 25): requests to these path prefixes
    # answer 404 on ``broken_node``; the first request of such a path goes to it (a real balancer does
    # so by chance), the next ones round-robin, so a run sees the failure and the healthy twin node
    broken_node: str = ""
    broken_node_paths: tuple[str, ...] = ()
    # Jira's REST webhooks path moved in Jira 10 (applinks data has its own jira10 switch for admins)
    # issue 25: SSO in front of every REST resource, serverInfo included (anonymous callers never see
    # Jira's JSON); with ``sso_rest_bypass`` the SSO app lets Basic-authenticated REST calls through
    sso_everywhere: bool = False
    sso_rest_bypass: bool = False
    # the SSO login page comes from an authenticating gateway in front of Jira, without Jira's headers
    sso_gateway: bool = False
    # Data Center with Basic authentication switched off: 403 "Basic Authentication has been disabled
    # on this instance." (JIRA-FACTS §10); PATs (Bearer) and OAuth still work
    basic_auth_disabled: bool = False
    # an IP allowlist that refuses calls carrying credentials with this sentence (anonymous serverInfo
    # passes); "" = none. UNCONFIRMED: that a real allowlist spares anonymous calls; the sentences are §10's
    ip_allowlist_credentials: str = ""


@dataclass(frozen=True)
class User:
    name: str
    key: str = ""
    display_name: str = ""
    email: str = ""
    account_id: str = ""
    password: str = ""
    api_token: str = ""
    pat: str = ""
    groups: tuple[str, ...] = ()
    global_permissions: tuple[str, ...] = ()
    captcha_locked: bool = False
    active: bool = True


@dataclass(frozen=True)
class Project:
    id: int
    key: str
    name: str
    scheme: str = "default"
    project_type: str = "software"


@dataclass(frozen=True)
class ClientHints:
    """What the integration under test is expected to send in this scenario.

    The lab hands these to tests and prints them from ``lab serve``; ``consumer_key`` may differ
    from the one Jira holds on purpose (whitespace, unknown key).
    """

    auth: str = "oauth1"
    integration: str = "piplanning"
    consumer_key: str = "piplanning.io"
    user: str = ""
    password: str = ""
    token: str = ""
    pat: str = ""
    access_token: str = ""
    projects: tuple[str, ...] = ()
    trust_lab_ca: bool = False
    notes: str = ""
    user_agent: str = ""  # the User-Agent the integration sends (--user-agent)
    integration_hosting: str = "on-premises"  # where the integration runs (--integration-hosting)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    expect: tuple[str, ...]
    deployment: str
    version: str
    base_url: str  # template: {scheme} {host} {port}
    url: str  # template: the URL entered in the integration
    tls: bool
    clock_offset_s: float
    connector: ConnectorSpec
    front_proxy: FrontProxy
    consumer: ConsumerSpec
    behaviour: Behaviour
    users: tuple[User, ...]
    access_tokens: Mapping[str, str]  # access token -> user name (already authorised)
    projects: tuple[Project, ...]
    project_count: int  # generated projects on top of ``projects`` (benchmarks)
    generated_scheme: str
    schemes: Mapping[str, Mapping[str, tuple[str, ...]]]  # scheme -> permission -> holders
    client: ClientHints
    server_title: str = "Jira"
    based_on: str = ""
    # codes the customer's files add (demo: server.xml, the pasted public key, Jira's consumer key)
    expect_with_files: tuple[str, ...] = ()

    @property
    def demo_codes(self) -> frozenset[str]:
        """Every warn/fail code ``jiradoctor demo --scenario NAME`` reports: the integration's view
        (``expect``), what the customer's files add, and ``dns/private-address`` for a cloud-hosted
        integration (the lab listens on loopback, which such an integration cannot reach)."""
        loopback = {"dns/private-address"} if self.client.integration_hosting == "cloud" else set()
        return frozenset({*self.expect, *self.expect_with_files, *loopback})

    @property
    def is_cloud(self) -> bool:
        return self.deployment == CLOUD

    @property
    def expected_status(self) -> str:
        """``pass`` when nothing is expected, else ``findings``."""
        return "findings" if self.expect else "pass"

    def all_projects(self) -> tuple[Project, ...]:
        """Explicit projects plus ``project_count`` generated ones (P0001, P0002, ...)."""
        generated = tuple(
            Project(id=20000 + i, key=f"P{i:04d}", name=f"Generated project {i}", scheme=self.generated_scheme)
            for i in range(1, self.project_count + 1)
        )
        return self.projects + generated

    def user(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(name: str, tables: Mapping[str, Mapping[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise ScenarioError(f"based_on cycle: {' -> '.join(seen + (name,))}")
    if name not in tables:
        raise ScenarioError(f"unknown scenario {name!r}")
    table = tables[name]
    parent = table.get("based_on")
    if not parent:
        return dict(table)
    merged = _merge(_resolve(parent, tables, seen + (name,)), table)
    merged["based_on"] = parent
    # what a parent expects is not inherited: each scenario states its own outcome
    merged["expect"] = table.get("expect", [])
    merged["expect_with_files"] = table.get("expect_with_files", [])
    return merged


def _tuple_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    known = cls.__dataclass_fields__  # type: ignore[attr-defined]
    unknown = set(data) - set(known)
    if unknown:
        raise ScenarioError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _build(name: str, data: Mapping[str, Any]) -> Scenario:
    users = tuple(
        User(**_tuple_fields(User, {"name": uname, **udata})) for uname, udata in data.get("users", {}).items()
    )
    schemes = MappingProxyType({
        sname: MappingProxyType({perm: tuple(holders) for perm, holders in grants.items()})
        for sname, grants in data.get("schemes", {}).items()
    })
    scenario = Scenario(
        name=name,
        description=data["description"],
        expect=tuple(data.get("expect", ())),
        deployment=data.get("deployment", SERVER),
        version=data.get("version", "9.12.2"),
        base_url=data["base_url"],
        url=data.get("url", data["base_url"]),
        tls=bool(data.get("tls", False)),
        clock_offset_s=float(data.get("clock_offset_s", 0)),
        connector=ConnectorSpec(**_tuple_fields(ConnectorSpec, data.get("connector", {}))),
        front_proxy=FrontProxy(**_tuple_fields(FrontProxy, data.get("front_proxy", {}))),
        consumer=ConsumerSpec(**_tuple_fields(ConsumerSpec, data.get("consumer", {}))),
        behaviour=Behaviour(**_tuple_fields(Behaviour, data.get("behaviour", {}))),
        users=users,
        access_tokens=MappingProxyType(dict(data.get("access_tokens", {}))),
        projects=tuple(Project(**_tuple_fields(Project, p)) for p in data.get("projects", [])),
        project_count=int(data.get("project_count", 0)),
        generated_scheme=data.get("generated_scheme", "default"),
        schemes=schemes,
        client=ClientHints(**_tuple_fields(ClientHints, data.get("client", {}))),
        server_title=data.get("server_title", "Jira"),
        based_on=data.get("based_on", ""),
        expect_with_files=tuple(data.get("expect_with_files", ())),
    )
    _validate(scenario)
    return scenario


def _validate(s: Scenario) -> None:
    if s.deployment not in (SERVER, CLOUD):
        raise ScenarioError(f"{s.name}: deployment must be Server or Cloud")
    if s.behaviour.misbehave not in MISBEHAVIOURS:
        raise ScenarioError(f"{s.name}: unknown misbehave {s.behaviour.misbehave!r}")
    if s.behaviour.cloud_password_wording not in ("2020", "2022"):
        raise ScenarioError(f"{s.name}: unknown cloud_password_wording")
    if s.behaviour.throttle_status not in (429, 503):
        raise ScenarioError(f"{s.name}: throttle_status must be 429 or 503")
    if s.behaviour.throttle_shape not in ("cloud", "cloud-html", "cloud-quota", "dc-bucket"):
        raise ScenarioError(f"{s.name}: unknown throttle_shape {s.behaviour.throttle_shape!r}")
    if s.behaviour.throttle_shape == "dc-bucket" and s.behaviour.throttle_after and s.behaviour.bucket_fill_rate < 1:
        raise ScenarioError(f"{s.name}: a dc-bucket needs bucket_fill_rate >= 1")
    if s.behaviour.access_token_problem not in ("", "token_expired", "permission_unknown",
                                                "additional_authorization_required", "token_rejected"):
        raise ScenarioError(f"{s.name}: unknown access_token_problem")
    if s.client.integration_hosting not in ("cloud", "on-premises"):
        raise ScenarioError(f"{s.name}: integration_hosting must be cloud or on-premises")
    if s.client.auth not in AUTH_KINDS:
        raise ScenarioError(f"{s.name}: unknown client auth {s.client.auth!r}")
    if s.consumer.public_key not in ("consumer", "other"):
        raise ScenarioError(f"{s.name}: consumer.public_key must be 'consumer' or 'other'")
    for p in s.all_projects():
        if p.scheme not in s.schemes:
            raise ScenarioError(f"{s.name}: project {p.key} uses unknown scheme {p.scheme!r}")
    for uname in s.access_tokens.values():
        if s.user(uname) is None:
            raise ScenarioError(f"{s.name}: access token for unknown user {uname!r}")
    for code in s.expect:
        if "/" not in code:
            raise ScenarioError(f"{s.name}: expected code {code!r} is not '<check>/<slug>'")


@functools.lru_cache(maxsize=1)
def _load() -> Mapping[str, Scenario]:
    text = resources.files("jiradoctor_lab").joinpath("scenarios.toml").read_text(encoding="utf-8")
    return load_scenarios(text)


def load_scenarios(toml_text: str) -> Mapping[str, Scenario]:
    """Parse scenario TOML (``[scenario.NAME]`` tables) into scenarios, in file order."""
    tables = tomllib.loads(toml_text).get("scenario", {})
    return MappingProxyType({name: _build(name, _resolve(name, tables)) for name in tables})


def list_scenarios() -> list[Scenario]:
    """Every packaged scenario, in the order of ``scenarios.toml``."""
    return list(_load().values())


def get_scenario(name: str) -> Scenario:
    try:
        return _load()[name]
    except KeyError:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(_load())}") from None


def scenario_names() -> list[str]:
    return list(_load())


__all__ = [
    "Behaviour", "ClientHints", "ConnectorSpec", "ConsumerSpec", "FrontProxy", "Project",
    "Scenario", "ScenarioError", "User", "get_scenario", "list_scenarios", "load_scenarios",
    "scenario_names", "CLOUD", "SERVER",
]
