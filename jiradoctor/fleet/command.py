"""``jiradoctor fleet run|merge``: the doctor over an inventory of Jira connections."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

FAIL_ON_CHOICES = ("regression", "fail", "warn", "never")
EXIT_OK, EXIT_FINDINGS = 0, 1


def exit_code(summary: dict[str, Any], fail_on: str) -> int:
    """regression: 1 only when a target broke since the previous run; fail/warn: any target at or above
    (or that observed nothing)."""
    statuses = summary.get("statuses") or {}
    if fail_on == "regression":
        return EXIT_FINDINGS if summary.get("broke") else EXIT_OK
    # skip: a target where nothing was observed is never a green gate (the doctor exits 4 for it)
    levels = {"fail": ("fail", "error", "skip"), "warn": ("warn", "fail", "error", "skip"), "never": ()}[fail_on]
    return EXIT_FINDINGS if any(statuses.get(s) for s in levels) else EXIT_OK


def say(summary: dict[str, Any], folder: Path) -> None:
    from jiradoctor.terminal import current

    if current().quiet:
        return
    counts = ", ".join(f"{v} {k}" for k, v in (summary.get("statuses") or {}).items())
    click.echo(
        f"fleet: {summary.get('targets', 0)} target(s): {counts or 'none'}; broke since the previous run: "
        f"{summary.get('broke', 0)}, fixed: {summary.get('fixed', 0)}, still broken: {summary.get('still_broken', 0)}; "
        f"wrote {folder}/fleet.json, index.html, junit.xml, metrics.prom",
        err=True,
    )


fail_on_option = click.option(
    "--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="regression", show_default=True,
    help="Exit 1 when: a target broke since --previous (regression), any target fails or errs (fail), also "
    "warns (warn), or never.",
)


@click.group("fleet")
def fleet() -> None:
    """Check many Jira connections from an inventory; compare with the previous run; shard it."""


@fleet.command("run")
@click.argument("inventory", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False),
              help="Directory for fleet.json, index.html, junit.xml, metrics.prom and targets/NAME.json.")
@click.option("--jobs", type=click.IntRange(1, 512), default=8, show_default=True,
              help="Targets run at once (one process, one event loop).")
@click.option("--per-host", type=click.IntRange(1, 64), default=2, show_default=True,
              help="At most this many targets run against one Jira host at once.")
@click.option("--target-timeout", type=click.FloatRange(0.1, 86_400), default=300.0, show_default=True,
              help="Seconds one target may take; after that it is that target's error.")
@click.option("--previous", type=click.Path(exists=True, file_okay=False),
              help="A previous run's output directory: each target is compared with it, as `jiradoctor diff` does.")
@click.option("--shard", help="K/N: run only the targets whose name hashes to shard K (0 to N-1); auto/N "
              "takes K from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).")
@fail_on_option
@click.pass_context
def run_command(ctx: click.Context, inventory: str, output: str, jobs: int, per_host: int, target_timeout: float,
                previous: str | None, shard: str | None, fail_on: str) -> None:
    """Run the doctor on every target of an INVENTORY (TOML) and write the fleet's outputs to -o DIR."""
    import asyncio

    from jiradoctor.cli.shared import checks_once
    from jiradoctor.fleet import compare, inventory as inventory_module, outputs, sharding
    from jiradoctor.fleet.build import config_names
    from jiradoctor.fleet.running import FleetOptions, run_fleet
    from jiradoctor.interrupts import bounded_interrupt

    try:
        entries = inventory_module.load(inventory, config_names())
    except inventory_module.InventoryError as exc:
        raise click.BadParameter(str(exc), param_hint="INVENTORY") from None
    chosen = None
    if shard:
        try:
            chosen = sharding.parse(shard, os.environ)
        except sharding.ShardError as exc:
            raise click.BadParameter(str(exc), param_hint="--shard") from None
    folder = Path(output)
    before = compare.Previous.none()
    if previous:
        if Path(previous).resolve() == folder.resolve():
            raise click.BadParameter("the previous run's directory cannot be this run's -o", param_hint="--previous")
        try:
            before = compare.Previous.load(Path(previous))
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"{previous}: {exc}", param_hint="--previous") from None
    loaded = checks_once()
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    mine = (e for e in entries if chosen is None or chosen.holds(e.name))
    folder.mkdir(parents=True, exist_ok=True)
    options = FleetOptions(jobs=jobs, per_host=per_host, target_timeout_s=target_timeout)
    with bounded_interrupt():
        asyncio.run(run_fleet(mine, folder, list(loaded.checks), before, options))
    summary = outputs.write_all(folder, str(previous) if previous else None)
    say(summary, folder)
    ctx.exit(exit_code(summary, fail_on))


@fleet.command("merge")
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False),
              help="Directory for the merged fleet.")
@fail_on_option
@click.pass_context
def merge_command(ctx: click.Context, shards: tuple[str, ...], output: str, fail_on: str) -> None:
    """Join the output directories of `fleet run --shard` into one fleet, as one unsharded run would write."""
    from jiradoctor.fleet.merge import MergeError, merge

    try:
        summary = merge([Path(s) for s in shards], Path(output))
    except MergeError as exc:
        raise click.BadParameter(str(exc), param_hint="SHARDS") from None
    say(summary, Path(output))
    ctx.exit(exit_code(summary, fail_on))
