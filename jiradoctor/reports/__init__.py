"""Renderers: each turns a Report into text and decides nothing (pip-audit's formatter shape).

``RENDERERS`` maps a format name to its renderer; ``format_for_path`` picks one from a file's
extension (``.json``, ``.html``, ``.md``, ``.xml`` for JUnit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from jiradoctor.model import Report
from jiradoctor.reports import jira_wiki, json_report, junit, markdown, text

Renderer = Callable[[Report], str]


def _html(report: Report) -> str:
    """HTML through jinja2, imported only when HTML is written (start-up of the other commands, issue 14)."""
    from jiradoctor.reports import html

    return html.render(report)


RENDERERS: dict[str, Renderer] = {
    "json": json_report.render,
    "html": _html,
    "md": markdown.render,
    "text": text.render,
    "junit": junit.render,
    "jira": jira_wiki.render,
}
EXTENSIONS = {".json": "json", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".txt": "text",
              ".xml": "junit", ".jira": "jira", ".wiki": "jira"}


class UnknownFormat(ValueError):
    pass


def format_for_path(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS or EXTENSIONS[suffix] not in RENDERERS:
        known = ", ".join(sorted(s for s, f in EXTENSIONS.items() if f in RENDERERS))
        raise UnknownFormat(f"cannot tell the report format of {str(path)!r} from its extension (known: {known})")
    return EXTENSIONS[suffix]


def render(report: Report, fmt: str, junit_warn_as: str = "pass", baseline: Report | None = None,
           colour: bool = False) -> str:
    """``junit_warn_as`` (pass|failure): how JUnit shows warn; ``baseline``: JUnit does not fail
    findings it accepts; ``colour``: ANSI colours in the text format (the CLI decides: TTY, NO_COLOR)."""
    if fmt not in RENDERERS:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(RENDERERS)}")
    if fmt == "junit":
        out = junit.render(report, warn_as=junit_warn_as, baseline=baseline)
    elif fmt == "text":
        out = text.render(report, colour=colour)
    else:
        out = RENDERERS[fmt](report)
    # a lone surrogate (from a hostile server's JSON escape) cannot be written as UTF-8: show it escaped
    return out.encode("utf-8", "backslashreplace").decode("utf-8")


def write(report: Report, path: str | Path, junit_warn_as: str = "pass", baseline: Report | None = None) -> None:
    """Write the report in the format its file extension names (creating its folder if need be)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(render(report, format_for_path(path), junit_warn_as, baseline), encoding="utf-8")
