"""Every command jiradoctor suggests is proven by running it (issue 15).

For each finding code that carries ``commands``: build the broken input, run the suggested commands
in a temporary folder with the real tools (openssl, sed, grep, tr, sh), feed what they produce back
to ``jiradoctor doctor --offline``, and assert that the finding is gone and nothing new appeared.

The codes that carry commands are collected from the registry (the source of every check module,
read with ``ast``): a new code with commands and neither a case here nor a stated exemption fails
``test_every_code_with_commands_is_proven_or_exempt``.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import json
import os
import pkgutil
import pty
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from jiradoctor.cli import main
from jiradoctor.registry import builtin_checks

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None and not os.environ.get("CI"),
    reason="openssl is not installed; in CI this test is never skipped",
)

# --- which codes carry commands (from the registry's check modules) ----------------------------

# call sites whose code is not a literal: the codes they can produce, named by hand
COMPUTED_CODES = {
    "jiradoctor.checks.dns": {"dns/nxdomain", "dns/no-address", "dns/no-answer"},
    "jiradoctor.checks.reachability": {
        "reachability/refused",
        "reachability/reset",
        "reachability/timeout",
        "reachability/unreachable",
        "reachability/broken-answer",
        "reachability/no-connection",
        "reachability/server-error",
        "reachability/not-found",
        "reachability/not-jira",
        "reachability/http-error",
        "reachability/redirect-elsewhere",
        "reachability/unreadable-answer",
    },
}


def _literal_codes(node: ast.expr, check_id: str) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value if "/" in node.value else f"{check_id}/{node.value}"}
    if isinstance(node, ast.IfExp):
        a, b = _literal_codes(node.body, check_id), _literal_codes(node.orelse, check_id)
        return a | b if a is not None and b is not None else None
    return None


def codes_with_commands() -> dict[str, set[str]]:
    """code -> call sites, for every Finding-making call with a non-empty ``commands=`` argument."""
    found: dict[str, set[str]] = {}
    for check in builtin_checks():
        module = inspect.getmodule(check.judge)
        # a check package's parts (base_url/live.py, base_url/proxy.py) make findings too
        helpers = [
            importlib.import_module(f"{module.__name__}.{part.name}")
            for part in pkgutil.iter_modules(getattr(module, "__path__", []))
        ]
        for mod in [module, *helpers]:
            for node in ast.walk(ast.parse(inspect.getsource(mod))):
                if not isinstance(node, ast.Call):
                    continue
                kw = next((k for k in node.keywords if k.arg == "commands"), None)
                if kw is None or (isinstance(kw.value, ast.Tuple) and not kw.value.elts) or not node.args:
                    continue  # no commands, or a helper passing its own ``commands`` parameter on
                codes = _literal_codes(node.args[0], check.id)
                if codes is None and ast.unparse(kw.value) in ("commands", "tuple(commands)"):
                    continue  # a helper passing its callers' commands on: the callers are found themselves
                if codes is None:
                    codes = COMPUTED_CODES.get(mod.__name__)
                    assert codes, (
                        f"{mod.__name__}:{node.lineno}: a code with commands this test cannot read; name it in "
                        f"COMPUTED_CODES"
                    )
                for code in codes:
                    found.setdefault(code, set()).add(f"{mod.__name__}:{node.lineno}")
    return found


EXEMPT = {
    **{
        f"reachability/{slug}": "diagnostic (curl, ip route) against the live URL; the fix is on the server or the URL"
        for slug in (
            "refused",
            "reset",
            "timeout",
            "unreachable",
            "broken-answer",
            "no-connection",
            "server-error",
            "not-found",
            "not-jira",
            "http-error",
            "redirect-elsewhere",
            "unreadable-answer",
        )
    },
    # diagnostics: they show evidence from a live server and change nothing to prove gone
    "dns/nxdomain": "diagnostic (dig +trace, getent) against live DNS; changes nothing",
    "dns/no-address": "diagnostic (dig +trace, getent) against live DNS; changes nothing",
    "dns/no-answer": "diagnostic (dig +trace, getent) against live DNS; changes nothing",
    "dns/resolver-mismatch": "diagnostic (getent, dig) against live DNS; changes nothing",
    "proxy/unreachable": "diagnostic (curl -v --proxy) against a live proxy; changes nothing",
    "proxy/connect-refused": "diagnostic (curl -v --proxy) against a live proxy; changes nothing",
    **{
        f"tls/{slug}": "diagnostic (openssl s_client -showcerts, testssl, curl) against a live server; the fix is on "
        "the server (its certificate or chain)"
        for slug in (
            "chain-order",
            "handshake-failed",
            "hostname-mismatch",
            "incomplete-chain",
            "plain-http",
            "self-signed",
            "untrusted-root",
            "expired",
            "not-yet-valid",
        )
    },
    **{
        f"tls/{slug}": "diagnostic (openssl s_client, with and without the client certificate) against a live "
        "proxy; the fix (presenting the certificate) is proven against real nginx in "
        "tests/realparts/test_realparts_mtls.py"
        for slug in ("client-certificate-required", "client-certificate-refused")
    },
    "clock-skew/exceeds-tolerance": "timedatectl needs root on both hosts and a live Jira to measure again",
    "clock-skew/near-tolerance": "timedatectl needs root on both hosts and a live Jira to measure again",
    "oauth-signature/url-mismatch": "nginx/Tomcat configuration for a live Jira behind a proxy (the connector part is "
    "base-url's, proven here)",
    "oauth-signature/key-mismatch": "needs a live Jira; the text is the public half of the private key, the same as "
    "public-key/pair-mismatch's, proven here",
    "can-work/xsrf-refused": "diagnostic curl commands (the refusal as sent, then a non-browser User-Agent); "
    "tests/lab/test_can_work_lab.py runs both with real curl against the lab and sees the refusal, then the success",
    "can-work/head-rewritten": "nginx directives, proven with real nginx and proxy_cache in "
    "tests/realparts/test_nginx_head_cache.py",
}


# --- running commands for real ---------------------------------------------------------------


def run_shell(command: str, cwd: Path, passphrase: str | None = None) -> str:
    """Run one suggested command with /bin/sh in ``cwd``; its stdout. With ``passphrase``, the
    command runs on a pseudo-terminal and the passphrase is typed when openssl asks for it."""
    if passphrase is None:
        done = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{command!r} failed: {done.stderr}"
        return done.stdout
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty, as a user's shell would be
        os.chdir(cwd)
        os.execv("/bin/sh", ["/bin/sh", "-c", command])
    out, deadline, typed = b"", time.monotonic() + 30, False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not typed and b"pass phrase" in out.lower():
                os.write(fd, passphrase.encode() + b"\n")
                typed = True
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.WEXITSTATUS(status) == 0 and typed, f"{command!r} failed: {out!r}"
    return ""


def doctor(cwd: Path, *args: str) -> dict:
    """``jiradoctor doctor --offline`` in-process; the JSON report."""
    env = {k: None for k in os.environ if k.startswith("JIRADOCTOR_")}
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["doctor", "--offline", "--format", "json", *args], env=env)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def findings(report: dict) -> dict[str, dict]:
    return {f["code"]: f for c in report["checks"] for f in c["findings"]}


def problems(report: dict) -> set[str]:
    return {code for code, f in findings(report).items() if f["status"] in ("warn", "fail", "error")}


# --- the broken inputs -----------------------------------------------------------------------


def pem_private(key, fmt=serialization.PrivateFormat.PKCS8, password: bytes | None = None) -> str:
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, enc).decode()


def spki(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def certificate(key, encoding=serialization.Encoding.PEM) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jira-consumer.example.com")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(encoding)


@dataclass
class Case:
    """A broken input for one code: files to write, doctor options, and how to re-run after the fix."""

    code: str
    integration: str
    files: dict[str, bytes | str]
    args: list[str]
    # which file the paste text replaces, and which private key the fixed run uses
    paste_into: str = "--public-key"
    private_after: str | None = None
    passphrase: str | None = None
    expect_bits: int | None = None
    extra_before: set[str] = field(default_factory=set)


def build_cases(key, other, weak, ec_key) -> list[Case]:
    pub, priv = spki(key), pem_private(key)
    body = "".join(line for line in pub.splitlines() if not line.startswith("-----"))
    pkcs1 = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    base = {"jira_privatekey.pem": priv}
    both = ["--public-key", "jira_publickey.pem", "--private-key", "jira_privatekey.pem"]
    cases = []
    for integration in ("generic", "zephyr-enterprise"):
        pasted = body if integration == "zephyr-enterprise" else pub
        cases += [
            Case(
                "public-key/certificate",
                integration,
                {**base, "jira_publickey.cer": certificate(key)},
                ["--public-key", "jira_publickey.cer", "--private-key", "jira_privatekey.pem"],
            ),
            Case(
                "public-key/der",
                integration,
                {**base, "jira_publickey.cer": certificate(key, serialization.Encoding.DER)},
                ["--public-key", "jira_publickey.cer", "--private-key", "jira_privatekey.pem"],
            ),
            Case(
                "public-key/der",
                integration,
                {
                    **base,
                    "jira_publickey.der": key.public_key().public_bytes(
                        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                    ),
                },
                ["--public-key", "jira_publickey.der", "--private-key", "jira_privatekey.pem"],
            ),
            Case(
                "public-key/binary",
                integration,
                {**base, "jira_publickey.pem": b"PK\x03\x04\x00\x00\xff\xfe binary"},
                both,
            ),
            Case("public-key/pkcs1", integration, {**base, "jira_publickey.pem": pkcs1}, both),
            Case(
                "public-key/whitespace",
                integration,
                {**base, "jira_publickey.pem": "  " + pasted.replace("\n", "\r\n").rstrip() + "  \r\n\r\n"},
                both,
            ),
            Case("public-key/invalid", integration, {**base, "jira_publickey.pem": pasted[: len(pasted) // 2]}, both),
            Case("public-key/pair-mismatch", integration, {**base, "jira_publickey.pem": spki(other)}, both),
            Case(
                "public-key/lookalike-character",
                integration,
                {**base, "jira_publickey.pem": pasted.replace("A", "А", 2)},
                both,
            ),  # Cyrillic А
            Case(
                "public-key/invisible-character",
                integration,
                {**base, "jira_publickey.pem": pasted[:40] + "\u200b" + pasted[40:]},
                both,
            ),
            Case(
                "public-key/private-key-pasted",
                integration,
                {"jira_publickey.pem": priv},
                ["--public-key", "jira_publickey.pem"],
                private_after="new",
                expect_bits=2048,
            ),
            Case(
                "public-key/weak",
                integration,
                {"jira_publickey.pem": spki(weak), "jira_privatekey.pem": pem_private(weak)},
                both,
                private_after="new",
                expect_bits=2048,
            ),
            Case(
                "public-key/not-rsa",
                integration,
                {"jira_publickey.pem": spki(ec_key), "jira_privatekey.pem": pem_private(ec_key)},
                both,
                private_after="new",
                expect_bits=2048,
            ),
        ]
    cases.append(Case("public-key/armor", "zephyr-enterprise", {**base, "jira_publickey.pem": pub}, both))
    # the case: a certificate pasted for Zephyr; armor's own commands must act on the certificate
    cases.append(
        Case(
            "public-key/armor",
            "zephyr-enterprise",
            {**base, "jira_publickey.cer": certificate(key)},
            ["--public-key", "jira_publickey.cer", "--private-key", "jira_privatekey.pem"],
        )
    )
    cases.append(Case("public-key/armor", "zephyr-enterprise", {**base, "jira_publickey.pem": pkcs1}, both))
    for integration in ("zephyr-enterprise", "kendis"):
        cases.append(
            Case(
                "public-key/private-key-format",
                integration,
                {"jira_privatekey.pem": pem_private(key, serialization.PrivateFormat.TraditionalOpenSSL)},
                ["--private-key", "jira_privatekey.pem"],
                paste_into="",
                private_after="jira_privatekey.pcks8",
            )
        )
    cases.append(
        Case(
            "public-key/private-key-encrypted",
            "generic",
            {"jira_privatekey.pem": pem_private(key, password=b"s3cret-pass")},
            ["--private-key", "jira_privatekey.pem"],
            paste_into="",
            private_after="jira_privatekey.pcks8",
            passphrase="s3cret-pass",
        )
    )
    # every profile and paste shape of the whitespace fix: the body alone or the whole PEM, with stray
    # spaces, tabs and CRLFs (the body-only shape once printed a command that ended in "Could not read key")
    from jiradoctor.jira.integrations import INTEGRATION_IDS

    for integration in INTEGRATION_IDS:
        for shape, text in (("body", body), ("pem", pub)):
            if shape == "body":
                messy = " " + body[:100] + " \t" + body[100:] + "  \r\n"
            else:
                messy = "\t " + text.replace("\n", " \r\n").rstrip() + "  \r\n\r\n"
            cases.append(Case("public-key/whitespace", integration, {**base, "jira_publickey.pem": messy}, both))
    return cases


SERVER_XML = """<?xml version="1.0" encoding="utf-8"?>
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="8080" protocol="HTTP/1.1" relaxedPathChars="[]|" maxThreads="150"{extra}/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps"><Context path="" docBase="${{catalina.home}}/atlassian-jira"/></Host>
    </Engine>
  </Service>
