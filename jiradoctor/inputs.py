"""The inputs of a doctor run, declared once: name, flag, environment variable, config key, kind,
whether it is a secret, how a prompt names it, its help text and `--help` section, its default and
choices.

Why one table: the list was spelled out six times (click options, ``build_target``,
``SECRET_OPTIONS``, the config mapping, the redactor, ``INPUT_NAMES``) and drifted. The doctor's
click options are generated from it (``cli.click_option``); the CLI's secret warnings, the config
keys, the redactor, the Target's secrets and the names in skip reasons read it; tests/cli/test_inputs.py
holds the options and the Target to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiradoctor.formats import REPORT_FORMATS
from jiradoctor.jira.oauth_methods import CLIENT_LIBRARIES, SIGNATURE_METHODS

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
    help: str = ""
    # how the command line reads it (the CLI builds its click option from these, cli/options)
    default: object = None
    choices: tuple[str, ...] = ()  # a choice input without choices takes any text (--integration)
    must_exist: bool = False  # a file that must exist when the option is given
    bounds: tuple[float, float] | None = None  # a number's range
    integer: bool = False
    short: str = ""  # e.g. "-o"
    param_name: str = ""  # the click parameter when it is not the option's name (--format: fmt)

    @property
    def param(self) -> str:
        return self.param_name or self.option.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        """``JIRADOCTOR_<OPTION>``, named after the flag (``--format``: JIRADOCTOR_FORMAT)."""
        return ENV_PREFIX + self.option.lstrip("-").replace("-", "_").upper()

    @property
    def config_key(self) -> str:
        return self.option.lstrip("-")


def _secret(name: str, prompt: str, user_field: str = "user", help: str = "") -> Input:
    return Input(name, "--" + name.replace("_", "-"), "secret", True, prompt, user_field, help=help)


INPUTS: tuple[Input, ...] = (
    Input("url", "--url", "url", help="The Jira URL exactly as it is entered in the integration."),
    Input(
        "integration",
        "--integration",
        "choice",
        default="generic",
        help="Which integration's requirements to judge against: {integrations}, or one from --profile-file.",
    ),
    Input(
        "profile_file",
        "--profile-file",
        "file",
        must_exist=True,
        help="TOML file with your own integration profiles (same shape as `jiradoctor profiles --toml`).",
    ),
    Input(
        "integration_hosting",
        "--integration-hosting",
        "choice",
        choices=("cloud", "on-premises"),
        help=(
            "Where the integration runs, when it differs from its profile (e.g. an on-premises Zephyr "
            "Enterprise): decides whether Jira on an internal address is reachable for it."
        ),
    ),
    Input(
        "consumer_key",
        "--consumer-key",
        help="OAuth consumer key as typed in the integration (taken verbatim, whitespace kept).",
    ),
    Input(
        "jira_consumer_key",
        "--jira-consumer-key",
        help="OAuth consumer key as stored in Jira's application link, when known.",
    ),
    Input("private_key", "--private-key", "file", secret=True, help="The integration's RSA private key (PEM file)."),
    Input(
        "public_key",
        "--public-key",
        "file",
        help="File with the text pasted (or to paste) into Jira's application link.",
    ),
    Input("server_xml", "--server-xml", "file", help="Jira's conf/server.xml."),
    Input("base_url", "--base-url", "url", help="Jira's configured Base URL, when known."),
    Input("user", "--user", help="User name (Server/DC) or e-mail (Cloud)."),
    _secret("password", "Password", help="Password for Basic auth. Prefer JIRADOCTOR_PASSWORD or '-' to be prompted."),
    _secret("token", "API token", help="Cloud API token (with --user as the e-mail). Prefer JIRADOCTOR_TOKEN."),
    _secret("pat", "Personal access token", help="Server/DC personal access token (Bearer). Prefer JIRADOCTOR_PAT."),
    _secret(
        "access_token",
        "OAuth access token",
        help="OAuth 1.0a access token for one signed REST call. Prefer JIRADOCTOR_ACCESS_TOKEN.",
    ),
    Input("projects", "--projects", "list", help="Project keys to check permissions in (comma-separated, repeatable)."),
    Input(
        "permissions", "--permissions", "list", help="Permission keys to require on top of the integration's profile."
    ),
    Input(
        "ca_bundle", "--ca-bundle", "file", must_exist=True, help="CA bundle the integration trusts (default: certifi)."
    ),
    Input(
        "client_cert",
        "--client-cert",
        "file",
        must_exist=True,
        help=(
            "Client certificate the integration presents (mutual TLS at a proxy): PEM (key inside or "
            "--client-key) or a PKCS#12 bundle."
        ),
    ),
    Input("client_key", "--client-key", "file", must_exist=True, help="PEM private key of --client-cert."),
    _secret(
        "client_cert_password",
        "Client certificate password",
        help=(
            "Password of an encrypted --client-key or of a PKCS#12 bundle. Prefer "
            "JIRADOCTOR_CLIENT_CERT_PASSWORD or '-' to be prompted."
        ),
    ),
    Input(
        "insecure",
        "--insecure",
        "flag",
        help="Do not verify TLS certificates (as the integration's 'verify' switch off).",
    ),
    Input("proxy", "--proxy", "url", help="Forward proxy URL the integration uses."),
    Input("timeout", "--timeout", "number", bounds=(0.1, 600), default=10.0, help="Seconds per network operation."),
    Input("dns_server", "--dns-server", help="Ask this DNS server (HOST[:PORT]) besides the system resolver."),
    Input("offline", "--offline", "flag", help="Judge the given files only; no network."),
    Input(
        "proxy_config_path",
        "--proxy-config",
        "file",
        must_exist=True,
        help="The reverse proxy's configuration (nginx, or Apache httpd's VirtualHost): base-url then judges exactly.",
    ),
    Input(
        "client_id",
        "--client-id",
        help="OAuth 2.0 client id as entered in the integration (incoming link, 3LO app or service account).",
    ),
    _secret(
        "client_secret",
        "OAuth 2.0 client secret",
        help="OAuth 2.0 client secret. Prefer JIRADOCTOR_CLIENT_SECRET or '-' to be prompted.",
    ),
    Input(
        "redirect_uri",
        "--redirect-uri",
        "url",
        help="OAuth 2.0 redirect (callback) URL the integration sends, exactly as it sends it.",
    ),
    _secret(
        "oauth2_token",
        "OAuth 2.0 access token",
        help="An OAuth 2.0 access token of the integration (Bearer). Prefer JIRADOCTOR_OAUTH2_TOKEN.",
    ),
    Input(
        "scopes",
        "--scopes",
        "list",
        help="OAuth 2.0 scopes the integration asks for (space- or comma-separated, repeatable).",
    ),
    _secret(
        "oauth2_refresh_token",
        "OAuth 2.0 refresh token",
        help=(
            "OAuth 2.0 refresh token; used ONLY with --allow-refresh-token-rotation. Prefer "
            "JIRADOCTOR_OAUTH2_REFRESH_TOKEN."
        ),
    ),
    Input(
        "allow_refresh_token_rotation",
        "--allow-refresh-token-rotation",
        "flag",
        help="Use --oauth2-refresh-token once. This ROTATES it: the integration's stored refresh token stops working.",
    ),
    Input(
        "oauth2_flow",
        "--oauth2-flow",
        "choice",
        choices=("authorization-code", "client-credentials"),
        default="authorization-code",
        help="client-credentials: a service account; jiradoctor requests one token as it would.",
    ),
    Input(
        "concurrency",
        "--concurrency",
        "number",
        bounds=(1, 64),
        integer=True,
        help=(
            "Permission requests in flight at once (default 16, chosen from benchmarks/README.md); "
            "lowered automatically when Jira throttles."
        ),
    ),
    Input(
        "admin_user",
        "--admin-user",
        help="A Jira administrator, only to READ the application link and webhooks (applink, webhooks checks).",
    ),
    _secret(
        "admin_password",
        "Administrator's password",
        "admin_user",
        help="The administrator's password. Prefer JIRADOCTOR_ADMIN_PASSWORD or '-' to be prompted.",
    ),
    _secret(
        "admin_pat",
        "Administrator's personal access token",
        "admin_user",
        help="An administrator's personal access token (read-only use). Prefer JIRADOCTOR_ADMIN_PAT.",
    ),
    Input(
        "callback_url",
        "--callback-url",
        "url",
        help="The consumer callback URL the integration generated (Kendis), to compare with the link's.",
    ),
    Input(
        "webhook_url",
        "--webhook-url",
        "url",
        help="Where the integration's webhooks must point (default: the application link's host).",
    ),
    Input(
        "integration_url",
        "--integration-url",
        "url",
        help="The integration's own https URL, as Jira calls it (outgoing links, webhooks).",
    ),
    Input(
        "truststore",
        "--truststore",
        "file",
        must_exist=True,
        help="Jira's JVM truststore (cacerts; JKS or PKCS#12), to judge the integration's chain as Jira would.",
    ),
    _secret(
        "truststore_password",
        "Truststore password",
        help="The truststore's password (Java's default: changeit). Prefer JIRADOCTOR_TRUSTSTORE_PASSWORD.",
    ),
    Input(
        "user_agent",
        "--user-agent",
        help=(
            "The User-Agent the integration sends (can-work: Jira refuses writes from a browser's "
            "User-Agent with 'XSRF check failed'). Default: the profile's, else jiradoctor's."
        ),
    ),
    Input(
        "signature_method",
        "--signature-method",
        "choice",
        choices=SIGNATURE_METHODS,
        help=(
            "The OAuth 1.0a signature method the integration signs with (Jira accepts RSA-SHA1 only; "
            "jiradoctor itself always signs RSA-SHA1)."
        ),
    ),
    Input(
        "client_library",
        "--client-library",
        "choice",
        choices=CLIENT_LIBRARIES,
        help=(
            "The client library the integration is built on, whose OAuth 1.0a default is known "
            "(atlassian-python-api: RSA-SHA512; jira: HMAC-SHA1 first)."
        ),
    ),
)

# the doctor's options that steer the run and its report rather than describe the connection
# (not Target fields: RunOptions and the command's own output)
RUN_INPUTS: tuple[Input, ...] = (
    Input(
        "output",
        "--output",
        "output",
        short="-o",
        help="Write the report here; format from the extension "
        "(.html .json .md .xml=JUnit .jira=Jira wiki). Repeatable.",
    ),
    Input(
        "format",
        "--format",
        "choice",
        param_name="fmt",
        choices=REPORT_FORMATS,
        help="Print the report to stdout in this format (stdout then holds the report alone).",
    ),
    Input(
        "fail_on",
        "--fail-on",
        "choice",
        choices=("fail", "warn", "never"),
        default="fail",
        help="Exit 1 when a check is at or above this level. Whatever it says, exit 4 when nothing was observed "
        "and 5 when Jira never answered as Jira (a login page, a portal, nothing listening; never with --offline).",
    ),
    Input(
        "baseline",
        "--baseline",
        "file",
        must_exist=True,
        help="A previous JSON report: exit 1 only for regressions against it (new findings, checks that got worse).",
    ),
    Input(
        "junit_warn_as",
        "--junit-warn-as",
        "choice",
        choices=("pass", "failure"),
        default="pass",
        help="How a warn check appears in JUnit XML (-o report.xml).",
    ),
    Input("only", "--only", "list", help="Run only these check ids (comma-separated, repeatable)."),
    Input("skip", "--skip", "list", help="Skip these check ids (comma-separated, repeatable)."),
    Input(
        "deep",
        "--deep",
        "flag",
        help="Also run the deep checks, which cost more requests (can-work: a "
        "write-shaped POST that changes nothing, the profile's endpoints, HEAD beside GET, sticky sessions).",
    ),
)

# the sections of `doctor --help`, in order, and the inputs of each (every input is in exactly one)
GROUPS: dict[str, tuple[str, ...]] = {
    "Target": ("url", "integration", "profile_file", "integration_hosting", "base_url"),
    "Credentials (as the integration logs in)": (
        "user",
        "password",
        "token",
        "pat",
        "access_token",
        "consumer_key",
        "jira_consumer_key",
        "private_key",
        "signature_method",
        "client_library",
        "user_agent",
    ),
    "OAuth 2.0": (
        "client_id",
        "client_secret",
        "redirect_uri",
        "oauth2_token",
        "scopes",
        "oauth2_refresh_token",
        "allow_refresh_token_rotation",
        "oauth2_flow",
    ),
    "Customer files and Jira's side": (
        "server_xml",
        "public_key",
        "proxy_config_path",
        "truststore",
        "truststore_password",
        "admin_user",
        "admin_password",
        "admin_pat",
        "callback_url",
        "webhook_url",
        "integration_url",
        "projects",
        "permissions",
    ),
    "Network": (
        "ca_bundle",
        "client_cert",
        "client_key",
        "client_cert_password",
        "insecure",
        "proxy",
        "timeout",
        "dns_server",
        "offline",
        "concurrency",
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
