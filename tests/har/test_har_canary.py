"""Canaries in every place a secret can sit in a HAR: none survives --redact, none reaches any report."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings, strategies as st

from jiradoctor.cli import main
from jiradoctor.har.analyse import analyse_file
from jiradoctor.har.redact import redact_entry, write_redacted
from jiradoctor.har.shapes import Collector
from jiradoctor.reports import RENDERERS, render
from tests.har.hars import entry, har, write

JIRA = "https://jira.example.com"
C = {  # name -> canary; each is distinct, so a leak names its place
    "basic_pw": "canaryBasicPw1",
    "bearer": "canaryBearerTok2xyz",
    "oauth_token": "canaryOauthTok3",
    "oauth_sig": "canaryOauthSig4",
    "oauth_verifier": "canaryVerifier5",
    "cookie": "canaryCookie6",
    "set_cookie": "canarySetCookie7",
    "cookie_arr": "canaryCookieArr8",
    "url_token": "canaryUrlToken9",
    "userinfo": "canaryUserinfo10",
    "fragment": "canaryFragment11",
    "qs_array": "canaryQsArray12",
    "form_pw": "canaryFormPw13",
    "json_pw": "canaryJsonPw14",
    "json_nested": "canaryNestedKey15",
    "param": "canaryPostParam16",
    "resp_token": "canaryRespToken17",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.canaryJwtSig18",
    "atatt": "ATATT3xFfGF0canaryAtlassian19",
    "atctt": "ATCTT3xFfGF0canaryAtlassian20",
    "pat": "NzE4NzQ5NTk2OTA4OpcS8canaryPatShape21xxxyyzz",
    "b64_body": "canaryBase64Body22",
    "redirect": "canaryRedirect23",
    "location": "canaryLocation24",
    "echo_token": "canaryEchoTok25",
    "csrf": "canaryCsrf26",
    "session": "canarySession27",
    "page_title": "canaryPageTitle28",
    "initiator": "canaryInitiator29",
    "comment": "canaryCommentBearer30",
    "pem": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCcanaryPem31",
    "token_secret": "canaryTokenSecret32",
    "proxy_auth": "canaryProxyAuth33",
}
assert len(C["pat"]) == 44


def seeded_har() -> dict:
    basic = base64.b64encode(f"svc:{C['basic_pw']}".encode()).decode()
    oauth = (
        f'OAuth oauth_consumer_key="piplanning.io", oauth_token="{C["oauth_token"]}", '
        f'oauth_signature_method="RSA-SHA1", oauth_signature="{C["oauth_sig"]}", '
        f'oauth_verifier="{C["oauth_verifier"]}"'
    )
    echoed = (
        "POST&"
        + urllib.parse.quote(f"{JIRA}/rest/api/2/myself", safe="")
        + "&"
        + urllib.parse.quote(
            f"oauth_consumer_key=piplanning.io&oauth_token={C['echo_token']}&oauth_version=1.0", safe=""
        )
    )
    problem_body = urllib.parse.urlencode(
        {"oauth_problem": "signature_invalid", "oauth_signature": C["oauth_sig"], "oauth_signature_base_string": echoed}
    )
    e0 = entry(
        "GET",
        f"https://svc:{C['userinfo']}@jira.example.com/rest/api/2/myself?access_token={C['url_token']}&x=1#id_token={C['fragment']}",
        401,
        [
            ("Authorization", f"Basic {basic}"),
            ("Cookie", f"JSESSIONID={C['cookie']}; atlassian.xsrf.token={C['csrf']}"),
            ("X-CSRF-Token", C["csrf"]),
            ("Proxy-Authorization", f"Basic {C['proxy_auth']}"),
        ],
        [
            ("Set-Cookie", f"JSESSIONID={C['set_cookie']}; Path=/; HttpOnly"),
            ("X-Seraph-LoginReason", "AUTHENTICATED_FAILED"),
            ("X-ASESSIONID", C["session"]),
        ],
        body=json.dumps({"message": f"bad token {C['atatt']}", "token": C["resp_token"]}),
    )
    e0["request"]["queryString"] = [
        {"name": "access_token", "value": C["url_token"]},
        {"name": "q", "value": C["qs_array"] + "&x"},
    ]
    e0["request"]["queryString"][1] = {"name": "session", "value": C["qs_array"]}
    e0["request"]["cookies"] = [{"name": "JSESSIONID", "value": C["cookie_arr"]}]
    e0["response"]["cookies"] = [{"name": "JSESSIONID", "value": C["cookie_arr"]}]
    e0["_initiator"] = {"type": "script", "url": f"{JIRA}/app.js?token={C['initiator']}"}
    e0["comment"] = f"Authorization: Bearer {C['comment']}"
    e1 = entry(
        "POST",
        f"{JIRA}/plugins/servlet/oauth/request-token",
        401,
        [("Authorization", oauth)],
        [
            (
                "WWW-Authenticate",
                f'OAuth realm="https%3A%2F%2Fjira.example.com", '
                f'oauth_problem="signature_invalid", oauth_signature="{C["oauth_sig"]}"',
            )
        ],
        body=problem_body,
        mime="application/x-www-form-urlencoded",
        post=f"password={C['form_pw']}&user=svc&oauth_token_secret={C['token_secret']}",
    )
    e1["request"]["postData"]["params"] = [{"name": "password", "value": C["param"]}]
    e2 = entry(
        "POST",
        f"{JIRA}/rest/api/2/issue",
        403,
        [("Authorization", f"Bearer {C['bearer']}")],
        [("X-AREQUESTID", "1")],
        body=f"<html><body>PAT {C['pat']} and {C['jwt']} and {C['atctt']}</body></html>",
        mime="text/html",
        post=json.dumps(
            {
                "fields": {"summary": "x"},
                "password": C["json_pw"],
                "auth": {"apiToken": C["json_nested"]},
                "pem": f"-----BEGIN PRIVATE KEY-----\n{C['pem']}\n-----END PRIVATE KEY-----",
            }
        ),
        post_mime="application/json",
    )
    e3 = entry(
        "GET",
        f"{JIRA}/plugins/servlet/oauth/authorize?oauth_token={C['oauth_token']}",
        302,
        [],
        [("Location", f"https://piplanning.io/cb?oauth_token={C['oauth_token']}&oauth_verifier={C['location']}")],
    )
    e3["response"]["redirectURL"] = f"https://piplanning.io/cb?oauth_verifier={C['redirect']}"
    e4 = entry("GET", f"{JIRA}/rest/api/2/serverInfo", 500, [], [("X-AREQUESTID", "2")])
    e4["response"]["content"] = {
        "size": 10,
        "mimeType": "application/json",
        "encoding": "base64",
        "text": base64.b64encode(json.dumps({"session": C["b64_body"]}).encode()).decode(),
    }
    return har(
        [e0, e1, e2, e3, e4],
        pages=[
            {
                "id": "page_1",
                "title": f"{JIRA}/secure/Dashboard.jspa?jwt={C['page_title']}",
                "startedDateTime": "2026-11-30T10:00:00.000Z",
                "pageTimings": {},
            }
        ],
    )


def encodings(value: str) -> set[str]:
    return {
        value,
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote_plus(value),
        base64.b64encode(value.encode()).decode(),
    }


def _with_decoded_base64(text: str) -> str:
    """The text plus every base64 run in it decoded (a body the HAR stores as base64)."""
    decoded = []
    for run in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            decoded.append(base64.b64decode(run + "=" * (-len(run) % 4)).decode("utf-8", "ignore"))
        except ValueError:
            pass
    return text + "\n".join(decoded)


def leaks(text: str) -> list[str]:
    text = _with_decoded_base64(text)
    return [
        name
        for name, value in C.items()
        if any(form in text for form in encodings(value))
        or (name == "basic_pw" and base64.b64encode(f"svc:{value}".encode()).decode() in text)
    ]


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    return write(tmp_path / "seeded.har", seeded_har())


def test_every_canary_was_seeded(seeded: Path) -> None:
    """Guard against a test that passes because a canary never reached the file."""
    raw = _with_decoded_base64(seeded.read_text())
    missing = [
        n
        for n, v in C.items()
        if not any(f in raw for f in encodings(v))
        and not (n == "basic_pw" and base64.b64encode(f"svc:{v}".encode()).decode() in raw)
    ]
    assert missing == []


def test_redacted_copy_holds_no_canary_and_stays_valid_har(seeded: Path, tmp_path: Path) -> None:
    safe = tmp_path / "safe.har"
    result = CliRunner().invoke(main, ["har", str(seeded), "--redact", "-o", str(safe)])
    text = safe.read_text()
    assert leaks(text) == []
    assert leaks(result.output) == []
    doc = json.loads(text)
    original = seeded_har()
    assert doc["log"]["version"] == "1.2" and len(doc["log"]["entries"]) == len(original["log"]["entries"])
    for before, after in zip(original["log"]["entries"], doc["log"]["entries"], strict=False):
        assert set(before) == set(after)
        for side in ("request", "response"):
            assert set(before[side]) == set(after[side])
            assert [h["name"] for h in before[side]["headers"]] == [h["name"] for h in after[side]["headers"]]
    # what the diagnosis needs is kept: problem names, the consumer key, the URL's path
    assert "signature_invalid" in text and "piplanning.io" in text and "/rest/api/2/myself" in text


def test_no_report_from_the_seeded_har_holds_a_canary(seeded: Path, tmp_path: Path) -> None:
    report = analyse_file(seeded)
    codes = {f.code for _, f in report.findings()}
    assert {
        "auth/invalid-credentials",
        "oauth-signature/url-mismatch",
        "har/server-error",
    } <= codes  # findings were made from them
    for fmt in RENDERERS:
        assert leaks(render(report, fmt)) == [], fmt
    for fmt in ("text", "json", "md", "html", "junit"):
        result = CliRunner().invoke(main, ["har", str(seeded), "--format", fmt])
        assert leaks(result.output) == [], fmt


def test_the_redacted_copy_reads_the_same(seeded: Path, tmp_path: Path) -> None:
    """Redaction keeps what the diagnosis reads: the safe copy yields the same codes."""
    safe = tmp_path / "safe.har"
    with open(seeded, "rb") as src, open(safe, "w") as dst:
        write_redacted(src, dst)
    before = sorted(f.code for _, f in analyse_file(seeded).findings())
    after = sorted(f.code for _, f in analyse_file(safe).findings())
    assert before == after


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=12, max_size=40)
_place = st.sampled_from(["authorization", "cookie", "query", "json", "form", "set-cookie"])


@settings(max_examples=150, deadline=None)
@given(secret=_token, place=_place)
def test_property_a_named_secret_anywhere_is_masked(secret: str, place: str) -> None:
    url = f"{JIRA}/rest/api/2/search?jql=x"
    req, resp, body, post = [], [], "", None
    if place == "authorization":
        req = [("Authorization", f"Bearer {secret}")]
    elif place == "cookie":
        req = [("Cookie", f"a=b; seraph.rememberme.cookie={secret}")]
    elif place == "set-cookie":
        resp = [("Set-Cookie", f"JSESSIONID={secret}; Path=/")]
    elif place == "query":
        url += f"&api_key={secret}"
    elif place == "json":
        body = json.dumps({"values": [{"refresh_token": secret}]})
    else:
        post = f"username=a&password={urllib.parse.quote(secret)}"
    built = entry("GET", url, 200, req, resp, body=body, post=post)
    skeleton = json.dumps(entry("GET", f"{JIRA}/rest/api/2/search?jql=x", 200))
    assume(
        secret not in skeleton
        and secret not in "seraph.rememberme.cookie username password refresh_token api_key values"
        and secret not in "Authorization Bearer Cookie Set-Cookie JSESSIONID Path"  # the slots' own names
    )
    assert secret in json.dumps(built)
    out = json.dumps(redact_entry(built, Collector()))
    assert secret not in out
