"""Probes: all of jiradoctor's I/O, one module per kind, each returning a typed fact.

Each probe module declares ``FACTS``, a mapping from fact name to the coroutine that gathers it;
``PROBES`` collects them all. :class:`jiradoctor.context.Facts` runs each at most once per run,
and the checks awaiting a fact share its result.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Iterator, Mapping

if TYPE_CHECKING:
    from jiradoctor.context import ProbeFn


def _collect() -> dict[str, "ProbeFn"]:
    found: dict[str, "ProbeFn"] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, fn in getattr(module, "FACTS", {}).items():
            if name in found:
                raise RuntimeError(f"fact {name!r} is declared by two probe modules")
            found[name] = fn
    return found


# Which module gathers which fact, so that a run imports only the probes it uses (`doctor --only
# tls` need not import the permission fan-out). A fact missing here is still found: LazyProbes then
# collects every module (slower, never wrong); tests/cli/test_lazy_imports.py keeps this index true.
FACT_MODULES = {
    "admin_access": "applinks",
    "applinks": "applinks",
    "webhooks": "applinks",
    "pat_tokens": "applinks",
    "auth_login": "auth",
    "can_work_write": "can_work",
    "can_work_endpoints": "can_work",
    "can_work_head_get": "can_work",
    "can_work_sticky": "can_work",
    "dns": "dns",
    "http_client": "http",
    "http_client_verified": "http",
    "node_drift": "nodes",
    "oauth_request_token": "oauth",
    "oauth_request_token_cleaned": "oauth",
    "oauth_rest_call": "oauth",
    "oauth2": "oauth2",
    "outgoing_tls": "outgoing_tls",
    "permission_matrix": "permissions",
    "proxy_route": "proxy",
    "proxy": "proxy",
    "server_info": "server_info",
    "site_root_info": "site_root",
    "tls": "tls",
}


class LazyProbes(Mapping[str, "ProbeFn"]):
    """Every probe, each module imported when one of its facts is first asked for."""

    def __init__(self) -> None:
        self._found: dict[str, "ProbeFn"] = {}

    def __getitem__(self, name: str) -> "ProbeFn":
        if name not in self._found:
            module = FACT_MODULES.get(name)
            facts = getattr(importlib.import_module(f"{__name__}.{module}"), "FACTS", {}) if module else {}
            if name not in facts:
                facts = _all()
            self._found[name] = facts[name]
        return self._found[name]

    def __contains__(self, name: object) -> bool:
        return name in FACT_MODULES or name in _all()

    def __iter__(self) -> Iterator[str]:
        return iter(_all())

    def __len__(self) -> int:
        return len(_all())


def _all() -> dict[str, "ProbeFn"]:
    probes: dict[str, "ProbeFn"] = __getattr__("PROBES")  # type: ignore[assignment]
    return probes


def __getattr__(name: str) -> object:
    """``PROBES`` is collected on first use, not when a probe module is imported: a check that
    imports one probe module for its fact type must not import every probe (issue 14)."""
    if name == "PROBES":
        probes = _collect()
        globals()["PROBES"] = probes
        return probes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
