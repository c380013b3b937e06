"""Every OAuth problem Jira names gets its own code and cause (issue 19), and an accepted exchange still passes."""

from __future__ import annotations

import urllib.parse

import pytest

from jiradoctor.checks.oauth_signature import judge_exchange
from jiradoctor.jira.integrations import get_profile
from jiradoctor.jira.oauth1 import SignedRequest, parse_problem
from jiradoctor.model import Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.oauth import OAuthExchange

URL = "https://jira.example.com/rest/api/2/myself"
REALM = "https://jira.example.com"


def exchange(
    problem: str | None,
    status: int = 401,
    extra: str = "",
    method: str = "RSA-SHA1",
    url: str = URL,
    realm: str = REALM,
) -> OAuthExchange:
    signed = SignedRequest(
        "GET",
        url,
        {"Authorization": f'OAuth oauth_consumer_key="k", oauth_signature_method="{method}", oauth_token="t"'},
        "GET&x&y",
    )
    if problem is None:
        answer = HttpAnswer("POST", url, 200, {}, "oauth_token=abc&oauth_token_secret=s&oauth_callback_confirmed=true")
        return OAuthExchange("k", signed, answer, None, granted=True)
    header = f'OAuth realm="{urllib.parse.quote(realm, safe="")}", oauth_problem="{problem}"{extra}'
    answer = HttpAnswer("GET", url, status, {"www-authenticate": header}, f"oauth_problem={problem}")
    return OAuthExchange("k", signed, answer, parse_problem(header, answer.body))


@pytest.mark.parametrize(
    "problem, code, status",
    [
        ("signature_method_rejected", "oauth-signature/signature-method-rejected", 400),
        ("nonce_used", "oauth-signature/nonce-used", 401),
        ("token_rejected", "oauth-signature/token-rejected", 401),
        ("token_expired", "oauth-signature/token-expired", 401),
        ("permission_unknown", "oauth-signature/permission-unknown", 401),
        ("additional_authorization_required", "oauth-signature/additional-authorization-required", 401),
    ],
)
def test_each_problem_has_its_own_code(problem: str, code: str, status: int) -> None:
    f = judge_exchange(exchange(problem, status), None, None, get_profile("generic"))
    assert (f.code, f.status) == (code, Status.FAIL)
    assert f.remediation and f.evidence["oauth_problem"] == problem


def test_a_granted_exchange_still_passes() -> None:
    f = judge_exchange(exchange(None), None, None, get_profile("generic"))
    assert (f.code, f.status) == ("oauth-signature/ok", Status.PASS)


def test_signature_method_rejected_names_the_method_sent() -> None:
    f = judge_exchange(
        exchange(
            "signature_method_rejected", 400, ', oauth_acceptable_signature_methods="RSA-SHA1"', method="HMAC-SHA1"
        ),
        None,
        None,
        get_profile("generic"),
    )
    assert f.evidence["signed_with"] == "HMAC-SHA1" and f.evidence["acceptable"] == "RSA-SHA1"
    assert "RSA-SHA1" in " ".join(f.remediation)


def test_token_rejected_names_the_host_when_the_token_belongs_elsewhere() -> None:
    elsewhere = judge_exchange(
        exchange("token_rejected", url="https://jira-old.example.com/rest/api/2/myself"),
        None,
        None,
        get_profile("generic"),
    )
    assert "jira-old.example.com" in elsewhere.message and "jira.example.com" in elsewhere.message
    assert (
        elsewhere.evidence["rejected_by"] == REALM and elsewhere.evidence["signed_for_host"] == "jira-old.example.com"
    )
    same = judge_exchange(exchange("token_rejected"), None, None, get_profile("generic"))
    assert "another" not in same.message and same.evidence["rejected_by"] == REALM


def test_an_unmapped_problem_is_still_named() -> None:
    f = judge_exchange(exchange("consumer_key_refused", 503), None, None, get_profile("generic"))
    assert f.code == "oauth-signature/problem" and f.subject == "consumer_key_refused"


def test_a_blocker_answering_for_the_oauth_servlet_is_named_not_just_not_jira() -> None:
    from tests.checks.test_blockers import CLOUDFLARE

    signed = SignedRequest("POST", URL, {}, "POST&x&y")
    page = HttpAnswer(
        "POST",
        URL,
        403,
        {"server": "cloudflare", "cf-ray": "7d1a2b3c4d5e6f70-FRA", "content-type": "text/html"},
        CLOUDFLARE,
    )
    f = judge_exchange(OAuthExchange("k", signed, page, None), None, None, get_profile("generic"))
    assert (f.code, f.status) == ("oauth-signature/blocked", Status.FAIL) and f.evidence["cloudflare_error"] == "1006"
    plain = HttpAnswer("POST", URL, 403, {"content-type": "text/html"}, "<html><title>Forbidden</title></html>")
    assert (
        judge_exchange(OAuthExchange("k", signed, plain, None), None, None, get_profile("generic")).code
        == "oauth-signature/not-jira"
    )
