"""``jiradoctor demo``: the doctor against a broken lab Jira on loopback, no real Jira needed.

The default scenario is the classic one: Jira sits behind a proxy and its connector names an
internal host, so every OAuth request is ``signature_invalid``. The customer's files tell the
truth about the scenario: the server.xml holds the scenario's connector, and the pasted public
key is the one Jira's application link really holds (the right one, unless the scenario is about
the key). So ``demo --scenario healthy`` passes, and each broken scenario shows its own cause.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from jiradoctor_lab import LabServer
from jiradoctor.registry import load_checks
from jiradoctor.reports import render, text
from jiradoctor.runner import Runner, RunOptions
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

DEFAULT_SCENARIO = "url-mismatch-proxy-host"


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
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Server port="8005" shutdown="SHUTDOWN">\n'
            f'  <Service name="Catalina">\n    <Connector {connector}/>\n'
            f'    <Engine name="Catalina" defaultHost="localhost">\n      <Host name="localhost" appBase="webapps">\n'
            f'        <Context path="{c.context_path}" docBase="${{catalina.home}}/atlassian-jira"/>\n'
            f'      </Host>\n    </Engine>\n  </Service>\n</Server>\n')


def write_inputs(lab: LabServer, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"private_key": out_dir / "consumer_privatekey.pcks8", "public_key": out_dir / "pasted_public_key.txt",
             "server_xml": out_dir / "server.xml"}
    fd = os.open(files["private_key"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # private from the start
    with os.fdopen(fd, "w") as fh:
        fh.write(lab.private_key_pem)
    files["public_key"].write_text(pasted_public_key(lab))
    files["server_xml"].write_text(server_xml_for(lab))
    if lab.ca_pem:
        files["ca_bundle"] = out_dir / "lab-ca.pem"
        files["ca_bundle"].write_text(lab.ca_pem)
    return files


def credentials(lab: LabServer, files: dict[str, Path]) -> dict[str, object]:
    """What the scenario's integration logs in with: OAuth (with the customer's files), or a password,
    API token or PAT, as the scenario's client hints say."""
    client = lab.client
    if client.auth == "oauth1":
        return dict(
            consumer_key=lab.consumer_key, jira_consumer_key=lab.jira_consumer_key,
            private_key=Secret(files["private_key"].read_text()), private_key_path=str(files["private_key"]),
            access_token=Secret(lab.access_token) if lab.access_token else None,
            public_key=files["public_key"].read_text(), public_key_path=str(files["public_key"]),
        )
    if client.auth == "pat":
        return dict(pat=Secret(client.pat))
    secret = client.token if client.auth == "token" else client.password
    return dict(user=client.user, **{"token" if client.auth == "token" else "password": Secret(secret)})


def run_demo(out_dir: Path, scenario: str = DEFAULT_SCENARIO) -> int:
    with LabServer(scenario) as lab:
        files = write_inputs(lab, out_dir)
        click.echo(f"Lab Jira ({scenario}: {lab.scenario.description}) at {lab.url}\n", err=True)
        target = Target(
            url=lab.url,
            integration=lab.client.integration,
            server_xml=files["server_xml"].read_text(),
            server_xml_path=str(files["server_xml"]),
            base_url=lab.base_url,
            projects=tuple(lab.client.projects),
            ca_bundle=str(files["ca_bundle"]) if "ca_bundle" in files else None,
            timeout=5.0,
            integration_hosting="on-premises",  # the lab's integration is this machine, on loopback
            **credentials(lab, files),  # type: ignore[arg-type]
        )
        # the lab is ours: the demo also runs the deep checks, whatever they cost in requests
        report = asyncio.run(Runner(load_checks().checks, target, RunOptions(deep=True)).run())
    click.echo(text.render(report), nl=False)
    for name in ("report.html", "report.json"):
        (out_dir / name).write_text(render(report, name.rsplit(".", 1)[1]), encoding="utf-8")
    click.echo(f"\nThe reports and the demo's inputs are in {out_dir.resolve()}:\n"
               f"  {(out_dir / 'report.html').resolve()}\n  {(out_dir / 'report.json').resolve()}", err=True)
    return 0
