"""The `jiradoctor` group: global flags, lazily mounted commands (the lab, optional parts), and a crash
turned into exit 3 with one redacted line.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from jiradoctor import __version__
from jiradoctor.visible import visible


from jiradoctor.exit_codes import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
)


COMMANDS_ENTRY_POINT_GROUP = "jiradoctor.commands.v1"


class JiradoctorGroup(click.Group):
    """Turns any unexpected exception into exit code 3 with a redacted one-line message.

    ``lazy_commands`` (name -> module, attribute, one-line help): commands imported only when they
    are run, so `jiradoctor --help` does not import them (issue 14)."""

    lazy_commands: dict[str, tuple[str, str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        _mount_once()
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            _mount_once()
        if command is None and cmd_name in self.lazy_commands:
            module, attribute, _ = self.lazy_commands[cmd_name]
            try:
                command = getattr(importlib.import_module(module), attribute)
            except ImportError:  # an optional part that is not installed
                return None
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with the one-line help of a lazy command taken without importing it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None and name in self.lazy_commands:
                rows.append((name, self.lazy_commands[name][2]))
            elif command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``--debug``, ``--quiet``, ``--verbose``, ``--color`` may follow the subcommand, as people type them."""
        from jiradoctor.terminal import hoist

        return super().parse_args(ctx, hoist(list(args)))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            from jiradoctor.interrupts import MESSAGE

            click.echo(MESSAGE.rstrip("\n"), err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except click.Abort:  # Ctrl-C at a prompt: click turns the interrupt into Abort
            click.echo("\ninterrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # `jiradoctor profiles | head`: the reader left, nothing failed
            sys.stdout = open(os.devnull, "w")
            ctx.exit(EXIT_OK)
        except Exception as exc:  # jiradoctor itself failed
            from jiradoctor.secrets import Redactor

            redactor: Redactor = ctx.meta.get("redactor") or Redactor()
            click.echo(f"jiradoctor failed: {type(exc).__name__}: {visible(redactor.text(str(exc)))}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=JiradoctorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="jiradoctor")
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour the terminal report (default: on a terminal, unless NO_COLOR is set).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors; the exit code and -o files tell the rest.")
@click.option("-v", "--verbose", count=True, help="Show every finding of every check in the terminal report.")
@click.option(
    "--debug",
    is_flag=True,
    envvar="JIRADOCTOR_DEBUG",
    help="Trace every request and answer on stderr (secrets masked, as in every report).",
)
@click.pass_context
def main(ctx: click.Context, colour: bool | None, quiet: bool, verbose: int, debug: bool) -> None:
    """Find out why a tool cannot talk to Jira, and how to fix it.

    --quiet, --verbose, --debug and --color may also follow the command (jiradoctor doctor --debug …).
    Shell completion (bash, zsh, fish): eval "$(_JIRADOCTOR_COMPLETE=bash_source jiradoctor)" — see the README.
    """
    from jiradoctor.terminal import Terminal

    if quiet and (verbose or debug):
        raise click.UsageError("--quiet cannot go with --verbose or --debug")
    ctx.obj = Terminal(colour=colour, quiet=quiet, verbose=verbose, debug=debug)


def _mount_optional_commands() -> None:
    """Commands another package adds (the lab's `lab` and `demo`, jiradoctor_lab) come through the
    entry-point group ``jiradoctor.commands.v1``: the product never imports the lab; each is imported
    only when it runs (see JiradoctorGroup)."""
    from jiradoctor.entry_points import entry_points

    for ep in entry_points(COMMANDS_ENTRY_POINT_GROUP):
        module, _, attribute = ep.value.partition(":")
        JiradoctorGroup.lazy_commands.setdefault(ep.name, (module, attribute, _source_help(module, attribute)))


def _source_help(module: str, attribute: str) -> str:
    """A command's one-line help read from its source text, without importing it (`--help` must not
    load the lab) and without ast (importing and parsing cost more than the rest of `--help`'s work)."""
    import importlib.util
    import re

    top, _, rest = module.partition(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level spec: nothing is executed
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0], *rest.split(".")).with_suffix(".py") if folders and rest else None
        text = path.read_text(encoding="utf-8") if path else ""
    except (ImportError, OSError, ValueError):
        text = ""
    found = re.search(
        rf"^def {re.escape(attribute)}\(.*?\)[^:]*:\s*[rRuU]?(\"\"\"|\'\'\')\s*(.*?)\1", text, re.DOTALL | re.MULTILINE
    )
    return found.group(2).strip().split("\n")[0] if found else f"(from {top})"


# `fleet run|merge` (issue 28): its package is imported only when the command runs
JiradoctorGroup.lazy_commands["fleet"] = (
    "jiradoctor.fleet.command", "fleet", "Check many Jira connections from an inventory; compare with the previous run."
)

_MOUNTED: list[bool] = []


def _mount_once() -> None:
    """Read the entry points only when a command is not a built-in one, or for --help (~3 ms)."""
    if not _MOUNTED:
        _MOUNTED.append(True)
        _mount_optional_commands()
