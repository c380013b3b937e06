"""The doctor's options, generated from the input table (jiradoctor/inputs.py), the config file that
gives their defaults, and `doctor --help` in sections with examples and exit codes.
"""

from __future__ import annotations

import dataclasses

import os
from pathlib import Path
from typing import Any, Callable

import click

from jiradoctor import completion
from jiradoctor.inputs import INPUTS, RUN_INPUTS, Input
from jiradoctor.jira.integrations import INTEGRATION_IDS


def default_config_file() -> str | None:
    """The XDG place for option defaults, when a file is there: ``$XDG_CONFIG_HOME/jiradoctor/config.toml``
    (``~/.config/jiradoctor/config.toml`` when the variable is unset or not absolute, as the spec says)."""
    home = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(home) if home and Path(home).is_absolute() else Path.home() / ".config"
    path = base / "jiradoctor" / "config.toml"
    return str(path) if path.is_file() else None


def _load_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Eager: read the TOML file into click's default_map before other options are resolved."""
    if not value:
        return value
    import tomllib

    from jiradoctor import files

    try:
        raw = files.read_bounded(value, files.MAX_TOML, "config")
        if not raw.strip():
            raise click.BadParameter(
                f"config {value!r} is empty: give a TOML file with option defaults, or drop --config"
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except files.FileProblem as exc:
        raise click.BadParameter(str(exc)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise click.BadParameter(f"cannot read config {value!r}: {exc}") from None
    data = data.get("doctor", data)
    # keys are named like the options (``fail-on``, ``format``); click wants parameter names
    names = {
        opt.lstrip("-").replace("-", "_"): p.name for p in ctx.command.params for opt in p.opts if opt.startswith("--")
    }
    defaults: dict[str, Any] = {}
    for key, item in data.items():
        name = names.get(key.replace("-", "_"))
        if name is None:
            raise click.BadParameter(f"unknown option {key!r} in config {value!r}", param_hint="--config")
        if isinstance(item, list) and name in ("output", "only", "skip", "projects", "permissions"):
            item = tuple(str(v) for v in item)
        defaults[name] = item
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _check_ca_bundle(path: str | None) -> str | None:
    """A CA file that OpenSSL cannot load is a usage error, not a TLS finding."""
    if path:
        import ssl

        from jiradoctor import files

        try:  # OpenSSL opens the file itself (here and in each probe): a regular file within the bound
            files.check_regular(path, files.MAX_CA_BUNDLE, "CA bundle")
        except files.FileProblem as exc:
            raise click.BadParameter(str(exc), param_hint="--ca-bundle") from None
        from jiradoctor.net.ca_bundle import pem_text

        try:  # read once: the run's SSL contexts and trust anchors get the same text
            ssl.create_default_context(cadata=pem_text(path))
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise click.BadParameter(
                f"{path}: not a PEM file of CA certificates ({exc})", param_hint="--ca-bundle"
            ) from None
    return path


# what the input table cannot say as data: completion, a check run as the value is read
OPTION_HOOKS: dict[str, dict[str, Any]] = {
    "integration": {"shell_complete": completion.integrations},
    "ca_bundle": {"callback": lambda _c, _p, v: _check_ca_bundle(v)},
    "only": {"shell_complete": completion.check_ids},
    "skip": {"shell_complete": completion.check_ids},
}


def click_option(item: Input) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The doctor's click option for one input of the table: its flag, help, environment variable,
    type (from its kind), default and choices all come from the table (jiradoctor/inputs.py)."""
    kwargs: dict[str, Any] = {"envvar": item.env, "show_envvar": True, "help": item.help}
    if item.name == "integration":
        kwargs["help"] = item.help.format(integrations=", ".join(INTEGRATION_IDS))
    if item.kind == "flag":
        kwargs["is_flag"] = True
    elif item.kind in ("list", "output"):
        kwargs["multiple"] = True
    if item.kind in ("file", "output"):
        kwargs["type"] = click.Path(exists=item.must_exist, dir_okay=False)
    elif item.kind == "number" and item.bounds is not None:
        low, high = item.bounds
        kwargs["type"] = click.IntRange(int(low), int(high)) if item.integer else click.FloatRange(low, high)
    elif item.kind == "choice" and item.choices:
        kwargs["type"] = click.Choice(list(item.choices))
    if item.default is not None:
        kwargs.update(default=item.default, show_default=True)
    kwargs.update(OPTION_HOOKS.get(item.name, {}))
    decls = [d for d in (item.short, item.option) if d] + ([item.param_name] if item.param_name else [])
    return click.option(*decls, **kwargs)


DOCTOR_OPTIONS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option(
        "--config",
        type=click.Path(dir_okay=False),
        callback=_load_config,
        is_eager=True,
        expose_value=False,
        envvar="JIRADOCTOR_CONFIG",
        default=lambda: default_config_file(),
        show_default="$XDG_CONFIG_HOME/jiradoctor/config.toml (~/.config/…) when it exists",
        help="TOML file with option defaults (keys named like the options).",
    ),
    *(click_option(item) for item in (*INPUTS, *RUN_INPUTS)),
]

DOCTOR_EXAMPLES = (
    "jiradoctor doctor --url https://jira.example.com --integration piplanning \\\n"
    "    --consumer-key piplanning.io --private-key jira_privatekey.pcks8",
    "jiradoctor doctor --offline --server-xml server.xml --public-key pasted.txt \\\n"
    "    --base-url https://jira.example.com -o report.html -o report.json",
    "JIRADOCTOR_PAT=… jiradoctor doctor --url https://jira.example.com --projects PIP,ART \\\n"
    "    --baseline ci/jiradoctor-baseline.json -o jiradoctor.xml",
)


class SectionedCommand(click.Command):
    """`doctor --help`: its ~60 options in sections (inputs.GROUPS: target, credentials, OAuth 2.0,
    customer files, network, then output and gate), then examples and the exit codes."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from jiradoctor.inputs import GROUPS, RUN_OPTION_GROUP, group_of

        by_param = {i.param: i.name for i in INPUTS}
        sections: dict[str, list[tuple[str, str]]] = {title: [] for title in (*GROUPS, RUN_OPTION_GROUP)}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                sections[group_of(by_param.get(param.name or "", ""))].append(record)
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from jiradoctor.exit_codes import MEANINGS

        with formatter.section("Examples"):
            for example in DOCTOR_EXAMPLES:
                for line in example.splitlines():
                    formatter.write(" " * formatter.current_indent + line + "\n")
        with formatter.section("Exit codes"):
            formatter.write_dl([(str(code), meaning.replace("`", "")) for code, meaning in MEANINGS])


def doctor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(DOCTOR_OPTIONS):
        func = option(func)
    return func


def run_option(name: str, help: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One of the table's run options (``output``, ``format``, ``fail_on``, ``baseline``,
    ``junit_warn_as``) for another command that writes reports, its help said for that command."""
    row = next(i for i in RUN_INPUTS if i.name == name)
    return click_option(dataclasses.replace(row, help=help) if help else row)
