"""Real headless Chromium against the lab's scenarios; its network log exported as HAR; `jiradoctor har` reads it.

The browser plays the integration's front end: it opens Jira's origin and makes the same calls an
integration makes (the signed request-token call, a signed REST call, a Basic or Bearer login),
signed by jiradoctor's own OAuth signer. Each recorded HAR must yield the scenario's own code.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.har.analyse import analyse_file
from jiradoctor.jira.oauth1 import CALLBACK_OOB, REQUEST_TOKEN_PATH, sign_request
from jiradoctor_lab import LabServer
from jiradoctor.model import Status
from tests.browser import cdp
from tests.browser.har_export import save_har

# scenario -> the code its HAR must yield (the scenario's own expect code that a browser can show)
OAUTH = {
    "url-mismatch-proxy-host": "oauth-signature/url-mismatch",
    "url-mismatch-scheme": "oauth-signature/url-mismatch",
    "context-path-mismatch": "oauth-signature/url-mismatch",
    "parameter-stripped": "oauth-signature/parameter-mismatch",
    "key-mismatch": "oauth-signature/key-mismatch",
    "consumer-key-unknown": "consumer-key/unknown",
    "consumer-key-whitespace": "consumer-key/unknown",
    "token-rejected": "oauth-signature/token-rejected",
    "callback-rejected": "oauth-signature/callback-rejected",
    "clock-skew": "oauth-signature/timestamp-refused",
    "nonce-reused": "oauth-signature/nonce-used",
    "not-jira-html": "oauth-signature/not-jira",
    "not-jira-404": "oauth-signature/not-jira",
}
AUTH = {
    "wrong-password": "auth/invalid-credentials",
    "captcha": "auth/captcha-required",
    "anonymous-fallback": "auth/anonymous-fallback",
    "sso-redirect": "auth/sso-redirect",
    "pat-as-password": "auth/pat-as-password",
    "cloud-password": "auth/password-on-cloud",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[cdp.Browser]:
    executable = cdp.find_chromium()
    assert executable, "Chromium is required (scripts/test installs it)"
    # the url-mismatch-scheme lab serves HTTPS with its own CA; only the test's own browser skips that check
    flags = cdp.FLAGS
    cdp.FLAGS = flags + ("--ignore-certificate-errors",)
    try:
        b = cdp.Browser(executable)
    finally:
        cdp.FLAGS = flags
    try:
        yield b
    finally:
        b.close()


def _fetch(page: cdp.Page, method: str, url: str, headers: dict[str, str]) -> int:
    body = ", body: ''" if method == "POST" else ""
    script = (
        f"fetch({json.dumps(url)}, {{method: {json.dumps(method)}, headers: {json.dumps(headers)}{body}, "
        "credentials: 'same-origin'}).then(r => r.text().then(() => r.status)).catch(e => -1)"
    )
    return page.evaluate(script, await_promise=True)


def record(browser: cdp.Browser, scenario: str, tmp_path: Path) -> Path:
    """Play the integration's calls for the scenario in Chromium and save the HAR."""
    with LabServer(scenario) as lab:
        page = browser.new_page()
        try:
            page.open(lab.url + "/rest/api/2/serverInfo")
            client = lab.client
            if client.auth == "oauth1":
                signed = sign_request(
                    "POST",
                    lab.url + REQUEST_TOKEN_PATH,
                    client.consumer_key,
                    lab.private_key_pem,
                    callback=CALLBACK_OOB,
                )
                _fetch(page, "POST", signed.url, dict(signed.headers))
                if client.access_token:
                    rest = sign_request(
                        "GET",
                        lab.url + "/rest/api/2/myself?expand=groups",
                        client.consumer_key,
                        lab.private_key_pem,
                        token=client.access_token,
                    )
                    _fetch(page, "GET", rest.url, dict(rest.headers))
            else:
                user = client.user if scenario != "cloud-password" else lab.scenario.users[0].email
                secret = client.token if client.auth == "token" else client.password
                basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
                headers = (
                    {"Authorization": f"Bearer {client.pat}"}
                    if client.auth == "pat"
                    else {"Authorization": f"Basic {basic}"}
                )
                _fetch(page, "GET", lab.url + "/rest/api/2/myself", headers)
                _fetch(page, "GET", lab.url + "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS", headers)
            return save_har(page, tmp_path / f"{scenario}.har")
        finally:
            page.close()


def _codes(path: Path) -> set[str]:
    return {f.code for _, f in analyse_file(path).findings() if f.status.rank >= Status.WARN.rank}


