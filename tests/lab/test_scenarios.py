"""Scenario data: complete, consistent, and loaded into frozen dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from jiradoctor_lab import ScenarioError, get_scenario, list_scenarios, scenario_names
from jiradoctor_lab.scenarios import load_scenarios

REQUIRED = {
    "healthy", "healthy-cloud", "url-mismatch-proxy-host", "url-mismatch-scheme", "context-path-mismatch",
    "key-mismatch", "consumer-key-unknown", "consumer-key-whitespace", "clock-skew", "clock-near",
    "nonce-reused", "token-rejected", "callback-rejected", "parameter-stripped", "not-jira-html",
    "not-jira-404", "captcha", "anonymous-fallback", "sso-redirect", "cloud-password", "permissions-gaps",
    "many-projects", "redirect-loop", "connection-reset", "never-answers",
}
KNOWN_CHECKS = {"dns", "tls", "proxy", "reachability", "base-url", "consumer-key", "public-key", "oauth-signature",
                "clock-skew", "auth", "permissions", "applink", "webhooks", "pat-expiry", "can-work", "nodes"}


def test_required_scenarios_present():
    assert REQUIRED <= set(scenario_names())


@pytest.mark.parametrize("scenario", list_scenarios(), ids=lambda s: s.name)
def test_scenario_is_well_formed(scenario):
    assert scenario.description and "\n" not in scenario.description
    assert scenario.deployment in ("Server", "Cloud")
    assert all(code.split("/")[0] in KNOWN_CHECKS for code in scenario.expect)
    assert "{port}" in scenario.base_url or scenario.base_url.startswith("http")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.name = "changed"  # type: ignore[misc]
    hints = scenario.client
    if hints.auth == "basic":
        assert hints.user and hints.password
    if hints.auth == "token":
        assert hints.user and hints.token
    if hints.auth == "oauth1":
        assert hints.consumer_key and hints.access_token


def test_expectations_are_not_inherited():
    assert get_scenario("healthy").expect == ()
    assert get_scenario("many-projects").expect == ()
    assert get_scenario("key-mismatch").based_on == "healthy"


def test_whitespace_scenario_keys():
    s = get_scenario("consumer-key-whitespace")
    assert s.consumer.key == "piplanning.io" and s.client.consumer_key == "piplanning.io "


def test_generated_projects():
    s = get_scenario("many-projects")
    projects = s.all_projects()
    assert len(projects) == 503
    assert len({p.key for p in projects}) == len({p.id for p in projects}) == 503


def test_unknown_scenario():
    with pytest.raises(ScenarioError, match="unknown scenario"):
        get_scenario("nope")


def test_loader_rejects_bad_data():
    base = '[scenario.a]\ndescription = "x"\nbase_url = "http://h"\n'
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenarios('[scenario.a]\nbased_on = "b"\n[scenario.b]\nbased_on = "a"\n')
    with pytest.raises(ScenarioError, match="unknown keys"):
        load_scenarios(base + "[scenario.a.connector]\nproxyName = \"x\"\n")
    with pytest.raises(ScenarioError, match="misbehave"):
        load_scenarios(base + "[scenario.a.behaviour]\nmisbehave = \"explode\"\n")
    with pytest.raises(ScenarioError, match="unknown scheme"):
        load_scenarios(base + "[[scenario.a.projects]]\nid = 1\nkey = \"K\"\nname = \"n\"\nscheme = \"none\"\n")
    loaded = load_scenarios(base)
    assert loaded["a"].url == "http://h" and loaded["a"].expect == ()


def test_every_fault_kind_has_a_scenario():
    """The CLI sweep (tests/lab/test_lab_cli.py) runs every scenario: each fault the lab can inject is in
    one (issue 25)."""
    from jiradoctor_lab.scenarios import MISBEHAVIOURS

    used = {s.behaviour.misbehave for s in list_scenarios()}
    assert set(MISBEHAVIOURS) - {""} <= used, sorted(set(MISBEHAVIOURS) - {""} - used)
    # and the faults that are switches rather than a kind of page: SSO everywhere, TLS the client does not trust
    assert any(s.behaviour.sso_everywhere for s in list_scenarios())
    assert any(s.tls and not s.client.trust_lab_ca for s in list_scenarios())
