"""Entry points of one group, read from the installed distributions without importlib.metadata.

Why: ``import importlib.metadata`` costs about 20 ms here (it brings email, zipfile, csv and
pathlib), more than reading the group itself (2-3 ms), and `jiradoctor --help` must list the
commands other packages add (``jiradoctor.commands.v1``, the lab's ``demo``) within 1.5x the cost of
importing click (issue 14). The rule is importlib.metadata's: each directory on ``sys.path`` in
order, the first distribution of a name wins, its ``entry_points.txt`` is INI. When ``sys.path``
holds something that is not a directory (a zipped egg), importlib.metadata itself is asked.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class EntryPoint:
    """What plugin loading needs of ``importlib.metadata.EntryPoint``: name, value, group, load()."""

    name: str
    value: str
    group: str

    def load(self) -> Any:
        module, _, attribute = self.value.partition(":")
        loaded: Any = importlib.import_module(module.strip())
        for part in filter(None, attribute.split("[")[0].strip().split(".")):
            loaded = getattr(loaded, part)
        return loaded


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point of ``group``, in ``sys.path`` order."""
    folders = [folder or "." for folder in sys.path]
    if any(os.path.isfile(folder) for folder in folders):  # a zip on sys.path: leave it to the standard
        import importlib.metadata

        return [EntryPoint(ep.name, ep.value, ep.group) for ep in importlib.metadata.entry_points(group=group)]
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            distribution = _NAME.sub("_", name.rsplit(".", 1)[0].split("-")[0]).lower()
            if distribution in seen:
                continue
            seen.add(distribution)
            found += _read(os.path.join(folder, name, "entry_points.txt"), group)
    return found


def _read(path: str, group: str) -> list[EntryPoint]:
    """The ``[group]`` section of one ``entry_points.txt`` (``name = module:attribute [extras]``)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return []
    out: list[EntryPoint] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append(EntryPoint(name.strip(), value.strip(), group))
    return out
