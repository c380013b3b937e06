"""Canary secrets through the real CLI: none may appear in stdout, stderr, JSON, HTML or Markdown.

Every secret option is given (on the command line in one run, in JIRADOCTOR_* variables in the
other), plus the secrets that arrive inside files: the private key, a keystorePass in server.xml
and a private key pasted where the public key belongs. Their encoded forms (Basic auth base64,
percent-encoding, each PEM body line) must not appear either.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from jiradoctor.secrets import pem_fragments

DATA = Path(__file__).parent / "data"
USER = "svc-canary@example.com"
CANARIES = {
    "password": "PasswordCanary-4a7Zq!x/9",
    "token": "TokenCanary-ATATT3xFfGF0b8",
    "pat": "PatCanary-NjQ1MjE4OTk2NTU0",
    "access-token": "AccessTokenCanary-77Yd2k",
}
KEYSTORE_PASS = "KeystoreCanary-7f3a9Q"


def forbidden(private_texts: list[str]) -> dict[str, str]:
    found = {}
    for name, value in CANARIES.items():
        found[name] = value
        found[f"{name} (percent-encoded)"] = urllib.parse.quote(value, safe="")
        found[f"{name} (Basic base64)"] = base64.b64encode(f"{USER}:{value}".encode()).decode()
    found["keystorePass"] = KEYSTORE_PASS
    for i, text in enumerate(private_texts):
        for j, line in enumerate(pem_fragments(text)):
            found[f"private key {i} line {j}"] = line
    return found


@pytest.fixture
def inputs(tmp_path: Path, rsa_pair, other_rsa_pair) -> dict[str, Path]:
    files = {
        "private.pem": rsa_pair.private_pkcs1,  # the integration's key (a secret)
        "pasted.pem": other_rsa_pair.private_pkcs8,  # pasted where the public key belongs
        "server.xml": (DATA / "server_keystorepass.xml").read_text(),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / name
        paths[name].write_text(text)
    assert KEYSTORE_PASS in files["server.xml"]
    return paths


def run(tmp_path: Path, args: list[str], extra_env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    env.update(extra_env)
    outputs = [tmp_path / "r.json", tmp_path / "r.html", tmp_path / "r.md"]
    for path in outputs:
        path.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "jiradoctor", "doctor", *args, *[a for p in outputs for a in ("-o", str(p))]],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    files = "\n".join(p.read_text(encoding="utf-8") for p in outputs)
    return result, files


def common_args(paths: dict[str, Path]) -> list[str]:
    return [
        "--offline",
        "--url",
        "http://jira.example.com:8080",
        "--base-url",
        "http://jira.example.com:8080",
        "--user",
        USER,
        "--consumer-key",
        "canary-consumer",
        "--private-key",
        str(paths["private.pem"]),
        "--public-key",
        str(paths["pasted.pem"]),
        "--server-xml",
        str(paths["server.xml"]),
    ]


def assert_clean(result: subprocess.CompletedProcess[str], files: str, private_texts: list[str]) -> None:
    # the run must have done its job, or a clean output proves nothing
    assert result.returncode == 1, result.stderr
    assert "public-key/private-key-pasted" in files
    assert "base-url/proxy-attributes-missing" in files
    assert 'keystorePass=\\"********\\"' in files or 'keystorePass="********"' in files
    streams = {"stdout": result.stdout, "stderr": result.stderr, "report files": files}
    for where, text in streams.items():
        for name, value in forbidden(private_texts).items():
            assert value not in text, f"{name} leaked into {where}"


def test_secrets_given_on_the_command_line_never_appear(tmp_path: Path, inputs, rsa_pair, other_rsa_pair) -> None:
    args = common_args(inputs) + [
        "--password",
        CANARIES["password"],
        "--token",
        CANARIES["token"],
        "--pat",
        CANARIES["pat"],
        "--access-token",
        CANARIES["access-token"],
        "--format",
        "md",
    ]
    result, files = run(tmp_path, args, {})
    assert result.stdout.startswith("### jiradoctor:")
    assert_clean(result, files, [rsa_pair.private_pkcs1, other_rsa_pair.private_pkcs8])


def test_secrets_given_in_the_environment_never_appear(tmp_path: Path, inputs, rsa_pair, other_rsa_pair) -> None:
    env = {
        "JIRADOCTOR_PASSWORD": CANARIES["password"],
        "JIRADOCTOR_TOKEN": CANARIES["token"],
        "JIRADOCTOR_PAT": CANARIES["pat"],
        "JIRADOCTOR_ACCESS_TOKEN": CANARIES["access-token"],
    }
    result, files = run(tmp_path, common_args(inputs), env)
    assert "Overall: fail" in result.stdout  # the text summary
    assert_clean(result, files, [rsa_pair.private_pkcs1, other_rsa_pair.private_pkcs8])


# --- online: the secrets travel to a (lab) Jira, whose answers and our errors must not echo them ---


@pytest.mark.parametrize(
    "credentials",
    [
        {"JIRADOCTOR_PASSWORD": CANARIES["password"]},  # Basic: wrong password, maybe a token-looking retry
        {"JIRADOCTOR_TOKEN": CANARIES["token"]},  # Cloud-style e-mail + API token
        {"JIRADOCTOR_PAT": CANARIES["pat"]},  # Bearer PAT
    ],
    ids=["basic", "token", "pat"],
)
def test_secrets_sent_to_a_live_jira_never_appear(tmp_path: Path, credentials: dict[str, str]) -> None:
    from jiradoctor_lab import LabServer

    with LabServer("healthy") as lab:
        args = ["--url", lab.url, "--user", USER, "--projects", "PIP", "--timeout", "3"]
        result, files = run(tmp_path, args, credentials)
    assert result.returncode == 1, result.stderr
    assert '"code": "auth/invalid-credentials"' in files, "the credentials were really sent and refused"
    streams = {"stdout": result.stdout, "stderr": result.stderr, "report files": files}
    for where, text in streams.items():
        for name, value in forbidden([]).items():
            assert value not in text, f"{name} leaked into {where}"


def test_an_access_token_echoed_by_jira_never_appears(tmp_path: Path, rsa_pair) -> None:
    """signature_invalid echoes Jira's base string, which holds the oauth_token: it must be masked."""
    from jiradoctor_lab import LabServer

    key = tmp_path / "consumer.pem"
    key.write_text(rsa_pair.private_pkcs8)  # not the lab's key: Jira refuses the signature and echoes
    with LabServer("healthy") as lab:
        args = ["--url", lab.url, "--consumer-key", "piplanning.io", "--private-key", str(key), "--timeout", "3"]
        token = lab.client.access_token  # a token Jira knows, so it checks the signature and echoes
        result, files = run(tmp_path, args, {"JIRADOCTOR_ACCESS_TOKEN": token})
    assert result.returncode == 1, result.stderr
    assert "oauth-signature/key-mismatch" in files
    assert re.search(r"oauth_token(=|%3D|%253D)\*{8}", files), "Jira's echo is in the report, with the token masked"
    leaks = {
        **forbidden([rsa_pair.private_pkcs8]),
        "access token": token,
        "access token (percent-encoded twice)": urllib.parse.quote(urllib.parse.quote(token, safe=""), safe=""),
    }
    for where, text in {"stdout": result.stdout, "stderr": result.stderr, "report files": files}.items():
        for name, value in leaks.items():
            assert value not in text, f"{name} leaked into {where}"


