"""`jiradoctor checks`, `explain` and `profiles`: what the checks and integration profiles are."""

from __future__ import annotations


import click

from jiradoctor.cli.app import main
from jiradoctor.cli.shared import load_checks

from jiradoctor import completion
from jiradoctor.visible import visible


@main.command("checks")
@click.option("--reference", is_flag=True, help="Print the reference of facts and finding codes (docs/REFERENCE.md).")
def list_checks(reference: bool = False) -> None:
    """List the checks, their ids and what they need."""
    from jiradoctor.target import describe_inputs

    if reference:
        from jiradoctor.reference import markdown

        click.echo(markdown(), nl=False)
        return
    loaded = load_checks()
    for warning in loaded.warnings:
        click.echo(f"warning: {visible(str(warning))}", err=True)
    for check in loaded.checks:
        needs = (
            " and ".join(filter(None, [describe_inputs(check.inputs_all, " and "), describe_inputs(check.inputs_any)]))
            or "-"
        )
        marks = ("  (network)" if check.live else "") + ("  (deep: runs with --deep)" if check.deep else "")
        click.echo(f"{check.id:<16} {check.title:<45} needs: {needs}{marks}")


@main.command()
@click.argument("check_id", shell_complete=completion.checks_and_codes)
def explain(check_id: str) -> None:
    """Explain what a check looks at, why it fails and how to fix it.

    CHECK_ID is a check id (oauth-signature) or a finding code (oauth-signature/url-mismatch)."""
    from jiradoctor.suggest import did_you_mean

    loaded = load_checks()
    code = check_id if "/" in check_id else None
    check = loaded.get(check_id.split("/", 1)[0])
    if check is None:
        every = [*loaded.ids, *(c for one in loaded.checks for c in one.codes)]
        raise click.BadParameter(
            f"unknown check or finding code {check_id!r}{did_you_mean(check_id, every)}; checks: "
            f"{', '.join(loaded.ids)}",
            param_hint="CHECK_ID",
        )
    if code is not None and code not in check.codes:
        raise click.BadParameter(
            f"{check.id} reports no finding {code!r}{did_you_mean(code, check.codes)}; its codes: "
            f"{', '.join(check.codes)}",
            param_hint="CHECK_ID",
        )
    if code is not None:
        click.echo(
            f"{code}: a finding of the {check.id} check (below: what the check looks at, why it fails "
            f"and how to fix it).\n"
        )
    click.echo(f"{check.id} — {check.title}\n")
    click.echo(check.explanation.rstrip())
    if check.deep:
        click.echo(f"\nA deep check: it runs with --deep or --only {check.id}, since it sends {check.deep_cost}.")
    if check.codes:
        marked = (f"  {c}" + ("   <- this one" if c == code else "") for c in check.codes)
        click.echo("\nFinding codes:\n" + "\n".join(marked))


@main.command()
@click.option(
    "--profile-file", type=click.Path(exists=True, dir_okay=False), help="Also list the profiles in this TOML file."
)
@click.option(
    "--toml", "as_toml", is_flag=True, help="Print the profiles as TOML, a starting point for --profile-file."
)
def profiles(profile_file: str | None, as_toml: bool) -> None:
    """List the integration profiles: required permissions, auth methods, key formats."""
    import tomllib

    from jiradoctor.jira.integrations import all_profiles, describe_profile, profile_toml

    try:
        found = all_profiles(profile_file)
    except (KeyError, ValueError, tomllib.TOMLDecodeError) as exc:  # FileProblem, a broken profile
        raise click.BadParameter(str(exc).strip('"'), param_hint="--profile-file") from None
    for profile in found.values():
        click.echo(profile_toml(profile) if as_toml else describe_profile(profile))
