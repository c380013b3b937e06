"""Integration profiles as data: what piplanning.io, Jira Align, Zephyr, Kendis… need.

Loaded from ``integrations.toml`` in the package, or from a user's own TOML file of the same
shape. Checks read the profile instead of knowing integrations by name.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

INTEGRATION_IDS = ("generic", "piplanning", "jira-align", "zephyr-enterprise", "kendis")


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

    @classmethod
    def from_mapping(cls, profile_id: str, data: Mapping[str, Any]) -> "IntegrationProfile":
        known = set(cls.__dataclass_fields__) - {"id"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"profile {profile_id!r}: unknown keys {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(id=profile_id, **values)


@lru_cache(maxsize=None)
def builtin_profiles() -> dict[str, IntegrationProfile]:
    text = resources.files("jiradoctor.jira").joinpath("integrations.toml").read_text("utf-8")
    return {pid: IntegrationProfile.from_mapping(pid, data) for pid, data in tomllib.loads(text).items()}


def load_profile_file(path: str | Path) -> dict[str, IntegrationProfile]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return {pid: IntegrationProfile.from_mapping(pid, body) for pid, body in data.items()}


def get_profile(profile_id: str) -> IntegrationProfile:
    profiles = builtin_profiles()
    if profile_id not in profiles:
        raise KeyError(f"unknown integration {profile_id!r}; known: {', '.join(profiles)}")
    return profiles[profile_id]
