"""Run-wide helpers of the commands: the --fail-on levels, the checks found once per command, exit codes
from a report, writing reports, reading saved ones, comparing with a baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import click


from jiradoctor.inputs import SECRET_VALUE_INPUTS
from jiradoctor.visible import visible

if TYPE_CHECKING:
    from jiradoctor.context import Facts
    from jiradoctor.model import Report, Status
    from jiradoctor.registry import LoadedChecks
    from jiradoctor.runner import RunOptions
    from jiradoctor.target import Target

from jiradoctor.exit_codes import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_JIRA_UNSEEN,
    EXIT_NOTHING_OBSERVED,
    EXIT_OK,
)


class _FailOn(Mapping[str, "Status | None"]):
    """--fail-on level -> the Status at which a run fails (model is imported when first asked)."""

    _names = {"fail": "FAIL", "warn": "WARN", "never": None}

    def __getitem__(self, level: str) -> "Status | None":
        from jiradoctor.model import Status

        name = self._names[level]
        return Status[name] if name else None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


FAIL_ON = _FailOn()


def load_checks(include_plugins: bool = True) -> "LoadedChecks":
    """The registry's checks (imported when a command needs them, not for `--help`)."""
    from jiradoctor.registry import load_checks as load

    return load(include_plugins)


def crashed(report: Report) -> bool:
    """A check crashed or ran out of time: jiradoctor itself failed, though the report was written."""
    from jiradoctor.runner import CHECK_ERROR_SUFFIX

    return any(f.code.endswith(CHECK_ERROR_SUFFIX) for _, f in report.findings())


def exit_code_for(report: Report, fail_on: str) -> int:
    if crashed(report):
        return EXIT_INTERNAL
    if not report.observed:  # a run that looked at nothing is never a green gate, whatever --fail-on says
        return EXIT_NOTHING_OBSERVED
    threshold = FAIL_ON[fail_on]
    if threshold is not None and any(c.status.rank >= threshold.rank for c in report.checks):
        return EXIT_FINDINGS
    # a CI gate pointed at an SSO page, a portal or a placeholder never stays green
    return EXIT_JIRA_UNSEEN if report.jira_unseen else EXIT_OK


def write_outputs(
    report: Report,
    outputs: Iterable[str],
    fmt: str | None,
    summary: bool = True,
    junit_warn_as: str = "pass",
    baseline: Report | None = None,
) -> None:
    """Files first (format from the extension), then stdout: the report alone with ``fmt``,
    else the text summary (when ``summary``)."""
    from jiradoctor.reports import render, write

    from jiradoctor.terminal import current

    terminal = current()
    for path in outputs:
        write(report, path, junit_warn_as, baseline)
        if not terminal.quiet:
            click.echo(f"wrote {path}", err=True)
    if fmt or (summary and not terminal.quiet):
        colour = (fmt or "text") == "text" and use_colour()
        if (fmt or "text") == "text":
            from jiradoctor.reports import text

            shown = text.render(report, colour=colour, verbose=terminal.verbose > 0)
        else:
            shown = render(report, fmt or "text", junit_warn_as, baseline, colour=colour)
        click.echo(shown, nl=False, color=colour)


def use_colour() -> bool:
    """--color/--no-color when given; else colour on a terminal, none when NO_COLOR is set (no-color.org)
    or stdout is a file or pipe."""
    from jiradoctor.terminal import current

    return current().use_colour()


def _progress_printer() -> Any:
    """A line on stderr (a terminal only) naming the checks still waiting after about a second."""
    from jiradoctor import progress

    return progress.ProgressLine(checks_once().ids) if progress.wanted() else None


def checks_once(only: tuple[str, ...] = ()) -> Any:
    """The checks, found once per command (the package scan and the plugin entry points cost
    ~40 ms each time); outside a command, found afresh. ``only``: just those built-in checks
    (``doctor --only``), or every check when one of them is not a built-in."""
    from jiradoctor.registry import load_only

    ctx = click.get_current_context(silent=True)
    meta: dict[str, Any] = ctx.meta if ctx is not None else {}
    key = f"jiradoctor.checks:{','.join(only)}"
    if key not in meta:
        meta[key] = (load_only(only) if only else None) or load_checks()
    return meta[key]


