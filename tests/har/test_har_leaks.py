"""Issue 23's leak kinds, one case each: the redacted copy holds no canary (in any encoding, see
``tests.har.canary``) and keeps what the diagnosis reads (URLs, statuses, ordinary headers and words).

Each case is a small HAR with a secret in one place; ``keep`` lists the non-secret text that must
survive, so masking everything would fail as surely as masking too little.
"""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.har.analyse import analyse_file
from jiradoctor.har.redact import write_redacted
from jiradoctor.reports import RENDERERS, render
from tests.har.canary import found
from tests.har.hars import entry, har, write

JIRA = "https://jira.example.com"
S = "cAnary7Secret0x9Q"  # the canary: letters and digits, nothing any healthy HAR holds
S2 = "zEbra4Second8Tok"
KEEP = ["/rest/api/2/myself", "jira.example.com"]

Case = Callable[[], tuple[dict[str, Any], list[str], list[str]]]
CASES: dict[str, Case] = {}


def case(fn: Callable[[], tuple[dict[str, Any], list[str], list[str]]]) -> Case:
    CASES[fn.__name__] = fn
    return fn


def one(e: dict[str, Any], secrets: list[str], keep: list[str]) -> tuple[dict[str, Any], list[str], list[str]]:
    return har([e]), secrets, keep


def get(url: str = f"{JIRA}/rest/api/2/myself", **kw: Any) -> dict[str, Any]:
    return entry(kw.pop("method", "GET"), url, kw.pop("status", 200), **kw)


@case
def custom_secret_headers():
    e = get(
        request_headers=[
            ("X-Custom-Token", S),
            ("x-my-secret", S2),
            ("X-API-KEY", S + "a"),
            ("X-Passwd", S + "b"),
            ("X-Session-Id", S + "c"),
            ("X-Auth", S + "d"),
            ("Accept", "application/json"),
        ],
        response_headers=[("X-AREQUESTID", "1x2y3z"), ("Content-Type", "application/json")],
    )
    return one(e, [S, S2, S + "a", S + "b", S + "c", S + "d"], [*KEEP, "application/json", "1x2y3z", "X-Custom-Token"])


@case
def second_cookie_of_set_cookie():
    e = get(
        response_headers=[
            ("Set-Cookie", f"JSESSIONID={S}; Path=/; HttpOnly\nAWSALB={S2}; Path=/; Secure"),
        ]
    )
    return one(e, [S, S2], [*KEEP, "JSESSIONID", "AWSALB", "HttpOnly"])


@case
def comma_joined_set_cookie():
    e = get(
        response_headers=[
            ("Set-Cookie", f"a={S}; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, seraph.rememberme={S2}; Path=/"),
        ]
    )
    return one(e, [S, S2], [*KEEP, "seraph.rememberme", "21 Oct 2026"])


@case
def state_and_code_in_url():
    e = get(f"https://piplanning.io/oauth/callback?code={S}&state={S2}&lang=en")
    e["request"]["queryString"] = [
        {"name": "code", "value": S},
        {"name": "state", "value": S2},
        {"name": "lang", "value": "en"},
    ]
    return one(e, [S, S2], ["piplanning.io/oauth/callback", "lang=en"])


@case
def code_in_encoded_return_url():
    inner = f"https://piplanning.io/cb?code={S}&state={S2}"
    once = urllib.parse.quote(inner, safe="")
    twice = urllib.parse.quote(once, safe="")
    e = get(f"{JIRA}/login.jsp?os_destination={once}&permissionViolation=true")
    e2 = get(
        f"{JIRA}/secure/Dashboard.jspa?returnUrl={twice}", response_headers=[("Location", f"{JIRA}/x?next={once}")]
    )
    return har([e, e2]), [S, S2], ["/login.jsp", "os_destination", "permissionViolation=true", "returnUrl"]


