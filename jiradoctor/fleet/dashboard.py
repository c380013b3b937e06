"""index.html: the fleet at a glance, self-contained, readable with no script.

Static sections first (broke since the previous run, fixed, still broken, expires within 30
days), then every target in one table. A small inline script adds sorting (click a column
heading) and filters by status, check and integration: progressive enhancement, the page says
everything without it. Everything from outside (names, URLs, messages) is escaped, control and
bidi characters shown as visible escapes. Written in passes over the rows file, not held.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, TextIO

from jiradoctor.fleet.metrics import timestamp
from jiradoctor.visible import visible

PROBLEMS = ("warn", "fail", "error")
EXPIRY_DAYS = 30

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f4f4f4}th[data-sort]{cursor:pointer}
.s-pass{color:#1a7f37}.s-warn{color:#9a6700}.s-fail,.s-error{color:#cf222e;font-weight:bold}.s-skip{color:#666}
.filters label{margin-right:1em}code{font-size:.95em}ul.changes li{margin:.2em 0}
"""

SCRIPT = """
(function(){
var table=document.getElementById('targets');if(!table)return;
var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
function values(attr){var seen={};rows.forEach(function(r){(r.getAttribute(attr)||'').split(' ').forEach(
function(v){if(v)seen[v]=1;});});return Object.keys(seen).sort();}
var box=document.getElementById('filters');box.hidden=false;
var selects={};
[['status','data-status'],['check','data-checks'],['integration','data-integration'],['change','data-change']]
.forEach(function(pair){var sel=document.getElementById('filter-'+pair[0]);selects[pair[1]]=sel;
values(pair[1]).forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;
sel.appendChild(o);});sel.addEventListener('change',apply);});
function apply(){var shown=0;rows.forEach(function(r){var ok=true;Object.keys(selects).forEach(function(a){
var want=selects[a].value;if(want&&(' '+(r.getAttribute(a)||'')+' ').indexOf(' '+want+' ')<0)ok=false;});
r.hidden=!ok;if(ok)shown++;});document.getElementById('shown').textContent=shown+' of '+rows.length+' shown';}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){if(!th.hasAttribute('data-sort'))return;
th.addEventListener('click',function(){var num=th.getAttribute('data-sort')==='number';
var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir===1?'ascending':'descending');
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-value')||a.cells[i].textContent,
y=b.cells[i].getAttribute('data-value')||b.cells[i].textContent;
if(num){return dir*((parseFloat(x)||0)-(parseFloat(y)||0));}return dir*x.localeCompare(y);});
rows.forEach(function(r){body.appendChild(r);});});});
apply();
})();
"""


def e(value: Any) -> str:
    return html.escape(visible(str(value), keep=""), quote=True)


def anchor(name: str) -> str:
    return "t-" + name  # names are letters, digits, . _ - (inventory.NAME_PATTERN)


def problem_checks(row: dict[str, Any]) -> list[str]:
    return sorted(c for c, s in (row.get("checks") or {}).items() if s in PROBLEMS)


def expiring(row: dict[str, Any], now: datetime) -> list[tuple[str, datetime]]:
    soon = []
    for item in row.get("expires") or []:
        at = timestamp(item.get("at")) if isinstance(item, dict) else None
        if at is not None and at <= (now + timedelta(days=EXPIRY_DAYS)).timestamp():
            soon.append((str(item.get("kind")), datetime.fromtimestamp(at, now.tzinfo)))
    return soon


def state(row: dict[str, Any]) -> str:
    return str((row.get("change") or {}).get("state") or "none")


SECTIONS: tuple[tuple[str, str, Callable[[dict[str, Any]], bool]], ...] = (
    ("broke", "Broke since the previous run", lambda r: state(r) == "broke"),
    ("fixed", "Fixed since the previous run", lambda r: state(r) == "fixed"),
    ("still-broken", "Still broken", lambda r: state(r) == "still-broken"),
)


def _change_text(row: dict[str, Any]) -> str:
    change = row.get("change") or {}
    parts = []
    if change.get("regressions"):
        parts.append("new: " + ", ".join(map(str, change["regressions"])))
    if change.get("fixed"):
        parts.append("fixed: " + ", ".join(map(str, change["fixed"])))
    return "; ".join(parts)


def _item(row: dict[str, Any], detail: str) -> str:
    name = row["name"]
    return (f'<li><a href="#{e(anchor(name))}">{e(name)}</a> <span class="s-{e(row["status"])}">'
            f'{e(row["status"])}</span>{": " + e(detail) if detail else ""}</li>\n')


