"""metrics.prom in the OpenMetrics text format (node_exporter's textfile collector, a Pushgateway).

Families are written one after the other (OpenMetrics forbids interleaving), each in one pass over
the rows file. Names follow Prometheus' conventions: ``jiradoctor_`` prefix, base units
(seconds), ``_timestamp_seconds`` for points in time; label values escaped as the format says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, TextIO

STATUSES = ("pass", "info", "warn", "fail", "error", "skip")


def label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def labels(**pairs: str) -> str:
    return "{" + ",".join(f'{k}="{label(v)}"' for k, v in pairs.items()) + "}"


def timestamp(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo else None


def number(value: float) -> str:
    return repr(float(value))


Samples = Callable[[dict[str, Any]], Iterable[tuple[str, float]]]


def _target_status(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
    for status in STATUSES:
        yield labels(target=row["name"], status=status), 1.0 if row["status"] == status else 0.0


def _check_status(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
    checks = row.get("checks") or {}
    for check in sorted(checks):  # only the status it has: 6 series per check would be 6x the file
        yield labels(target=row["name"], check=check, status=str(checks[check])), 1.0


def _expiry(kind: str) -> Samples:
    def samples(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
        for item in row.get("expires") or []:
            at = timestamp(item.get("at")) if isinstance(item, dict) else None
            if item.get("kind") == kind and at is not None:
                yield labels(target=row["name"]), at

    return samples


def _duration(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
    if isinstance(row.get("duration_s"), (int, float)):
        yield labels(target=row["name"]), float(row["duration_s"])


def _last_success(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
    at = timestamp(row.get("last_success"))
    if at is not None:
        yield labels(target=row["name"]), at


def _broke(row: dict[str, Any]) -> Iterator[tuple[str, float]]:
    yield labels(target=row["name"]), 1.0 if (row.get("change") or {}).get("state") == "broke" else 0.0


FAMILIES: tuple[tuple[str, str, str, Samples], ...] = (
    ("jiradoctor_target_status", "stateset", "The target's overall status in the last run (1: this status).",
     _target_status),
    ("jiradoctor_check_status", "gauge", "Each check's status per target in the last run (the series with value 1).",
     _check_status),
    ("jiradoctor_target_broke_since_previous", "gauge",
     "1 when the target broke since the previous run (--previous), else 0.", _broke),
    ("jiradoctor_certificate_expiry_timestamp_seconds", "gauge",
     "When the certificate the target's Jira serves expires (Unix time).", _expiry("certificate")),
    ("jiradoctor_pat_expiry_timestamp_seconds", "gauge",
     "When the personal access token in use expires (Unix time; the latest of the user's).", _expiry("pat")),
    ("jiradoctor_target_run_duration_seconds", "gauge", "How long the target's run took.", _duration),
    ("jiradoctor_target_last_success_timestamp_seconds", "gauge",
     "When the target last ran with nothing failing (Unix time), carried over from --previous.", _last_success),
)


def write(rows: Callable[[], Iterable[dict[str, Any]]], out: TextIO) -> None:
    """``rows``: called once per family, each call a fresh pass over the rows."""
    for name, kind, help_text, samples in FAMILIES:
        out.write(f"# TYPE {name} {kind}\n# HELP {name} {help_text}\n")
        for row in rows():
            for label_text, value in samples(row):
                if kind == "stateset":
                    label_text = label_text.replace('status="', f'{name}="', 1)
                out.write(f"{name}{label_text} {number(value)}\n")
    out.write("# EOF\n")