@case
def oauth_params_in_url_and_form():
    e = get(
        f"{JIRA}/plugins/servlet/oauth/access-token?oauth_token={S}&oauth_verifier={S2}&oauth_signature={S}x",
        method="POST",
        post=f"grant_type=refresh_token&refresh_token={S}r&client_secret={S}c&id_token={S}i&access_token={S}a",
    )
    return one(
        e, [S, S2, S + "x", S + "r", S + "c", S + "i", S + "a"], ["grant_type=refresh_token", "/oauth/access-token"]
    )


@case
def json_nested_token_object():
    body = json.dumps({"token": {"value": S, "expires": 3600}, "user": {"name": "svc", "displayName": "Service Bot"}})
    return one(get(body=body), [S], [*KEEP, "Service Bot"])


@case
def json_array_of_tokens():
    body = json.dumps({"tokens": [S, S2], "total": 2, "status": "ready"})
    return one(get(body=body), [S, S2], [*KEEP, "ready"])


@case
def json_name_value_pairs():
    body = json.dumps([{"name": "password", "value": S}, {"name": "username", "value": "svc-bot"}])
    e = get(method="POST", post=body, post_mime="application/json")
    e["response"]["content"]["text"] = json.dumps({"fields": [{"key": "api_token", "value": S2}]})
    return one(e, [S, S2], [*KEEP, "svc-bot", "username"])


@case
def multipart_form_parts():
    b = "----WebKitFormBoundaryAbC123"
    body = (
        f'--{b}\r\nContent-Disposition: form-data; name="os_username"\r\n\r\nsvc-bot\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="os_password"\r\n\r\n{S}\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
        f"hello world token={S2}\r\n--{b}--\r\n"
    )
    e = get(f"{JIRA}/login.jsp", method="POST", post=body, post_mime=f"multipart/form-data; boundary={b}")
    return one(e, [S, S2], ["/login.jsp", "svc-bot", "hello world", "os_password"])


@case
def crowd_xml():
    body = (
        '<?xml version="1.0"?><authentication-context><username>svc-bot</username>'
        f"<password><value>{S}</value></password><validation-factors/></authentication-context>"
    )
    answer = f'<?xml version="1.0"?><session expand="user"><token>{S2}</token><user name="svc-bot"/></session>'
    e = get(
        "https://crowd.example.com/crowd/rest/usermanagement/1/session",
        method="POST",
        post=body,
        post_mime="application/xml",
        body=answer,
        mime="application/xml",
    )
    return one(e, [S, S2], ["svc-bot", "authentication-context", "/usermanagement/1/session"])


@case
def html_tokens_and_links():
    body = (
        f'<html><head><meta name="atlassian-token" content="{S}"><title>Log in - Jira</title></head><body>'
        f'<form><input type="hidden" name="atl_token" value="{S2}">'
        f'<input type="hidden" value="{S}o" name="oauth_token"></form>'
        f'<a href="https://svc:{S}p@jira.example.com/secure/Dashboard.jspa">dashboard</a></body></html>'
    )
    return one(
        get(f"{JIRA}/login.jsp", body=body, mime="text/html"),
        [S, S2, S + "o", S + "p"],
        ["Log in - Jira", "dashboard", "/secure/Dashboard.jspa"],
    )


@case
def websocket_stomp_frames():
    e = get("wss://piplanning.io/ws")
    e["_webSocketMessages"] = [
        {
            "type": "send",
            "time": 1.0,
            "opcode": 1,
            "data": f"CONNECT\naccept-version:1.2\nlogin:svc-{S2}\npasscode:{S}\n\n\x00",
        },
        {"type": "receive", "time": 1.1, "opcode": 1, "data": "CONNECTED\nversion:1.2\n\n\x00"},
        {"type": "send", "time": 1.2, "opcode": 1, "data": json.dumps({"type": "auth", "token": S + "w"})},
    ]
    return one(e, [S, S2, S + "w"], ["CONNECTED", "accept-version:1.2", "piplanning.io/ws"])


