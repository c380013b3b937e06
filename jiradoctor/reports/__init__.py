"""Renderers: each turns a Report into text and decides nothing (pip-audit's formatter shape).

``RENDERERS`` maps a format name to its renderer; ``format_for_path`` picks one from a file's
extension (``.json``, ``.html``, ``.md``, ``.xml`` for JUnit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from jiradoctor.model import Report
from jiradoctor.reports import jira_wiki, json_report, junit, markdown, text
from jiradoctor.reports.shown import shown

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
    # a lone surrogate (from a hostile server's JSON escape) cannot be written as UTF-8: show it escaped
    return _render(report, fmt, junit_warn_as, baseline, colour).encode("utf-8", "backslashreplace").decode("utf-8")


def _render(report: Report, fmt: str, junit_warn_as: str, baseline: Report | None, colour: bool) -> str:
    if fmt not in RENDERERS:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(RENDERERS)}")
    if fmt != "json":  # formats for people show long values cut (reports/shown.py); JSON keeps all
        report, baseline = shown(report), shown(baseline)
    if fmt == "junit":
        out = junit.render(report, warn_as=junit_warn_as, baseline=baseline)
    elif fmt == "text":
        out = text.render(report, colour=colour)
    else:
        out = RENDERERS[fmt](report)
    return out


def write(report: Report, path: str | Path, junit_warn_as: str = "pass", baseline: Report | None = None) -> None:
    """Write the report in the format its file extension names (creating its folder if need be)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fmt = format_for_path(path)
    # a lone surrogate is written escaped by the file itself; HTML streams from the template (no whole copy)
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
            if fmt == "html":
                from jiradoctor.reports import html

                for chunk in html.render_chunks(shown(report)):
                    out.write(chunk)
            else:
                out.write(_render(report, fmt, junit_warn_as, baseline, colour=False))
    except BaseException:
        Path(path).unlink(missing_ok=True)  # never half a report
        raise
