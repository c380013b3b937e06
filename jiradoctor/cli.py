"""The command line: doctor, checks, explain, render, demo (and the lab).

Every doctor option reads ``JIRADOCTOR_<NAME>`` and the TOML file given with ``--config``
(command line > environment > config file > default, click's own precedence). Exit codes:
0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error, 3 jiradoctor failed,
4 nothing was observed (every check skipped), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

import click

from jiradoctor import __version__, completion
from jiradoctor.formats import REPORT_FORMATS
from jiradoctor.inputs import INPUTS, SECRET_VALUE_INPUTS, Input
from jiradoctor.jira.integrations import INTEGRATION_IDS

# Each command imports what it uses, inside the command (issue 14): `--help`, `checks`, `explain`,
# `profiles`, `render` and `diff` never load httpx, cryptography, oauthlib, dnspython, asyncio or the
# lab; jinja2 only when HTML is written. tests/test_lazy_imports.py holds every command to that.
if TYPE_CHECKING:
    from jiradoctor.context import Facts
    from jiradoctor.model import Report, Status
    from jiradoctor.registry import LoadedChecks
    from jiradoctor.runner import RunOptions
    from jiradoctor.secrets import Secret
    from jiradoctor.target import Target

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOTHING_OBSERVED = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


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


def _env(name: str) -> str:
    return f"JIRADOCTOR_{name.upper().replace('-', '_')}"


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

    try:
        with open(value, "rb") as fh:
            raw = fh.read(1_000_001)
        if not raw.strip():
            raise click.BadParameter(
                f"config {value!r} is empty: give a TOML file with option defaults, or drop --config"
            )
        data = tomllib.loads(raw.decode("utf-8"))
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

        try:
            ssl.create_default_context(cafile=path)
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise click.BadParameter(
                f"{path}: not a PEM file of CA certificates ({exc})", param_hint="--ca-bundle"
            ) from None
    return path


def _split(values: Iterable[str]) -> tuple[str, ...]:
    """Comma-separated, repeatable options (``--only a,b --only c``)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _secret(value: str | None, what: str) -> Secret | None:
    if value is None:
        return None
    from jiradoctor.secrets import Secret

    if value == "-":  # prompt: keeps the secret out of argv and shell history
        try:
            value = click.prompt(what, hide_input=True, err=True)
        except click.Abort as exc:
            if isinstance(exc.__context__, EOFError):  # no terminal and nothing piped: a usage error, not Ctrl-C
                raise click.UsageError(
                    f"{what} was to be asked at a prompt ('-'), but standard input ended: pipe the value in or set its "
                    f"JIRADOCTOR_* variable"
                ) from None
            raise
    return Secret(value)


# every URL input (kind "url" in the input table) and the schemes it may have (None: any, e.g. an app's own)
URL_INPUT_SCHEMES: dict[Input, tuple[str, ...] | None] = {
    i: (None if i.name in ("redirect_uri", "callback_url") else ("http", "https")) for i in INPUTS if i.kind == "url"
}


