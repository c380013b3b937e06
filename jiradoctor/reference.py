"""The reference a plugin author reads: every fact (key, type, probe) and every check's codes.

Generated from the code (the probe modules' ``Fact`` keys and the checks' metadata), written to
docs/REFERENCE.md by ``jiradoctor checks --reference``; a test keeps the committed file current.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from jiradoctor.facts import Fact
from jiradoctor.registry import Check, builtin_checks


@dataclass(frozen=True)
class FactEntry:
    """One built-in fact: its key's constant, the type ``ctx.fact`` returns, the probe module."""

    name: str
    constant: str
    type: str
    module: str
    doc: str


def fact_entries() -> list[FactEntry]:
    """Every ``Fact`` key declared at module level in ``jiradoctor.probes``, sorted by name."""
    import jiradoctor.probes as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        hints = getattr(module, "__annotations__", {})
        for constant, value in vars(module).items():
            if isinstance(value, Fact):
                hint = str(hints.get(constant, ""))
                match = re.fullmatch(r"Fact\[(.*)\]", hint)
                found.append(FactEntry(value.name, constant, match.group(1) if match else "?", module.__name__,
                                       value.doc))
    return sorted(found, key=lambda e: e.name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(checks: list[Check] | None = None) -> str:
    """docs/REFERENCE.md: facts first (what a check can ask for), then each check's facts and codes."""
    checks = sorted(checks if checks is not None else builtin_checks(), key=lambda c: c.id)
    facts = fact_entries()
    lines = [
        "# jiradoctor reference: facts, exit codes and finding codes",
        "",
        "Generated from the code by `jiradoctor checks --reference > docs/REFERENCE.md`; do not edit by hand",
        "(tests/test_reference.py fails when this file is not current).",
        "",
        "## Facts",
        "",
        "A check declares the facts it asks for (`Check.facts`; `Check.reads` for facts it reads only when",
        "they are at hand) and asks by key: `await ctx.fact(TLS)` returns a `TlsFact`. Each fact is gathered",
        "once per run by its probe module and shared by every check that asks.",
        "",
        "| Fact | Key | Type | Probe module | What it holds |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{f.name}` | `{f.constant}` | `{_cell(f.type)}` | `{f.module}` | {_cell(f.doc)} |" for f in facts]
    from jiradoctor.exit_codes import MEANINGS

    lines += ["", "## Exit codes", "", "`doctor`, `merge` and `har` exit with:", ""]
    lines += [f"- **{code}** {_cell(meaning)}." for code, meaning in MEANINGS]
    lines += ["", "## Checks and their finding codes", ""]
    for check in checks:
        lines += [f"### `{check.id}`: {check.title}", ""]
        if check.facts or check.reads:
            lines.append("Facts: " + ", ".join(f"`{n}`" for n in check.facts)
                         + (" (reads when at hand: " + ", ".join(f"`{n}`" for n in check.reads) + ")"
                            if check.reads else ""))
        else:
            lines.append("Facts: none (judges the inputs alone)")
        if check.deep:
            lines += ["", f"Deep: runs only with `--deep` or `--only {check.id}`; it sends {check.deep_cost}."]
        lines += ["", "Codes: " + (", ".join(f"`{c}`" for c in check.codes) or "none declared"), ""]
    return "\n".join(lines).rstrip() + "\n"
