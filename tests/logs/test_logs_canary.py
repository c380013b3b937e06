"""Secrets written in Jira's logs never reach a report, in any format or encoding (the canary).

The records hold what real logs show: an Authorization header dumped by rate limiting's TRACE
logging (its shape from Atlassian KB "Removing rate limits for Atlassian cloud products", with
escaped quotes), the JSESSIONID and atlassian.xsrf.token cookies (KB 1108486797), a password in a
URL, Basic and Bearer credentials, a personal-access-token-shaped value, and an OAuth base string
whose oauth_token must be masked while its structure (names, URL, order) stays.
"""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest

from jiradoctor.logs.command import analyse
from jiradoctor.logs.findings import IntegrationView
from jiradoctor.reports import render
from tests.conftest import assert_valid_report
from tests.logs.logfiles import around, jira_head

SESSION = "8AE544D26AE19FF01AF945CF37B77C31"  # the JSESSIONID value as KB 1108486797 shows it
XSRF = "B6ZK-S1PB-6D72-MBIQ_e52aff75d49c4b7e22e8f8b4ef88536460b8dae"  # its atlassian.xsrf.token
URL_PASSWORD = "CanaryUrlPassw0rd"
BASIC_PASSWORD = "CanaryBasicPassw0rd"
BEARER = "CanaryBearerTokenValue42"
PAT = "NjQ4MTY1OTk3NjY4OkNhbmFyeVBhdFRva2VuVmFsdWUx"  # 44 base64 characters, a Jira PAT's shape
OAUTH_TOKEN = "CanaryOAuthAccessToken77"
OAUTH_SIGNATURE = "o1QQ%2FIx2Ople7wGtQVSlqVrfKkoJiQ%2FmgH2JvUvTvqR6ki"  # as the KB's example starts
QUERY_PASSWORD = "CanaryQueryPassw0rd"
CANARIES = (SESSION, XSRF, URL_PASSWORD, BASIC_PASSWORD, BEARER, PAT, OAUTH_TOKEN, OAUTH_SIGNATURE, QUERY_PASSWORD)


def forms(secret: str) -> set[str]:
    plain = urllib.parse.unquote(secret)
    return {secret, plain, urllib.parse.quote(plain, safe=""), urllib.parse.quote(urllib.parse.quote(plain, safe=""),
            safe=""), base64.b64encode(f"svc:{plain}".encode()).decode()}


BASE = ("POST&https%3A%2F%2Fjira.example.com%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3D"
        "piplanning%26oauth_nonce%3D6073902753180203%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D"
        f"1574434622%26oauth_token%3D{OAUTH_TOKEN}%26oauth_version%3D1.0")
BASIC = base64.b64encode(f"svc:{BASIC_PASSWORD}".encode()).decode()
RECORDS = (
    jira_head(path="/plugins/servlet/oauth/access-token", logger="c.a.oauth.serviceprovider.internal.AuthenticatorImpl")
    + "Problem authenticating request\nnet.oauth.OAuthProblemException: signature_invalid\n"
    "  oauth_problem: signature_invalid\n"
    f"  oauth_signature: {OAUTH_SIGNATURE}\n"
    f"  oauth_signature_base_string: {BASE}\n"
    '  "Authorization: OAuth oauth_token=\\"' + OAUTH_TOKEN + '\\", oauth_consumer_key=\\"FishEye%3A9639366062\\", '
    'oauth_signature_method=\\"RSA-SHA1\\", oauth_timestamp=\\"1574434622\\", oauth_nonce=\\"6073902753180203\\", '
    'oauth_version=\\"1.0\\", oauth_signature=\\"' + OAUTH_SIGNATURE + '\\""\n'
    f"  UI cookies [{{JSESSIONID=[{SESSION}], atlassian.xsrf.token=[{XSRF}]}}] (count: 2)\n",
    jira_head(level="ERROR", path="/rest/webhooks/1.0/webhook") + f"Calling https://svc:{URL_PASSWORD}@hooks.example.com"
    f"/in?password={QUERY_PASSWORD}&x=1 with Authorization: Basic {BASIC} and Authorization: Bearer {BEARER}, "
    f"token {PAT}\njavax.net.ssl.SSLHandshakeException: sun.security.validator.ValidatorException: PKIX path building "
    f"failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path "
    f"to requested target\nCookie: JSESSIONID={SESSION}; atlassian.xsrf.token={XSRF}\n",
)


@pytest.mark.parametrize("fmt", ["json", "html", "md", "junit", "jira", "text"])
def test_no_secret_of_the_log_reaches_any_format(tmp_path: Path, fmt: str) -> None:
    log = tmp_path / "atlassian-jira.log"
    log.write_text(around("".join(RECORDS)), encoding="utf-8")
    report = analyse([str(log)], IntegrationView("https://jira.example.com", "piplanning"))
    codes = {f.code for _, f in report.findings()}
    assert {"outgoing-tls/unknown-ca", "oauth-signature/key-mismatch"} <= codes  # the records were matched
    shown = render(report, fmt)
    leaked = [c for c in CANARIES for form in forms(c) if form in shown]
    assert not leaked, f"{fmt} shows {leaked}"
    if fmt == "json":
        import json

        data = json.loads(shown)
        assert_valid_report(data)
        finding = next(f for c in data["checks"] for f in c["findings"] if f["code"] == "oauth-signature/key-mismatch")
        # the base string keeps its structure: URL, parameter names and order, the token's value masked
        assert finding["evidence"]["jira_base_string"] == BASE.replace(OAUTH_TOKEN, "********")


def test_the_canary_would_see_a_leak() -> None:
    """Not vacuous: the same records, unredacted, hold every canary."""
    text = "".join(RECORDS)
    assert all(any(form in text for form in forms(c)) for c in CANARIES)
