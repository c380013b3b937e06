"""How much the terminal is told, and in colour or not: ``--quiet``, ``--verbose``, ``--debug`` and
``--color/--no-color`` (with ``NO_COLOR``), set once for the whole command line.

They belong to the ``jiradoctor`` group but may be written anywhere (``jiradoctor doctor --debug``,
as people type them): :func:`hoist` moves them in front of the subcommand before click parses.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

# the global flags (none takes a value)
GLOBAL_FLAGS = ("--quiet", "-q", "--verbose", "-v", "-vv", "--debug", "--color", "--no-color")


@dataclass(frozen=True)
class Terminal:
    """What the user asked of the terminal; ``colour`` None: colour only on a terminal without NO_COLOR."""

    colour: bool | None = None
    quiet: bool = False
    verbose: int = 0
    debug: bool = False

    def use_colour(self, stream: object = None) -> bool:
        if self.colour is not None:
            return self.colour
        out = stream if stream is not None else sys.stdout
        return not os.environ.get("NO_COLOR") and bool(getattr(out, "isatty", lambda: False)())


def current() -> Terminal:
    """The settings of the running command (defaults outside one, e.g. in tests calling helpers)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    found = root.obj if root is not None else None
    return found if isinstance(found, Terminal) else Terminal()


def hoist(args: list[str]) -> list[str]:
    """The global flags moved in front of the subcommand (never past ``--``, never an option's value:
    a flag right after an option that takes a value stays where it is)."""
    if "--" in args:
        cut = args.index("--")
        head, tail = args[:cut], args[cut:]
    else:
        head, tail = args, []
    front, rest = [], []
    for i, word in enumerate(head):
        previous = head[i - 1] if i else ""
        takes_value = previous.startswith("-") and previous not in GLOBAL_FLAGS and "=" not in previous
        if word in GLOBAL_FLAGS and not (takes_value and _option_takes_value(previous)):
            front.append(word)
        else:
            rest.append(word)
    return [*front, *rest, *tail]


def _option_takes_value(option: str) -> bool:
    """Flags of ours that take no value; anything else may be waiting for its value (``--password --debug``
    keeps ``--debug`` as the password, as click would)."""
    from jiradoctor.inputs import INPUTS, RUN_INPUTS

    # the doctor's flags from the input table, and the other commands' own
    flags = {i.option for i in (*INPUTS, *RUN_INPUTS) if i.kind == "flag"}
    return option not in flags | {"--redact", "--help", "-h", "--version", "--reference", "--toml"}
