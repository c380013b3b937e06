"""A self-contained HTML report: inline CSS, no script, no external request, everything escaped.

Jinja2 autoescaping escapes every value; the template adds no URL it did not write itself, and
docs links are only made clickable when they are plain https URLs.
"""

from __future__ import annotations

import json
from functools import lru_cache

import jinja2

from jiradoctor.model import Report, Status


def _is_safe_link(url: str) -> bool:
    return url.startswith("https://") and not any(c in url for c in "\"'<> \n")


def _evidence_value(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jiradoctor.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["evidence_value"] = _evidence_value
    env.tests["safe_link"] = _is_safe_link
    return env


def render(report: Report) -> str:
    problems = [(c, f) for c, f in report.findings() if f.status.rank >= Status.WARN.rank]
    return _environment().get_template("report.html.j2").render(
        report=report, problems=problems, Status=Status
    )
