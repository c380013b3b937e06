"""The integration's own OAuth 1.0a signature method (issue 25, item 13).

Jira's application links accept RSA-SHA1 only; jiradoctor signs RSA-SHA1 itself, so a healthy Jira
passes its own call while an integration built on a library with another default fails. Proven with
the real client libraries against the lab, whose provider refuses any other method the way Jira does
(400 oauth_problem=signature_method_rejected), then through the CLI in both directions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from oauthlib.oauth1 import SIGNATURE_RSA
from oauthlib.oauth1.rfc5849 import SIGNATURE_RSA_SHA512
from requests_oauthlib import OAuth1

from jiradoctor.cli import main
from jiradoctor_lab import LabServer

pytestmark = pytest.mark.timeout(90)


def signed_myself(lab: LabServer, method: str) -> requests.Response:
    """``GET /myself`` signed as atlassian-python-api signs (requests_oauthlib's OAuth1, its default
    method RSA-SHA512 unless ``oauth['signature_method']`` says otherwise)."""
    auth = OAuth1(lab.client.consumer_key, rsa_key=lab.private_key_pem, signature_method=method,
                  resource_owner_key=lab.client.access_token, resource_owner_secret="unused-by-rsa")
    return requests.get(lab.url + "/rest/api/2/myself", auth=auth, timeout=5)


def test_the_lab_refuses_rsa_sha512_as_jira_refuses_other_methods_and_accepts_rsa_sha1() -> None:
    with LabServer("healthy") as lab:
        refused, accepted = signed_myself(lab, SIGNATURE_RSA_SHA512), signed_myself(lab, SIGNATURE_RSA)
    assert refused.status_code == 400
    assert "oauth_problem=signature_method_rejected" in refused.text
    assert 'oauth_acceptable_signature_methods="RSA-SHA1"' in refused.headers["www-authenticate"]
    assert accepted.status_code == 200 and accepted.json()["name"] == "piplanning-svc"


def test_pycontribs_jira_tries_hmac_sha1_first_then_rsa_sha1() -> None:
    """The real pycontribs ``jira`` client: its first /myself (HMAC-SHA1) is refused, the fallback works."""
    from jira import JIRA

    with LabServer("healthy") as lab:
        oauth = {"consumer_key": lab.client.consumer_key, "key_cert": lab.private_key_pem,
                 "access_token": lab.client.access_token, "access_token_secret": "x"}
        before = len(lab.seen)
        client = JIRA(lab.url, oauth=oauth, get_server_info=False)
        assert client.myself()["name"] == "piplanning-svc"
        default = [(s.path, s.status) for s in lab.seen[before:]]
        before = len(lab.seen)
        JIRA(lab.url, oauth={**oauth, "signature_method": SIGNATURE_RSA}, get_server_info=False)
        explicit = [(s.path, s.status) for s in lab.seen[before:]]
    assert default[:2] == [("/rest/api/2/myself", 400), ("/rest/api/2/myself", 200)]
    assert explicit == [("/rest/api/2/myself", 200)]  # told RSA-SHA1: no refused request


def doctor(lab: LabServer, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    key = tmp_path / "private.pem"
    key.write_text(lab.private_key_pem)
    argv = ["doctor", "--url", lab.url, "--consumer-key", lab.client.consumer_key, "--private-key", str(key),
            "--only", "oauth-signature", "--format", "json", "--timeout", "5", *extra]
    result = CliRunner().invoke(main, argv, env={"JIRADOCTOR_ACCESS_TOKEN": lab.client.access_token},
                                catch_exceptions=False)
    return result.exit_code, dict(json.loads(result.stdout))


def findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for c in report["checks"] for f in c["findings"]}


def test_an_integration_on_atlassian_python_api_fails_on_a_jira_that_passes_jiradoctors_call(tmp_path: Path) -> None:
    with LabServer("healthy") as lab:
        code, report = doctor(lab, tmp_path, "--client-library", "atlassian-python-api")
        healthy_code, healthy = doctor(lab, tmp_path, "--signature-method", "RSA-SHA1")
        plain_code, plain = doctor(lab, tmp_path)
    found = findings(report)
    assert code == 1 and "oauth-signature/ok" in found  # Jira is healthy for RSA-SHA1 ...
    bad = found["oauth-signature/integration-method-rejected"]  # ... and refuses the integration's method
    assert bad["status"] == "fail" and bad["evidence"]["integration_signs_with"] == ["RSA-SHA512"]
    assert "SIGNATURE_RSA" in bad["remediation"][0] and "accept RSA-SHA1 only" in bad["message"]
    assert healthy_code == 0 and findings(healthy)["oauth-signature/integration-method-ok"]["status"] == "pass"
    assert plain_code == 0 and not any(c.startswith("oauth-signature/integration-method") for c in findings(plain))


@pytest.mark.parametrize("method", ["RSA-SHA256", "RSA-SHA512", "HMAC-SHA1", "PLAINTEXT"])
def test_every_other_method_named_by_the_user_fails(method: str, tmp_path: Path) -> None:
    with LabServer("healthy") as lab:
        code, report = doctor(lab, tmp_path, "--signature-method", method)
    assert code == 1
    assert findings(report)["oauth-signature/integration-method-rejected"]["evidence"]["integration_signs_with"] == [
        method]


def test_pycontribs_jira_is_a_warning_with_the_setting_that_avoids_the_refused_request(tmp_path: Path) -> None:
    with LabServer("healthy") as lab:
        code, report = doctor(lab, tmp_path, "--client-library", "jira")
    warn = findings(report)["oauth-signature/integration-method-fallback"]
    assert code == 0 and warn["status"] == "warn" and report["summary"]["status"] == "warn"
    assert "HMAC-SHA1" in warn["message"] and "'signature_method'" in warn["remediation"][0]


def test_an_unknown_method_or_library_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["doctor", "--url", "https://jira.example.com", "--signature-method", "RSA-MD5"])
    assert result.exit_code == 2
