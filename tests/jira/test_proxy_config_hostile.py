"""--proxy-config files people send us, held to the project's promises (issue 23).

The proxy's own credentials (secret headers, userinfo), the passwords of server.xml and URL userinfo
never reach stdout or a report, in any encoding, also in a run with no secret input; the non-secret
content stays. A broken IPv6 host is a finding, not a crash; includes stay inside the config's folder.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.jira.proxy_config import ProxyConfigError, read_proxy_config

CANARY = "PxCanary7Qz9Wk"
SHORT = "k9Z"  # shorter than the redactor's value masking: only masking at the source hides it
SERVER_XML = (
    '<Server><Service name="C"><Connector port="8080" proxyName="jira.example.test" proxyPort="443" '
    'scheme="https" secure="true" keystorePass="{pw}"/><Engine name="C" defaultHost="localhost">'
    '<Host name="localhost"><Context path=""/></Host></Engine></Service></Server>'
)


def _forms(secret: str) -> set[str]:
    data = secret.encode()
    return {
        secret,
        urllib.parse.quote(secret, safe=""),
        data.hex(),
        data.hex().upper(),
        base64.b64encode(data).decode().rstrip("="),
    }


def _run(*args: str) -> tuple[int, str]:
    """The CLI's exit code and everything it printed, with every file it wrote (stdout, stderr, report)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def _doctor(
    tmp_path: Path, conf: Path, xml_password: str = "changeit-not-secret", fmt: str = "json",
    base_url: str = "https://jira.example.test",
) -> tuple[int, str]:
    xml = tmp_path / "server.xml"
    xml.write_text(SERVER_XML.format(pw=xml_password))
    report = tmp_path / "out.json"
    html = tmp_path / "out.html"
    code, printed = _run(
        "doctor", "--offline", "--only", "base-url", "--server-xml", str(xml), "--proxy-config", str(conf),
        "--base-url", base_url, "--format", fmt, "--fail-on", "never",
        "-o", str(report), "-o", str(html),
    )
    written = report.read_text() + html.read_text() if report.exists() else ""
    return code, printed + written


NGINX_WITH_SECRETS = """\
events {}
http {
  server {
    listen 443 ssl; server_name jira.example.test;
    location / {
      proxy_pass http://svc:%(c)s-up@127.0.0.1:8080;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Api-Key "%(c)s-key";
      proxy_set_header Authorization "Basic %(c)s-basic";
      proxy_set_header Cookie "JSESSIONID=%(c)s-cookie; other=1";
      proxy_set_header X-Short-Token %(short)s;
    }
  }
}
"""

APACHE_WITH_SECRETS = """\
<VirtualHost *:443>
  ServerName jira.example.test
  SSLEngine on
  ProxyPreserveHost On
  RequestHeader set X-Forwarded-Proto "https"
  RequestHeader set Authorization "Bearer %(c)s-bearer"
  RequestHeader set X-Auth-Token %(short)s
  ProxyPass / http://svc:%(c)s-up@127.0.0.1:8080/
</VirtualHost>
"""


