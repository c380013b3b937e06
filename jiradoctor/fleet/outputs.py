"""fleet.json, junit.xml, metrics.prom and index.html, written from DIR/rows.jsonl at the end.

Each is streamed: one pass over the rows file per section, rows in name order (so a merged fleet
equals an unsharded one); only a list of byte offsets is held, one int per target.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from jiradoctor.fleet import dashboard, junit, metrics, rows

SCHEMA = "jiradoctor-fleet/1"


def summarise(path: Path) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    states: Counter[str] = Counter()
    total = 0
    for row in rows.read_rows(path):
        total += 1
        statuses[str(row.get("status"))] += 1
        states[str((row.get("change") or {}).get("state"))] += 1
    return {
        "targets": total,
        "statuses": dict(sorted(statuses.items())),
        "broke": states["broke"],
        "fixed": states["fixed"],
        "still_broken": states["still-broken"],
    }


def _open(path: Path) -> Any:
    return open(path.with_name(path.name + ".partial"), "w", encoding="utf-8")


def _done(path: Path) -> None:
    os.replace(path.with_name(path.name + ".partial"), path)


def write_all(folder: Path, previous: str | None, now: datetime | None = None) -> dict[str, Any]:
    """Write the four fleet files into ``folder`` from its rows file; returns the summary."""
    now = now or datetime.now(timezone.utc)
    source = folder / rows.ROWS
    offsets = rows.sorted_offsets(source)

    def ordered() -> Iterator[dict[str, Any]]:
        with open(source, "rb") as fh:
            for offset in offsets:
                fh.seek(offset)
                yield json.loads(fh.readline(rows.MAX_ROW_BYTES + 1))

    summary = {"generated_at": now.isoformat(timespec="seconds"), "previous": previous, **summarise(source)}
    path = folder / "fleet.json"
    with _open(path) as out:
        head = {"schema": SCHEMA, "generated_at": summary["generated_at"], "previous": previous,
                "summary": {k: v for k, v in summary.items() if k not in ("generated_at", "previous")}}
        out.write(json.dumps(head, indent=1)[:-2] + ',\n "targets": [\n')
        for index, row in enumerate(ordered()):
            out.write((",\n" if index else "") + "  " + json.dumps(row, ensure_ascii=True, sort_keys=True))
        out.write("\n ]\n}\n")
    _done(path)
    path = folder / "junit.xml"
    with _open(path) as out:
        junit.write(folder, (row["name"] for row in ordered()), out)
    _done(path)
    path = folder / "metrics.prom"
    with _open(path) as out:
        metrics.write(ordered, out)
    _done(path)
    path = folder / "index.html"
    with _open(path) as out:
        dashboard.write(ordered, summary, now, out)
    _done(path)
    return summary
