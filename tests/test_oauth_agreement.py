"""Our OAuth 1.0a signer agrees with an independent one (npm oauth-1.0a on node's crypto).

RSA-SHA1 (PKCS#1 v1.5) is deterministic: with the same nonce and timestamp both implementations
must produce the same base string and the very same signature bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from jiradoctor.jira.oauth1 import sign_request

AGREEMENT_DIR = Path(__file__).parent / "agreement"


def node_sign(**request: object) -> dict[str, str]:
    node = shutil.which("node")
    assert node, "node is required for the agreement test (scripts/test installs it)"
    assert (AGREEMENT_DIR / "node_modules" / "oauth-1.0a").is_dir(), "run scripts/test (it installs tests/agreement)"
    done = subprocess.run([node, str(AGREEMENT_DIR / "sign.js")], input=json.dumps(request), capture_output=True,
                          text=True, timeout=30, check=True)
    return json.loads(done.stdout)


CASES = [
    pytest.param("POST", "https://jira.example.com/plugins/servlet/oauth/request-token", "piplanning.io", None,
                 {"oauth_callback": "oob"}, id="request-token"),
    pytest.param("GET", "https://jira.example.com:8443/jira/rest/api/2/mypermissions?projectKey=ABC&permissions=BROWSE_PROJECTS,EDIT_ISSUES",
                 "jira-align", "tok123", {}, id="rest-call-with-query-port-context"),
    pytest.param("POST", "http://127.0.0.1:8080/plugins/servlet/oauth/request-token", "piplanning.io ", None,
                 {"oauth_callback": "oob"}, id="consumer-key-with-trailing-space"),
    pytest.param("GET", "https://jira.example.com/rest/api/2/search?jql=project%20%3D%20%22A%20B%22", "clé-ü", "t", {},
                 id="unicode-key-encoded-query"),
]


@pytest.mark.parametrize(("method", "url", "consumer_key", "token", "data"), CASES)
def test_same_base_string_and_signature_as_npm_oauth_1_0a(rsa_pair, method, url, consumer_key, token, data) -> None:
    ours = sign_request(method, url, consumer_key, rsa_pair.private_pkcs8, token=token,
                        callback=data.get("oauth_callback"), nonce="n0nce4agreement", timestamp="1700000000")
    theirs = node_sign(method=method, url=url, consumer_key=consumer_key, token=token, data=data,
                       private_key=rsa_pair.private_pkcs8, nonce="n0nce4agreement", timestamp="1700000000")
    assert ours.base_string == theirs["base_string"]
    header = ours.headers["Authorization"]
    import urllib.parse
    signature = urllib.parse.unquote(header.split('oauth_signature="', 1)[1].split('"', 1)[0])
    assert signature == theirs["signature"]
