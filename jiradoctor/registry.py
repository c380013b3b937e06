"""The check registry: built-in checks (one module each) plus plugins from entry points.

A check is a :class:`Check` value with stable metadata and one ``judge`` coroutine from facts to
findings. Third-party packages expose a ``Check`` through the entry-point group
``jiradoctor.checks.v1`` (versioned, httpie's way: a new Check shape gets a new group); the old
``jiradoctor.checks`` is still read, with a deprecation warning. A plugin that fails to load
becomes a warning, never a crash.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Sequence

from jiradoctor.model import Finding

if TYPE_CHECKING:
    from jiradoctor.context import CheckContext

ENTRY_POINT_GROUP = "jiradoctor.checks.v1"
DEPRECATED_ENTRY_POINT_GROUPS = ("jiradoctor.checks",)  # still read; each plugin found there is warned about

Judge = Callable[["CheckContext"], Awaitable[Sequence[Finding]]]


@dataclass(frozen=True)
class Check:
    """Metadata and judgement of one check.

    ``inputs_any``: the check is skipped unless at least one of these target fields is given;
    ``inputs_all``: skipped unless every one of these is given.
    ``after``: checks whose failure makes this one meaningless (it is then skipped with
    ``blocked_by``). ``live``: it needs the network for everything it does; under ``--offline``
    it is skipped. ``order`` sorts the report (network first, then auth, then keys).
    ``nonblocking_codes``: failures that do not stop the checks that come ``after`` this one
    (``dns/private-address``: this machine reaches Jira, the cloud-hosted integration may not).
    ``prefetch``: the ``facts`` may be gathered while the prerequisites still run, to save round
    trips; only for facts that send no password (a failed login counts towards Jira's CAPTCHA).
    ``reads``: facts the check consults only when they are at hand (``ctx.can_probe``), without
    waiting for them on its own account. A check may ask only for ``facts`` and ``reads``.
    ``deep``: runs only with ``--deep`` or when ``--only`` names it, because it costs more requests
    than a doctor run should by default (issue 14: a healthy run is a few round trips); otherwise the
    report shows it as skipped, saying how to run it. ``deep_cost`` says what it sends.
    ``in_doctor_run``: False for a check whose findings another command makes (``logs``): it is
    listed by ``checks`` and ``explain`` but never part of a doctor run's report.
    ``waits_for``: checks that must have finished first, whatever their result (the nodes check
    repeats the calls they saw fail; their failing is what it is there for, so it never blocks).
    """

    id: str
    title: str
    explanation: str
    judge: Judge
    inputs_any: tuple[str, ...] = ()
    inputs_all: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    live: bool = False
    order: int = 100
    codes: tuple[str, ...] = field(default=())
    nonblocking_codes: tuple[str, ...] = ()
    prefetch: bool = False
    reads: tuple[str, ...] = ()
    deep: bool = False
    deep_cost: str = ""
    waits_for: tuple[str, ...] = ()
    in_doctor_run: bool = True

    @property
    def declared_facts(self) -> frozenset[str]:
        """Every fact the check may ask for: the runner refuses any other."""
        return frozenset(self.facts) | frozenset(self.reads)


@dataclass(frozen=True)
class LoadedChecks:
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]

    def get(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.checks]


def builtin_checks() -> list[Check]:
    import pkgutil

    import jiradoctor.checks as package

    found = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            found.append(check)
    return found


def plugin_checks(
    entry_points: Iterable[Any] | None = None,
) -> tuple[list[Check], list[str]]:
    """``entry_points``: objects with name, value, group and load() (tests pass their own)."""
    if entry_points is None:
        from jiradoctor.entry_points import entry_points as group_of  # not importlib.metadata: ~20 ms

        groups = (ENTRY_POINT_GROUP, *DEPRECATED_ENTRY_POINT_GROUPS)
        entry_points = [ep for group in groups for ep in group_of(group)]
    checks, warnings = [], []
    for ep in entry_points:
        old_group = getattr(ep, "group", ENTRY_POINT_GROUP)
        if old_group in DEPRECATED_ENTRY_POINT_GROUPS:
            warnings.append(f"plugin check {ep.name!r} ({ep.value}) uses the deprecated entry-point group "
                            f"{old_group!r}: declare it under {ENTRY_POINT_GROUP!r}")
        try:
            loaded = ep.load()
            check = loaded() if callable(loaded) and not isinstance(loaded, Check) else loaded
            if not isinstance(check, Check):
                raise TypeError(f"entry point gave {type(check).__name__}, not a jiradoctor Check")
        except Exception as exc:  # a broken plugin must not stop the doctor
            warnings.append(f"plugin check {ep.name!r} ({ep.value}) could not be loaded: {type(exc).__name__}: {exc}")
            continue
        checks.append(check)
    return checks, warnings


def load_only(ids: Iterable[str]) -> LoadedChecks | None:
    """Just the built-in checks named, each imported from the module named after it (``base-url``:
    ``checks/base_url.py``), without importing the others or looking for plugins: what
    ``doctor --only`` needs (issue 14). None when an id is not found that way (a plugin's, a typo):
    then the caller loads everything. A built-in always wins over a plugin of the same id, so
    skipping the plugins cannot change which check runs."""
    import jiradoctor.checks as package

    found = []
    for check_id in dict.fromkeys(ids):
        name = check_id.replace("-", "_")
        if (
            not name.isidentifier()
            or name.startswith("_")
            or importlib.util.find_spec(f"{package.__name__}.{name}") is None
        ):
            return None
        check = getattr(importlib.import_module(f"{package.__name__}.{name}"), "CHECK", None)
        if not isinstance(check, Check) or check.id != check_id:
            return None
        found.append(check)
    found.sort(key=lambda c: (c.order, c.id))
    return LoadedChecks(tuple(found), ())


def load_checks(include_plugins: bool = True) -> LoadedChecks:
    checks = builtin_checks()
    warnings: list[str] = []
    if include_plugins:
        extra, warnings = plugin_checks()
        known = {c.id for c in checks}
        for check in extra:
            if check.id in known:
                warnings.append(f"plugin check {check.id!r} ignored: a check with that id already exists")
                continue
            known.add(check.id)
            checks.append(check)
    checks.sort(key=lambda c: (c.order, c.id))
    return LoadedChecks(tuple(checks), tuple(warnings))