@pytest.mark.parametrize("template", [NGINX_WITH_SECRETS, APACHE_WITH_SECRETS], ids=["nginx", "apache"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_proxys_own_credentials_never_reach_any_output(tmp_path: Path, template: str, fmt: str) -> None:
    conf = tmp_path / "proxy.conf"
    conf.write_text(template % {"c": CANARY, "short": SHORT})
    code, everything = _doctor(tmp_path, conf, fmt=fmt)
    assert code == 0, everything
    for secret in (f"{CANARY}-key", f"{CANARY}-basic", f"{CANARY}-cookie", f"{CANARY}-up", f"{CANARY}-bearer"):
        for form in _forms(secret):
            assert form not in everything, form
    assert CANARY not in everything
    assert f"Token: {SHORT}" not in everything and f"'{SHORT}'" not in everything and f'"{SHORT}"' not in everything
    # the non-secret content is kept: the verdict and the headers that decide it
    assert "base-url/ok" in everything and "jira.example.test" in everything


@pytest.mark.parametrize("template", [NGINX_WITH_SECRETS, APACHE_WITH_SECRETS], ids=["nginx", "apache"])
def test_a_mismatch_names_the_headers_sent_but_not_their_secrets(tmp_path: Path, template: str) -> None:
    conf = tmp_path / "proxy.conf"
    conf.write_text(template % {"c": CANARY, "short": SHORT})
    code, everything = _doctor(tmp_path, conf, fmt="text", base_url="https://other.example.test")
    assert code == 0 and "base-url/proxy-mismatch" in everything
    assert "X-Forwarded-Proto" in everything  # the header that decides stays readable
    assert CANARY not in everything and f": {SHORT}" not in everything


def test_a_proxy_config_without_secrets_keeps_its_headers_in_the_evidence(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        "events {}\nhttp { server { listen 80; server_name jira.example.test;\n"
        "  location / { proxy_pass http://127.0.0.1:8080; proxy_set_header Host $host;\n"
        "    proxy_set_header X-Request-Id req-visible-42; } } }\n"
    )
    xml = tmp_path / "server.xml"
    xml.write_text(SERVER_XML.format(pw="x"))
    code, printed = _run(
        "doctor", "--offline", "--only", "base-url", "--server-xml", str(xml), "--proxy-config", str(conf),
        "--base-url", "http://jira.example.test:8080", "--format", "json", "--fail-on", "never",
    )
    report = json.loads(printed[printed.index("{"):])
    (check,) = [c for c in report["checks"] if c["id"] == "base-url"]
    evidence = [f["evidence"] for f in check["findings"] if f["evidence"].get("proxy_sends_headers") is not None]
    assert evidence and evidence[0]["proxy_sends_headers"]["X-Request-Id"] == "req-visible-42"
    assert evidence[0]["proxy_sends_host"] == "jira.example.test"


def test_server_xml_passwords_and_url_userinfo_are_masked_in_a_run_with_no_secret_input(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_WITH_SECRETS % {"c": CANARY, "short": SHORT})
    xml_secret = f"{CANARY}-keystore&amp;x"
    code, everything = _doctor(tmp_path, conf, xml_password=xml_secret)
    assert code == 0
    assert CANARY not in everything
    # a --base-url with userinfo: masked though no credential option was given
    xml = tmp_path / "server.xml"
    code, printed = _run(
        "doctor", "--offline", "--only", "base-url", "--server-xml", str(xml),
        "--base-url", f"https://u:{CANARY}@jira.example.test", "--format", "json", "--fail-on", "never",
    )
    assert code != 3 and CANARY not in printed, printed


def test_a_proxy_config_the_parser_refuses_still_has_its_secrets_registered(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(f'http {{ server {{ proxy_set_header X-Api-Key "{CANARY}"; location / {{ proxy_pass ')
    with pytest.raises(ProxyConfigError) as caught:
        read_proxy_config(conf)
    assert CANARY in caught.value.secrets and CANARY not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://[::1:8080; } } }\n",
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://[fe80::1/; } } }\n",
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://u:%s@[::1:8080; } } }\n" % CANARY,
        "<VirtualHost *:80>\nProxyPass / http://[fe80::1/\n</VirtualHost>\n",
        "<VirtualHost *:80>\nProxyPass / http://[::1:8080/\n</VirtualHost>\n",
        "<VirtualHost *:80>\nProxyPass / http://u:%s@[::1/\n</VirtualHost>\n" % CANARY,
    ],
)
def test_a_broken_ipv6_host_is_a_finding_not_a_crash(tmp_path: Path, text: str) -> None:
    conf = tmp_path / "proxy.conf"
    conf.write_text(text)
    code, everything = _doctor(tmp_path, conf)
    assert code not in (2, 3), everything
    assert "base-url/invalid-proxy-config" in everything and "IPv6" in everything
    assert "Traceback" not in everything and CANARY not in everything


def test_a_good_ipv6_upstream_is_still_read(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp { server { listen 80; location / { proxy_pass http://[::1]:8080; } } }\n")
    (route,) = read_proxy_config(conf).routes
    assert (route.upstream_host, route.upstream_port) == ("::1", 8080)


SITE = "server { listen 443 ssl; server_name jira.example.test;\n  location / { proxy_pass http://127.0.0.1:8080; } }\n"


def test_an_include_inside_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "jira.conf").write_text(SITE)
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp { include conf.d/*.conf; }\n")
    config = read_proxy_config(conf)
    assert len(config.routes) == 1 and not config.problems


@pytest.mark.parametrize("pattern", ["/etc/passwd", "../outside/jira.conf", "/dev/zero", "/etc/*", "link.conf"])
def test_an_include_outside_the_folder_is_not_followed_and_named(tmp_path: Path, pattern: str) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "jira.conf").write_text(SITE.replace("8080", "9999"))
    os.symlink(tmp_path / "outside" / "jira.conf", folder / "link.conf")  # a symlink escape
    conf = folder / "nginx.conf"
    conf.write_text(f"events {{}}\nhttp {{ include {pattern};\n{SITE} }}\n")
    config = read_proxy_config(conf)
    assert [r.upstream_port for r in config.routes] == [8080]  # the outside file's route is not there
    assert any("points outside the configuration's folder" in p and pattern in p for p in config.problems), (
        config.problems
    )


def test_an_include_outside_is_a_finding_through_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(f"events {{}}\nhttp {{ include /etc/passwd;\n{SITE} }}\n")
    code, everything = _doctor(folder, conf)
    assert code == 0 and "points outside the configuration's folder" in everything
    assert "root:" not in everything  # nothing of /etc/passwd was read


def test_an_include_of_a_device_inside_the_folder_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    os.mkfifo(tmp_path / "pipe.conf")  # a FIFO would block a reader forever
    conf.write_text(f"events {{}}\nhttp {{ include pipe.conf;\n{SITE} }}\n")
    config = read_proxy_config(conf)
    assert len(config.routes) == 1 and any("not a regular file" in p for p in config.problems)


@pytest.mark.parametrize(
    "option",
    ["--url", "--base-url", "--proxy", "--integration-url", "--callback-url", "--webhook-url", "--redirect-uri"],
)
def test_a_broken_ipv6_url_option_is_a_usage_error_with_its_password_masked(option: str) -> None:
    code, printed = _run("doctor", "--offline", "--url", "https://jira.example.test", option,
                         f"http://u:{CANARY}@[::1:8080/x", "--client-id", "c")
    assert code == 2 and option in printed and "IPv6" in printed, printed
    assert CANARY not in printed


def test_a_long_url_is_masked_before_it_is_cut_for_the_message() -> None:
    code, printed = _run("doctor", "--offline", "--url", f"http://u:{'A' * 300}{CANARY}@[::1")
    assert code == 2 and "AAAA" not in printed and CANARY not in printed, printed


def test_urls_from_jiras_answers_with_a_broken_ipv6_host_compare_as_different_not_crash() -> None:
    from jiradoctor.jira import applinks, oauth2

    assert not applinks.looks_like_url("http://[::1:8080/")
    assert not applinks.same_endpoint("http://[fe80::1/", "http://jira.example.test/")
    assert applinks.same_endpoint("http://jira.example.test:80/", "http://jira.example.test/")  # healthy: still equal
    assert not oauth2.same_site("https://[::1:9/", "https://acme.atlassian.net")
    assert oauth2.same_site("https://acme.atlassian.net/", "https://ACME.atlassian.net")


def test_redaction_runs_in_a_run_that_knows_no_secret() -> None:
    from jiradoctor.model import Finding, Status
    from jiradoctor.runner import redact_finding
    from jiradoctor.secrets import MASK, Redactor
    from jiradoctor.target import Target

    finding = Finding(
        "x/y", Status.INFO, f"upstream http://svc:{CANARY}@10.0.0.1/", evidence={"proxy": f"https://u:{CANARY}@p/"},
        commands=(f"curl -H 'Authorization: Bearer {CANARY}' https://jira/",),
    )
    cleaned = redact_finding(finding, Target().redactor())  # no credential, no file: nothing registered
    shown = json.dumps(cleaned.to_json())
    assert CANARY not in shown and MASK in shown
    untouched = Finding("x/y", Status.INFO, "Jira at https://jira.example.test/ answers", evidence={"n": 1})
    assert redact_finding(untouched, Redactor()).to_json() == untouched.to_json()


@pytest.mark.parametrize(
    "name", ["Authorization", "proxy-authorization", "X-Api-Key", "X_API_KEY", "X-Auth-Token", "Cookie", "X-Secret",
             "client_secret", "X-Jira-Password", "X-CSRF-Token", "Api-Key"],
)
def test_names_that_mean_secret(name: str) -> None:
    from jiradoctor.secrets import name_means_secret

    assert name_means_secret(name)


@pytest.mark.parametrize(
    "name", ["Host", "X-Forwarded-Proto", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "X-Request-Id",
             "Connection", "Upgrade", "X-Forwarded-Port", "Accept"],
)
def test_names_that_do_not_mean_secret(name: str) -> None:
    from jiradoctor.secrets import name_means_secret

    assert not name_means_secret(name)


def test_secrets_read_from_text_and_what_is_not_one() -> None:
    from jiradoctor.jira.proxy_config.model import secrets_in_text

    text = (
        'proxy_set_header Authorization "Basic dXNlcjpwdw==";\nproxy_set_header X-Api-Key $http_x_api_key;\n'
        "proxy_set_header Host $host; proxy_pass http://svc:pw9@up:8080;\n"
        "RequestHeader set X-Auth-Token 'tok-123'\nRequestHeader set X-Forwarded-Proto https\n"
        "more_set_input_headers 'X-Secret: s3cr3t';\n"
    )
    found = secrets_in_text(text)
    assert {"Basic dXNlcjpwdw==", "dXNlcjpwdw==", "pw9", "tok-123", "s3cr3t"} <= set(found)
    assert not {"$http_x_api_key", "$host", "https", "up:8080"} & set(found)


def test_server_xml_passwords_are_read_from_text_even_when_the_xml_is_broken() -> None:
    from jiradoctor.jira.serverxml import secrets_in_text

    text = '<Server><Connector keystorePass="ks&amp;1" truststorePassword=\'ts2\' port="8443"><broken'
    assert set(secrets_in_text(text)) == {"ks&amp;1", "ks&1", "ts2"}
    assert secrets_in_text('<Server><Connector port="8080" proxyName="x"/></Server>') == []
