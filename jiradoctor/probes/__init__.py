"""Probes: all of jiradoctor's I/O, one module per kind, each returning a typed fact.

Each probe module declares ``FACTS``, a mapping from fact name to the coroutine that gathers it;
``PROBES`` collects them all. :class:`jiradoctor.context.Facts` runs each at most once per run,
and the checks awaiting a fact share its result.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    """``PROBES`` is collected on first use, not when a probe module is imported: a check that
    imports one probe module for its fact type must not import every probe (issue 14)."""
    if name == "PROBES":
        probes = _collect()
        globals()["PROBES"] = probes
        return probes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
