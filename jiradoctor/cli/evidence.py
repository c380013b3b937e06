"""`jiradoctor har` and `jiradoctor logs`: the evidence a ticket brings (a browser's HAR, Jira's logs),
read into the doctor's findings.
"""

from __future__ import annotations

from pathlib import Path

import click

from jiradoctor.cli.options import run_option

from jiradoctor.cli.app import main
from jiradoctor.cli.shared import (
    crashed,
    exit_code_for,
    load_report,
    report_comparison,
    validate_outputs,
    write_outputs,
)



from jiradoctor.exit_codes import (
    EXIT_INTERNAL,
    EXIT_NOTHING_OBSERVED,
)


@main.command("har")
@click.argument("har_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--redact", is_flag=True, help="Write a copy safe to share (secrets masked) to the -o path ending in .har."
)
@run_option(
    "output", "With --redact: the safe .har copy. Otherwise (or any other extension): the report (.html .json "
    ".md .xml .jira)."
)
@run_option("format")
@click.option(
    "--integration",
    default="generic",
    show_default=True,
    envvar="JIRADOCTOR_INTEGRATION",
    help="Whose requirements to judge against (as for doctor).",
)
@run_option("fail_on")
@click.pass_context
def har_command(
    ctx: click.Context,
    har_path: str,
    redact: bool,
    output: tuple[str, ...],
    fmt: str | None,
    integration: str,
    fail_on: str,
) -> None:
    """Read a browser HAR file: Jira's answers in it, judged with the doctor's codes; --redact makes a safe copy."""
    from jiradoctor.har.analyse import analyse_file
    from jiradoctor.har.redact import write_redacted
    from jiradoctor.jira.integrations import get_profile

    hars = [p for p in output if p.lower().endswith(".har")]
    reports = [p for p in output if not p.lower().endswith(".har")]
    if hars and not redact:
        raise click.BadParameter("a .har output is the redacted copy: add --redact", param_hint="-o/--output")
    if redact and len(hars) != 1:
        raise click.BadParameter(
            "--redact writes one safe copy: give exactly one -o PATH ending in .har", param_hint="-o/--output"
        )
    if redact and Path(hars[0]).resolve() == Path(har_path).resolve():
        raise click.BadParameter("the safe copy must not overwrite the original", param_hint="-o/--output")
    validate_outputs(reports)
    try:
        get_profile(integration)
    except (KeyError, ValueError) as exc:
        raise click.BadParameter(str(exc).strip('"'), param_hint="--integration") from None
    if redact:
        Path(hars[0]).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(hars[0] + ".partial")
        with open(har_path, "rb") as src, open(tmp, "w", encoding="utf-8") as dst:
            stream = write_redacted(src, dst)
        tmp.replace(hars[0])
        note = f" (the source was cut short: {stream.problem.message})" if stream.problem else ""
        click.echo(f"wrote {hars[0]}: {stream.count} entries, secrets masked{note}", err=True)
    report = analyse_file(har_path, integration)
    write_outputs(report, reports, fmt)
    ctx.exit(exit_code_for(report, fail_on))


# --- logs (issue 29): Jira's own logs and support zips, read into the doctor's findings ----------


@main.command("logs")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@run_option("output")
@run_option("format")
@click.option(
    "--url",
    envvar="JIRADOCTOR_URL",
    help="The Jira URL as entered in the integration: a logged "
    "signature_invalid is diffed against the base string the integration signs.",
)
@click.option("--consumer-key", envvar="JIRADOCTOR_CONSUMER_KEY", help="The consumer key as typed in the integration.")
@run_option("fail_on")
@run_option("baseline")
@run_option("junit_warn_as")
@click.pass_context
def logs_command(
    ctx: click.Context,
    files: tuple[str, ...],
    output: tuple[str, ...],
    fmt: str | None,
    url: str | None,
    consumer_key: str | None,
    fail_on: str,
    baseline: str | None,
    junit_warn_as: str,
) -> None:
    """Read Jira's logs or a support zip: known failures as the doctor's findings, secrets masked.

    FILES: atlassian-jira.log*, atlassian-jira-security.log*, catalina.out, access logs (.gz too), a support
    zip, or a folder holding them.
    """
    from jiradoctor.logs.command import analyse
    from jiradoctor.logs.findings import IntegrationView
    from jiradoctor.target import InputError, check_url

    validate_outputs(output)
    try:
        check_url(url, "--url")
    except InputError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    old = load_report(baseline, "--baseline") if baseline else None
    report = analyse(list(files), IntegrationView(url, consumer_key))
    write_outputs(report, output, fmt, junit_warn_as=junit_warn_as, baseline=old)
    if old is None:
        ctx.exit(exit_code_for(report, fail_on))
    code = report_comparison(old, report, fail_on, err=True)
    ctx.exit(EXIT_INTERNAL if crashed(report) else EXIT_NOTHING_OBSERVED if not report.observed else code)
