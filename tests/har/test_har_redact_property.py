"""Property: a secret placed anywhere a HAR names it as a secret, and echoed anywhere else in any
encoding, is found in no encoding in the redacted copy; the copy stays valid JSON and keeps the
healthy text around it (URL paths, statuses, ordinary words)."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
from typing import Any, Callable

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from jiradoctor.har.redact import write_redacted
from tests.har.canary import found
from tests.har.hars import entry, har

JIRA = "https://jira.example.com"
WORDS = "Ordinary diagnostic words survive"
REVEAL_KINDS = (
    "header cookie set-cookie query json form multipart xml html stomp extension oauth basic base-string".split()
)
_secret = st.from_regex(r"[A-Za-z]{3}[0-9][A-Za-z0-9_.~+/=-]{8,24}[a-z]", fullmatch=True)


def _case(draw: Callable[..., Any], name: str) -> str:
    return "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in name)


def _url_layers(draw: Callable[..., Any], inner: str) -> str:
    """A URL holding ``inner`` as a query, nested in 0-2 encoded return-URL parameters."""
    url = inner
    for _ in range(draw(st.integers(0, 2))):
        url = f"{JIRA}/login.jsp?os_destination={urllib.parse.quote(url, safe='')}&permissionViolation=true"
    return url


def reveal(draw: Callable[..., Any], s: str) -> dict[str, Any]:
    """One entry where the secret sits in a slot whose name or structure says secret."""
    q = urllib.parse.quote(s, safe="")
    kind = draw(st.sampled_from(REVEAL_KINDS))
    e = entry(
        "GET",
        f"{JIRA}/rest/api/2/myself",
        200,
        response_headers=[("X-AREQUESTID", "1a2b")],
        body=WORDS,
        mime="text/plain",
    )
    req, resp = e["request"], e["response"]
    if kind == "header":
        name = draw(
            st.sampled_from(
                [
                    "X-Api-Key",
                    "X-Custom-Token",
                    "X-Client-Secret",
                    "X-Session",
                    "Proxy-Authorization",
                    "X-Auth",
                    "X-Passwd",
                    "Private-Key",
                    "Atl-XsrfToken",
                ]
            )
        )
        req["headers"].append({"name": _case(draw, name), "value": s})
    elif kind == "cookie":
        n = draw(st.integers(0, 3))
        req["headers"].append({"name": "Cookie", "value": "; ".join([f"c{i}=v{i}x" for i in range(n)] + [f"zz={s}"])})
    elif kind == "set-cookie":
        sep = draw(st.sampled_from(["\n", ", "]))
        resp["headers"].append({"name": "set-cookie", "value": sep.join(["a=b1c2d3; Path=/", f"z={s}; HttpOnly"])})
    elif kind == "query":
        name = draw(st.sampled_from(["state", "code", "access_token", "oauth_verifier", "id_token", "password", "sig"]))
        req["url"] = _url_layers(draw, f"https://piplanning.io/cb?{name}={q}&lang=en")
    elif kind == "json":
        value: Any = s
        for _ in range(draw(st.integers(0, 3))):
            value = draw(st.sampled_from([lambda v: {"value": v}, lambda v: [v], lambda v: {"inner": [v, 1]}]))(value)
        shape = draw(st.sampled_from(["key", "pair", "deep"]))
        key = draw(st.sampled_from(["token", "password", "refresh_token", "clientSecret", "apiKey", "session"]))
        doc: Any = {"key": key, "value": value} if shape == "pair" else {key: value}
        if shape == "deep":
            doc = {"data": [{"attributes": doc}], "words": WORDS}
        resp["content"].update(text=json.dumps(doc), mimeType="application/json")
    elif kind == "form":
        name = draw(st.sampled_from(["os_password", "client_secret", "refresh_token", "code"]))
        req["postData"] = {"mimeType": "application/x-www-form-urlencoded", "text": f"os_username=svc&{name}={q}"}
    elif kind == "multipart":
        b = "----b0undary9"
        text = (
            f'--{b}\r\nContent-Disposition: form-data; name="user"\r\n\r\nsvc\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="password"\r\n\r\n{s}\r\n--{b}--\r\n'
        )
        req["postData"] = {"mimeType": f"multipart/form-data; boundary={b}", "text": text}
    elif kind == "xml":
        tag = draw(st.sampled_from(["password", "token", "crowd:password", "secret"]))
        text = f'<?xml version="1.0"?><root><user>svc</user><{tag}><value>{s}</value></{tag}></root>'
        resp["content"].update(text=text, mimeType="application/xml")
    elif kind == "html":
        tag = draw(
            st.sampled_from(
                [
                    f'<meta name="atlassian-token" content="{s}">',
                    f'<input type="hidden" name="atl_token" value="{s}">',
                    f'<input value="{s}" type="hidden" name="oauth_token"/>',
                    f'<a href="https://svc:{q}@jira.example.com/x">x</a>',
                    f'<a href="{JIRA}/x?a=1&amp;access_token={q}">x</a>',
                f'<div data-options="{{&quot;authToken&quot;:&quot;{s}&quot;,&quot;n&quot;:1}}">x</div>',
                f'<p>Welcome</p><script>var settings = {{"apiKey": "{s}"}};</script>',
                ]
            )
        )
        resp["content"].update(
            text=f"<html><head><title>{WORDS}</title></head><body>{tag}</body></html>", mimeType="text/html"
        )
    elif kind == "stomp":
        header = draw(st.sampled_from(["passcode", "login", "Authorization"]))
        e["_webSocketMessages"] = [
            {"type": "send", "time": 1, "opcode": 1, "data": f"CONNECT\naccept-version:1.2\n{header}:{s}\n\n\x00"}
        ]
    elif kind == "extension":
        key = draw(st.sampled_from(["_auth", "_recorder", "_vendorX"]))
        inner = draw(st.sampled_from(["secret", "token", "blob", "session"]))
        e[key] = {inner: s} if draw(st.booleans()) else s
    elif kind == "oauth":
        req["headers"].append(
            {
                "name": "Authorization",
                "value": f'OAuth oauth_consumer_key="piplanning.io", oauth_token="{q}", oauth_signature="x1y2z3w4"',
            }
        )
    elif kind == "basic":
        req["headers"].append(
            {"name": "authorization", "value": "Basic " + base64.b64encode(f"svc:{s}".encode()).decode()}
        )
    else:
        base = (
            "GET&"
            + urllib.parse.quote(f"{JIRA}/rest/api/2/myself", safe="")
            + "&"
            + urllib.parse.quote(f"oauth_consumer_key=piplanning.io&oauth_token={q}&oauth_version=1.0", safe="")
        )
        resp["headers"].append(
            {
                "name": "WWW-Authenticate",
                "value": f'OAuth oauth_problem="signature_invalid", '
                f'oauth_signature_base_string="{urllib.parse.quote(base, safe="")}"',
            }
        )
    return e


def echo(draw: Callable[..., Any], s: str) -> dict[str, Any]:
    """An entry that repeats the secret with nothing naming it, in some encoding, somewhere."""
    data = s.encode()
    form = draw(st.sampled_from(["raw", "url", "url2", "base64", "hex", "json", "b64body"]))
    text = {
        "raw": s,
        "url": urllib.parse.quote(s, safe=""),
        "url2": urllib.parse.quote(urllib.parse.quote(s, safe=""), safe=""),
        "base64": base64.b64encode(b"prefix " + data + b" suffix").decode(),
        "hex": data.hex(),
        "json": json.dumps(json.dumps({"x": s})),
        "b64body": s,
    }[form]
    e = entry("GET", f"{JIRA}/rest/api/2/field", 200, body=f"{WORDS} {text} end", mime="text/plain")
    where = draw(st.sampled_from(["body", "header", "comment", "extension", "ws"]))
    if form == "b64body":
        e["response"]["content"].update(encoding="base64", text=base64.b64encode(f"{WORDS} {s}".encode()).decode())
    elif where == "header":
        e["response"]["headers"].append({"name": "X-Debug", "value": f"seen {text}"})
    elif where == "comment":
        e["comment"] = f"note {text}"
    elif where == "extension":
        e["_priority"] = f"High {text}"
    elif where == "ws":
        e["_webSocketMessages"] = [{"type": "receive", "time": 1, "opcode": 1, "data": f"MESSAGE\n\n{text}\x00"}]
    return e


@st.composite
def hars(draw: Callable[..., Any]) -> tuple[str, dict[str, Any]]:
    s = draw(_secret)
    healthy = entry(
        "GET", f"{JIRA}/rest/api/2/serverInfo", 200, [("Accept", "text/plain")], body=WORDS, mime="text/plain"
    )
    entries = [reveal(draw, s), healthy] + [echo(draw, s) for _ in range(draw(st.integers(0, 3)))]
    order = draw(st.permutations(range(len(entries))))  # an echo may come before the place that reveals
    return s, har([entries[i] for i in order])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hars())
def test_property_no_secret_in_any_encoding_survives(case: tuple[str, dict[str, Any]]) -> None:
    secret, document = case
    raw = json.dumps(document)
    assume(secret not in json.dumps(har([entry("GET", f"{JIRA}/rest/api/2/myself", 200, body=WORDS)])))
    assert found(secret, raw), "the secret was never placed"
    out = io.StringIO()
    write_redacted(io.BytesIO(raw.encode()), out)
    text = out.getvalue()
    copy = json.loads(text)
    assert found(secret, text) == [], text[:3000]
    assert len(copy["log"]["entries"]) == len(document["log"]["entries"])
    assert "/rest/api/2/" in text and WORDS in text
    assert [e["response"]["status"] for e in copy["log"]["entries"]] == [
        e["response"]["status"] for e in document["log"]["entries"]
    ]
