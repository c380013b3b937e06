"""The oauth2 check as pure judgement: observations built here, findings out (both directions)."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from jiradoctor.checks.oauth2 import judge_observation
from jiradoctor.jira import oauth2 as o2
from jiradoctor.jira.integrations import get_profile
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.probes.oauth2 import OAuth2Observation
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

URL = "https://jira.example.com"
SITE = "https://acme.atlassian.net"
ZEPHYR = get_profile("zephyr-enterprise")
DC = o2.endpoints("datacenter", URL)
CLOUD = o2.endpoints("cloud", SITE, environ={})


def answer(status: int, body: object = "", url: str = DC.token, **headers: str) -> HttpAnswer:
    text = body if isinstance(body, str) else json.dumps(body)
    return HttpAnswer(
        "POST",
        url,
        status,
        {k.replace("_", "-"): v for k, v in headers.items()},
        text,
        sent_at=time.time(),
        elapsed_s=0.01,
    )


def target(**kw: object) -> Target:
    return Target(url=kw.pop("url", URL), client_id="cid", client_secret=Secret("s3cret-value"), **kw)


def codes(obs: OAuth2Observation, **kw: object) -> set[str]:
    return {f.code for f in judge_observation(obs, target(**kw), ZEPHYR)}


def codes_or_skip(obs: OAuth2Observation, **kw: object) -> set[str]:
    """The codes, or {"skip"} when the check observed nothing (NotObserved)."""
    try:
        return codes(obs, **kw)
    except NotObserved:
        return {"skip"}


@pytest.mark.parametrize(
    "error,code",
    [
        ("invalid_client", "oauth2/invalid-client"),
        ("unauthorized_client", "oauth2/client-not-allowed"),
    ],
)
def test_client_authentication_from_the_invalid_code_answer(error: str, code: str) -> None:
    obs = OAuth2Observation(
        "datacenter", DC, client_auth=answer(400 if error != "invalid_client" else 401, {"error": error})
    )
    assert code in codes(obs)


@pytest.mark.parametrize("flavour", ["datacenter", "cloud"])
@pytest.mark.parametrize("error", ["invalid_request", "invalid_grant"])
def test_a_refused_made_up_code_never_proves_the_secret(flavour: str, error: str) -> None:
    """JIRA-FACTS §10: Data Center checks the grant before the client: the same answer comes whatever the
    secret. Alone it is a skip that says why; beside other observations an info, never client-ok."""
    eps = DC if flavour == "datacenter" else CLOUD
    alone = OAuth2Observation(flavour, eps, client_auth=answer(400, {"error": error}, url=eps.token))
    with pytest.raises(NotObserved, match="not known"):
        judge_observation(alone, target(), ZEPHYR)
    with_token = OAuth2Observation(
        flavour, eps, client_auth=answer(400, {"error": error}, url=eps.token), token_source="given",
        myself=answer(200, {"name": "svc", "key": "svc", "displayName": "Svc", "active": True}, url=URL),
    )
    if flavour == "datacenter":
        found = judge_observation(with_token, target(), ZEPHYR)
        got = {f.code: f for f in found}
        assert "oauth2/client-ok" not in got and got["oauth2/client-unproven"].status.value == "info"
        assert "grant before the client" in got["oauth2/client-unproven"].message


def test_only_an_issued_token_proves_the_secret() -> None:
    issued = answer(200, {"access_token": "****", "token_type": "Bearer", "expires_in": 3600, "scope": "READ WRITE"})
    me = answer(200, {"name": "svc", "key": "svc", "displayName": "Svc", "active": True}, url=URL)
    cc = OAuth2Observation("datacenter", DC, client_credentials=issued, client_credentials_scopes=("READ", "WRITE"),
                           token_source="client-credentials", myself=me)
    assert {"oauth2/client-ok", "oauth2/token-ok"} <= codes(cc)
    refused = OAuth2Observation("datacenter", DC, client_credentials=answer(401, {"error": "invalid_client"}))
    assert codes(refused) == {"oauth2/invalid-client"}
    # a refresh exchange: invalid_client after the grant passed, or a token issued (rotated)
    wrong = OAuth2Observation("datacenter", DC, refresh=answer(401, {"error": "invalid_client"}), refresh_given=True,
                              refresh_allowed=True)
    assert codes(wrong) == {"oauth2/invalid-client"}
    rotated = OAuth2Observation("datacenter", DC, refresh=issued, refresh_given=True, refresh_allowed=True)
    assert {"oauth2/client-ok", "oauth2/refresh-rotated"} <= codes(rotated)


def test_dc_without_provider_and_tls_trouble() -> None:
    assert "oauth2/provider-missing" in codes(OAuth2Observation("datacenter", DC, client_auth=answer(404, "<html>")))
    tls = HttpAnswer("POST", DC.token, error=TransportError("tls", "certificate verify failed", 20))
    assert codes(OAuth2Observation("datacenter", DC, client_auth=tls)) == {"oauth2/tls-error"}


def test_clock_skew_on_the_token_endpoint_both_ways() -> None:
    skewed = answer(
        400, {"error": "invalid_grant"}, date=time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 900))
    )
    assert "oauth2/clock-skew" in codes(OAuth2Observation("datacenter", DC, client_auth=skewed))
    now = answer(400, {"error": "invalid_grant"}, date=time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
    assert "oauth2/clock-skew" not in codes_or_skip(OAuth2Observation("datacenter", DC, client_auth=now))


def redirect(location: str) -> HttpAnswer:
    return HttpAnswer("GET", DC.authorize, 302, {"location": location}, "", sent_at=time.time())


def test_redirect_uri_and_scopes_at_the_authorize_endpoint() -> None:
    login = redirect(URL + "/login.jsp?os_destination=x")
    with pytest.raises(NotObserved):  # not refused before the login is not the same as accepted
        judge_observation(
            OAuth2Observation("datacenter", DC, authorize=login), target(redirect_uri="https://a/cb"), ZEPHYR
        )
    both = OAuth2Observation("datacenter", DC, authorize=login, client_auth=answer(400, {"error": "invalid_request"}))
    assert codes_or_skip(both, redirect_uri="https://a/cb") == {"skip"}  # neither proves anything healthy
    bad = redirect(
        "https://id.atlassian.com/error?error=unauthorized_client&error_description=redirect_uri+is+not+registered"
    )
    assert "oauth2/redirect-mismatch" in codes(
        OAuth2Observation("cloud", CLOUD, authorize=bad), redirect_uri="https://a/cb"
    )
    scope = redirect("https://a/cb?error=invalid_scope&state=x")
    assert "oauth2/missing-scopes" in codes(
        OAuth2Observation("datacenter", DC, authorize=scope), redirect_uri="https://a/cb"
    )


def test_requested_scopes_against_the_profile() -> None:
    client = answer(400, {"error": "invalid_grant"})
    base = OAuth2Observation("datacenter", DC, authorize=redirect(URL + "/login.jsp"), requested_scopes=("READ",))
    assert "oauth2/missing-scopes" in codes(base, redirect_uri="https://a/cb")
    enough = OAuth2Observation(
        "datacenter", DC, authorize=redirect(URL + "/login.jsp"), client_auth=client, requested_scopes=("READ", "WRITE")
    )
    assert "oauth2/missing-scopes" not in codes_or_skip(enough, redirect_uri="https://a/cb")


def cloud_token(resources: object, myself_status: int = 200, site_status: int = 401) -> OAuth2Observation:
    me = {"accountId": "5b10", "displayName": "Svc", "active": True}
    return OAuth2Observation(
        "cloud",
        CLOUD,
        token_source="given",
        cloud_id="c1",
        resources=answer(200 if isinstance(resources, list) else 401, resources, url=CLOUD.accessible_resources or ""),
        myself=answer(myself_status, me if myself_status == 200 else {"code": 401}, url=CLOUD.gateway("c1")),
        site_myself=answer(site_status, "", url=SITE),
    )


def test_cloud_token_both_directions() -> None:
    need = list(ZEPHYR.oauth2_scopes_cloud)
    healthy = cloud_token([{"id": "c1", "url": SITE + "/", "name": "acme", "scopes": need}])
    assert codes(healthy, url=SITE) == {"oauth2/scopes-ok", "oauth2/token-ok", "oauth2/site-url-not-gateway"}
    read_only = cloud_token([{"id": "c1", "url": SITE, "name": "acme", "scopes": ["read:jira-work"]}])
    assert "oauth2/missing-scopes" in codes(read_only, url=SITE)
    other_site = cloud_token([{"id": "c2", "url": "https://other.atlassian.net", "name": "o", "scopes": need}])
    assert codes(other_site, url=SITE) == {"oauth2/site-not-accessible"}
    assert codes(cloud_token({"code": 401}), url=SITE) == {"oauth2/token-rejected"}


def test_nothing_observed_is_not_observed_never_pass() -> None:
    with pytest.raises(NotObserved):
        judge_observation(OAuth2Observation("datacenter", DC), target(), ZEPHYR)
    with pytest.raises(NotObserved):  # an answer without an OAuth error cannot tell anything
        judge_observation(
            OAuth2Observation("datacenter", DC, client_auth=answer(200, "<html>hi</html>")), target(), ZEPHYR
        )


def test_refresh_token_judgement() -> None:
    obs = OAuth2Observation("datacenter", DC, client_auth=answer(400, {"error": "invalid_grant"}), refresh_given=True)
    with pytest.raises(NotObserved, match="refresh token was not sent"):  # nothing proven: a skip that says why
        codes(obs)
    used = OAuth2Observation(
        "datacenter",
        DC,
        client_auth=answer(400, {"error": "invalid_grant"}),
        refresh_given=True,
        refresh_allowed=True,
        refresh=answer(200, {"token_type": "Bearer"}),
    )
    assert "oauth2/refresh-rotated" in codes(used)
    refused = OAuth2Observation(
        "datacenter",
        DC,
        client_auth=answer(400, {"error": "invalid_grant"}),
        refresh_given=True,
        refresh_allowed=True,
        refresh=answer(400, {"error": "invalid_grant"}),
    )
    assert "oauth2/refresh-token-invalid" in codes(refused)


def test_dc_scope_levels_and_cloud_scopes() -> None:
    assert o2.missing_scopes(["READ", "WRITE"], ["WRITE"], "datacenter") == []
    assert o2.missing_scopes(["WRITE"], ["READ"], "datacenter") == ["WRITE"]
    assert o2.missing_scopes(["read:jira-work"], ["write:jira-work"], "cloud") == ["read:jira-work"]
    assert o2.missing_scopes(["offline_access"], [], "cloud") == []


@given(st.text(max_size=3000))
def test_parsers_never_crash_on_hostile_text(text: str) -> None:
    o2.parse_token_error(text)
    o2.parse_resources(text)
    o2.token_fields(text)
    o2.error_in_location(text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=8), c, max_size=5),
        max_leaves=30,
    )
)
def test_resource_parser_on_any_json(value: object) -> None:
    found = o2.parse_resources(json.dumps(value))
    assert found is None or all(isinstance(r.id, str) for r in found)


def test_the_gateway_url_as_given_is_recognised_and_a_site_url_is_not() -> None:
    env = {"JIRADOCTOR_OAUTH2_API_URL": "https://api.atlassian.com"}
    assert o2.gateway_cloud_id("https://api.atlassian.com/ex/jira/1324a887-45db", env) == "1324a887-45db"
    assert o2.gateway_cloud_id("https://acme.atlassian.net", env) is None
    assert o2.gateway_cloud_id("https://api.atlassian.com/ex/jira/", env) is None
    assert o2.gateway_cloud_id("https://evil.example/ex/jira/abc", env) is None


def test_a_token_at_the_site_url_warns_and_at_the_gateway_says_nothing() -> None:
    need = list(ZEPHYR.oauth2_scopes_cloud)
    at_site = cloud_token([{"id": "c1", "url": SITE, "name": "acme", "scopes": need}])
    [finding] = [f for f in judge_observation(at_site, target(url=SITE), ZEPHYR)
                 if f.code == "oauth2/site-url-not-gateway"]
    assert finding.status == Status.WARN and CLOUD.gateway("c1") in finding.remediation[0]
    at_gateway = replace(at_site, gateway_given=True, site_myself=None)
    assert "oauth2/site-url-not-gateway" not in codes(at_gateway, url=CLOUD.gateway("c1"))
