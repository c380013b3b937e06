"""OAuth problems a live doctor cannot provoke, seen where they happen: in the integration's own recorded traffic.

jiradoctor signs with RSA-SHA1 only, so `signature_method_rejected` (a client library that switched to
HMAC-SHA1, pycontribs/jira#1677) shows up in a HAR of the integration's requests. The exchanges here are
real: signed by oauthlib, answered by the lab's OAuth provider over a socket, then written as HAR
entries and read by `jiradoctor har`.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from oauthlib.oauth1 import SIGNATURE_HMAC, SIGNATURE_RSA, Client

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from tests.har.hars import entry, har, write

pytestmark = pytest.mark.timeout(60)


def recorded(
    lab: LabServer, method: str, token: str | None = None, path: str = "/plugins/servlet/oauth/request-token"
) -> dict:
    """One real signed exchange with the lab, as a browser's HAR entry records it."""
    if method == SIGNATURE_HMAC:
        client = Client(
            lab.client.consumer_key,
            client_secret="",
            resource_owner_key=token,
            signature_method=method,
            callback_uri=None if token else "oob",
        )
    else:
        client = Client(
            lab.client.consumer_key,
            resource_owner_key=token,
            signature_method=method,
            rsa_key=lab.private_key_pem,
            callback_uri=None if token else "oob",
        )
    http_method = "GET" if token else "POST"
    uri, headers, _ = client.sign(lab.url + path, http_method=http_method)
    with httpx.Client(timeout=5) as http:
        resp = http.request(http_method, uri, headers=headers, content=b"" if http_method == "POST" else None)
    return entry(
        http_method,
        uri,
        resp.status_code,
        list(headers.items()),
        list(resp.headers.items()),
        body=resp.text,
        mime=resp.headers.get("content-type", ""),
    )


def har_codes(tmp_path: Path, entries: list[dict]) -> tuple[dict, set[str]]:
    path = write(tmp_path / "integration.har", har(entries))
    result = CliRunner().invoke(main, ["har", str(path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    return report, {f["code"] for c in report["checks"] for f in c["findings"] if f["status"] in ("warn", "fail")}


def test_hmac_sha1_from_the_integration_is_named_signature_method_rejected(tmp_path: Path) -> None:
    with LabServer("healthy") as lab:
        rejected = recorded(lab, SIGNATURE_HMAC)
        accepted = recorded(lab, SIGNATURE_RSA)
        writes = lab.writes
    report, codes = har_codes(tmp_path, [rejected])
    assert "oauth-signature/signature-method-rejected" in codes
    finding = next(
        f for c in report["checks"] for f in c["findings"] if f["code"] == "oauth-signature/signature-method-rejected"
    )
    assert finding["evidence"]["signed_with"] == "HMAC-SHA1" and finding["evidence"]["acceptable"] == "RSA-SHA1"
    _, healthy = har_codes(tmp_path, [accepted])
    assert not healthy
    assert writes == 0


@pytest.mark.parametrize(
    "scenario, code",
    [
        ("token-expired", "oauth-signature/token-expired"),
        ("permission-unknown", "oauth-signature/permission-unknown"),
        ("additional-authorization-required", "oauth-signature/additional-authorization-required"),
        ("token-rejected", "oauth-signature/token-rejected"),
    ],
)
def test_token_states_in_recorded_traffic(scenario: str, code: str, tmp_path: Path) -> None:
    with LabServer(scenario) as lab:
        rest = recorded(lab, SIGNATURE_RSA, token=lab.access_token, path="/rest/api/2/myself")
    _, codes = har_codes(tmp_path, [rest])
    assert code in codes


def test_rsa_sha512_from_the_integration_is_named_with_its_library(tmp_path: Path) -> None:
    """atlassian-python-api's default (RSA-SHA512) seen in the integration's HAR (issue 25, item 13)."""
    from oauthlib.oauth1.rfc5849 import SIGNATURE_RSA_SHA512

    with LabServer("healthy") as lab:
        rejected = recorded(lab, SIGNATURE_RSA_SHA512)
    report, codes = har_codes(tmp_path, [rejected])
    assert "oauth-signature/signature-method-rejected" in codes
    finding = next(f for c in report["checks"] for f in c["findings"]
                   if f["code"] == "oauth-signature/signature-method-rejected")
    assert finding["evidence"]["signed_with"] == "RSA-SHA512"
    assert "signed with RSA-SHA512 (atlassian-python-api's default)" in finding["message"]
