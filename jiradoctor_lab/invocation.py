"""One translation from a lab scenario to the ``jiradoctor doctor …`` command line.

``demo``, ``lab serve``'s printed hint and the tests all go through :func:`doctor_invocation`, so
what the demo shows is what a user types: the same options, secrets in ``JIRADOCTOR_*``
environment variables, the customer's files written beside it (:func:`write_customer_files`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from jiradoctor.jira.tomcat import Connector
from jiradoctor_lab import applinks as lab_applinks
from jiradoctor_lab.scenarios import ClientHints, Scenario


class LabServer(Protocol):
    """What the translation reads of a running lab (``jiradoctor_lab.server.LabServer``, which calls
    this module: a protocol, not an import, keeps the two apart)."""

    @property
    def url(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def client(self) -> ClientHints: ...
    @property
    def connector(self) -> Connector: ...
    @property
    def ca_pem(self) -> str | None: ...
    @property
    def private_key_pem(self) -> str: ...
    @property
    def jira_consumer_key(self) -> str | None: ...
    @property
    def jira_public_key_base64(self) -> str: ...


@dataclass(frozen=True)
class CustomerFiles:
    """The files a scenario's integration and Jira administrator hand over (paths; None: not given)."""

    private_key: Path | None = None
    ca_bundle: Path | None = None
    server_xml: Path | None = None
    public_key: Path | None = None


@dataclass(frozen=True)
class Invocation:
    """``jiradoctor doctor`` argv (``argv[0]`` is ``jiradoctor``) and the secrets it reads from ``env``."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def shell(self, show_secrets: bool = False) -> str:
        """The command as a shell line; secret values are ``…`` unless ``show_secrets`` (the lab's own)."""
        assignments = [f"{k}={shlex.quote(v) if show_secrets else '…'}" for k, v in self.env.items()]
        return " ".join([*assignments, *map(shlex.quote, self.argv)])


def write_private(path: Path, text: str) -> None:
    """Write with mode 0600 from the start, so a key is never readable by others."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def pasted_public_key(lab: LabServer) -> str:
    """What the customer pasted into the application link: the key Jira holds, as the integration's guide writes it."""
    from jiradoctor.jira import pem
    from jiradoctor.jira.integrations import get_profile, paste_text

    held = pem.read_public_key(lab.jira_public_key_base64).public_key
    assert held is not None, "the lab's own public key always reads"
    return paste_text(get_profile(lab.client.integration), held) + "\n"


def server_xml_for(lab: LabServer) -> str:
    """A Jira server.xml whose connector is the one the lab scenario runs with."""
    c = lab.connector
    attrs = {"port": str(c.port), "protocol": "HTTP/1.1", "useBodyEncodingForURI": "true", "redirectPort": "8443"}
    if c.scheme:
        attrs["scheme"] = c.scheme
    if c.proxy_name:
        attrs["proxyName"] = c.proxy_name
    if c.proxy_port:
        attrs["proxyPort"] = str(c.proxy_port)
    connector = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Server port="8005" shutdown="SHUTDOWN">\n'
        f'  <Service name="Catalina">\n    <Connector {connector}/>\n'
        f'    <Engine name="Catalina" defaultHost="localhost">\n      <Host name="localhost" appBase="webapps">\n'
        f'        <Context path="{c.context_path}" docBase="${{catalina.home}}/atlassian-jira"/>\n'
        f"      </Host>\n    </Engine>\n  </Service>\n</Server>\n"
    )