def _row(row: dict[str, Any], now: datetime) -> str:
    name, status = row["name"], str(row["status"])
    fix = row.get("first_fix") or {}
    fix_text = (f'<code>{e(fix.get("code", ""))}</code> {e(fix.get("message", ""))}' if fix
                else e(row.get("message") or ""))
    expires = "; ".join(f"{e(item.get('kind'))} {e(item.get('at'))}" for item in row.get("expires") or []
                        if isinstance(item, dict))
    soon = min((at for _, at in expiring(row, now)), default=None)
    checks = problem_checks(row)
    duration = row.get("duration_s") or 0
    return (
        f'<tr id="{e(anchor(name))}" data-status="{e(status)}" data-checks="{e(" ".join(checks))}" '
        f'data-integration="{e(row.get("integration") or "")}" data-change="{e(state(row))}">'
        f'<td><a href="targets/{e(name)}.json">{e(name)}</a><br><small>{e(row.get("url") or "")}</small></td>'
        f'<td class="s-{e(status)}">{e(status)}</td><td>{e(row.get("integration") or "")}</td>'
        f'<td>{e(state(row))}<br><small>{e(_change_text(row))}</small></td><td>{fix_text}</td>'
        f'<td>{e(", ".join(checks))}</td>'
        f'<td data-value="{soon.timestamp() if soon else ""}">{expires}</td>'
        f'<td data-value="{e(duration)}">{e(duration)} s</td></tr>\n'
    )


def write(rows: Callable[[], Iterable[dict[str, Any]]], summary: dict[str, Any], now: datetime, out: TextIO) -> None:
    """``rows``: called once per pass, each call a fresh pass over the rows in name order."""
    counts = summary.get("statuses") or {}
    out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
              '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
              'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">\n'
              f"<title>jiradoctor fleet: {e(summary.get('targets', 0))} targets</title>\n<style>{STYLE}</style>"
              "</head><body>\n<h1>jiradoctor fleet</h1>\n")
    out.write(f"<p>{e(summary.get('targets', 0))} targets, generated {e(summary.get('generated_at', ''))}: "
              + ", ".join(f'<span class="s-{e(k)}">{e(v)} {e(k)}</span>' for k, v in sorted(counts.items()))
              + (f"; compared with the run of {e(summary['previous'])}" if summary.get("previous") else
                 "; no previous run to compare with (--previous)") + "</p>\n")
    for key, title, wanted in SECTIONS:
        out.write(f'<section id="{key}"><h2>{e(title)}</h2>\n<ul class="changes">\n')
        shown = 0
        for row in rows():
            if wanted(row):
                detail = _change_text(row) or ((row.get("first_fix") or {}).get("code") or row.get("message") or "")
                out.write(_item(row, str(detail)))
                shown += 1
        out.write(("" if shown else "<li>none</li>\n") + "</ul></section>\n")
    out.write(f'<section id="expiring"><h2>Expires within {EXPIRY_DAYS} days</h2>\n<ul class="changes">\n')
    shown = 0
    for row in rows():
        for kind, at in expiring(row, now):
            label = "certificate" if kind == "certificate" else "personal access token"
            word = "expired" if at <= now else "expires"
            out.write(_item(row, f"{label} {word} {at:%Y-%m-%d %H:%M} UTC"))
            shown += 1
    out.write(("" if shown else "<li>none</li>\n") + "</ul></section>\n")
    out.write('<section id="all"><h2>Every target</h2>\n<div id="filters" class="filters" hidden>'
              '<label>Status <select id="filter-status"><option value="">any</option></select></label>'
              '<label>Failing check <select id="filter-check"><option value="">any</option></select></label>'
              '<label>Integration <select id="filter-integration"><option value="">any</option></select></label>'
              '<label>Change <select id="filter-change"><option value="">any</option></select></label>'
              '<span id="shown"></span></div>\n'
              '<table id="targets"><thead><tr><th data-sort="text">Target</th><th data-sort="text">Status</th>'
              '<th data-sort="text">Integration</th><th data-sort="text">Since previous</th><th>Fix first</th>'
              '<th data-sort="text">Checks with problems</th><th data-sort="number">Expires</th>'
              '<th data-sort="number">Duration</th></tr></thead>\n<tbody>\n')
    for row in rows():
        out.write(_row(row, now))
    out.write(f"</tbody></table></section>\n<script>{SCRIPT}</script>\n</body></html>\n")
