"""``jiradoctor demo``: a doctor run on broken inputs made on the spot, no Jira needed.

The inputs reproduce the mistakes the vendors' guides warn about: a certificate pasted as the
public key, a consumer key with a trailing space, a Base URL the integration does not use, and
a server.xml without proxy attributes behind an https proxy. Keys are generated for the demo,
never shipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib import resources
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from jiradoctor.registry import load_checks
from jiradoctor.reports import render, text
from jiradoctor.runner import Runner
from jiradoctor.secrets import Secret
from jiradoctor.target import Target


def _demo_files(out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "piplanning-demo")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    files = {
        "private_key": out_dir / "jira_privatekey.pem",
        "public_key": out_dir / "pasted_public_key.txt",
        "server_xml": out_dir / "server.xml",
    }
    files["private_key"].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    files["private_key"].chmod(0o600)
    files["public_key"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))  # the classic mistake
    files["server_xml"].write_text(
        resources.files("jiradoctor").joinpath("demo_inputs/server.xml").read_text("utf-8"), encoding="utf-8")
    return files


def run_demo(out_dir: Path) -> int:
    files = _demo_files(out_dir)
    target = Target(
        url="http://jira.example.com:8080",
        integration="kendis",
        consumer_key="piplanning.io ",
        jira_consumer_key="piplanning.io",
        private_key=Secret(files["private_key"].read_text()),
        private_key_path=str(files["private_key"]),
        public_key=files["public_key"].read_text(),
        public_key_path=str(files["public_key"]),
        server_xml=files["server_xml"].read_text(),
        server_xml_path=str(files["server_xml"]),
        base_url="https://jira.example.com",
        offline=True,
    )
    report = asyncio.run(Runner(load_checks().checks, target).run())
    click.echo(text.render(report), nl=False)
    for name in ("report.html", "report.json"):
        (out_dir / name).write_text(render(report, name.rsplit(".", 1)[1]), encoding="utf-8")
    click.echo(f"\nDemo inputs and reports are in {out_dir.resolve()}:\n"
               f"  open {out_dir / 'report.html'}\n  {out_dir / 'report.json'}", err=True)
    return 0
