"""OAuth 2.0 secrets never reach any output: client secret, access and refresh tokens given to
jiradoctor, and the tokens the provider hands back while jiradoctor looks (client credentials,
a permitted refresh) — in stdout, stderr, JSON, HTML, Markdown and JUnit, in their encoded forms too."""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor_lab import LabServer
from jiradoctor_lab.oauth2_provider import lab_for, oauth2_scenario, spec_for

CANARIES = {
    "client-secret": "ClientSecretCanary-9Qx/7+b",
    "oauth2-token": "OAuth2TokenCanary-Zk81mB",
    "oauth2-refresh-token": "RefreshCanary-p0Lq4W",
}
OUTPUTS = ("report.json", "report.html", "report.md", "report.xml")


def forms(value: str) -> list[str]:
    return [
        value,
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote_plus(value),
        base64.b64encode(value.encode()).decode(),
    ]


def everything(result, out: Path) -> str:
    texts = [result.stdout, result.stderr] + [(out / name).read_text() for name in OUTPUTS]
    return "\n".join(texts)


def invoke(lab: LabServer, out: Path, extra: list[str], env: dict[str, str]):
    client = spec_for("oauth2-dc-healthy").client
    args = [
        "doctor",
        "--url",
        lab.url,
        "--integration",
        "zephyr-enterprise",
        "--timeout",
        "2",
        "--client-id",
        client["client_id"],
        "--redirect-uri",
        client["redirect_uri"],
        "--scopes",
        client["scopes"],
        *[x for name in OUTPUTS for x in ("-o", str(out / name))],
        *extra,
    ]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


@pytest.mark.parametrize("where", ["argv", "env"])
def test_given_secrets_never_appear(where: str, tmp_path: Path) -> None:
    """Wrong secrets: each is sent and reported on (token-rejected, refresh refused; the client secret
    unproven, as Data Center checks the unknown grants before the client: JIRA-FACTS §10)."""
    given = {
        "client-secret": CANARIES["client-secret"],
        "oauth2-token": CANARIES["oauth2-token"],
        "oauth2-refresh-token": CANARIES["oauth2-refresh-token"],
    }
    extra = ["--allow-refresh-token-rotation"]
    env: dict[str, str] = {}
    if where == "argv":
        extra += [x for name, value in given.items() for x in (f"--{name}", value)]
    else:
        env = {f"JIRADOCTOR_{name.upper().replace('-', '_')}": value for name, value in given.items()}
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        result = invoke(lab, tmp_path, extra, env)
        assert lab_for(lab.runtime).refresh_grants == 1  # the refresh token really travelled
    text = everything(result, tmp_path)
    assert (
        "oauth2/client-unproven" in text and "oauth2/token-rejected" in text and "oauth2/refresh-token-invalid" in text
    )
    for name, value in CANARIES.items():
        for form in forms(value):
            assert form not in text, f"{name} leaked ({where})"


def test_tokens_issued_during_the_run_never_appear(tmp_path: Path) -> None:
    """A permitted refresh and a client-credentials request bring new tokens back: masked too."""
    client = spec_for("oauth2-dc-healthy").client
    env = {
        "JIRADOCTOR_CLIENT_SECRET": client["client_secret"],
        "JIRADOCTOR_OAUTH2_REFRESH_TOKEN": client["refresh_token"],
    }
    with LabServer(oauth2_scenario("oauth2-dc-healthy")) as lab:
        result = invoke(lab, tmp_path, ["--allow-refresh-token-rotation", "--only", "oauth2"], env)
        provider = lab_for(lab.runtime)
        issued = [t for t in provider.tokens if t not in spec_for("oauth2-dc-healthy").tokens]
        issued += [t for t in provider.refresh_tokens if t not in spec_for("oauth2-dc-healthy").refresh_tokens]
    assert len(issued) == 2, "the refresh should have issued a new access and a new refresh token"
    text = everything(result, tmp_path)
    assert "oauth2/token-ok" in text  # the issued access token was used, and reported on
    for value in [*issued, client["client_secret"], client["refresh_token"]]:
        for form in forms(value):
            assert form not in text


