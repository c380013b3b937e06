"""`jiradoctor merge`, `render` and `diff`: commands on saved JSON reports."""

from __future__ import annotations


import click

from jiradoctor.cli.options import run_option

from jiradoctor.cli.app import main
from jiradoctor.cli.shared import (
    exit_code_for,
    load_report,
    report_comparison,
    validate_outputs,
    write_outputs,
)



@main.command("merge")
@click.argument("customer_report", type=click.Path(exists=True, dir_okay=False))
@click.argument("vendor_report", type=click.Path(exists=True, dir_okay=False))
@run_option("output")
@run_option("format")
@run_option("fail_on", "Exit 1 when a check of the merged report is at or above this level.")
@click.pass_context
def merge_command(
    ctx: click.Context, customer_report: str, vendor_report: str, output: tuple[str, ...], fmt: str | None, fail_on: str
) -> None:
    """Combine the customer's run and the integration's (vendor's) run into one report.

    CUSTOMER_REPORT and VENDOR_REPORT are JSON reports of `jiradoctor doctor` (e.g. an --offline run with
    server.xml and the pasted public key, and a live run from where the integration runs). Each check comes
    from the side that observed it; where the sides saw different keys or URLs, that is a finding.
    """
    from jiradoctor.merge import merge  # imported here: the CLI starts fast (issue 14)

    validate_outputs(output)
    report = merge(load_report(customer_report, "CUSTOMER_REPORT"), load_report(vendor_report, "VENDOR_REPORT"))
    # the terminal summary also with -o: what the sides saw differently must not hide in a file
    write_outputs(report, output, fmt)
    ctx.exit(exit_code_for(report, fail_on))


@main.command("render")
@click.argument("report_path", type=click.Path(exists=True, dir_okay=False))
@run_option("output")
@run_option("format")
@run_option("junit_warn_as")
def render_command(report_path: str, output: tuple[str, ...], fmt: str | None, junit_warn_as: str) -> None:
    """Render a saved JSON report as HTML, Markdown or text."""
    report = load_report(report_path, "REPORT_PATH")
    validate_outputs(output)
    write_outputs(report, output, fmt, summary=not output, junit_warn_as=junit_warn_as)


@main.command()
@click.argument("old_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("new_path", type=click.Path(exists=True, dir_okay=False))
@run_option("fail_on", "Level at which a new finding counts as a regression.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def diff(ctx: click.Context, old_path: str, new_path: str, fail_on: str, fmt: str) -> None:
    """Compare two JSON reports: regressions, fixed findings, stale baseline entries."""
    ctx.exit(report_comparison(load_report(old_path, "OLD"), load_report(new_path, "NEW"), fail_on, fmt))
