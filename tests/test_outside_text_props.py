"""Every parser of outside text, fuzzed: it returns, or raises only its own documented error type.

Targets: PEM, server.xml, signature base strings and their diff, ``oauth_problem`` bodies and
headers, ``WWW-Authenticate``, auth signals, Jira JSON, URLs, the redactor. Inputs mix arbitrary
text with the pieces hostile servers use (``http://[``, deep nesting, percent signs, huge numbers).

The fast run (a few dozen examples a target) is always on; ``@pytest.mark.slowprops`` runs
10,000 examples a target, and scripts/test (CI) runs it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import json

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from jiradoctor.jira import auth_signals as sig
from jiradoctor.jira import oauth1, pem
from jiradoctor.jira import permissions as jperm
from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.net import bounded_json
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.server_info import read_server_info
from jiradoctor.secrets import MASK, Redactor
from jiradoctor.target import InputError, check_url

SLOW_EXAMPLES = 10_000
PIECES = [
    "http://[",
    "https://",
    "]:",
    ":99999",
    "@",
    "%",
    "%25",
    "%3D",
    "%26",
    "&",
    "=",
    "+",
    "/",
    "?",
    "#",
    "[",
    "]",
    "{",
    "}",
    '"',
    "\\",
    "oauth_problem=",
    "oauth_signature_base_string=",
    "realm=",
    "OAuth ",
    "POST&",
    "http%3A%2F%2F%5B",
    "<Server>",
    "<Connector ",
    "/>",
    "-----BEGIN PUBLIC KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "MIIB",
    "\u202e",
    "\x1b",
    "\x00",
    "é",
    "1e999999",
    "9" * 50,
    "[" * 200,
    "baseUrl",
    '"permissions":',
    "AUTHENTICATION_DENIED",
    "CAPTCHA_CHALLENGE; login-url=",
    "\r\n",
]
hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=16).map("".join)
texts = st.one_of(st.text(max_size=120), hostile)


@dataclass
class FakeAnswer:
    status: int | None
    headers: dict = field(default_factory=dict)
    body: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _answer(text: str, status: int = 302) -> FakeAnswer:
    return FakeAnswer(
        status, {"location": text, sig.SERAPH_REASON: text, sig.DENIED_REASON: text, sig.AUSERNAME: text}, text
    )


def _pem(text: str) -> None:
    pem.read_public_key(text)
    pem.read_private_key(text)
    pem.whitespace_issues(text)
    pem.contains_private_key(text)


def _server_xml(text: str) -> None:
    for doc in (text, f"<Server><Service><Connector port='8080' {text} /></Service></Server>"):
        try:
            parse_server_xml(doc)
        except ServerXmlError:
            pass


def _base_strings(text: str) -> None:
    signed = oauth1.BaseString.parse("POST&http%3A%2F%2Fh%2Fx&oauth_consumer_key%3Dk")
    seen = oauth1.BaseString.parse(text)
    if seen is not None:
        seen.jira_url()
        oauth1.diff_base_strings(signed, seen)
        oauth1.diff_base_strings(seen, signed)


def _oauth_problem(text: str) -> None:
    oauth1.parse_www_authenticate(text)
    oauth1.parse_www_authenticate("OAuth " + text)
    oauth1.parse_form(text)
    oauth1.parse_token_answer(text)
    for header in (text, "OAuth " + text, None):
        problem = oauth1.parse_problem(header, text)
        if problem is not None:
            problem.base_string  # noqa: B018


def _auth_signals(text: str) -> None:
    for status in (200, 302, 401, 403):
        answer = _answer(text, status)
        sig.login_reason(answer), sig.seen_as(answer), sig.captcha(answer), sig.sso(answer, True)
        sig.cloud_password_refused(answer)
        location = sig.redirect_location(answer)
        if location:
            sig.leaves_origin(location, "https://jira.example.com/jira")
    sig.read_identity(text), sig.error_messages(text), sig.looks_like_token(text)


def _jira_json(text: str) -> None:
    try:
        bounded_json.loads(text)
    except bounded_json.JsonProblem:
        pass
    jperm.parse_mypermissions(text), jperm.parse_bulk_check(text)
    jperm.ProjectListReader.read(text), jperm.parse_project_page(text)
    answer = HttpAnswer(
        "GET",
        "https://j/rest/api/2/serverInfo",
        200,
        {"content-type": "application/json", "www-authenticate": "OAuth " + text},
        text,
    )
    read_server_info(answer, answer)


def _urls(text: str) -> None:
    for candidate in (text, "http://" + text, "https://u:p@" + text):
        try:
            JiraUrl.parse(candidate)
        except InvalidUrl as exc:
            assert ":p@" not in str(exc)
        try:
            check_url(candidate, "--url")
        except InputError as exc:
            assert ":p@" not in str(exc)  # the password is masked in the usage error


def _redactor(text: str) -> None:
    redactor = Redactor(["s3cret/+=@é"])
    redactor.add("pw", user="u")
    out = redactor.text(text + " s3cret/+=@é http://u:pw@h/")
    assert "s3cret" not in out and ":pw@" not in out and MASK in out


TARGETS: dict[str, Callable[[str], None]] = {
    "pem": _pem,
    "server.xml": _server_xml,
    "base-strings": _base_strings,
    "oauth-problem": _oauth_problem,
    "auth-signals": _auth_signals,
    "jira-json": _jira_json,
    "urls": _urls,
    "redactor": _redactor,
}


def fresh(name: str) -> Callable[[str], None]:
    """A new function per test: hypothesis refuses to decorate one function with settings twice."""

    def run(text: str) -> None:
        TARGETS[name](text)

    return run


COMMON = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("name", TARGETS)
def test_parsers_of_outside_text_never_raise_fast(name: str) -> None:
    given(texts)(example("\u2100")(example("http://[")(settings(max_examples=60, **COMMON)(fresh(name)))))()


@pytest.mark.slowprops
@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", TARGETS)
def test_parsers_of_outside_text_never_raise_10k(name: str) -> None:
    given(texts)(
        settings(max_examples=SLOW_EXAMPLES, phases=[Phase.explicit, Phase.generate, Phase.shrink], **COMMON)(
            fresh(name)
        )
    )()


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deep_json_is_a_problem_not_a_recursion_error(depth: int) -> None:
    text = "[" * depth + "]" * depth
    with pytest.raises(bounded_json.JsonProblem, match="nesting deeper than"):
        bounded_json.loads(text)
    assert bounded_json.loads("[" * 10 + "]" * 10) == [[[[[[[[[[]]]]]]]]]]  # healthy nesting still reads


def test_json_limits_name_what_the_server_sent() -> None:
    with pytest.raises(bounded_json.JsonProblem, match="number too large"):
        bounded_json.loads('{"id": ' + "1" * 10_000 + "}")
    with pytest.raises(bounded_json.JsonProblem, match="JSON larger than"):
        bounded_json.loads("[" + "1," * 3_000_000 + "1]")
    assert bounded_json.loads('{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')[
        "s"
    ].startswith("[")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\k'), children,
                                                                        max_size=3),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_the_fast_depth_count_equals_the_exact_scan_on_json(value: object) -> None:
    """The peeling count (issue 14: a third of the fan-out's CPU before) against the scan it replaced,
    on documents whose strings hold brackets, quotes and backslashes."""
    text = json.dumps(value)
    assert bounded_json.nesting_depth(text, 64) == bounded_json._scan_depth(text, 64)
    assert bounded_json.loads(text) == value


@pytest.mark.parametrize("text", ["[" * 70 + "]" * 69, '{"a": [1, 2}', "]]]]" + "[" * 70, '"[[[' + "[" * 70])
def test_unbalanced_text_is_still_counted_exactly(text: str) -> None:
    assert bounded_json.nesting_depth(text, 64) == bounded_json._scan_depth(text, 64)
