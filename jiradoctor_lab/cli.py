"""``jiradoctor lab``: list the scenarios and serve one on 127.0.0.1 for manual tries and demos.

Why a separate click group: the main CLI mounts it (``main.add_command(lab)``); the lab stays
usable on its own (``python -m jiradoctor_lab.cli serve --scenario healthy``). ``lab`` and
``demo`` reach the doctor's CLI through the entry-point group ``jiradoctor.commands.v1``.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import click

from click.shell_completion import CompletionItem

from jiradoctor.completion import matching

from jiradoctor_lab.catalogue import every_name, every_scenario
from jiradoctor_lab.invocation import CustomerFiles, doctor_invocation, write_private
from jiradoctor_lab.server import LabServer


@click.group(name="lab")
def lab() -> None:
    """A broken-Jira lab on loopback: one scenario per way a connection breaks."""


def complete_scenario(incomplete: str) -> list[CompletionItem]:
    """Scenario names for the shell (`jiradoctor demo --scenario <TAB>`)."""
    return matching(incomplete, every_name())


@lab.command("scenarios")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def scenarios_command(fmt: str) -> None:
    """List the scenarios with what jiradoctor is expected to report."""
    items = every_scenario()
    if fmt == "json":
        click.echo(json.dumps([
            {"name": s.name, "description": s.description, "deployment": s.deployment,
             "expect": list(s.expect), "demo_expect": sorted(s.demo_codes), "auth": s.client.auth} for s in items
        ], indent=2))
        return
    width = max(len(s.name) for s in items)
    click.echo(f"{'SCENARIO'.ljust(width)}  {'DEPLOYMENT':10}  EXPECTED FINDINGS / DESCRIPTION")
    click.echo(f"{''.ljust(width)}  {'':10}  (+ codes the demo adds from the customer's files or the loopback address)")
    for s in items:
        codes = ", ".join(s.expect) or "pass"
        extra = sorted(s.demo_codes - set(s.expect))
        click.echo(f"{s.name.ljust(width)}  {s.deployment:10}  {codes}" + (f" (+ {', '.join(extra)})" if extra else ""))
        click.echo(f"{''.ljust(width)}  {'':10}  {s.description}")


@lab.command("serve")
@click.option("--scenario", "name", required=True, type=click.Choice(every_name()), help="Scenario to serve.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port.")
@click.option("--latency-ms", type=click.IntRange(0, 600_000), default=0, show_default=True,
              help="Delay before every answer.")
@click.option("--keys-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the consumer private key (mode 0600); default: a new temp dir.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many seconds (default: until Ctrl-C).")
def serve_command(name: str, port: int, latency_ms: int, keys_dir: Path | None, duration: float | None) -> None:
    """Serve a scenario on 127.0.0.1 and print how to point jiradoctor at it."""
    keys = keys_dir or Path(tempfile.mkdtemp(prefix="jiradoctor-lab-"))
    keys.mkdir(parents=True, exist_ok=True)
    server = LabServer(name, port=port, latency_s=latency_ms / 1000)
    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc}") from exc
    try:
        key_path = keys / "consumer.pem"
        write_private(key_path, server.private_key_pem)
        (keys / "consumer.pub.pem").write_text(server.public_key_pem)
        ca_path = None
        if server.ca_pem:
            ca_path = keys / "lab-ca.pem"
            ca_path.write_text(server.ca_pem)
        s, c = server.scenario, server.scenario.client
        click.echo(f"Scenario     {s.name} ({s.deployment}): {s.description}")
        click.echo(f"Expected     {', '.join(s.expect) or 'pass'}")
        click.echo(f"URL          {server.url}")
        click.echo(f"Base URL     {server.base_url}")
        click.echo(f"Consumer key {c.consumer_key!r}   (Jira holds {server.jira_consumer_key!r})")
        click.echo(f"Private key  {key_path}")
        if ca_path:
            click.echo(f"Lab CA       {ca_path}")
        if c.notes:
            click.echo(f"Note         {c.notes}")
        files = CustomerFiles(private_key=key_path, ca_bundle=ca_path)
        click.echo(f"Try          {doctor_invocation(server, files).shell(show_secrets=True)}")  # the lab's secrets
        click.echo("Serving on 127.0.0.1 only; Ctrl-C stops." if duration is None else f"Serving for {duration:g} s.")
        deadline = None if duration is None else time.monotonic() + duration
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    click.echo("Lab stopped.")


if __name__ == "__main__":  # pragma: no cover
    lab()


@click.command("demo")
@click.option(
    "--dir",
    "out_dir",
    type=click.Path(file_okay=False),
    default="jiradoctor-demo",
    show_default=True,
    help="Where to write the demo inputs and reports.",
)
@click.option(
    "--scenario",
    default="url-mismatch-proxy-host",
    show_default=True,
    shell_complete=lambda _ctx, _param, incomplete: complete_scenario(incomplete),
    help="The lab scenario to diagnose (see `jiradoctor lab scenarios`).",
)
@click.pass_context
def demo(ctx: click.Context, out_dir: str, scenario: str) -> None:
    """Start a broken lab Jira on loopback, run the doctor on it, write report.html and report.json."""
    from jiradoctor_lab.demo import run_demo

    names = every_name()
    if scenario not in names:
        from jiradoctor.suggest import did_you_mean

        raise click.BadParameter(
            f"unknown scenario {scenario!r}{did_you_mean(scenario, names)}; known: {', '.join(names)}",
            param_hint="--scenario",
        )
    ctx.exit(run_demo(Path(out_dir), scenario))