@pytest.mark.parametrize("scenario", sorted(OAUTH) + sorted(AUTH))
def test_recorded_har_yields_the_scenarios_code(scenario: str, browser: cdp.Browser, tmp_path: Path) -> None:
    har = record(browser, scenario, tmp_path)
    expected = {**OAUTH, **AUTH}[scenario]
    codes = _codes(har)
    assert expected in codes, f"{scenario}: {codes}"
    # and through the command line, with its exit code
    result = CliRunner().invoke(main, ["har", str(har), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert expected in {f["code"] for c in json.loads(result.stdout)["checks"] for f in c["findings"]}


@pytest.mark.parametrize("scenario", ["healthy", "healthy-cloud", "healthy-pat"])
def test_healthy_har_passes(scenario: str, browser: cdp.Browser, tmp_path: Path) -> None:
    har = record(browser, scenario, tmp_path)
    report = analyse_file(har)
    assert report.status == Status.PASS, [(f.code, f.message) for _, f in report.findings()]
    observed = {f.code for _, f in report.findings()}
    assert "har/jira-seen" in observed
    assert observed & {"oauth-signature/ok", "auth/ok"}, observed  # a pass that observed a working exchange
    result = CliRunner().invoke(main, ["har", str(har)])
    assert result.exit_code == 0, result.output


def test_recorded_har_redacts_the_session_secrets(browser: cdp.Browser, tmp_path: Path) -> None:
    """The real browser's HAR of a Basic login holds the password (base64) and the OAuth signature: the safe
    copy does not."""
    har = record(browser, "healthy", tmp_path)
    raw = har.read_text()
    with LabServer("healthy") as lab:
        secrets = [
            lab.client.access_token,
            base64.b64encode(f"{lab.client.user}:{lab.client.password}".encode()).decode(),
        ]
    assert lab.client.access_token in raw  # it was there to be masked
    safe = tmp_path / "safe.har"
    result = CliRunner().invoke(main, ["har", str(har), "--redact", "-o", str(safe)])
    assert result.exit_code == 0, result.output
    text = safe.read_text()
    json.loads(text)
    for secret in secrets:
        assert secret not in text and secret not in result.output
    assert 'oauth_signature="********"' in text or 'oauth_signature=\\"********\\"' in text


def _loads(page: cdp.Page) -> int:
    return sum(1 for e in page._mine() if e["method"] == "Page.loadEventFired")


def _wait_loads(page: cdp.Page, n: int, timeout: float = 10.0) -> None:
    """Wait for the n-th page load without clearing the events (page.open would: the HAR needs them)."""
    deadline = time.monotonic() + timeout
    while _loads(page) < n:
        assert time.monotonic() < deadline, "the page did not load"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "decision, expected", [("Allow", "oauth-signature/authorize-ok"), ("Deny", "oauth-signature/authorize-denied")]
)
def test_recorded_authorize_step(decision: str, expected: str, browser: cdp.Browser, tmp_path: Path) -> None:
    """The OAuth dance's browser step: Jira's allow/deny page, and the user's click, recorded by Chromium."""
    with LabServer("healthy") as lab:
        page = browser.new_page()
        try:
            page.open(lab.url + "/rest/api/2/serverInfo")
            signed = sign_request(
                "POST",
                lab.url + REQUEST_TOKEN_PATH,
                lab.client.consumer_key,
                lab.private_key_pem,
                callback=CALLBACK_OOB,
            )
            body = page.evaluate(
                f"fetch({json.dumps(signed.url)}, "
                f"{{method: 'POST', headers: {json.dumps(dict(signed.headers))}, body: ''}}).then(r "
                f"=> r.text())",
                await_promise=True,
            )
            token = dict(p.split("=", 1) for p in body.split("&"))["oauth_token"]
            loads = _loads(page)
            page.send("Page.navigate", {"url": f"{lab.url}/plugins/servlet/oauth/authorize?oauth_token={token}"})
            _wait_loads(page, loads + 1)
            page.evaluate(f"document.querySelector('button[value={decision}]').click()")
            _wait_loads(page, loads + 2)
            har = save_har(page, tmp_path / "authorize.har")
        finally:
            page.close()
    report = analyse_file(har)
    codes = {f.code: f.status for _, f in report.findings()}
    assert codes.get("oauth-signature/authorize-shown") == Status.INFO
    assert expected in codes, codes
    assert "oauth/request-token" in har.read_text()  # the whole dance is in the one HAR
    assert token not in json.dumps(report.to_json())
    other = {"oauth-signature/authorize-ok", "oauth-signature/authorize-denied"} - {expected}
    assert not other & set(codes)


def test_recorded_session_with_cookies_login_form_and_oauth_redacts_every_secret(
    browser: cdp.Browser, tmp_path: Path
) -> None:
    """A real Chromium session against the lab: cookies (set by the server's page and by script), a login
    form posted with a password, Basic auth, the OAuth 1.0a dance (request token, authorize page, Allow,
    verification code) and a signed REST call, and an OAuth 2.0 callback URL with code and state, also
    nested in an encoded return URL. Its redacted copy holds none of the session's secrets in any
    encoding, keeps the URLs and page titles, and yields the same finding codes."""
    from urllib.parse import quote

    from tests.har.canary import found

    code, state, cookie = "c0de9Kx7Qm2Lw8", "st4teZp3Rv6Ny1", "c00kie5Jq8Hs2Wd"
    with LabServer("healthy") as lab:
        client = lab.client
        page = browser.new_page()
        try:
            page.send("Network.setCookie", {"name": "JSESSIONID", "value": cookie, "url": lab.url})
            page.open(lab.url + "/login.jsp")
            page.evaluate("document.cookie = 'atlassian.xsrf.token=" + cookie + "x; path=/'")
            loads = _loads(page)
            page.evaluate(
                f"document.querySelector('[name=os_username]').value = {json.dumps(client.user)};"
                f"document.querySelector('[name=os_password]').value = {json.dumps(client.password)};"
                "document.getElementById('login-form').submit()"
            )
            _wait_loads(page, loads + 1)
            basic = base64.b64encode(f"{client.user}:{client.password}".encode()).decode()
            assert _fetch(page, "GET", lab.url + "/rest/api/2/myself", {"Authorization": f"Basic {basic}"}) == 200
            signed = sign_request(
                "POST", lab.url + REQUEST_TOKEN_PATH, client.consumer_key, lab.private_key_pem, callback=CALLBACK_OOB
            )
            answer = page.evaluate(
                f"fetch({json.dumps(signed.url)}, {{method: 'POST', headers: {json.dumps(dict(signed.headers))}, "
                "body: ''}).then(r => r.text())",
                await_promise=True,
            )
            granted = dict(p.split("=", 1) for p in answer.split("&"))
            loads = _loads(page)
            page.send(
                "Page.navigate",
                {"url": f"{lab.url}/plugins/servlet/oauth/authorize?oauth_token={granted['oauth_token']}"},
            )
            _wait_loads(page, loads + 1)
            page.evaluate("document.querySelector('button[value=Allow]').click()")
            _wait_loads(page, loads + 2)
            verifier = page.evaluate("document.querySelector('code').textContent")
            rest = sign_request(
                "GET",
                lab.url + "/rest/api/2/myself",
                client.consumer_key,
                lab.private_key_pem,
                token=client.access_token,
            )
            assert _fetch(page, "GET", rest.url, dict(rest.headers)) == 200
            callback = f"{lab.url}/plugins/servlet/oauth2/callback?code={code}&state={state}"
            _fetch(page, "GET", callback, {})
            _fetch(page, "GET", f"{lab.url}/login.jsp?os_destination={quote(quote(callback, safe=''), safe='')}", {})
            # a second request token after the navigations (Chromium drops the bodies of a page left behind)
            again = sign_request(
                "POST", lab.url + REQUEST_TOKEN_PATH, client.consumer_key, lab.private_key_pem, callback=CALLBACK_OOB
            )
            answer = page.evaluate(
                f"fetch({json.dumps(again.url)}, {{method: 'POST', headers: {json.dumps(dict(again.headers))}, "
                "body: ''}).then(r => r.text())",
                await_promise=True,
            )
            second = dict(p.split("=", 1) for p in answer.split("&"))
            har = save_har(page, tmp_path / "session.har")
        finally:
            page.close()
    raw = har.read_text()
    signatures = [p.split('"')[1] for p in raw.split("oauth_signature=")[1:] if p.startswith('\\"')]
    secrets = {
        "password": client.password,
        "basic": basic,
        "cookie": cookie,
        "request token": granted["oauth_token"],
        "second request token": second["oauth_token"],
        "token secret": second["oauth_token_secret"],
        "verifier": verifier,
        "access token": client.access_token,
        "code": code,
        "state": state,
    }
    secrets.update({f"signature {i}": s.strip('\\"') for i, s in enumerate(signatures)})
    for name, secret in secrets.items():
        assert found(secret, raw), f"{name} was not in the recorded HAR"
    assert len(signatures) >= 2 and '"name": "JSESSIONID"' in raw and "os_password=" in raw
    safe = tmp_path / "safe.har"
    result = CliRunner().invoke(main, ["har", str(har), "--redact", "-o", str(safe)])
    # 1: the first request token's answer body is not in the HAR (Chromium dropped it at the navigation)
    assert result.exit_code in (0, 1) and "secrets masked" in result.output, result.output
    text = safe.read_text()
    json.loads(text)
    leaked = {name: found(secret, text + result.output) for name, secret in secrets.items()}
    assert {k: v for k, v in leaked.items() if v} == {}
    # what the HAR is shared for is kept
    for kept in ("/login.jsp", "/plugins/servlet/oauth/authorize", "/rest/api/2/myself", "os_username", "JSESSIONID",
                 "Log in - Jira", client.consumer_key):
        assert kept in text, kept
    assert sorted(f.code for _, f in analyse_file(har).findings()) == sorted(
        f.code for _, f in analyse_file(safe).findings()
    )
