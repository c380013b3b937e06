"""A self-contained HTML report: inline CSS, no script, no external request, everything escaped.

Jinja2 autoescaping escapes every value; the template adds no URL it did not write itself, and
docs links are only made clickable when they are plain https URLs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Iterator

import jinja2

from jiradoctor.model import Report, Status
from jiradoctor.reports.order import fix_first
from jiradoctor.visible import visible


def _is_safe_link(url: str) -> bool:
    return url.startswith("https://") and not any(c in url for c in "\"'<> \n")


def _evidence_value(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _finalize(value: object) -> object:
    """Every value the template prints: hidden characters (bidi overrides, ESC, zero-width) shown
    as ⟨U+…⟩, so the page cannot show one text while holding another."""
    return visible(value, keep="\n\t\r") if isinstance(value, str) else value


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jiradoctor.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["evidence_value"] = _evidence_value
    env.tests["safe_link"] = _is_safe_link
    return env


def render(report: Report) -> str:
    return "".join(render_chunks(report))


def render_chunks(report: Report) -> Iterator[str]:
    """The page in pieces, as the template yields them: written to a file without a whole copy."""
    return _environment().get_template("report.html.j2").generate(
        report=report, causes=fix_first(report), Status=Status
    )
