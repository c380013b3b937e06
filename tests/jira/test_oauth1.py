"""OAuth answers as Jira gives them: the real signature_invalid sample and hostile variants."""

from __future__ import annotations

import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from jiradoctor.jira.oauth1 import (
    BaseString,
    diff_base_strings,
    parse_problem,
    parse_www_authenticate,
    sign_request,
)

# The body Jira Cloud returned in jira-node/node-jira-client#44 (JIRA-FACTS.md §1), verbatim.
REAL_JIRA_BODY = (
    "oauth_problem=signature_invalid&oauth_signature=ivO30f&oauth_signature_base_string=GET%26https%253A%252F%252F"
    "travis.atlassian.net%252Frest%252Fapi%252Flatest%252Fproject%252FGP%26oauth_consumer_key%253D...%2526oauth_"
    "signature_method%253DRSA-SHA1%2526oauth_timestamp%253D1459272339%2526oauth_token%253D...%2526oauth_version%253D1.0"
    "&oauth_signature_method=RSA-SHA1"
)


def test_parses_the_real_jira_signature_invalid_sample() -> None:
    problem = parse_problem(None, REAL_JIRA_BODY)
    assert problem is not None and problem.problem == "signature_invalid"
    base = BaseString.parse(problem.base_string or "")
    assert base is not None
    assert base.method == "GET"
    assert base.url == "https://travis.atlassian.net/rest/api/latest/project/GP"
    assert dict(base.params)["oauth_timestamp"] == "1459272339"
    assert dict(base.params)["oauth_signature_method"] == "RSA-SHA1"


def test_header_realm_is_the_base_url() -> None:
    header = 'OAuth realm="https%3A%2F%2Fjira.ncdc.pl%2Fjira", oauth_problem="signature_invalid"'
    problem = parse_problem(header, "")
    assert problem is not None
    assert problem.realm == "https://jira.ncdc.pl/jira"
    assert problem.problem == "signature_invalid"


def test_html_error_page_is_not_an_oauth_answer() -> None:
    assert parse_problem(None, "<html><body>oauth_problem=signature_invalid</body></html>") is None
    assert parse_problem('Basic realm="x"', "Unauthorized") is None


def test_diff_names_the_url_part_that_changed(rsa_pair) -> None:
    signed = sign_request(
        "POST", "https://jira.example.com/plugins/servlet/oauth/request-token", "k", rsa_pair.private_pkcs8
    )
    seen = sign_request(
        "POST", "http://127.0.0.1:8080/plugins/servlet/oauth/request-token", "k", rsa_pair.private_pkcs8
    )
    diff = diff_base_strings(BaseString.parse(signed.base_string), BaseString.parse(seen.base_string))
    assert diff.url_parts == ("scheme", "host", "port")
    assert not diff.missing and not diff.added and not diff.changed


def test_diff_names_a_dropped_parameter(rsa_pair) -> None:
    signed = sign_request("GET", "https://j.example.com/rest/api/2/project?expand=x", "k", rsa_pair.private_pkcs8)
    seen = sign_request("GET", "https://j.example.com/rest/api/2/project", "k", rsa_pair.private_pkcs8)
    diff = diff_base_strings(BaseString.parse(signed.base_string), BaseString.parse(seen.base_string))
    assert diff.url_parts == ()
    assert diff.missing == ("expand",)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_www_authenticate_parser_never_raises(value: str) -> None:
    result = parse_www_authenticate(value)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=400))
def test_problem_parser_never_raises(header: str, body: str) -> None:
    problem = parse_problem(header, body)
    assert problem is None or isinstance(problem.params, dict)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.from_regex(r"oauth_[a-z_]{1,12}", fullmatch=True), st.text(max_size=50), max_size=6))
def test_problem_body_round_trip(params: dict[str, str]) -> None:
    params = {**params, "oauth_problem": "token_rejected"}
    problem = parse_problem(None, urllib.parse.urlencode(params))
    assert problem is not None
    assert problem.problem == "token_rejected"
    assert {k: v for k, v in problem.params.items()} == params
