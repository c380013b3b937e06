"""Every lab scenario: the OAuth 1.0a, Basic, token and PAT ones (scenarios.toml) and the OAuth 2.0 ones
(oauth2_scenarios.toml). What `lab scenarios` lists and `lab serve` and `demo` serve, so that no
scenario exists only for the tests."""

from __future__ import annotations

from jiradoctor_lab.scenarios import Scenario, get_scenario, list_scenarios, scenario_names


def oauth2_names() -> list[str]:
    from jiradoctor_lab.oauth2_provider import oauth2_scenarios

    return oauth2_scenarios()


def every_name() -> list[str]:
    return [*scenario_names(), *oauth2_names()]


def every_scenario() -> list[Scenario]:
    from jiradoctor_lab.oauth2_provider import oauth2_scenario

    return [*list_scenarios(), *(oauth2_scenario(name) for name in oauth2_names())]


def find(name: str) -> Scenario:
    """The scenario of that name, from either file (ScenarioError when there is none)."""
    if name in oauth2_names():
        from jiradoctor_lab.oauth2_provider import oauth2_scenario

        return oauth2_scenario(name)
    return get_scenario(name)
