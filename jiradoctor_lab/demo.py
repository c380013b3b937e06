"""``jiradoctor demo``: the doctor against a broken lab Jira on loopback, no real Jira needed.

The default scenario is the classic one: Jira sits behind a proxy and its connector names an
internal host, so every OAuth request is ``signature_invalid``. The customer's files tell the
truth about the scenario: the server.xml holds the scenario's connector, and the pasted public
key is the one Jira's application link really holds (the right one, unless the scenario is about
the key). So ``demo --scenario healthy`` passes, and each broken scenario shows its own cause.

The demo is the product: it runs the real ``jiradoctor doctor`` command line (the one translation
in :mod:`jiradoctor_lab.invocation`, secrets through the environment) and prints that command, so a
user can copy it and point it at their own Jira.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import click

from jiradoctor_lab import LabServer
from jiradoctor_lab.invocation import Invocation, doctor_invocation, write_customer_files

DEFAULT_SCENARIO = "url-mismatch-proxy-host"
REPORTS = ("report.html", "report.json")


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in os.environ for the length of the block (the doctor reads its secrets there)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_demo(out_dir: Path, scenario: str = DEFAULT_SCENARIO) -> int:
    """Serve ``scenario``, run the doctor's own command line on it, return the doctor's exit code
    when it is a usage error or a failure of jiradoctor itself (2, 3, 130), else 0: a broken
    scenario diagnosed is the demo working."""
    from jiradoctor.cli import main

    with LabServer(scenario) as lab:
        files = write_customer_files(lab, out_dir)
        invocation = doctor_invocation(lab, files)
        outputs = [a for name in REPORTS for a in ("-o", str(out_dir / name))]
        command = Invocation([*invocation.argv, "--timeout", "5", *outputs], invocation.env)
        click.echo(f"Lab Jira ({scenario}: {lab.scenario.description}) at {lab.url}\n", err=True)
        secrets_note = " (secrets: the lab's, in JIRADOCTOR_* variables)" if command.env else ""
        click.echo(f"Running{secrets_note}:\n  {command.shell()}\n", err=True)
        with environment(command.env):
            try:
                code = main.main(args=command.argv[1:], prog_name="jiradoctor", standalone_mode=False)
            except click.ClickException as exc:
                exc.show()
                code = exc.exit_code
    click.echo(
        f"\nThe reports and the demo's inputs are in {out_dir.resolve()}:\n"
        + "".join(f"  {(out_dir / name).resolve()}\n" for name in REPORTS)
        + "Run the same command against your own Jira: your URL, files and secrets in place of the lab's.",
        err=True,
    )
    return code if isinstance(code, int) and code in (2, 3, 130) else 0