def run_doctor(target: Target, options: RunOptions, progress: Any = None, facts: Facts | None = None) -> Report:
    import asyncio

    from jiradoctor.runner import Runner

    from jiradoctor.interrupts import bounded_interrupt

    loaded = checks_once(options.only)
    for warning in loaded.warnings:
        click.echo(f"warning: {visible(str(warning))}", err=True)
    with bounded_interrupt():  # Ctrl-C ends the run within seconds, even if a task misses its cancellation
        return asyncio.run(Runner(loaded.checks, target, options, facts=facts, progress=progress).run())


SECRET_OPTIONS = tuple(i.param for i in SECRET_VALUE_INPUTS)  # from the one table of inputs (inputs.py)


def warn_about_secrets_on_argv(ctx: click.Context) -> None:
    """A secret typed on the command line is visible to `ps` and kept in shell history."""
    for item in SECRET_VALUE_INPUTS:  # the flag and its variable, as the input table names them
        source = ctx.get_parameter_source(item.param)
        if source == click.core.ParameterSource.COMMANDLINE and ctx.params.get(item.param) != "-":
            click.echo(
                f"warning: {item.option} on the command line is visible to other users (ps) and "
                f"kept in shell history; prefer {item.env}=… or {item.option} - to be asked",
                err=True,
            )


def validate_outputs(outputs: Iterable[str]) -> None:
    """Refuse an output whose format cannot be told from its extension before anything runs."""
    from jiradoctor.reports import UnknownFormat, format_for_path

    for path in outputs:
        try:
            format_for_path(path)
        except UnknownFormat as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from None


def validate_ids(ids: tuple[str, ...], option: str) -> None:
    if not ids:
        return
    elsewhere = [c.id for c in checks_once(ids).checks if c.id in ids and not c.in_doctor_run]
    if elsewhere and option == "--only":
        raise click.BadParameter(
            f"{', '.join(elsewhere)} is not part of a doctor run: its command is `jiradoctor {elsewhere[0]}`",
            param_hint=option,
        )
    if set(ids) <= set(checks_once(ids).ids):
        return
    known = checks_once().ids
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown check id(s) {', '.join(unknown)}; known: {', '.join(known)}", param_hint=option
        )


def read_profile_file(path: str) -> bytes:
    """The --profile-file's bytes, bounded; a file that cannot be read is a usage error."""
    from jiradoctor import files

    try:
        return files.read_bounded(path, files.MAX_TOML, "profile file")
    except files.FileProblem as exc:
        raise click.BadParameter(str(exc), param_hint="--profile-file") from None


def load_report(path: str, param_hint: str) -> Report:
    """A saved JSON report, or a usage error that says why it cannot be used."""
    from jiradoctor import files
    from jiradoctor.reports import json_report

    try:
        return json_report.load(files.read_bounded(path, files.MAX_REPORT, "report").decode("utf-8"))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint=param_hint) from None


def report_comparison(old: Report, new: Report, fail_on: str, fmt: str = "text", err: bool = False) -> int:
    """Print what changed against the baseline; exit 1 only for regressions at or above fail-on."""
    from jiradoctor.reports import baseline

    import json

    threshold = FAIL_ON[fail_on]
    from jiradoctor.model import Status

    comparison = baseline.compare(old, new, threshold or Status.FAIL)
    from jiradoctor.jira.urls import same_site
    from jiradoctor.visible import visible

    if old.target.url and new.target.url and not same_site(old.target.url, new.target.url):
        click.echo(
            f"warning: the baseline was recorded against {visible(old.target.url)}, this run is against "
            f"{visible(new.target.url)}: its findings may not be comparable",
            err=True,
        )
    shown = json.dumps(comparison.to_json(), indent=2) + "\n" if fmt == "json" else comparison.render_text()
    click.echo(shown, err=err, nl=False)
    return EXIT_FINDINGS if threshold is not None and comparison.has_regressions else EXIT_OK
