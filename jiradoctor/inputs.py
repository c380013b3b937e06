"""The inputs of a doctor run, declared once: name, flag, environment variable, config key, kind,
whether it is a secret, and how a prompt names it.

Why one table: the list was spelled out six times (click options, ``build_target``,
``SECRET_OPTIONS``, the config mapping, the redactor, ``INPUT_NAMES``) and drifted. The CLI's
secret warnings, the redactor, the Target's secrets and the names in skip reasons read this table;
tests/test_inputs.py holds the click options and the Target to it.
"""

from __future__ import annotations

from dataclasses import dataclass

ENV_PREFIX = "JIRADOCTOR_"


@dataclass(frozen=True)
class Input:
    """One input. ``name``: the Target field; ``option``: the flag (its config key without the
    dashes, its click parameter with underscores). ``kind``: text, url, file, secret (a credential
    given as a value: environment, prompt with ``-``), list, flag, number or choice. ``secret``: the
    value (or, for a file, its text) is a credential, masked in every report. ``prompt``: how the
    prompt for ``-`` names it. ``user_field``: whose user name goes with the secret in the redactor."""

    name: str
    option: str
    kind: str = "text"
    secret: bool = False
    prompt: str | None = None
    user_field: str = "user"
    group: str = ""  # the section of `doctor --help` (GROUPS); empty: by kind, see group_of

    @property
    def param(self) -> str:
        return self.option.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.param.upper()

    @property
    def config_key(self) -> str:
        return self.option.lstrip("-")


def _secret(name: str, prompt: str, user_field: str = "user") -> Input:
    return Input(name, "--" + name.replace("_", "-"), "secret", True, prompt, user_field)


INPUTS: tuple[Input, ...] = (
    Input("url", "--url", "url"),
    Input("integration", "--integration", "choice"),
    Input("profile_file", "--profile-file", "file"),
    Input("integration_hosting", "--integration-hosting", "choice"),
    Input("consumer_key", "--consumer-key"),
    Input("jira_consumer_key", "--jira-consumer-key"),
    Input("private_key", "--private-key", "file", secret=True),
    Input("public_key", "--public-key", "file"),
    Input("server_xml", "--server-xml", "file"),
    Input("base_url", "--base-url", "url"),
    Input("user", "--user"),
    _secret("password", "Password"),
    _secret("token", "API token"),
    _secret("pat", "Personal access token"),
    _secret("access_token", "OAuth access token"),
    Input("projects", "--projects", "list"),
    Input("permissions", "--permissions", "list"),
    Input("ca_bundle", "--ca-bundle", "file"),
    Input("client_cert", "--client-cert", "file"),  # a path; OpenSSL alone reads the key, never a report
    Input("client_key", "--client-key", "file"),
    _secret("client_cert_password", "Client certificate password"),
    Input("insecure", "--insecure", "flag"),
    Input("proxy", "--proxy", "url"),
    Input("timeout", "--timeout", "number"),
    Input("dns_server", "--dns-server"),
    Input("offline", "--offline", "flag"),
    Input("proxy_config_path", "--proxy-config", "file"),
    Input("client_id", "--client-id"),
    _secret("client_secret", "OAuth 2.0 client secret"),
    Input("redirect_uri", "--redirect-uri", "url"),
    _secret("oauth2_token", "OAuth 2.0 access token"),
    Input("scopes", "--scopes", "list"),
    _secret("oauth2_refresh_token", "OAuth 2.0 refresh token"),
    Input("allow_refresh_token_rotation", "--allow-refresh-token-rotation", "flag"),
    Input("oauth2_flow", "--oauth2-flow", "choice"),
    Input("concurrency", "--concurrency", "number"),
    Input("admin_user", "--admin-user"),
    _secret("admin_password", "Administrator's password", "admin_user"),
    _secret("admin_pat", "Administrator's personal access token", "admin_user"),
    Input("callback_url", "--callback-url", "url"),
    Input("webhook_url", "--webhook-url", "url"),
    Input("integration_url", "--integration-url", "url"),
    Input("truststore", "--truststore", "file"),
    _secret("truststore_password", "Truststore password"),
    Input("user_agent", "--user-agent"),
    Input("signature_method", "--signature-method", "choice"),  # the integration's OAuth 1.0a method
    Input("client_library", "--client-library", "choice"),  # or the library it is built on
)

# the sections of `doctor --help`, in order, and the inputs of each (every input is in exactly one)
GROUPS: dict[str, tuple[str, ...]] = {
    "Target": ("url", "integration", "profile_file", "integration_hosting", "base_url"),
    "Credentials (as the integration logs in)": (
        "user", "password", "token", "pat", "access_token", "consumer_key", "jira_consumer_key", "private_key",
        "signature_method", "client_library", "user_agent",
    ),
    "OAuth 2.0": (
        "client_id", "client_secret", "redirect_uri", "oauth2_token", "scopes", "oauth2_refresh_token",
        "allow_refresh_token_rotation", "oauth2_flow",
    ),
    "Customer files and Jira's side": (
        "server_xml", "public_key", "proxy_config_path", "truststore", "truststore_password", "admin_user",
        "admin_password", "admin_pat", "callback_url", "webhook_url", "integration_url", "projects", "permissions",
    ),
    "Network": (
        "ca_bundle", "client_cert", "client_key", "client_cert_password", "insecure", "proxy", "timeout",
        "dns_server", "offline", "concurrency",
    ),
}
# the doctor's options that steer the run and its report rather than describe the connection
RUN_OPTION_GROUP = "Output, gate and selection"


def group_of(name: str) -> str:
    """The `doctor --help` section of an input (a run option such as --output: RUN_OPTION_GROUP)."""
    return next((g for g, names in GROUPS.items() if name in names), RUN_OPTION_GROUP)


BY_NAME = {i.name: i for i in INPUTS}
# secrets given as values: warned about on argv, asked for with "-"
SECRET_VALUE_INPUTS = tuple(i for i in INPUTS if i.kind == "secret")
# every credential the redactor masks (a private key's text too)
SECRET_INPUTS = tuple(i for i in INPUTS if i.secret)
# every URL input: checked for urllib's refusals at once, its userinfo registered with the redactor
URL_INPUTS = tuple(i for i in INPUTS if i.kind == "url")
# the flag that gives each input, for skip reasons ("not run: needs --private-key")
INPUT_NAMES = {i.name: i.option for i in INPUTS}
