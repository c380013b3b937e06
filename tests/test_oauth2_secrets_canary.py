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
