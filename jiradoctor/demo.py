"""``jiradoctor demo``: the doctor against a broken lab Jira on loopback, no real Jira needed.

The default scenario is the classic one: Jira sits behind a proxy and its connector names an
internal host, so every OAuth request is ``signature_invalid``. The customer's files are made to
match (the server.xml with that connector, and a certificate pasted where the public key
belongs), so the report shows both the live symptom and the offline causes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from jiradoctor.lab import LabServer
from jiradoctor.registry import load_checks
from jiradoctor.reports import render, text
from jiradoctor.runner import Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target

DEFAULT_SCENARIO = "url-mismatch-proxy-host"


def self_signed_certificate(private_key_pem: str) -> str:
    """What customers paste by mistake: a certificate made from the key, not the public key."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "piplanning-demo")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


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
    files["public_key"].write_text(self_signed_certificate(lab.private_key_pem))
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
            **credentials(lab, files),  # type: ignore[arg-type]
        )
        report = asyncio.run(Runner(load_checks().checks, target).run())
    click.echo(text.render(report), nl=False)
    for name in ("report.html", "report.json"):
        (out_dir / name).write_text(render(report, name.rsplit(".", 1)[1]), encoding="utf-8")
    click.echo(f"\nThe reports and the demo's inputs are in {out_dir.resolve()}:\n"
               f"  {(out_dir / 'report.html').resolve()}\n  {(out_dir / 'report.json').resolve()}", err=True)
    return 0
