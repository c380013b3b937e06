"""Integration profiles as data: what piplanning.io, Jira Align, Zephyr, Kendis… need.

Loaded from ``integrations.toml`` in the package, or from a user's own TOML file of the same
shape. Checks read the profile instead of knowing integrations by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

# the built-in profiles (integrations.toml), named without reading it: `jiradoctor --help` stays light
INTEGRATION_IDS = ("generic", "piplanning", "jira-align", "zephyr-enterprise", "kendis", "tenable")


@dataclass(frozen=True)
class IntegrationProfile:
    id: str
    name: str
    cloud_hosted: bool = False
    public_key_armor: str = "either"
    public_key_strict_whitespace: bool = False
    private_key_pkcs8: bool = False
    consumer_key_plain: bool = False
    auth_cloud: tuple[str, ...] = ()
    auth_server: tuple[str, ...] = ()
    required_permissions: tuple[str, ...] = ()
    optional_permissions: tuple[str, ...] = ()
    global_permissions: tuple[str, ...] = ()
    global_permissions_cloud: tuple[str, ...] = ()
    sso_forbidden: bool = False
    docs: tuple[str, ...] = ()
    # OAuth 2.0 scopes the integration needs; an empty tuple: it does not use OAuth 2.0 there
    oauth2_scopes_cloud: tuple[str, ...] = ()
    oauth2_scopes_server: tuple[str, ...] = ()
    # the application link as the vendor's guide has it created (checks/applink.py, webhooks.py)
    applink_url_kind: str = "any"  # name (a plain name, not a URL) | url | any
    applink_url_hosts: tuple[str, ...] = ()  # glob patterns the link URL's host must match
    applink_url_path_suffix: str = ""  # e.g. "/flex" for Zephyr Enterprise
    applink_names: tuple[str, ...] = ()  # words that recognise the link by its name or URL
    applink_auth: str = "oauth1"  # oauth1 | oauth2 | either: what the incoming side must offer
    applink_callback_required: bool = False  # the consumer's callback URL must be set (Kendis)
    webhook_events: tuple[str, ...] = ()  # Jira webhook event ids the integration needs
    webhooks_need_admin: bool = False  # the integration creates its webhooks itself, as its user
    # where the integration runs and what it calls (issue 19: checks/can_work.py, reachability)
    cloud_product: str = ""  # the Atlassian Cloud product it is, when it is one (Jira Align)
    egress_addresses: tuple[str, ...] = ()  # addresses/CIDRs it calls Jira from, when the vendor publishes them
    egress_source: str = ""  # where the vendor publishes them
    user_agent: str = ""  # the User-Agent its requests carry, when known (XSRF: a browser's is refused on writes)
    # REST endpoints it depends on: "METHOD /path[?query] [@cloud|@server] [unconfirmed]" (jira/endpoints.py)
    rest_endpoints: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, profile_id: str, data: Mapping[str, Any]) -> "IntegrationProfile":
        known = set(cls.__dataclass_fields__) - {"id"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"profile {profile_id!r}: unknown keys {sorted(unknown)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(id=profile_id, **values)


def describe_profile(profile: IntegrationProfile) -> str:
    """Human summary for ``jiradoctor profiles``, with vendor spellings normalised and said so."""
    from jiradoctor.jira.permission_keys import normalise_all

    lines = [f"{profile.id} — {profile.name}"]
    for label, keys in (("required", profile.required_permissions), ("optional", profile.optional_permissions),
                        ("global", profile.global_permissions), ("global on Cloud", profile.global_permissions_cloud)):
        if keys:
            shown = [n.key + (f" (from {n.given}: {n.reason})" if n.changed else "") for n in normalise_all(list(keys))]
            lines.append(f"  {label + ' permissions:':<28} {', '.join(shown)}")
    lines.append(f"  {'auth on Cloud:':<28} {', '.join(profile.auth_cloud) or '-'}")
    lines.append(f"  {'auth on Server/DC:':<28} {', '.join(profile.auth_server) or '-'}")
    armor = {"omit": "without BEGIN/END lines", "include": "with BEGIN/END lines", "either": "with or without "
                                                                                             "BEGIN/END lines"}
    lines.append(f"  {'public key pasted:':<28} {armor.get(profile.public_key_armor, profile.public_key_armor)}")
    lines.append(f"  {'private key:':<28} "
                 f"{'PKCS#8 (BEGIN PRIVATE KEY)' if profile.private_key_pkcs8 else 'PKCS#8 or PKCS#1'}")
    if profile.cloud_hosted:
        lines.append(f"  {'runs in the cloud:':<28} yes (Jira must be reachable from the internet)")
    rule = {"name": "a plain name, not a URL", "url": "a URL"}.get(profile.applink_url_kind, "")
    if profile.applink_url_hosts:
        rule += f" on {' or '.join(profile.applink_url_hosts)}"
    if profile.applink_url_path_suffix:
        rule += f" ending in {profile.applink_url_path_suffix}"
    if rule:
        lines.append(f"  {'application link URL:':<28} {rule.strip()}")
    if profile.applink_callback_required:
        lines.append(f"  {'consumer callback URL:':<28} required (the one the integration generates)")
    if profile.cloud_product:
        lines.append(f"  {'Atlassian Cloud product:':<28} {profile.cloud_product}")
    if profile.egress_addresses or profile.egress_source:
        lines.append(f"  {'calls Jira from:':<28} {', '.join(profile.egress_addresses) or profile.egress_source}")
    if profile.rest_endpoints:
        lines.append(f"  {'REST endpoints it calls:':<28} {'; '.join(profile.rest_endpoints)}")
    if profile.webhook_events:
        lines.append(f"  {'webhook events:':<28} {', '.join(profile.webhook_events)}")
    return "\n".join(lines) + "\n"


def profile_toml(profile: IntegrationProfile) -> str:
    """The profile in the TOML shape --profile-file reads."""
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    body = [f"[{profile.id}]"] + [f"{name} = {value(getattr(profile, name))}"
                                  for name in profile.__dataclass_fields__ if name != "id"]
    return "\n".join(body) + "\n"


@lru_cache(maxsize=None)
def builtin_profiles() -> dict[str, IntegrationProfile]:
    import tomllib  # here, not at import: `jiradoctor --help` needs only INTEGRATION_IDS (issue 14)
    from importlib import resources

    text = resources.files("jiradoctor.jira").joinpath("integrations.toml").read_text("utf-8")
    return {pid: IntegrationProfile.from_mapping(pid, data) for pid, data in tomllib.loads(text).items()}


def load_profile_file(path: str | Path) -> dict[str, IntegrationProfile]:
    import tomllib

    from jiradoctor import files

    data = tomllib.loads(files.read_bounded(path, files.MAX_TOML, "profile file").decode("utf-8"))
    return {pid: IntegrationProfile.from_mapping(pid, body) for pid, body in data.items()}


def all_profiles(profile_file: str | Path | None = None) -> dict[str, IntegrationProfile]:
    """Built-in profiles, overlaid by a user's own file (same TOML shape) when given."""
    profiles = dict(builtin_profiles())
    if profile_file:
        profiles.update(load_profile_file(profile_file))
    return profiles


def get_profile(profile_id: str, profile_file: str | Path | None = None) -> IntegrationProfile:
    profiles = all_profiles(profile_file)
    if profile_id not in profiles:
        from jiradoctor.suggest import did_you_mean

        raise KeyError(
            f"unknown integration {profile_id!r}{did_you_mean(profile_id, profiles)}; known: {', '.join(profiles)}"
        )
    return profiles[profile_id]


def paste_text(profile: IntegrationProfile, key: PublicKeyTypes) -> str:
    """The exact text for Jira's public key field under this integration's guide (its armour rule)."""
    from jiradoctor.jira import pem  # cryptography: only when a key is shown, not for `jiradoctor profiles`

    return pem.spki_base64(key) if profile.public_key_armor == "omit" else pem.spki_pem(key).strip()