</Server>
"""


def _keys():
    from cryptography.hazmat.primitives.asymmetric import ec

    make = lambda bits: rsa.generate_private_key(public_exponent=65537, key_size=bits)  # noqa: E731
    return make(2048), make(2048), make(1024), ec.generate_private_key(ec.SECP256R1())


CASES = build_cases(*_keys())


# --- the tests -------------------------------------------------------------------------------


def test_every_code_with_commands_is_proven_or_exempt() -> None:
    carried = codes_with_commands()
    assert {"public-key/certificate", "base-url/server-xml-mismatch", "clock-skew/exceeds-tolerance"} <= set(carried)
    proven = {c.code for c in CASES} | PROVEN_ELSEWHERE
    unproven = {code: sites for code, sites in carried.items() if code not in proven and code not in EXEMPT}
    assert not unproven, (
        f"codes with commands and no test that runs them (add a Case or an exemption with a reason): {unproven}"
    )
    declared = {code for check in builtin_checks() for code in check.codes}
    assert set(carried) <= declared, set(carried) - declared
    assert not set(EXEMPT) & proven, "a code is both proven and exempt"


PROVEN_ELSEWHERE = {
    "base-url/proxy-attributes-missing",
    "base-url/server-xml-mismatch",  # test_server_xml_commands
    "outgoing-tls/unknown-ca",
    # tests/realparts/test_base_url_fixes_realparts.py applies the printed <Connector>, nginx location and
    # proxy_cache line to real Tomcat 10.1 behind real nginx, then Tomcat must see the Base URL
    "base-url/assumes-proxy-host",
    "base-url/connector-choice",
    "base-url/proxy-mismatch",
    "base-url/proxy-cache",
}  # tests/network/test_outgoing_tls.py runs the printed keytool fix


def _write(tmp: Path, files: dict[str, bytes | str]) -> None:
    for name, data in files.items():
        (tmp / name).write_bytes(data if isinstance(data, bytes) else data.encode())


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{c.integration}-{i}" for i, c in enumerate(CASES)])
def test_suggested_commands_fix_the_finding(case: Case, tmp_path: Path) -> None:
    _write(tmp_path, case.files)
    before = doctor(tmp_path, "--integration", case.integration, *case.args)
    finding = findings(before).get(case.code)
    assert finding is not None, (case.code, sorted(findings(before)))
    assert finding["commands"], f"{case.code} carries no commands"
    printed = ""
    for command in finding["commands"]:
        printed = run_shell(command, tmp_path, case.passphrase) or printed
    args = list(case.args)
    if case.paste_into:
        assert printed.strip(), f"the commands of {case.code} printed nothing to paste"
        (tmp_path / "paste.txt").write_text(printed)
        i = args.index(case.paste_into)
        args[i + 1] = "paste.txt"
        paste = findings(before)[case.code]["evidence"].get("paste_into_jira")
        if paste:  # the text the report shows is the text the commands print
            assert printed.strip() == paste.strip(), (printed, paste)
    if case.private_after:
        name = case.private_after
        if name == "new":
            name = (
                "jira_privatekey.pcks8"
                if case.integration in ("zephyr-enterprise", "kendis")
                else "jira_privatekey.pem"
            )
        args = [a for i, a in enumerate(args) if a != "--private-key" and (i == 0 or args[i - 1] != "--private-key")]
        args += ["--private-key", name]
        assert (tmp_path / name).read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as the guides want
    after = doctor(tmp_path, "--integration", case.integration, *args)
    assert case.code not in findings(after), findings(after)[case.code]["message"]
    new = problems(after) - problems(before)
    assert not new, f"running the commands of {case.code} brought new problems: {new}"
    assert not problems(after) & {f"public-key/{c}" for c in ("certificate", "armor", "invalid", "pair-mismatch")}
    if case.private_after and case.paste_into:
        ok = findings(after)["public-key/ok"]
        assert "matches the private key" in ok["message"]
        if case.expect_bits:
            assert ok["evidence"]["key"] == f"RSA {case.expect_bits}-bit"


@pytest.mark.parametrize(
    "extra, base_url, code",
    [
        ("", "https://jira.example.com", "base-url/proxy-attributes-missing"),
        (
            ' proxyName="old.example.com" proxyPort="80" scheme="http"',
            "https://jira.example.com",
            "base-url/server-xml-mismatch",
        ),
        (
            ' proxyName="jira.example.com" proxyPort="8443" scheme="https" secure="true"',
            "https://jira.example.com:9443",
            "base-url/server-xml-mismatch",
        ),
    ],
)
def test_server_xml_commands(tmp_path: Path, extra: str, base_url: str, code: str) -> None:
    """The corrected <Connector/> replaces the old one in server.xml; then base-url passes."""
    (tmp_path / "server.xml").write_text(SERVER_XML.format(extra=extra))
    args = ["--server-xml", "server.xml", "--base-url", base_url]
    before = doctor(tmp_path, *args)
    finding = findings(before)[code]
    (connector,) = finding["commands"]
    # the user's edit, done with sed: the one-line <Connector .../> is replaced by the text shown
    (tmp_path / "connector.xml").write_text(connector + "\n")
    run_shell("sed -i -e '/<Connector /{r connector.xml' -e 'd}' server.xml", tmp_path)
    assert connector.splitlines()[0] in (tmp_path / "server.xml").read_text()
    after = doctor(tmp_path, *args)
    assert code not in findings(after) and "base-url/ok" in findings(after)
    assert not problems(after) - problems(before)


def test_the_commands_of_a_healthy_input_are_none(tmp_path: Path) -> None:
    """The other direction: a correct paste has no finding with commands at all."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(tmp_path, {"jira_publickey.pem": spki(key), "jira_privatekey.pem": pem_private(key)})
    report = doctor(tmp_path, "--public-key", "jira_publickey.pem", "--private-key", "jira_privatekey.pem")
    assert set(findings(report)) == {"public-key/ok"}
    assert not any(f["commands"] for f in findings(report).values())
