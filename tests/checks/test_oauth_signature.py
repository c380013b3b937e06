"""oauth-signature from facts built in the test (the live exchanges made by hand)."""

from __future__ import annotations

import pytest

from jiradoctor.checks import oauth_signature
from jiradoctor.jira.oauth1 import OAuthProblem
from jiradoctor.model import Status
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.checks.live_facts import URL, exchange, info
from tests.conftest import codes, only, run_checks


# --- oauth-signature ----------------------------------------------------------------------------


@pytest.fixture
def oauth_target(rsa_pair) -> Target:
    return Target(url=URL, consumer_key="piplanning.io", private_key=Secret(rsa_pair.private_pkcs8))


def oauth_report(target: Target, request_token: OAuthExchange, rest: OAuthExchange | None = None):
    return run_checks(
        [oauth_signature.CHECK],
        target,
        {"oauth_request_token": request_token, "server_info": info(), "oauth_rest_call": rest},
    )


def test_a_key_that_cannot_sign_is_reported(oauth_target) -> None:
    unsigned = OAuthExchange("piplanning.io", None, None, sign_error="cannot sign with the private key (ValueError)")
    assert only(oauth_report(oauth_target, unsigned), "oauth-signature/cannot-sign").status == Status.FAIL


def test_any_other_oauth_problem_is_named(oauth_target, rsa_pair) -> None:
    problem = OAuthProblem(
        "permission_denied", {"oauth_problem": "permission_denied", "oauth_problem_advice": "ask an admin"}
    )
    report = oauth_report(oauth_target, exchange(rsa_pair, 401, problem=problem))
    finding = only(report, "oauth-signature/problem")
    assert finding.subject == "permission_denied" and finding.remediation == ("ask an admin",)


def test_a_granted_token_and_a_working_rest_call_pass(oauth_target, rsa_pair) -> None:
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true", granted=True)
    rest = exchange(rsa_pair, 200, '{"name": "svc", "key": "JIRAUSER1", "displayName": "Service"}')
    report = oauth_report(Target(**{**oauth_target.__dict__, "access_token": Secret("tok")}), granted, rest)
    assert codes(report) == {"oauth-signature/ok", "oauth-signature/rest-ok"}
    assert report.status == Status.PASS


def test_a_rest_call_that_names_no_user_is_not_jira(oauth_target, rsa_pair) -> None:
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    rest = exchange(rsa_pair, 200, "<html><body>Sign in</body></html>", headers={"content-type": "text/html"})
    report = oauth_report(Target(**{**oauth_target.__dict__, "access_token": Secret("tok")}), granted, rest)
    finding = only(report, "oauth-signature/not-jira")
    assert finding.subject == "rest-call"