@case
def vendor_extension_objects():
    e = get()
    e["_auth"] = {"user": "svc-bot", "secret": S}
    e["_recorder"] = {"session": S2, "tool": "rec 1.0"}
    e["request"]["_credentials"] = S + "v"
    e["_unknownVendor"] = {"blob": S + "u"}
    document = har([e], _recorder={"tool": "rec 1.0", "deviceId": S + "d"}, comment=f"api_key={S}k")
    return document, [S, S2, S + "v", S + "u", S + "d", S + "k"], [*KEEP, "svc-bot", "rec 1.0", "api_key="]


@case
def value_echoed_in_a_body():
    e1 = get(request_headers=[("Authorization", f"Bearer {S}")])
    e2 = get(f"{JIRA}/rest/api/2/serverInfo", body=f"<html>debug: header was {S} ok</html>", mime="text/html")
    e3 = get(f"{JIRA}/rest/api/2/field", body=json.dumps({"echo": base64.b64encode(f"x{S}y".encode()).decode()}))
    e4 = get(
        f"{JIRA}/rest/api/2/status",
        body=f"hex {S.encode().hex()} and url {urllib.parse.quote(urllib.parse.quote(S))}",
        mime="text/plain",
    )
    return har([e1, e2, e3, e4]), [S], ["debug: header was", "/rest/api/2/field", "hex"]


@case
def token_in_echoed_base_string_header():
    base = (
        "GET&"
        + urllib.parse.quote(f"{JIRA}/rest/api/2/myself", safe="")
        + "&"
        + urllib.parse.quote(
            f"oauth_consumer_key=piplanning.io&oauth_nonce=n1&oauth_token={S}&oauth_version=1.0", safe=""
        )
    )
    www = (
        'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="signature_invalid", '
        f'oauth_signature_base_string="{urllib.parse.quote(base, safe="")}"'
    )
    e = get(status=401, response_headers=[("WWW-Authenticate", www)])
    return one(e, [S], ["signature_invalid", "piplanning.io", "oauth_signature_base_string"])


@case
def token_in_echoed_base_string_body():
    base = (
        "POST&"
        + urllib.parse.quote(f"{JIRA}/plugins/servlet/oauth/request-token", safe="")
        + "&"
        + urllib.parse.quote(f"oauth_consumer_key=piplanning.io&oauth_token={S}&oauth_version=1.0", safe="")
    )
    body = urllib.parse.urlencode({"oauth_problem": "signature_invalid", "oauth_signature_base_string": base})
    e = get(f"{JIRA}/plugins/servlet/oauth/request-token", status=401, body=body, mime="text/plain")
    return one(e, [S], ["signature_invalid", "piplanning.io"])


@case
def base64_body_with_secret():
    text = json.dumps({"session": S, "note": "plain words"})
    e = get()
    e["response"]["content"] = {
        "size": 1,
        "mimeType": "application/json",
        "encoding": "base64",
        "text": base64.b64encode(text.encode()).decode(),
    }
    return one(e, [S], KEEP)


@case
def broken_json_body():
    e = get(body='{"password": "' + S + '", "a": [1, 2', mime="application/json")
    return one(e, [S], KEEP)


