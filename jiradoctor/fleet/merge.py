"""Shards joined into one fleet: their rows, reports and JUnit suites, then the four files afresh.

Every row already carries its comparison with the previous run (each shard compared its own
targets), so the merged fleet equals an unsharded run's, durations and timestamps aside. A target
in two shards is a usage error: the shards did not come from one inventory split one way.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterable

from jiradoctor.fleet import outputs, rows
from jiradoctor.fleet.inventory import NAME_PATTERN


class MergeError(ValueError):
    pass


def merge(folders: Iterable[Path], out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    (out / rows.TARGETS).mkdir(exist_ok=True)
    sources = [Path(f) for f in folders]
    for folder in sources:
        if not (folder / rows.ROWS).is_file():
            raise MergeError(f"{folder}: no {rows.ROWS} (not the output of `jiradoctor fleet run`)")
        if folder.resolve() == out.resolve():
            raise MergeError(f"{folder}: a shard cannot be merged into itself")
    seen: dict[str, Path] = {}
    compared = False
    sink = rows.RowSink(out)
    try:
        for folder in sources:
            for row in rows.read_rows(folder / rows.ROWS):
                name = row["name"]
                if not NAME_PATTERN.match(name):
                    raise MergeError(f"{folder}: a row names the target {name!r}, which is not a valid name")
                if name in seen:
                    raise MergeError(f"target {name!r} is in both {seen[name]} and {folder}")
                seen[name] = folder
                compared = compared or (row.get("change") or {}).get("state") not in (None, "none")
                for suffix in (".json", ".junit.xml"):
                    source = folder / rows.TARGETS / f"{name}{suffix}"
                    if source.is_file():
                        shutil.copyfile(source, out / rows.TARGETS / f"{name}{suffix}")
                sink.write(row)
    finally:
        sink.close()
    return outputs.write_all(out, "as each shard compared (--previous)" if compared else None)
