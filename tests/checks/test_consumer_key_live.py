"""consumer-key's live half from facts built in the test: does Jira know the key, and the cleaned one?"""

from __future__ import annotations

from jiradoctor.checks import consumer_key
from jiradoctor.jira.oauth1 import OAuthProblem
from jiradoctor.probes.oauth import OAuthExchange
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.checks.live_facts import URL, exchange
from tests.conftest import codes, only, run_checks


# --- consumer-key (live) ------------------------------------------------------------------------


def ck_report(rsa_pair, typed: str, problem: str, cleaned: OAuthExchange | None = None):
    target = Target(url=URL, consumer_key=typed, private_key=Secret(rsa_pair.private_pkcs8))
    refused = exchange(rsa_pair, 401, problem=OAuthProblem(problem, {"oauth_problem": problem}))
    return run_checks(
        [consumer_key.CHECK], target, {"oauth_request_token": refused, "oauth_request_token_cleaned": cleaned}
    )


def test_a_known_but_refused_consumer_key_is_not_called_unknown(rsa_pair) -> None:
    report = ck_report(rsa_pair, "piplanning.io", "consumer_key_rejected")
    assert codes(report) == {"consumer-key/rejected"}


def test_unknown_key_and_whether_jira_knows_the_cleaned_one(rsa_pair) -> None:
    known = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    report = ck_report(rsa_pair, "piplanning.io\u200b", "consumer_key_unknown", cleaned=known)
    unknown = only(report, "consumer-key/unknown")
    assert unknown.evidence["jira_knows_cleaned"] is True and unknown.evidence["cleaned"] == "piplanning.io"


def test_a_known_key_reports_no_live_problem(rsa_pair) -> None:
    target = Target(url=URL, consumer_key="piplanning.io", private_key=Secret(rsa_pair.private_pkcs8))
    granted = exchange(rsa_pair, 200, "oauth_token=t&oauth_token_secret=s", granted=True)
    report = run_checks(
        [consumer_key.CHECK], target, {"oauth_request_token": granted, "oauth_request_token_cleaned": None}
    )
    assert codes(report) == {"consumer-key/ok"}