# --- canaries with /+=@é, through every secret input, against a hostile server on every error path ---

HOSTILE_CANARY = "Cnry/+=@é-9xQ"
SHORT_CANARY = "é@="  # three characters: masked only where it sits in a secret slot


def encodings(value: str, user: str = USER) -> dict[str, str]:
    """Every form a secret could take in output: raw, percent-encoded once and twice (upper and lower
    hex), form-encoded, Basic base64, JSON-escaped, HTML-escaped."""
    import html
    import json

    quote, plus = urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)
    forms = {
        "raw": value,
        "percent": quote,
        "percent twice": urllib.parse.quote(quote, safe=""),
        "form": plus,
        "form then percent": urllib.parse.quote(plus, safe=""),
        "basic base64": base64.b64encode(f"{user}:{value}".encode()).decode(),
        "json": json.dumps(value)[1:-1],
        "html": html.escape(value),
    }
    forms.update(
        {
            f"{k} (lower hex)": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), v)
            for k, v in list(forms.items())
            if "%" in v
        }
    )
    return forms


def run_hostile(tmp_path: Path, args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    """One run with every output format; returns stdout, stderr and the four reports joined."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_") and not k.lower().endswith("_proxy")}
    outputs = [tmp_path / f"r.{ext}" for ext in ("json", "html", "md", "xml")]
    for path in outputs:
        path.unlink(missing_ok=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiradoctor",
            "doctor",
            "--timeout",
            "1",
            *args,
            *[a for p in outputs for a in ("-o", str(p))],
        ],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=tmp_path,
        timeout=120,
        input=stdin,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return "\n".join([result.stdout, result.stderr, *(p.read_text("utf-8") for p in outputs)])


def assert_no_canary(text: str, value: str = HOSTILE_CANARY) -> None:
    for name, form in encodings(value).items():
        assert form not in text, f"the canary leaked ({name}: {form!r})"


@pytest.fixture(scope="module")
def hostile():
    from tests.hostile.server import HostileServer

    with HostileServer(lifetime_s=300) as server:
        yield server


@pytest.mark.parametrize("path", ["echo", "captcha", "refused", "https-to-plain", "tls-stall"])
def test_a_password_from_argv_env_or_prompt_never_appears(tmp_path: Path, hostile, path: str) -> None:
    url = hostile.url(path)
    common = ["--url", url, "--user", USER, "--projects", "PIP"]
    text = run_hostile(tmp_path, [*common, "--password", HOSTILE_CANARY], {})
    text += run_hostile(tmp_path, common, {"JIRADOCTOR_PASSWORD": HOSTILE_CANARY})
    text += run_hostile(tmp_path, [*common, "--password", "-"], {}, stdin=HOSTILE_CANARY + "\n")
    if path == "echo":  # the server sent it back: in a header, a body, and a redirect's Location
        assert "/login?password=" in text, "the redirect that carries the password is in the report"
    assert_no_canary(text)


@pytest.mark.parametrize("name", ["token", "pat"])
def test_a_token_echoed_in_headers_never_appears(tmp_path: Path, hostile, name: str) -> None:
    text = run_hostile(
        tmp_path, ["--url", hostile.url("echo"), "--user", USER], {f"JIRADOCTOR_{name.upper()}": HOSTILE_CANARY}
    )
    assert_no_canary(text)


def test_url_userinfo_and_proxy_url_passwords_never_appear(tmp_path: Path, hostile) -> None:
    secret = urllib.parse.quote(HOSTILE_CANARY, safe="")
    url = hostile.url("echo").replace("http://", f"http://{urllib.parse.quote(USER)}:{secret}@")
    text = run_hostile(tmp_path, ["--url", url], {})
    proxy = f"http://proxyuser:{secret}@127.0.0.1:{hostile.closed_port}"
    text += run_hostile(tmp_path, ["--url", hostile.url("echo"), "--proxy", proxy], {})
    text += run_hostile(tmp_path, ["--url", hostile.url("echo")], {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy})
    assert "proxyuser" in text  # the proxy was really on the route
    assert_no_canary(text)


def test_a_malformed_url_with_a_password_is_a_usage_error_that_masks_it(tmp_path: Path) -> None:
    secret = urllib.parse.quote(HOSTILE_CANARY, safe="")
    for option, url in (
        ("--url", f"http://u:{secret}@[::1"),
        ("--proxy", f"http://u:{secret}@[x"),
        ("--url", f"http://u:{secret}@h:99999"),
        ("--url", "http://u:PW@[::1"),
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "jiradoctor",
                "doctor",
                option,
                url,
                *(["--url", "http://h"] if option == "--proxy" else []),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert result.returncode == 2, result.stderr
        assert f"{option}: malformed URL" in result.stderr
        assert "Traceback" not in result.stderr and not result.stdout
        assert_no_canary(result.stdout + result.stderr)
        assert ":PW@" not in result.stderr


def test_an_access_token_and_key_files_never_appear_on_the_oauth_error_paths(tmp_path: Path, hostile, rsa_pair) -> None:
    key = tmp_path / "consumer.pem"
    key.write_text(rsa_pair.private_pkcs8.replace("-----BEGIN", f"Comment: {HOSTILE_CANARY}\n-----BEGIN", 1))
    xml = tmp_path / "server.xml"
    xml.write_text(
        (DATA / "server_keystorepass.xml").read_text().replace(KEYSTORE_PASS, HOSTILE_CANARY.replace("&", ""))
    )
    text = ""
    for path in ("echo", "bad-base-string", "https-to-plain", "refused"):
        text += run_hostile(
            tmp_path,
            [
                "--url",
                hostile.url(path),
                "--consumer-key",
                "piplanning.io",
                "--private-key",
                str(key),
                "--server-xml",
                str(xml),
            ],
            {"JIRADOCTOR_ACCESS_TOKEN": HOSTILE_CANARY},
        )
    assert "signature_invalid" in text  # the echo path really echoed a base string
    assert_no_canary(text)
    for line in pem_fragments(rsa_pair.private_pkcs8):
        assert line not in text


def test_short_secrets_are_masked_in_secret_slots(tmp_path: Path, hostile) -> None:
    secret = urllib.parse.quote(SHORT_CANARY, safe="")
    url = hostile.url("echo").replace("http://", f"http://u:{secret}@")
    text = run_hostile(tmp_path, ["--url", url], {})
    text += run_hostile(tmp_path, ["--url", hostile.url("echo"), "--user", "u"], {"JIRADOCTOR_PASSWORD": SHORT_CANARY})
    for form in (
        f":{SHORT_CANARY}@",
        f":{secret}@",
        f":{secret.lower()}@",
        base64.b64encode(f"u:{SHORT_CANARY}".encode()).decode(),
    ):
        assert form not in text, form
    assert re.search(r"u:\*{8}@", text), "the URL is shown, with its password masked"


def test_a_malformed_proxy_variable_is_a_usage_error_that_masks_it(tmp_path: Path) -> None:
    secret = urllib.parse.quote(HOSTILE_CANARY, safe="")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["HTTPS_PROXY"] = f"http://u:{secret}@[x"
    result = subprocess.run(
        [sys.executable, "-m", "jiradoctor", "doctor", "--url", "https://jira.example.com"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 2 and "HTTPS_PROXY: malformed URL" in result.stderr
    assert_no_canary(result.stdout + result.stderr)
    env["HTTPS_PROXY"] = "127.0.0.1:9"  # well-formed (host:port): the run goes on and names the dead proxy
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiradoctor",
            "doctor",
            "--url",
            "https://jira.example.com",
            "--only",
            "proxy",
            "--timeout",
            "1",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode in (0, 1), result.stderr
    assert '"id": "proxy"' in result.stdout