@case
def cookies_and_params_arrays():
    e = get(method="POST", post="")
    e["request"]["cookies"] = [{"name": "JSESSIONID", "value": S}]
    e["response"]["cookies"] = [{"name": "seraph.rememberme.cookie", "value": S2}]
    e["request"]["postData"]["params"] = [
        {"name": "os_password", "value": S + "p"},
        {"name": "os_username", "value": "svc-bot"},
    ]
    return one(e, [S, S2, S + "p"], [*KEEP, "svc-bot", "JSESSIONID"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_redacted_copy_holds_no_canary_and_keeps_the_rest(name: str) -> None:
    document, secrets, keep = CASES[name]()
    raw = json.dumps(document)
    for secret in secrets:
        assert found(secret, raw), f"{name}: canary {secret} was never seeded"
    out = io.StringIO()
    write_redacted(io.BytesIO(raw.encode()), out)
    text = out.getvalue()
    json.loads(text)
    leaked = {s: found(s, text) for s in secrets if found(s, text)}
    assert leaked == {}, f"{name}: {leaked}"
    missing = [k for k in keep if k not in text and k not in json.loads(text).__repr__()]
    assert missing == [], f"{name}: lost non-secret content {missing}"


# -- the analysis report ----------------------------------------------------------------------------------


def _report_text(path: Path) -> str:
    report = analyse_file(path)
    return "\n".join(render(report, fmt) for fmt in RENDERERS)


def test_report_does_not_quote_state_or_code_in_finding_urls(tmp_path: Path) -> None:
    e = get(f"{JIRA}/rest/api/2/myself?code={S}&state={S2}", status=500, response_headers=[("X-AREQUESTID", "1")])
    text = _report_text(write(tmp_path / "a.har", har([e])))
    assert "har/server-error" in text and "/rest/api/2/myself" in text
    assert not found(S, text) and not found(S2, text)


def test_report_does_not_quote_userinfo_of_the_base_url(tmp_path: Path) -> None:
    e = get(
        f"{JIRA}/rest/api/2/serverInfo",
        response_headers=[("X-AREQUESTID", "1")],
        body=json.dumps({"baseUrl": f"https://svc:{S}@jira.example.com"}),
    )
    report = analyse_file(write(tmp_path / "b.har", har([e])))
    text = json.dumps(report.to_json()) + "\n".join(render(report, fmt) for fmt in RENDERERS)
    assert "base-url/" in text and "jira.example.com" in text
    assert not found(S, text)


def test_decoder_error_does_not_quote_the_bytes_around_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "c.har"
    path.write_bytes(b'{"log": {"entries": [{"x": "token=' + S.encode() + b'\xff\xfe tail"}]}}')
    text = _report_text(path)
    assert "har/unreadable" in text or "har/truncated" in text
    assert not found(S, text)
    safe = tmp_path / "safe.har"
    result = CliRunner().invoke(main, ["har", str(path), "--redact", "-o", str(safe)])
    assert not found(S, result.output) and not found(S, safe.read_text())


def test_report_keeps_ordinary_words_after_secret_looking_names(tmp_path: Path) -> None:
    """Findings the doctor wrote say 'signature_invalid: the integration signed …': no word of it is masked,
    while the secrets of the same exchange still are."""
    oauth = (
        f'OAuth oauth_consumer_key="piplanning.io", oauth_token="{S}", oauth_signature_method="RSA-SHA1", '
        f'oauth_signature="{S2}", oauth_timestamp="1", oauth_nonce="n", oauth_version="1.0"'
    )
    echoed = (
        "POST&"
        + urllib.parse.quote(f"{JIRA}/rest/api/2/myself", safe="")
        + "&"
        + urllib.parse.quote(f"oauth_consumer_key=piplanning.io&oauth_token={S}&oauth_version=1.0", safe="")
    )
    body = urllib.parse.urlencode({"oauth_problem": "signature_invalid", "oauth_signature_base_string": echoed})
    e = get(
        f"{JIRA}/plugins/servlet/oauth/request-token",
        method="POST",
        status=401,
        request_headers=[("Authorization", oauth)],
        body=body,
        mime="application/x-www-form-urlencoded",
    )
    report = analyse_file(write(tmp_path / "d.har", har([e])))
    messages = [f.message for _, f in report.findings()]
    assert any("signature_invalid: the integration signed" in m for m in messages), messages
    text = "\n".join(render(report, fmt) for fmt in RENDERERS)
    assert not found(S, text) and not found(S2, text)


def test_broken_ipv6_host_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.har",
        har(
            [
                get("https://[::1/rest/api/2/myself", status=500),
                get("http://[zz]:80/x", status=401),
                get("https://[::1/rest/api/2/serverInfo", response_headers=[("X-AREQUESTID", "1")]),
                get(f"{JIRA}/rest/api/2/myself", response_headers=[("X-AREQUESTID", "2")]),
            ]
        ),
    )
    result = CliRunner().invoke(main, ["har", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    codes = {f["code"] for c in json.loads(result.stdout)["checks"] for f in c["findings"]}
    assert "har/bad-url" in codes and "har/jira-seen" in codes, codes
    safe = tmp_path / "safe.har"
    result = CliRunner().invoke(main, ["har", str(path), "--redact", "-o", str(safe)])
    assert result.exit_code in (0, 1), result.output
    assert "[::1" in safe.read_text()


def test_a_har_without_secrets_comes_out_unchanged() -> None:
    """The healthy direction over every surface at once: Jira's JSON (issue and user keys, authors,
    sessions' timeouts), an HTML page with forms and links, Crowd's XML, a multipart upload, STOMP
    frames, the browsers' own extensions, OAuth problem reports, a base64 body. Nothing is masked."""
    issue = {
        "key": "PIP-1",
        "self": f"{JIRA}/rest/api/2/issue/10001",
        "fields": {
            "summary": "Board sync fails after upgrade",
            "author": {"name": "svc-bot", "key": "JIRAUSER10100", "displayName": "Service Bot"},
            "status": {"name": "Open"},
            "comment": {"comments": [{"body": "Token refresh works again since Monday."}]},
        },
        "names": {"authorName": "Author"},
    }
    html_page = (
        '<!DOCTYPE html><html><head><title>System Dashboard - Jira</title><meta name="application-name" '
        'content="JIRA"><meta name="ajs-version-number" content="9.12.2"></head><body>'
        '<form action="/secure/QuickSearch.jspa" method="get"><input name="searchString" value="PIP"></form>'
        f'<a href="{JIRA}/browse/PIP-1?page=com.atlassian.jira.plugin.system.issuetabpanels%3Acomment">PIP-1</a>'
        "<code>jql=project = PIP</code></body></html>"
    )
    xml = (
        '<?xml version="1.0"?><user name="svc-bot" expand="attributes"><active>true</active>'
        "<email>svc@example.com</email></user>"
    )
    b = "----b0undary9"
    multipart = (
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="report.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nPlain report text\r\n--{b}--\r\n"
    )
    entries = [
        get(f"{JIRA}/rest/api/2/issue/PIP-1?expand=names&fields=summary,status", body=json.dumps(issue)),
        get(
            f"{JIRA}/secure/Dashboard.jspa", body=html_page, mime="text/html", response_headers=[("X-AREQUESTID", "1")]
        ),
        get(
            "https://crowd.example.com/crowd/rest/usermanagement/1/user?username=svc-bot",
            body=xml,
            mime="application/xml",
        ),
        get(
            f"{JIRA}/rest/api/2/issue/PIP-1/attachments",
            method="POST",
            post=multipart,
            post_mime=f"multipart/form-data; boundary={b}",
        ),
        get(
            f"{JIRA}/plugins/servlet/oauth/request-token",
            status=401,
            body="oauth_problem=consumer_key_unknown&oauth_problem_advice=Unknown%20consumer",
            mime="application/x-www-form-urlencoded",
            response_headers=[
                (
                    "WWW-Authenticate",
                    'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="consumer_key_unknown"',
                )
            ],
        ),
        get("wss://piplanning.io/ws"),
        get(f"{JIRA}/rest/api/2/serverInfo"),
    ]
    entries[5]["_webSocketMessages"] = [
        {
            "type": "receive",
            "time": 1.5,
            "opcode": 1,
            "data": 'MESSAGE\ndestination:/topic/board\n\n{"moved": "PIP-1"}\x00',
        }
    ]
    entries[5]["_initiator"] = {"type": "script", "url": f"{JIRA}/s/batch.js?locale=en-US"}
    entries[5]["_resourceType"] = "websocket"
    entries[6]["response"]["content"].update(
        encoding="base64", text=base64.b64encode(json.dumps({"baseUrl": JIRA, "version": "9.12.2"}).encode()).decode()
    )
    document = har(entries)
    out = io.StringIO()
    write_redacted(io.BytesIO(json.dumps(document).encode()), out)
    assert json.loads(out.getvalue())["log"]["entries"] == document["log"]["entries"]
