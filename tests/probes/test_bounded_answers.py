"""Bounded decoding, bounded JSON, robust URLs and secret slots, each tested both ways.

Real sockets: answers come from the hostile server on loopback, read by the doctor's own
:func:`jiradoctor.probes.http.fetch`. Each hostile answer has a healthy twin that must read back whole.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import urllib.parse

import pytest

from jiradoctor.context import Facts
from jiradoctor.probes import LazyProbes
from jiradoctor.jira.oauth1 import BaseString, diff_base_strings
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.probes import http
from jiradoctor.probes.server_info import read_server_info
from jiradoctor.secrets import MASK, Redactor, encodings_of
from jiradoctor.target import InputError, Target, check_dns_server, check_url
from tests.hostile.server import SERVER_INFO, HostileServer


@pytest.fixture(scope="module")
def server():
    with HostileServer(lifetime_s=120) as s:
        yield s


def fetch(url: str) -> http.HttpAnswer:
    async def go() -> http.HttpAnswer:
        facts = Facts(Target(url=url, timeout=2), LazyProbes())
        try:
            return await http.fetch(facts, "GET", url + "/rest/api/2/serverInfo")
        finally:
            await facts.aclose()
    return asyncio.run(go())


@pytest.mark.parametrize("kind", ["gzip-ok", "stacked-ok", "deflate-ok", "raw-deflate-ok"])
def test_well_encoded_answers_read_back_exactly(server, kind: str) -> None:
    answer = fetch(server.url(kind))
    assert answer.ok and answer.problem is None and not answer.truncated
    assert answer.body == SERVER_INFO.decode()
    assert read_server_info(answer, answer).base_url == "https://jira.example.com"


def test_a_big_honest_gzip_answer_is_cut_at_the_body_limit_without_a_problem(server) -> None:
    answer = fetch(server.url("big-gzip-ok"))
    assert answer.truncated and answer.problem is None
    assert len(answer.body) == http.MAX_BODY and answer.body.startswith('{"values": ["x",')


@pytest.mark.parametrize("kind, words", [
    ("gzip-bomb", "inflates beyond 4 MB"),
    ("stacked-encodings", "inflates beyond 4 MB"),
    ("corrupt-gzip", "is corrupt"),
    ("unknown-encoding", "Content-Encoding br, zstd"),
    ("onion", "4 stacked codings"),
])
def test_bombs_and_broken_encodings_are_named_problems(server, kind: str, words: str) -> None:
    answer = fetch(server.url(kind))
    assert answer.ok, answer.error
    assert words in (answer.problem or "")
    assert len(answer.body) <= http.MAX_BODY
    assert words in (read_server_info(answer, answer).problem or "")


def test_a_malformed_location_is_kept_not_fatal(server) -> None:
    answer = fetch(server.url("bad-location"))
    assert answer.ok and answer.status == 302
    assert answer.header("location") == "http://[::1/x]:99999999/"


def test_a_good_location_is_untouched(server) -> None:
    answer = fetch(server.url("redirect-loop"))
    assert answer.status == 302 and answer.header("location") == "/redirect-loop/rest/api/2/serverInfo"


def test_ten_thousand_headers_are_a_protocol_error(server) -> None:
    answer = fetch(server.url("many-headers"))
    assert answer.error is not None and answer.error.kind == "protocol" and "headers too large" in answer.error.message


# --- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://u:PW@[::1", "http://[", "https://h:99999/x", "https://h:x/", "ftp://h/"])
def test_malformed_urls_raise_invalid_url_with_the_password_masked(url: str) -> None:
    with pytest.raises(InvalidUrl) as caught:
        JiraUrl.parse(url)
    assert "PW" not in str(caught.value)


def test_well_formed_urls_still_parse() -> None:
    assert str(JiraUrl.parse("HTTPS://Jira.Example.com:443/jira/")) == "https://jira.example.com/jira"
    assert str(JiraUrl.parse("http://[::1]:8080")) == "http://[::1]:8080"


def test_cli_url_options_are_checked() -> None:
    for bad in ("http://u:PW@[::1", "http://h:99999", "http://h:port"):
        with pytest.raises(InputError, match="malformed URL") as caught:
            check_url(bad, "--url")
        assert "PW" not in str(caught.value)
    assert check_url("https://u:PW@jira.example.com:8443/jira", "--url")
    with pytest.raises(InputError):
        check_dns_server("1.2.3.4:99999")
    assert check_dns_server("[::1]:5353") and check_dns_server("ns.example.com")


def test_an_echoed_base_string_with_a_malformed_url_is_a_url_difference() -> None:
    signed = BaseString.parse("POST&https%3A%2F%2Fjira.example.com%2Fplugins&oauth_consumer_key%3Dk")
    seen = BaseString.parse("POST&http%3A%2F%2F%5B%3A%3A1%2Fplugins&oauth_consumer_key%3Dk")
    assert seen is not None and seen.jira_url() is None
    assert diff_base_strings(signed, seen).url_parts == ("url",)
    assert diff_base_strings(signed, signed).url_parts == ()
    assert BaseString.parse("not a base string") is None


# --- secrets ------------------------------------------------------------------------------------

TOKEN = "Tok/+=@é-1"


def test_an_access_token_is_masked_in_every_encoding() -> None:
    redactor = Redactor([TOKEN])
    once = urllib.parse.quote(TOKEN, safe="")
    for form in (TOKEN, once, urllib.parse.quote(once, safe=""), urllib.parse.quote_plus(TOKEN),
                 re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), once)):
        assert redactor.text(f"a {form} b") == f"a {MASK} b", form
    base = f"GET&https%3A%2F%2Fj%2Fx&oauth_token%3D{urllib.parse.quote(once, safe='')}%26oauth_version%3D1.0"
    assert redactor.text(base) == f"GET&https%3A%2F%2Fj%2Fx&oauth_token%3D{MASK}%26oauth_version%3D1.0"
    assert encodings_of(TOKEN) >= {TOKEN, once}


def test_short_secrets_are_masked_in_their_slots_and_nowhere_else() -> None:
    redactor = Redactor()
    redactor.add("pw", user="u")
    redactor.add("ab")
    assert redactor.text("http://u:pw@jira/") == f"http://u:{MASK}@jira/"
    basic = base64.b64encode(b"u:pw").decode()
    assert MASK in redactor.text(f"Authorization: Basic {basic}") and basic not in redactor.text(f"Authorization: "
                                                                                                 f"Basic {basic}")
    assert redactor.text('OAuth oauth_token="ab", oauth_nonce="1"') == f'OAuth oauth_token="{MASK}", oauth_nonce="1"'
    # an ordinary word that happens to equal a short secret is left alone outside any slot
    assert redactor.text("the pw key and the ab test") == "the pw key and the ab test"
    assert redactor.text('oauth_token="zz"') == 'oauth_token="zz"'  # another token: not ours, shown


def test_json_loads_healthy_answers() -> None:
    from jiradoctor.net import bounded_json

    assert bounded_json.loads(SERVER_INFO) == json.loads(SERVER_INFO)
    assert bounded_json.parse("{").problem and bounded_json.parse("[1]").ok


def test_a_report_file_nested_100k_deep_is_a_usage_error(tmp_path) -> None:
    import subprocess
    import sys

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = subprocess.run([sys.executable, "-m", "jiradoctor", "render", str(deep), "-o", str(tmp_path / "r.html")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "the file is JSON nesting deeper than 256 levels" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_100_kb_header_is_kept_short_and_ordinary_headers_whole(server) -> None:
    answer = fetch(server.url("big-header"))
    assert answer.ok and len(answer.header("x-big") or "") == http.MAX_HEADER_VALUE
    assert answer.header("content-type") == "application/json"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("jira.example.com", "did you mean 'https://jira.example.com'"),
        ("jira.example.com:8443", "did you mean 'https://jira.example.com:8443'"),
        ("ftp://jira.example.com", "is not one of http, https"),
        ("https://", "is not a whole URL"),
        ("u:PW@jira.example.com", "needs a scheme and a host"),
    ],
)
def test_a_url_without_scheme_or_host_is_a_usage_error_not_a_verdict(value: str, said: str) -> None:
    """`--url jira.example.com` once gave dns/nxdomain for an empty host and 'None:80 answered …'."""
    from click.testing import CliRunner

    from jiradoctor.cli import main

    result = CliRunner().invoke(main, ["doctor", "--url", value, "--only", "reachability", "--timeout", "1"])
    assert result.exit_code == 2 and said in result.output
    assert "PW" not in result.output


def test_whole_urls_of_every_kind_are_accepted() -> None:
    assert check_url("https://jira.example.com", "--url")
    assert check_url("socks5h://proxy.lan:1080", "--proxy", ("socks5h",))
    assert check_url("myapp://callback", "--redirect-uri", None)
