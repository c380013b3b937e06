"""What one doctor run looks at: the Jira URL, the credentials and the customer's files.

Built from CLI flags, ``JIRADOCTOR_*`` variables and a TOML config (click merges those); this
module reads the files those options point at, holds every credential as a :class:`Secret`, and
decides the auth method from which credentials were given (DESIGN.md, "Credentials decide").
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from jiradoctor import files
from jiradoctor.inputs import INPUT_NAMES, SECRET_INPUTS, URL_INPUTS
from jiradoctor.secrets import Redactor, Secret
from jiradoctor.jira.urls import split as split_url

if TYPE_CHECKING:
    from jiradoctor.jira.integrations import IntegrationProfile
    from jiradoctor.jira.serverxml import ServerXml, ServerXmlError
    from jiradoctor.jira.pem import PrivateKeyText
    from jiradoctor.net.client_cert import ClientCertificate
    from jiradoctor.jira.proxy_config import ProxyConfig, ProxyConfigError

FILE_INPUTS = ("server_xml", "public_key", "private_key")
MAX_INPUT_BYTES = files.MAX_KEY_OR_XML  # a server.xml or PEM file is a few KB; refuse anything absurd


class InputError(ValueError):
    """An input file that cannot be read at all (usage error, exit code 2)."""


def read_input_file(path: str | Path, what: str) -> str:
    """Read a customer's file verbatim (no stripping: whitespace is part of the diagnosis)."""
    try:
        data = files.read_bounded(path, MAX_INPUT_BYTES, f"{what} file")
    except files.FileProblem as exc:
        raise InputError(str(exc)) from None
    # newline="" semantics: keep CRLF, so the whitespace check can see it
    return data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Target:
    """Every input of a run. File options hold the file's text; secrets are :class:`Secret`."""

    url: str | None = None
    integration: str = "generic"
    consumer_key: str | None = None
    jira_consumer_key: str | None = None
    private_key: Secret | None = None
    private_key_path: str | None = None
    public_key: str | None = None
    public_key_path: str | None = None
    server_xml: str | None = None
    server_xml_path: str | None = None
    base_url: str | None = None
    user: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    pat: Secret | None = None
    access_token: Secret | None = None
    projects: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    ca_bundle: str | None = None
    client_cert: str | None = None  # mutual TLS: PEM certificate (key inside or --client-key) or PKCS#12
    client_key: str | None = None
    client_cert_password: Secret | None = None
    insecure: bool = False
    proxy: str | None = None
    timeout: float = 10.0
    dns_server: str | None = None
    offline: bool = False
    profile_file: str | None = None
    integration_hosting: str | None = None  # "cloud" | "on-premises"; None: as the integration's profile says
    extra: Mapping[str, Any] = field(default_factory=dict)
    proxy_config_path: str | None = None  # nginx or Apache httpd file (read by base-url, includes inside its folder)
    # OAuth 2.0 (issue 17): the client as registered, what it asks for, and its tokens
    client_id: str | None = None
    client_secret: Secret | None = None
    redirect_uri: str | None = None
    oauth2_token: Secret | None = None
    scopes: tuple[str, ...] = ()
    oauth2_refresh_token: Secret | None = None
    allow_refresh_token_rotation: bool = False
    oauth2_flow: str = "authorization-code"
    concurrency: int | None = None  # permission fan-out; None = probes.permissions.CONCURRENCY
    # a Jira administrator's credentials, only to READ the application link and webhooks (checks/applink.py)
    admin_user: str | None = None
    admin_password: Secret | None = None
    admin_pat: Secret | None = None
    callback_url: str | None = None  # the consumer callback URL the integration generated (Kendis)
    webhook_url: str | None = None  # where the integration's webhooks must point
    integration_url: str | None = None  # the integration's own URL, for the outgoing direction (Jira -> integration)
    truststore: str | None = None  # Jira's JVM truststore (cacerts: JKS or PKCS#12)
    truststore_password: Secret | None = None
    user_agent: str | None = None  # the integration's User-Agent for the can-work probes (XSRF on writes)
    signature_method: str | None = None  # the OAuth 1.0a method the integration signs with (oauth-signature)
    client_library: str | None = None  # the client library it is built on, whose default method is known

    @cached_property
    def private_key_read(self) -> PrivateKeyText | None:
        """The private key parsed once per Target (loading an RSA key validates it, ~60 ms), shared
        by every probe and check that signs or compares with it. Held by the Target that holds the
        text anyway: no cache elsewhere keeps a secret."""
        if self.private_key is None:
            return None
        from jiradoctor.jira import pem

        return pem.read_private_key(self.private_key.reveal())

    @cached_property
    def proxy_config_read(self) -> "ProxyConfig | ProxyConfigError | None":
        """--proxy-config read once per Target: the redactor takes its credentials before anything is
        printed, base-url judges its routes. A file that cannot be used is kept as its error."""
        if not self.proxy_config_path:
            return None
        from jiradoctor.jira.proxy_config import ProxyConfigError, read_proxy_config

        try:
            return read_proxy_config(self.proxy_config_path)
        except ProxyConfigError as exc:
            return exc

    @property
    def url_parts(self) -> "urllib.parse.SplitResult | None":
        """The URL's parts beside its raw text (``url``, exactly as entered in the integration): taken
        apart once, when the inputs were resolved (``jira.urls.split``), and shared by every reader."""
        return split_url(self.url) if self.url else None

    @cached_property
    def profile(self) -> "IntegrationProfile":
        """The integration's profile, read once per Target (``--profile-file`` is TOML: every check and
        probe asks for the profile, and none parses it again)."""
        from jiradoctor.jira.integrations import get_profile

        return get_profile(self.integration, self.profile_file)

    @cached_property
    def server_xml_read(self) -> "ServerXml | ServerXmlError | None":
        """server.xml parsed once per Target (base-url judges it, oauth-signature names its connector's
        attributes); a file that cannot be used is kept as its error. None: not given."""
        if self.server_xml is None:
            return None
        from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml

        try:
            return parse_server_xml(self.server_xml)
        except ServerXmlError as exc:
            return exc

    def file_secrets(self) -> list[str]:
        """Credentials the user's files carry: server.xml's password attributes (keystorePass,
        truststorePass, certificateKeystorePassword...), a private key given as --public-key, and the
        proxy config's secret headers and userinfo. Read by text too, so a file the parsers refuse
        still has its secrets masked."""
        from jiradoctor.jira.serverxml import secrets_in_text

        found = secrets_in_text(self.server_xml) if self.server_xml else []
        if self.public_key and "PRIVATE KEY" in self.public_key:  # a private key pasted as the public one
            from jiradoctor.jira import pem

            if pem.contains_private_key(self.public_key):
                found.append(self.public_key)
        read = self.proxy_config_read
        return found + list(read.secrets if read is not None else ())

    @property
    def client_certificate(self) -> ClientCertificate | None:
        """The certificate every probe presents (mutual TLS), when one was given."""
        if not self.client_cert:
            return None
        from jiradoctor.net.client_cert import ClientCertificate

        return ClientCertificate(self.client_cert, self.client_key, self.client_cert_password)

    @property
    def auth(self) -> str:
        """The auth method the given credentials select, as the report names it."""
        if self.consumer_key is not None and self.private_key:
            return "oauth1"
        if self.pat:
            return "pat"
        if self.oauth2_token:
            return "oauth2"
        if self.user and self.token:
            return "token"
        if self.user and self.password:
            return "basic"
        return "none"

    def given(self, name: str) -> bool:
        """Was this input given? A file counts when its path was given, even if it is empty:
        an empty server.xml is a finding, not "not given"."""
        if name in FILE_INPUTS and getattr(self, f"{name}_path", None) is not None:
            return True
        value = getattr(self, name)
        return value is not None and value != () and value != "" and value is not False

    def redactor(self) -> Redactor:
        redactor = Redactor()
        for secret in SECRET_INPUTS:  # the one table of inputs says which are credentials, and whose
            redactor.add(getattr(self, secret.name), user=getattr(self, secret.user_field))
        from jiradoctor.net.proxy_route import proxies_from_env, userinfo

        environment = [value for value, _ in proxies_from_env(os.environ).values()]
        for url in [*(getattr(self, i.name) for i in URL_INPUTS), *environment]:
            user, password = userinfo(url)
            redactor.add(password, user=user)
        for carried in self.file_secrets():
            redactor.add(carried)
        if self.private_key:
            redactor.exempt(public_texts_of(self.private_key_read))
        return redactor