def build_target(opts: dict[str, Any]) -> Target:
    from jiradoctor.net.proxy_route import proxies_from_env, with_scheme
    from jiradoctor.secrets import Secret
    from jiradoctor.target import PROXY_SCHEMES, Target, check_dns_server, check_url, read_input_file

    def read(name: str, what: str) -> str | None:
        path = opts.get(name)
        return read_input_file(path, what) if path else None

    private = read("private_key", "private key")
    for url_input, schemes in URL_INPUT_SCHEMES.items():
        check_url(opts.get(url_input.param), url_input.option, PROXY_SCHEMES if url_input.name == "proxy" else schemes)
    check_dns_server(opts["dns_server"])
    for scheme, (value, variable) in ({} if opts["proxy"] else proxies_from_env(os.environ)).items():
        if scheme != "no":  # the integration's own proxy setting (--proxy overrides it): user input too
            check_url(with_scheme(value), variable, PROXY_SCHEMES)
    # every secret given as a value, named for its prompt by the one table of inputs (inputs.py)
    secrets: dict[str, Any] = {i.name: _secret(opts.get(i.param), i.prompt or i.option) for i in SECRET_VALUE_INPUTS}
    return Target(
        url=opts["url"],
        integration=opts["integration"],
        consumer_key=opts["consumer_key"],
        jira_consumer_key=opts["jira_consumer_key"],
        private_key=Secret(private) if private is not None else None,
        private_key_path=opts.get("private_key"),
        public_key=read("public_key", "public key"),
        public_key_path=opts.get("public_key"),
        server_xml=read("server_xml", "server.xml"),
        server_xml_path=opts.get("server_xml"),
        base_url=opts["base_url"],
        user=opts["user"],
        projects=_split(opts["projects"]),
        permissions=_split(opts["permissions"]),
        ca_bundle=opts["ca_bundle"],
        insecure=opts["insecure"],
        proxy=with_scheme(opts["proxy"]) if opts["proxy"] else None,
        timeout=opts["timeout"],
        dns_server=opts["dns_server"],
        offline=opts["offline"],
        profile_file=opts["profile_file"],
        integration_hosting=opts.get("integration_hosting"),
        proxy_config_path=opts.get("proxy_config"),
        client_id=opts.get("client_id"),
        redirect_uri=opts.get("redirect_uri"),
        scopes=_split(opts.get("scopes") or ()),
        allow_refresh_token_rotation=bool(opts.get("allow_refresh_token_rotation")),
        oauth2_flow=opts.get("oauth2_flow") or "authorization-code",
        concurrency=opts.get("concurrency"),
        admin_user=opts.get("admin_user"),
        callback_url=opts.get("callback_url"),
        webhook_url=opts.get("webhook_url"),
        integration_url=opts.get("integration_url"),
        user_agent=opts.get("user_agent"),
        truststore=opts.get("truststore"),
        **secrets,
    )


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
    if threshold is None:
        return EXIT_OK
    return EXIT_FINDINGS if any(c.status.rank >= threshold.rank for c in report.checks) else EXIT_OK


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