def write_customer_files(lab: LabServer, out_dir: Path, customer_side: bool = True) -> CustomerFiles:
    """The integration's private key and the lab's CA; with ``customer_side`` also Jira's server.xml and
    the public key pasted into the application link (what a support engineer asks the customer for)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    private_key = out_dir / "consumer_privatekey.pcks8"
    write_private(private_key, lab.private_key_pem)
    ca_bundle = None
    if lab.ca_pem:
        ca_bundle = out_dir / "lab-ca.pem"
        ca_bundle.write_text(lab.ca_pem)
    if not customer_side:
        return CustomerFiles(private_key=private_key, ca_bundle=ca_bundle)
    public_key = out_dir / "pasted_public_key.txt"
    public_key.write_text(pasted_public_key(lab))
    server_xml = out_dir / "server.xml"
    server_xml.write_text(server_xml_for(lab))
    return CustomerFiles(private_key, ca_bundle, server_xml, public_key)


def oauth2_invocation(lab: LabServer, **override: object) -> Invocation | None:
    """An OAuth 2.0 scenario's command: the client the integration registered, the token it holds, its
    refresh token only where the scenario allows rotation; on Cloud, the lab stands in for Atlassian's
    auth server and gateway (two hidden variables). None for a scenario without OAuth 2.0.
    ``override``: client values a test changes (a wrong secret, another redirect URI)."""
    from jiradoctor_lab.oauth2_provider import spec_for

    spec = spec_for(lab.scenario.name)
    if spec is None:
        return None
    client = {**spec.client, **override}
    # the URL entered in the integration: Jira's (Data Center, a Cloud site) or Cloud's gateway for the site
    url = lab.url + "/ex/jira/" + str(spec.cloud_id) if client.get("url") == "gateway" else lab.url
    argv = ["jiradoctor", "doctor", "--url", url, "--integration", str(client["integration"]),
            "--client-id", str(client["client_id"]), "--redirect-uri", str(client["redirect_uri"]),
            "--scopes", str(client["scopes"]), "--only", "oauth2"]
    env = {"JIRADOCTOR_CLIENT_SECRET": str(client["client_secret"])}
    if client.get("token"):
        env["JIRADOCTOR_OAUTH2_TOKEN"] = str(client["token"])
    if client.get("refresh_token"):
        env["JIRADOCTOR_OAUTH2_REFRESH_TOKEN"] = str(client["refresh_token"])
    if client.get("allow_rotation"):
        argv.append("--allow-refresh-token-rotation")
    if lab.scenario.is_cloud:  # the hidden overrides: Cloud's auth server and gateway are the lab
        env |= {"JIRADOCTOR_OAUTH2_AUTH_URL": lab.url, "JIRADOCTOR_OAUTH2_API_URL": lab.url}
        if client.get("auth_url") == "unreachable":
            env["JIRADOCTOR_OAUTH2_AUTH_URL"] = f"http://127.0.0.1:{_closed_port()}"
    return Invocation(argv, env)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def doctor_invocation(lab: LabServer, files: CustomerFiles) -> Invocation:
    """The command the scenario's integration (and, with the customer's files, its Jira administrator) runs."""
    if (oauth2 := oauth2_invocation(lab)) is not None:
        return oauth2
    c = lab.scenario.client
    # the lab runs on loopback and the integration (jiradoctor) on this machine: on-premises, truthfully
    argv = ["jiradoctor", "doctor", "--url", lab.url, "--integration", c.integration,
            "--integration-hosting", c.integration_hosting,
            "--deep"]  # the lab is ours: every scenario also runs the deep checks (and proves they write nothing)
    if c.user_agent:
        argv += ["--user-agent", c.user_agent]
    env: dict[str, str] = {}
    if c.auth == "oauth1":
        argv += ["--consumer-key", c.consumer_key]
        if files.private_key is not None:
            argv += ["--private-key", str(files.private_key)]
        if c.access_token:
            env["JIRADOCTOR_ACCESS_TOKEN"] = c.access_token
    elif c.auth in ("basic", "token"):
        argv += ["--user", c.user]
        if c.auth == "token":
            env["JIRADOCTOR_TOKEN"] = c.token
        else:
            env["JIRADOCTOR_PASSWORD"] = c.password
    elif c.auth == "pat":
        env["JIRADOCTOR_PAT"] = c.pat
    if c.projects:
        argv += ["--projects", ",".join(c.projects)]
    if (admin := lab_applinks.admin_password(lab.scenario)) is not None:  # the scenario's Jira administrator
        argv += ["--admin-user", admin[0]]
        env["JIRADOCTOR_ADMIN_PASSWORD"] = admin[1]
    if lab.ca_pem and files.ca_bundle is not None and c.trust_lab_ca:  # an integration may not trust the lab CA
        argv += ["--ca-bundle", str(files.ca_bundle)]
    if files.server_xml is not None:
        argv += ["--server-xml", str(files.server_xml), "--base-url", lab.base_url]
    if files.public_key is not None and c.auth == "oauth1":
        argv += ["--public-key", str(files.public_key)]
        if lab.jira_consumer_key is not None:
            argv += ["--jira-consumer-key", lab.jira_consumer_key]
    return Invocation(argv, env)