def public_texts_of(read: PrivateKeyText | None) -> list[str]:
    """The public half of a private key in the encodings a report shows it in.

    Some lines of a PKCS#1 private key hold nothing but the modulus, which the public key's
    base64 holds too; those pieces are not secret, and masking them would spoil the text to paste.
    """
    from jiradoctor.jira import pem

    public = read.public_key if read is not None else None
    if public is None:
        return []
    return [pem.spki_base64(public), pem.spki_pem(public), pem.pkcs1_public_base64(public)]




def describe_inputs(names: tuple[str, ...], joiner: str = " or ") -> str:
    return joiner.join(INPUT_NAMES.get(n, f"--{n.replace('_', '-')}") for n in names)


WEB_SCHEMES = ("http", "https")
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


def check_url(value: str | None, option: str, schemes: tuple[str, ...] | None = WEB_SCHEMES) -> str | None:
    """A URL option urllib cannot read (``http://u:PW@[::1``, port 99999) is a usage error (exit 2), and so
    is one without a scheme or host (``jira.example.com``) or with a scheme not in ``schemes`` (None: any):
    without this, every check would judge an empty host.

    The message shows the URL with its password masked: it is printed before any redactor exists.
    """
    if not value:
        return value

    from jiradoctor.jira.urls import masked, why_malformed
    from jiradoctor.secrets import clip

    shown = clip(value, 201, masked)  # masked first: a cut before the "@" would leave the password unmasked
    try:
        parts = split_url(value)
        parts.port  # noqa: B018 - raises for a port that is not a number in 0..65535
        host = parts.hostname
    except ValueError as exc:
        raise InputError(f"{option}: malformed URL {shown!r} ({why_malformed(exc)})") from None
    if not parts.scheme or not parts.netloc:
        if "@" in value:  # user:password@host without a scheme: urllib cannot tell the password apart, so never echo it
            raise InputError(f"{option}: not a whole URL: it needs a scheme and a host (https://…)")
        hint = f"; did you mean {'https://' + shown!r}?" if "://" not in value and " " not in value else ""
        raise InputError(f"{option}: {shown!r} is not a whole URL: it needs a scheme and a host{hint}")
    if not host:
        raise InputError(f"{option}: no host in URL {shown!r}")
    if schemes is not None and parts.scheme.lower() not in schemes:
        raise InputError(f"{option}: the scheme {parts.scheme!r} in {shown!r} is not one of {', '.join(schemes)}")
    return value


def check_dns_server(value: str | None) -> str | None:
    """``--dns-server HOST[:PORT]`` with a port that is not 1..65535 is a usage error, not a DNS finding."""
    if not value:
        return value
    from jiradoctor.net.dns_server import parse_server

    try:
        host, port = parse_server(value)
    except ValueError:
        raise InputError(f"--dns-server: not HOST[:PORT]: {value[:200]!r}") from None
    if not host or not 0 < port < 65536:
        raise InputError(f"--dns-server: not HOST[:PORT] with a port in 1..65535: {value[:200]!r}")
    return value
