"""From the doctor's parsed options to the Target: every usage error raised here, before the first probe
(URLs without scheme or host, secrets asked at a prompt, a client certificate that does not load).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import click

from jiradoctor.inputs import INPUTS, SECRET_VALUE_INPUTS, Input

if TYPE_CHECKING:
    from jiradoctor.secrets import Secret
    from jiradoctor.target import Target


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


# inputs any one of which gives the doctor something to judge
WHAT_TO_CHECK = ("url", "consumer_key", "jira_consumer_key", "private_key", "public_key", "server_xml", "base_url",
                 "integration_url")


def resolve(raw: Mapping[str, Any], environ: Mapping[str, str]) -> Target:
    """The one resolution step: the command line's (or an inventory's) parsed values and the environment
    in, a Target out, before the first probe. Every usage error is raised here as an InputError naming
    the option: nothing to check, a URL without a scheme or host, an unreadable or empty file, an
    unknown integration, a client certificate that does not load. The Target holds what was parsed
    (the profile, server.xml, the private key, the proxy configuration), so nothing parses them again."""
    import tomllib

    from jiradoctor.cli.shared import read_profile_file
    from jiradoctor.target import InputError

    if not any(raw.get(name) for name in WHAT_TO_CHECK):
        raise InputError("nothing to check: give --url, or files such as --server-xml and --public-key (see --help)")
    if raw.get("profile_file") and not read_profile_file(raw["profile_file"]).strip():
        raise InputError(f"--profile-file: {raw['profile_file']!r} is empty: give a TOML file of integration profiles")
    target = build_target(dict(raw), environ)
    try:
        target.profile  # noqa: B018 - read once here (the run reuses it): an unknown integration is a usage error
    except (KeyError, ValueError, OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"--integration/--profile-file: {str(exc).strip(chr(34))}") from None
    return target


def build_target(opts: dict[str, Any], environ: Mapping[str, str] | None = None) -> Target:
    """The Target of parsed option values (:func:`resolve` adds the checks that need a whole run's inputs);
    ``environ`` gives the integration's own proxy variables (default: this process's)."""
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
    environ = os.environ if environ is None else environ
    for scheme, (value, variable) in ({} if opts["proxy"] else proxies_from_env(environ)).items():
        if scheme != "no":  # the integration's own proxy setting (--proxy overrides it): user input too
            check_url(with_scheme(value), variable, PROXY_SCHEMES)
    # every secret given as a value, named for its prompt by the one table of inputs (inputs.py)
    secrets: dict[str, Any] = {i.name: _secret(opts.get(i.param), i.prompt or i.option) for i in SECRET_VALUE_INPUTS}
    target = Target(
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
        client_cert=opts.get("client_cert"),
        client_key=opts.get("client_key"),
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
        signature_method=opts.get("signature_method"),
        client_library=opts.get("client_library"),
        truststore=opts.get("truststore"),
        **secrets,
    )
    check_client_certificate(target)
    return target


def check_client_certificate(target: Target) -> None:
    """A client certificate that cannot be loaded (wrong password, key of another certificate) is a
    usage error before the first probe, not a TLS finding."""
    import ssl

    from jiradoctor.net.client_cert import ClientCertError, load_into
    from jiradoctor.target import InputError

    if target.client_key and not target.client_cert:
        raise InputError("--client-key needs --client-cert (the certificate that goes with the key)")
    client = target.client_certificate
    if client is None:
        return
    try:
        load_into(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), client)
    except ClientCertError as exc:
        raise InputError(str(exc)) from None
