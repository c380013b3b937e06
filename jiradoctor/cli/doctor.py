"""`jiradoctor doctor`: resolve the inputs, run the checks, write the reports, exit as the contract says."""

from __future__ import annotations

import os
from typing import Any

import click

from jiradoctor.cli.app import main
from jiradoctor.cli.options import SectionedCommand, doctor_options
from jiradoctor.cli.resolve import _split, resolve
from jiradoctor.cli.shared import (
    _progress_printer,
    crashed,
    exit_code_for,
    load_report,
    report_comparison,
    run_doctor,
    validate_ids,
    validate_outputs,
    warn_about_secrets_on_argv,
    write_outputs,
)


from jiradoctor.exit_codes import (
    EXIT_INTERNAL,
    EXIT_JIRA_UNSEEN,
    EXIT_NOTHING_OBSERVED,
    EXIT_OK,
)


@main.command(cls=SectionedCommand)
@doctor_options
@click.pass_context
def doctor(ctx: click.Context, /, **opts: Any) -> None:
    """Run every check against the given Jira URL and inputs, and write the report."""

    from jiradoctor.context import Facts
    from jiradoctor.probes import LazyProbes
    from jiradoctor.runner import RunOptions
    from jiradoctor.target import InputError

    only, skip = _split(opts["only"]), _split(opts["skip"])
    validate_ids(only, "--only")
    validate_ids(skip, "--skip")
    validate_outputs(opts["output"])
    try:
        target = resolve(opts, os.environ)
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    warn_about_secrets_on_argv(ctx)
    if target.oauth2_refresh_token and target.allow_refresh_token_rotation:
        click.echo(
            "warning: --allow-refresh-token-rotation: jiradoctor will use the refresh token once; the provider "
            "rotates it, and the integration's stored refresh token stops working (re-authorise it)",
            err=True,
        )
    baseline = load_report(opts["baseline"], "--baseline") if opts["baseline"] else None
    facts = Facts(target, LazyProbes())
    ctx.meta["redactor"] = facts.redactor  # the run's own: it also learns secrets found on the way
    from jiradoctor.terminal import current

    if current().debug:
        facts.trace = lambda text: click.echo(text, err=True)
    line = None if current().quiet else _progress_printer()
    options = RunOptions(only=only, skip=skip, deep=bool(opts["deep"]))
    if line is None:
        report = run_doctor(target, options, progress=None, facts=facts)
    else:
        with line:
            report = run_doctor(target, options, progress=line, facts=facts)
    write_outputs(report, opts["output"], opts["fmt"], junit_warn_as=opts["junit_warn_as"], baseline=baseline)
    if baseline is None:
        ctx.exit(exit_code_for(report, opts["fail_on"]))
    code = report_comparison(baseline, report, opts["fail_on"], err=True)
    if code == EXIT_OK and report.jira_unseen:
        code = EXIT_JIRA_UNSEEN
    ctx.exit(EXIT_INTERNAL if crashed(report) else EXIT_NOTHING_OBSERVED if not report.observed else code)