def _option(*decls: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A doctor option that also reads JIRADOCTOR_<NAME>."""
    name = next(d for d in decls if d.startswith("--")).lstrip("-").split("/")[0]
    kwargs.setdefault("show_envvar", True)
    return click.option(*decls, envvar=_env(name), **kwargs)


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
    _option("--url", help="The Jira URL exactly as it is entered in the integration."),
    _option(
        "--integration",
        default="generic",
        show_default=True,
        shell_complete=completion.integrations,
        help=f"Which integration's requirements to judge against: {', '.join(INTEGRATION_IDS)}, or one from "
        f"--profile-file.",
    ),
    _option(
        "--profile-file",
        type=click.Path(exists=True, dir_okay=False),
        help="TOML file with your own integration profiles (same shape as `jiradoctor profiles --toml`).",
    ),
    _option(
        "--integration-hosting",
        type=click.Choice(["cloud", "on-premises"]),
        help="Where the integration runs, when it differs from its profile (e.g. an on-premises Zephyr "
        "Enterprise): decides whether Jira on an internal address is reachable for it.",
    ),
    _option("--consumer-key", help="OAuth consumer key as typed in the integration (taken verbatim, whitespace kept)."),
    _option("--jira-consumer-key", help="OAuth consumer key as stored in Jira's application link, when known."),
    _option("--private-key", type=click.Path(dir_okay=False), help="The integration's RSA private key (PEM file)."),
    _option(
        "--public-key",
        type=click.Path(dir_okay=False),
        help="File with the text pasted (or to paste) into Jira's application link.",
    ),
    _option("--server-xml", type=click.Path(dir_okay=False), help="Jira's conf/server.xml."),
    _option("--base-url", help="Jira's configured Base URL, when known."),
    _option("--user", help="User name (Server/DC) or e-mail (Cloud)."),
    _option("--password", help="Password for Basic auth. Prefer JIRADOCTOR_PASSWORD or '-' to be prompted."),
    _option("--token", help="Cloud API token (with --user as the e-mail). Prefer JIRADOCTOR_TOKEN."),
    _option("--pat", help="Server/DC personal access token (Bearer). Prefer JIRADOCTOR_PAT."),
    _option("--access-token", help="OAuth 1.0a access token for one signed REST call. Prefer JIRADOCTOR_ACCESS_TOKEN."),
    _option("--projects", multiple=True, help="Project keys to check permissions in (comma-separated, repeatable)."),
    _option("--permissions", multiple=True, help="Permission keys to require on top of the integration's profile."),
    _option(
        "--ca-bundle",
        type=click.Path(exists=True, dir_okay=False),
        callback=lambda _c, _p, v: _check_ca_bundle(v),
        help="CA bundle the integration trusts (default: certifi).",
    ),
    _option(
        "--insecure", is_flag=True, help="Do not verify TLS certificates (as the integration's 'verify' switch off)."
    ),
    _option("--proxy", help="Forward proxy URL the integration uses."),
    _option(
        "--timeout",
        type=click.FloatRange(0.1, 600),
        default=10.0,
        show_default=True,
        help="Seconds per network operation.",
    ),
    _option("--dns-server", help="Ask this DNS server (HOST[:PORT]) besides the system resolver."),
    _option("--offline", is_flag=True, help="Judge the given files only; no network."),
    _option(
        "-o",
        "--output",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Write the report here; format from the extension (.html .json .md .xml=JUnit .jira=Jira wiki). "
        "Repeatable.",
    ),
    _option(
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        help="Print the report to stdout in this format (stdout then holds the report alone).",
    ),
    _option(
        "--fail-on",
        type=click.Choice(list(FAIL_ON)),
        default="fail",
        show_default=True,
        help="Exit 1 when a check is at or above this level.",
    ),
    _option(
        "--baseline",
        type=click.Path(exists=True, dir_okay=False),
        help="A previous JSON report: exit 1 only for regressions against it (new findings, checks that got worse).",
    ),
    _option(
        "--junit-warn-as",
        type=click.Choice(["pass", "failure"]),
        default="pass",
        show_default=True,
        help="How a warn check appears in JUnit XML (-o report.xml).",
    ),
    _option(
        "--client-id",
        help="OAuth 2.0 client id as entered in the integration (incoming link, 3LO app or service account).",
    ),
    _option("--client-secret", help="OAuth 2.0 client secret. Prefer JIRADOCTOR_CLIENT_SECRET or '-' to be prompted."),
    _option("--redirect-uri", help="OAuth 2.0 redirect (callback) URL the integration sends, exactly as it sends it."),
    _option(
        "--oauth2-token", help="An OAuth 2.0 access token of the integration (Bearer). Prefer JIRADOCTOR_OAUTH2_TOKEN."
    ),
    _option(
        "--scopes",
        multiple=True,
        help="OAuth 2.0 scopes the integration asks for (space- or comma-separated, repeatable).",
    ),
    _option(
        "--oauth2-flow",
        type=click.Choice(["authorization-code", "client-credentials"]),
        default="authorization-code",
        show_default=True,
        help="client-credentials: a service account; jiradoctor requests one token as it would.",
    ),
    _option(
        "--oauth2-refresh-token",
        help="OAuth 2.0 refresh token; used ONLY with --allow-refresh-token-rotation. "
        "Prefer JIRADOCTOR_OAUTH2_REFRESH_TOKEN.",
    ),
    _option(
        "--allow-refresh-token-rotation",
        is_flag=True,
        help="Use --oauth2-refresh-token once. This ROTATES it: the integration's stored refresh token stops working.",
    ),
    _option(
        "--admin-user",
        help="A Jira administrator, only to READ the application link and webhooks (applink, webhooks checks).",
    ),
    _option(
        "--admin-password", help="The administrator's password. Prefer JIRADOCTOR_ADMIN_PASSWORD or '-' to be prompted."
    ),
    _option(
        "--admin-pat", help="An administrator's personal access token (read-only use). Prefer JIRADOCTOR_ADMIN_PAT."
    ),
    _option(
        "--callback-url",
        help="The consumer callback URL the integration generated (Kendis), to compare with the link's.",
    ),
    _option(
        "--webhook-url", help="Where the integration's webhooks must point (default: the application link's host)."
    ),
    _option("--only", multiple=True, shell_complete=completion.check_ids,
            help="Run only these check ids (comma-separated, repeatable)."),
    _option("--skip", multiple=True, shell_complete=completion.check_ids,
            help="Skip these check ids (comma-separated, repeatable)."),
    _option(
        "--deep",
        is_flag=True,
        help="Also run the deep checks, which cost more requests (can-work: a write-shaped POST that "
        "changes nothing, the profile's endpoints, HEAD beside GET, sticky sessions).",
    ),
    _option(
        "--proxy-config",
        type=click.Path(exists=True, dir_okay=False),
        help="The reverse proxy's configuration (nginx, or Apache httpd's VirtualHost): base-url then judges exactly.",
    ),
    _option(
        "--concurrency",
        type=click.IntRange(1, 64),
        help="Permission requests in flight at once (default 16, chosen from benchmarks/README.md); "
        "lowered automatically when Jira throttles.",
    ),
    _option("--integration-url", help="The integration's own https URL, as Jira calls it (outgoing links, webhooks)."),
    _option(
        "--truststore",
        type=click.Path(exists=True, dir_okay=False),
        help="Jira's JVM truststore (cacerts; JKS or PKCS#12), to judge the integration's chain as Jira would.",
    ),
    _option(
        "--truststore-password",
        help="The truststore's password (Java's default: changeit). Prefer JIRADOCTOR_TRUSTSTORE_PASSWORD.",
    ),
    _option(
        "--user-agent",
        help="The User-Agent the integration sends (can-work: Jira refuses writes from a browser's "
        "User-Agent with 'XSRF check failed'). Default: the profile's, else jiradoctor's.",
    ),
]


def doctor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(DOCTOR_OPTIONS):
        func = option(func)
    return func


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
            click.echo(f"jiradoctor failed: {type(exc).__name__}: {redactor.text(str(exc))}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=JiradoctorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="jiradoctor")
@click.option("--color/--no-color", "colour", default=None,
              help="Colour the terminal report (default: on a terminal, unless NO_COLOR is set).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors; the exit code and -o files tell the rest.")
@click.option("-v", "--verbose", count=True, help="Show every finding of every check in the terminal report.")
@click.option("--debug", is_flag=True, envvar="JIRADOCTOR_DEBUG",
              help="Trace every request and answer on stderr (secrets masked, as in every report).")
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


def run_doctor(target: Target, options: RunOptions, progress: Any = None, facts: Facts | None = None) -> Report:
    import asyncio

    from jiradoctor.runner import Runner

    from jiradoctor.interrupts import bounded_interrupt

    loaded = checks_once(options.only)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    with bounded_interrupt():  # Ctrl-C ends the run within seconds, even if a task misses its cancellation
        return asyncio.run(Runner(loaded.checks, target, options, facts=facts, progress=progress).run())


SECRET_OPTIONS = tuple(i.param for i in SECRET_VALUE_INPUTS)  # from the one table of inputs (inputs.py)


def warn_about_secrets_on_argv(ctx: click.Context) -> None:
    """A secret typed on the command line is visible to `ps` and kept in shell history."""
    for name in SECRET_OPTIONS:
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE and ctx.params.get(name) != "-":
            env = _env(name)
            click.echo(
                f"warning: --{name.replace('_', '-')} on the command line is visible to other users (ps) and "
                f"kept in shell history; prefer {env}=… or --{name.replace('_', '-')} - to be asked",
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
    if not ids or set(ids) <= set(checks_once(ids).ids):
        return
    known = checks_once().ids
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown check id(s) {', '.join(unknown)}; known: {', '.join(known)}", param_hint=option
        )


@main.command()
@doctor_options
@click.pass_context
def doctor(ctx: click.Context, /, **opts: Any) -> None:
    """Run every check against the given Jira URL and inputs, and write the report."""
    import tomllib

    from jiradoctor.context import Facts
    from jiradoctor.probes import LazyProbes
    from jiradoctor.jira.integrations import get_profile
    from jiradoctor.runner import RunOptions
    from jiradoctor.target import InputError

    only, skip = _split(opts["only"]), _split(opts["skip"])
    validate_ids(only, "--only")
    validate_ids(skip, "--skip")
    validate_outputs(opts["output"])
    if not any(
        opts[k]
        for k in (
            "url",
            "consumer_key",
            "jira_consumer_key",
            "private_key",
            "public_key",
            "server_xml",
            "base_url",
            "integration_url",
        )
    ):
        raise click.UsageError(
            "nothing to check: give --url, or files such as --server-xml and --public-key (see --help)"
        )
    if opts["profile_file"] and not Path(opts["profile_file"]).read_bytes()[:1_000_000].strip():
        raise click.BadParameter(
            f"{opts['profile_file']!r} is empty: give a TOML file of integration profiles", param_hint="--profile-file"
        )
    try:
        get_profile(opts["integration"], opts["profile_file"])
    except (KeyError, ValueError, OSError, tomllib.TOMLDecodeError) as exc:
        raise click.BadParameter(str(exc).strip('"'), param_hint="--integration/--profile-file") from None
    try:
        target = build_target(opts)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None
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
    ctx.exit(EXIT_INTERNAL if crashed(report) else EXIT_NOTHING_OBSERVED if not report.observed else code)


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
        click.echo(f"warning: {warning}", err=True)
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
        click.echo(f"{code}: a finding of the {check.id} check (below: what the check looks at, why it fails "
                   f"and how to fix it).\n")
    click.echo(f"{check.id} — {check.title}\n")
    click.echo(check.explanation.rstrip())
    if check.deep:
        click.echo(f"\nA deep check: it runs with --deep or --only {check.id}, since it sends {check.deep_cost}.")
    if check.codes:
        marked = (f"  {c}" + ("   <- this one" if c == code else "") for c in check.codes)
        click.echo("\nFinding codes:\n" + "\n".join(marked))


@main.command("merge")
@click.argument("customer_report", type=click.Path(exists=True, dir_okay=False))
@click.argument("vendor_report", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="File to write; format from the extension (.html .json .md .xml .jira). Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    help="Print to stdout in this format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(list(FAIL_ON)),
    default="fail",
    show_default=True,
    envvar="JIRADOCTOR_FAIL_ON",
    help="Exit 1 when a check of the merged report is at or above this level.",
)
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
@click.option(
    "-o", "--output", multiple=True, type=click.Path(dir_okay=False), help="File to write; format from the extension."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    help="Print to stdout in this format.",
)
@click.option(
    "--junit-warn-as",
    type=click.Choice(["pass", "failure"]),
    default="pass",
    show_default=True,
    envvar="JIRADOCTOR_JUNIT_WARN_AS",
    help="How a warn check appears in JUnit XML.",
)
def render_command(report_path: str, output: tuple[str, ...], fmt: str | None, junit_warn_as: str) -> None:
    """Render a saved JSON report as HTML, Markdown or text."""
    report = load_report(report_path, "REPORT_PATH")
    validate_outputs(output)
    write_outputs(report, output, fmt, summary=not output, junit_warn_as=junit_warn_as)


def load_report(path: str, param_hint: str) -> Report:
    """A saved JSON report, or a usage error that says why it cannot be used."""
    from jiradoctor.reports import json_report

    try:
        return json_report.load(Path(path).read_text(encoding="utf-8"))
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


@main.command()
@click.argument("old_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("new_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--fail-on",
    type=click.Choice(list(FAIL_ON)),
    default="fail",
    show_default=True,
    envvar="JIRADOCTOR_FAIL_ON",
    help="Level at which a new finding counts as a regression.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def diff(ctx: click.Context, old_path: str, new_path: str, fail_on: str, fmt: str) -> None:
    """Compare two JSON reports: regressions, fixed findings, stale baseline entries."""
    ctx.exit(report_comparison(load_report(old_path, "OLD"), load_report(new_path, "NEW"), fail_on, fmt))


@main.command()
@click.option(
    "--profile-file", type=click.Path(exists=True, dir_okay=False), help="Also list the profiles in this TOML file."
)
@click.option(
    "--toml", "as_toml", is_flag=True, help="Print the profiles as TOML, a starting point for --profile-file."
)
def profiles(profile_file: str | None, as_toml: bool) -> None:
    """List the integration profiles: required permissions, auth methods, key formats."""
    from jiradoctor.jira.integrations import all_profiles, describe_profile, profile_toml

    for profile in all_profiles(profile_file).values():
        click.echo(profile_toml(profile) if as_toml else describe_profile(profile))


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
    found = re.search(rf"^def {re.escape(attribute)}\(.*?\)[^:]*:\s*[rRuU]?(\"\"\"|\'\'\')\s*(.*?)\1", text,
                      re.DOTALL | re.MULTILINE)
    return found.group(2).strip().split("\n")[0] if found else f"(from {top})"


@main.command("har")
@click.argument("har_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--redact", is_flag=True, help="Write a copy safe to share (secrets masked) to the -o path ending in .har."
)
@click.option(
    "-o",
    "--output",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="With --redact: the safe .har copy. Otherwise (or any other extension): the report (.html .json .md .xml).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    help="Print the report to stdout in this format.",
)
@click.option(
    "--integration",
    default="generic",
    show_default=True,
    envvar="JIRADOCTOR_INTEGRATION",
    help="Whose requirements to judge against (as for doctor).",
)
@click.option(
    "--fail-on", type=click.Choice(list(FAIL_ON)), default="fail", show_default=True, envvar="JIRADOCTOR_FAIL_ON"
)
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
