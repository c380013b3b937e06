"""The lab's OAuth 1.0a provider against oauthlib as the client, over real sockets."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from jiradoctor.jira.tomcat import Connector, RemoteIpValve
from tests.lab.helpers import SIGNATURE_HMAC, client_for, oauth_header_params, parse_form, signed

pytestmark = pytest.mark.timeout(30)

REQUEST_TOKEN = "/plugins/servlet/oauth/request-token"
ACCESS_TOKEN = "/plugins/servlet/oauth/access-token"
AUTHORIZE = "/plugins/servlet/oauth/authorize"


def problem_of(resp) -> dict[str, str]:
    """The problem from both places Jira puts it; they must agree."""
    assert resp.headers["content-type"].startswith("application/x-www-form-urlencoded")
    body = parse_form(resp.text)
    header = oauth_header_params(resp.headers["www-authenticate"])
    for key, value in body.items():
        assert header[key] == value, key
    return {**body, "realm": header["realm"]}


def test_full_dance_on_healthy(make_lab):
    lab = make_lab("healthy")
    resp = signed(lab, "POST", REQUEST_TOKEN, callback="oob")
    assert resp.status_code == 200
    tokens = parse_form(resp.text)
    assert tokens["oauth_callback_confirmed"] == "true"
    request_token = tokens["oauth_token"]

    with client_for(lab) as http:
        page = http.get(f"{lab.url}{AUTHORIZE}", params={"oauth_token": request_token})
        assert page.status_code == 200 and "Allow" in page.text
        approved = http.get(f"{lab.url}{AUTHORIZE}", params={"oauth_token": request_token, "lab_approve": "allow"})
    assert approved.status_code == 200
    verifier = approved.text.split("<code>")[1].split("</code>")[0]

    resp = signed(lab, "POST", ACCESS_TOKEN, token=request_token, verifier=verifier)
    assert resp.status_code == 200, resp.text
    access = parse_form(resp.text)
    assert access["oauth_token"] and access["oauth_token_secret"]

    me = signed(lab, "GET", "/rest/api/2/myself", token=access["oauth_token"])
    assert me.status_code == 200
    assert me.json()["name"] == "piplanning-svc"
    assert me.headers["x-ausername"] == "piplanning-svc"
    assert me.headers["x-seraph-loginreason"] == "OK"

    # the request token was exchanged once; a second exchange is refused
    again = signed(lab, "POST", ACCESS_TOKEN, token=request_token, verifier=verifier)
    assert again.status_code == 401 and problem_of(again)["oauth_problem"] == "token_rejected"


def test_callback_redirect_carries_verifier(make_lab):
    lab = make_lab("healthy")
    token = parse_form(signed(lab, "POST", REQUEST_TOKEN, callback="https://piplanning.io/cb").text)["oauth_token"]
    with client_for(lab) as http:
        resp = http.get(f"{lab.url}{AUTHORIZE}", params={"oauth_token": token, "lab_approve": "allow"})
    assert resp.status_code == 302
    location = urllib.parse.urlsplit(resp.headers["location"])
    assert location.netloc == "piplanning.io"
    assert "oauth_verifier" in urllib.parse.parse_qs(location.query)


def test_unauthorised_or_denied_request_token(make_lab):
    lab = make_lab("healthy")
    token = parse_form(signed(lab, "POST", REQUEST_TOKEN).text)["oauth_token"]
    resp = signed(lab, "POST", ACCESS_TOKEN, token=token, verifier="x")
    assert problem_of(resp)["oauth_problem"] == "permission_unknown"
    with client_for(lab) as http:
        http.get(f"{lab.url}{AUTHORIZE}", params={"oauth_token": token, "lab_approve": "deny"})
    resp = signed(lab, "POST", ACCESS_TOKEN, token=token, verifier="x")
    assert resp.status_code == 401 and problem_of(resp)["oauth_problem"] == "permission_denied"


def test_provisioned_access_token_signs_rest(make_lab):
    lab = make_lab("healthy")
    resp = signed(
        lab, "GET", "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS&projectKey=PIP", token=lab.access_token
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["permissions"]["BROWSE_PROJECTS"]["havePermission"] is True


def test_request_token_is_post_only(make_lab):
    lab = make_lab("healthy")
    resp = signed(lab, "GET", REQUEST_TOKEN)
    assert resp.status_code == 405
    assert "POST" in resp.headers["allow"]


@pytest.mark.parametrize(
    ("scenario", "status", "problem"),
    [
        ("url-mismatch-proxy-host", 401, "signature_invalid"),
        ("context-path-mismatch", 401, "signature_invalid"),
        ("url-mismatch-scheme", 401, "signature_invalid"),
        ("key-mismatch", 401, "signature_invalid"),
        ("consumer-key-unknown", 401, "consumer_key_unknown"),
        ("consumer-key-whitespace", 401, "consumer_key_unknown"),
        ("clock-skew", 400, "timestamp_refused"),
        ("nonce-reused", 401, "nonce_used"),
        ("callback-rejected", 400, "parameter_rejected"),
    ],
)
def test_request_token_fails_with_jiras_problem(make_lab, scenario, status, problem):
    lab = make_lab(scenario)
    resp = signed(lab, "POST", REQUEST_TOKEN, callback="oob")
    assert resp.status_code == status, resp.text
    found = problem_of(resp)
    assert found["oauth_problem"] == problem
    assert found["realm"] == lab.base_url  # the realm is Jira's Base URL (percent-encoded once)


@pytest.mark.parametrize("scenario", ["healthy", "clock-near", "token-rejected", "parameter-stripped", "healthy-cloud"])
def test_request_token_succeeds(make_lab, scenario):
    lab = make_lab(scenario)
    resp = signed(lab, "POST", REQUEST_TOKEN, callback="oob")
    assert resp.status_code == 200, resp.text


def test_signature_invalid_echoes_the_url_jira_saw(make_lab):
    lab = make_lab("url-mismatch-proxy-host")
    resp = signed(lab, "POST", REQUEST_TOKEN)
    found = problem_of(resp)
    assert found["oauth_signature_method"] == "RSA-SHA1"
    assert found["oauth_signature"]
    base = found["oauth_signature_base_string"]
    method, url, params = base.split("&")
    assert method == "POST"
    assert urllib.parse.unquote(url) == "http://jira-internal.lab.test:8080/plugins/servlet/oauth/request-token"
    assert "oauth_consumer_key%3Dpiplanning.io" in params


def test_key_mismatch_base_strings_agree(make_lab):
    lab = make_lab("key-mismatch")
    base = problem_of(signed(lab, "POST", REQUEST_TOKEN))["oauth_signature_base_string"]
    assert urllib.parse.unquote(base.split("&")[1]) == f"{lab.url}{REQUEST_TOKEN}"


def test_context_path_mismatch_base_string_lacks_context(make_lab):
    lab = make_lab("context-path-mismatch")
    assert lab.url.endswith("/jira")
    base = problem_of(signed(lab, "POST", REQUEST_TOKEN))["oauth_signature_base_string"]
    seen = urllib.parse.unquote(base.split("&")[1])
    assert seen == f"http://127.0.0.1:{lab.port}{REQUEST_TOKEN}"


def test_scheme_mismatch_jira_sees_http(make_lab):
    lab = make_lab("url-mismatch-scheme")
    assert lab.url.startswith("https://")
    base = problem_of(signed(lab, "POST", REQUEST_TOKEN))["oauth_signature_base_string"]
    assert urllib.parse.unquote(base.split("&")[1]).startswith(f"http://127.0.0.1:{lab.port}/")


def test_parameter_stripped_signed_query_fails(make_lab):
    lab = make_lab("parameter-stripped")
    resp = signed(lab, "GET", "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS", token=lab.access_token)
    found = problem_of(resp)
    assert found["oauth_problem"] == "signature_invalid"
    assert "permissions" not in urllib.parse.unquote(found["oauth_signature_base_string"]).replace("mypermissions", "")
    # without a query the same call works
    ok = signed(lab, "GET", "/rest/api/2/myself", token=lab.access_token)
    assert ok.status_code == 200


def test_consumer_keys_compared_verbatim(make_lab):
    lab = make_lab("healthy")
    assert signed(lab, "POST", REQUEST_TOKEN, consumer_key="piplanning.io").status_code == 200
    for key in ("piplanning.io ", " piplanning.io", "PIPLANNING.IO"):
        resp = signed(lab, "POST", REQUEST_TOKEN, consumer_key=key)
        assert problem_of(resp)["oauth_problem"] == "consumer_key_unknown", key


def test_whitespace_scenario_hands_out_the_spaced_key(make_lab):
    lab = make_lab("consumer-key-whitespace")
    assert lab.consumer_key == "piplanning.io "
    assert lab.jira_consumer_key == "piplanning.io"
    assert signed(lab, "POST", REQUEST_TOKEN, consumer_key="piplanning.io").status_code == 200


def test_timestamp_window_is_five_minutes(make_lab):
    fixed = 1_700_000_000.0
    lab = make_lab("healthy", clock=lambda: fixed)
    now = int(fixed)
    for offset in (-299, 0, 299):
        assert signed(lab, "POST", REQUEST_TOKEN, timestamp=now + offset).status_code == 200, offset
    for offset in (-301, 301, -3600):
        resp = signed(lab, "POST", REQUEST_TOKEN, timestamp=now + offset)
        found = problem_of(resp)
        assert resp.status_code == 400 and found["oauth_problem"] == "timestamp_refused"
        assert found["oauth_acceptable_timestamps"] == f"{now - 300}-{now + 300}"


def test_clock_skew_scenario_refuses_current_time(make_lab):
    lab = make_lab("clock-skew")
    resp = signed(lab, "POST", REQUEST_TOKEN, timestamp=int(time.time()))
    low, high = map(int, problem_of(resp)["oauth_acceptable_timestamps"].split("-"))
    assert low > time.time() + 200  # Jira's clock is 10 minutes ahead


def test_nonce_reuse_is_refused(make_lab):
    lab = make_lab("healthy")
    ts = int(time.time())
    first = signed(lab, "POST", REQUEST_TOKEN, nonce="fixed-nonce-1", timestamp=ts)
    assert first.status_code == 200
    again = signed(lab, "POST", REQUEST_TOKEN, nonce="fixed-nonce-1", timestamp=ts)
    assert again.status_code == 401 and problem_of(again)["oauth_problem"] == "nonce_used"
    assert signed(lab, "POST", REQUEST_TOKEN, nonce="fixed-nonce-2", timestamp=ts).status_code == 200


def test_token_rejected(make_lab):
    lab = make_lab("token-rejected")
    resp = signed(lab, "GET", "/rest/api/2/myself", token=lab.access_token)
    assert resp.status_code == 401 and problem_of(resp)["oauth_problem"] == "token_rejected"
    # a signed call to an anonymous resource is refused too: the OAuth filter answers first
    resp = signed(lab, "GET", "/rest/api/2/serverInfo", token=lab.access_token)
    assert problem_of(resp)["oauth_problem"] == "token_rejected"


def test_callback_rejected_names_the_parameter(make_lab):
    lab = make_lab("callback-rejected")
    found = problem_of(signed(lab, "POST", REQUEST_TOKEN, callback="oob"))
    assert found["oauth_parameters_rejected"] == "oauth_callback"
    assert found["oauth_problem_advice"]
    assert signed(lab, "POST", REQUEST_TOKEN, callback="https://piplanning.io/oauth/callback?x=1").status_code == 200


def test_invalid_callback_rejected_everywhere(make_lab):
    lab = make_lab("healthy")
    found = problem_of(signed(lab, "POST", REQUEST_TOKEN, callback="not a url"))
    assert found["oauth_problem"] == "parameter_rejected"
    assert found["oauth_parameters_rejected"] == "oauth_callback"


def test_signature_method_rejected(make_lab):
    lab = make_lab("healthy")
    resp = signed(lab, "POST", REQUEST_TOKEN, signature_method=SIGNATURE_HMAC)
    found = problem_of(resp)
    assert resp.status_code == 400
    assert found["oauth_problem"] == "signature_method_rejected"
    assert found["oauth_acceptable_signature_methods"] == "RSA-SHA1"


def test_parameter_absent_and_duplicated(make_lab):
    lab = make_lab("healthy")
    with client_for(lab) as http:
        resp = http.post(lab.url + REQUEST_TOKEN, headers={"Authorization": 'OAuth oauth_consumer_key="piplanning.io"'})
    found = problem_of(resp)
    assert resp.status_code == 400 and found["oauth_problem"] == "parameter_absent"
    assert "oauth_signature" in found["oauth_parameters_absent"]
    dup = signed(lab, "POST", REQUEST_TOKEN + "?oauth_nonce=again")
    assert problem_of(dup)["oauth_parameters_rejected"] == "oauth_nonce"


def test_form_body_parameters_are_signed(make_lab):
    lab = make_lab("healthy")
    resp = signed(lab, "POST", REQUEST_TOKEN, form={"extra": "value with space"})
    assert resp.status_code == 200, resp.text


def test_consumer_info_is_jiras_own_key(make_lab):
    lab = make_lab("healthy")
    with client_for(lab) as http:
        resp = http.get(lab.url + "/plugins/servlet/oauth/consumer-info")
    assert resp.status_code == 200 and "<publicKey>MII" in resp.text


# -- the URL Jira sees behind a reverse proxy (what nginx set-ups produce) ----------------------

PUBLIC = "https://jira.test:8443"


def test_proxy_passing_its_upstream_host(make_lab):
    """(a) nginx sends Host 127.0.0.1:LABPORT and the connector has no proxyName."""
    lab = make_lab("healthy", base_url=PUBLIC)
    resp = signed(lab, "POST", REQUEST_TOKEN, base=PUBLIC, host=f"127.0.0.1:{lab.port}")
    found = problem_of(resp)
    assert found["oauth_problem"] == "signature_invalid"
    assert urllib.parse.unquote(found["oauth_signature_base_string"].split("&")[1]).startswith(
        f"http://127.0.0.1:{lab.port}/"
    )
    assert found["realm"] == PUBLIC


def test_proxy_passing_host_but_connector_http(make_lab):
    """(b) the Host header is passed, but the connector still says http."""
    lab = make_lab("healthy", base_url=PUBLIC)
    found = problem_of(signed(lab, "POST", REQUEST_TOKEN, base=PUBLIC))
    assert urllib.parse.unquote(found["oauth_signature_base_string"].split("&")[1]).startswith("http://jira.test:8443/")


def test_proxy_with_proxy_name_port_and_scheme(make_lab):
    """(c) proxyName/proxyPort/scheme set: Jira rebuilds the public URL and the signature holds."""
    connector = Connector(port=0, scheme="https", secure=True, proxy_name="jira.test", proxy_port=8443)
    lab = make_lab("healthy", base_url=PUBLIC, connector=connector)
    assert lab.connector.port == lab.port
    resp = signed(lab, "POST", REQUEST_TOKEN, base=PUBLIC, host=f"127.0.0.1:{lab.port}")
    assert resp.status_code == 200, resp.text
    assert lab.seen[-1].jira_url == f"{PUBLIC}{REQUEST_TOKEN}"


def test_remote_ip_valve_uses_forwarded_proto(make_lab):
    connector = Connector(port=0, remote_ip_valve=RemoteIpValve())
    lab = make_lab("healthy", base_url="https://jira.test", connector=connector)
    ok = signed(lab, "POST", REQUEST_TOKEN, base="https://jira.test", extra_headers={"X-Forwarded-Proto": "https"})
    assert ok.status_code == 200, ok.text
    bad = signed(lab, "POST", REQUEST_TOKEN, base="https://jira.test")
    assert problem_of(bad)["oauth_problem"] == "signature_invalid"


def test_remote_ip_valve_not_the_connector_decides_the_url(make_lab):
    """proxyName/proxyPort/scheme are right, but the proxy sends X-Forwarded-Proto: http: the valve makes
    Jira see http and port 80 over the connector's proxyPort (measured on Tomcat 10.1, JIRA-FACTS §2)."""
    connector = Connector(
        port=0, scheme="https", secure=True, proxy_name="jira.test", proxy_port=443, remote_ip_valve=RemoteIpValve()
    )
    lab = make_lab("healthy", base_url="https://jira.test", connector=connector)
    ok = signed(
        lab, "POST", REQUEST_TOKEN, base="https://jira.test", extra_headers={"X-Forwarded-Proto": "https, https"}
    )
    assert ok.status_code == 200, ok.text
    found = problem_of(
        signed(lab, "POST", REQUEST_TOKEN, base="https://jira.test", extra_headers={"X-Forwarded-Proto": "http"})
    )
    assert found["oauth_problem"] == "signature_invalid"
    assert (
        urllib.parse.unquote(found["oauth_signature_base_string"].split("&")[1]) == f"http://jira.test{REQUEST_TOKEN}"
    )