def test_cloud_flow_secrets_never_appear(tmp_path: Path) -> None:
    """Cloud: the secret goes to the authorization server as JSON, the token to the gateway."""
    client = spec_for("oauth2-cloud-healthy").client
    with LabServer(oauth2_scenario("oauth2-cloud-healthy")) as lab:
        env = {
            "JIRADOCTOR_CLIENT_SECRET": CANARIES["client-secret"],
            "JIRADOCTOR_OAUTH2_TOKEN": client["token"],
            "JIRADOCTOR_OAUTH2_AUTH_URL": lab.url,
            "JIRADOCTOR_OAUTH2_API_URL": lab.url,
        }
        args = [
            "doctor",
            "--url",
            lab.url,
            "--integration",
            "zephyr-enterprise",
            "--timeout",
            "2",
            "--client-id",
            client["client_id"],
            "--redirect-uri",
            client["redirect_uri"],
            *[x for name in OUTPUTS for x in ("-o", str(tmp_path / name))],
        ]
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    text = everything(result, tmp_path)
    assert "oauth2/invalid-client" in text and "oauth2/token-ok" in text
    for value in (CANARIES["client-secret"], client["token"]):
        for form in forms(value):
            assert form not in text


# --- issue 23: the provider's error text is redacted BEFORE it is cut for the report ---------------

SECRET = "ClientSecretCanary-9Qx/7+b"


def _judged(description: str, *, where: str = "token") -> str:
    """Everything the oauth2 check reports for a provider error whose description echoes text, as the
    runner hands it on (the check, then the runner's redaction of each finding)."""
    import json
    import time

    from jiradoctor.checks.oauth2 import judge_observation
    from jiradoctor.jira import oauth2 as o2
    from jiradoctor.jira.integrations import get_profile
    from jiradoctor.probes.http import HttpAnswer
    from jiradoctor.probes.oauth2 import OAuth2Observation
    from jiradoctor.runner import redact_finding
    from jiradoctor.secrets import Secret
    from jiradoctor.target import Target

    url = "https://jira.example.com"
    eps = o2.endpoints("datacenter", url)
    target = Target(url=url, client_id="cid", client_secret=Secret(SECRET), redirect_uri="https://app.example/cb")
    redactor = target.redactor()
    if where == "token":
        body = json.dumps({"error": "unauthorized_client", "error_description": description})
        obs = OAuth2Observation(
            "datacenter", eps, client_auth=HttpAnswer("POST", eps.token, 400, {}, body, sent_at=time.time())
        )
    else:
        location = "https://app.example/cb?" + urllib.parse.urlencode(
            {"error": "invalid_request", "error_description": description + " (redirect_uri)"}
        )
        obs = OAuth2Observation(
            "datacenter", eps, authorize=HttpAnswer("GET", eps.authorize, 302, {"location": location}, "",
                                                    sent_at=time.time())
        )
    findings = [redact_finding(f, redactor) for f in judge_observation(obs, target, get_profile("generic"),
                                                                        redactor.text)]
    assert findings
    return json.dumps([f.to_json() for f in findings], ensure_ascii=False)


@pytest.mark.parametrize("where", ["token", "authorize"])
@pytest.mark.parametrize("cut_at", [195, 199, 190])
def test_a_secret_at_the_cut_of_an_error_description_leaks_nothing(where: str, cut_at: int) -> None:
    description = "x" * (cut_at - 1) + " " + SECRET + " and more text after it"
    shown = _judged(description, where=where)
    assert SECRET[:4] not in shown, shown  # not even its first characters
    assert "xxxx" in shown  # the provider's own words are kept


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode().hex(),
        lambda s: s.encode().hex().upper(),
        lambda s: base64.b64encode(s.encode()).decode(),
        lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
        lambda s: urllib.parse.quote(s, safe=""),
    ],
    ids=["hex", "HEX", "base64", "base64url", "percent"],
)
def test_an_encoded_echo_of_the_secret_is_masked(encode) -> None:
    echo = encode(SECRET)
    shown = _judged(f"client authentication failed for secret {echo}")
    assert echo not in shown and SECRET not in shown
    assert "client authentication failed" in shown


def test_a_description_without_secrets_is_shown_as_the_provider_wrote_it() -> None:
    shown = _judged("The client is not allowed to use the authorization_code grant.")
    assert "The client is not allowed to use the authorization_code grant." in shown
