"""The HTML report in a real headless Chromium (Debian's ``chromium``), watched over the DevTools protocol.

Proves, for a real report made by ``jiradoctor demo`` against the lab, a real permissions report and a
hand-made report full of hostile server text: no console error, no network request but the file itself,
no script runs (with and without the report's CSP: escaping alone holds), hostile text shown as text,
a working table of contents, commands that one click selects whole, light and dark colour schemes
that both read (contrast), a PNG screenshot and a PDF print. Positive controls show that the watchers
do see a script, a console error and a request when there is one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.reports import html
from tests.browser.cdp import file_url, find_chromium

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="chromium is not installed (apt-get install chromium); in CI this test is never skipped",
    ),
    pytest.mark.timeout(90),
]

PAYLOADS = [
    "<script>document.title='pwned-script';window.__pwned=1;console.error('pwned-script')</script>",
    "<img src=x onerror=\"document.title='pwned-img';window.__pwned=2;console.error('pwned-img')\">",
    '<svg onload="window.__pwned=3"><circle r=1 /></svg>',
    '"><iframe src="javascript:parent.__pwned=4"></iframe>',
    '<a href="javascript:window.__pwned=5">click me</a>',
    "</pre></dd></dl></div><script>window.__pwned=6</script>",
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "' onmouseover='window.__pwned=7' x='",
    "{{ 7*7 }} {% raw %} ]]> <!-- -->",
]
ALL = " ".join(PAYLOADS)


def hostile_report() -> Report:
    """Hostile text in every field a server or an input can reach: messages, evidence, subjects, docs..."""

    def finding(code: str, status: Status, i: int) -> Finding:
        p = PAYLOADS[i % len(PAYLOADS)]
        return Finding(
            code,
            status,
            f"The server said: {p}",
            evidence={
                "body": ALL,
                "header": p,
                "nested": {"list": [p, 1, None]},
                p: "key is hostile",
                "matrix": {
                    "permissions": ["BROWSE_PROJECTS", p],
                    "rows": [
                        {"project": p, "cells": {"BROWSE_PROJECTS": "ok", p: "missing"}},
                        {"project": "OPS", "cells": {"BROWSE_PROJECTS": p}},
                    ],
                },
            },
            remediation=(f"Ask the admin about {p}", "Then run the command below."),
            commands=(f"echo '{p}'", "curl -s https://jira.example.com/rest/api/2/serverInfo | jq '.`baseUrl`'"),
            docs=(
                "https://docs.example.com/fix",
                f"javascript:window.__pwned=8//{p}",
                'https://docs.example.com/"onmouseover="window.__pwned=9',
                f"https://docs.example.com/{p}",
                "data:text/html,<script>window.__pwned=10</script>",
            ),
            subject=f"subject {p}",
        )

    checks = (
        CheckResult.from_findings(
            "alpha",
            f"Alpha {PAYLOADS[0]}",
            [finding("alpha/bad", Status.FAIL, 0), finding("alpha/also", Status.WARN, 1)],
            0.2,
        ),
        CheckResult.from_findings(
            "beta",
            f"Beta {PAYLOADS[2]}",
            [finding("beta/careful", Status.WARN, 2), finding("beta/note", Status.INFO, 3)],
            0.1,
        ),
        CheckResult.from_findings("gamma", "Gamma", [finding("gamma/ok", Status.PASS, 4)], 0.1),
        CheckResult.from_findings("delta", "Delta", [finding("delta/check-error", Status.ERROR, 5)], 0.1),
        CheckResult.skipped("eps", f"Eps {PAYLOADS[6]}", f"blocked: {PAYLOADS[7]}", ("alpha",)),
        CheckResult.from_findings(
            'zeta"><script>window.__pwned=11</script>', "Odd plugin id", [finding('zeta"><b>/x', Status.FAIL, 8)], 0.1
        ),
        # a saved report from elsewhere may carry a matrix of the wrong shape: shown what can be, never a crash
        CheckResult.from_findings(
            "theta",
            "Malformed matrix",
            [
                Finding(
                    "theta/odd",
                    Status.WARN,
                    "odd matrix",
                    evidence={
                        "matrix": {
                            "permissions": ["A", ["B"]],
                            "rows": ["x", {"project": "P", "cells": "x"}, {"project": "Q", "cells": {"A": ["list"]}}],
                        }
                    },
                )
            ],
            0.1,
        ),
    )
    return Report(
        f"0.1.0 {PAYLOADS[9]}",
        TargetSummary(
            f"https://jira.example.com/{PAYLOADS[1]}",
            f"generic {PAYLOADS[3]}",
            "oauth1",
            JiraFacts(f"Server {PAYLOADS[4]}", PAYLOADS[10], f"https://jira.example.com/{PAYLOADS[5]}"),
        ),
        f"2024-05-01T10:00:00+00:00 {PAYLOADS[0]}",
        1.5,
        checks,
    )


# --- fixtures: the browser (always killed) and the reports ----------------------------------------

@pytest.fixture
def page(browser):
    p = browser.new_page()
    p.send(
        "Emulation.setDeviceMetricsOverride", {"width": 1100, "height": 1300, "deviceScaleFactor": 1, "mobile": False}
    )
    try:
        yield p
    finally:
        p.close()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run(
        [sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    """``jiradoctor demo``: the real doctor against the lab (fail, pass, skip; commands to paste)."""
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--dir", str(out), cwd=out)
    assert result.returncode == 0, result.stderr
    return out / "report.html"


@pytest.fixture(scope="module")
def permissions_report(tmp_path_factory) -> Path:
    """A real run with the permission matrix (lab scenario permissions-gaps)."""
    from jiradoctor_lab import LabServer

    out = tmp_path_factory.mktemp("perms")
    with LabServer("permissions-gaps") as lab:
        client = lab.client
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
        env.update({"JIRADOCTOR_PASSWORD": client.password} if client.password else {"JIRADOCTOR_PAT": client.pat})
        args = [
            "doctor",
            "--url",
            lab.url,
            "--integration",
            client.integration,
            "--only",
            "auth,permissions",
            "--projects",
            "PIP,ART,OPS,SEC",
            "--timeout",
            "5",
            "-o",
            "report.html",
            "-o",
            "report.json",
        ]
        if client.user:
            args += ["--user", client.user]
        result = subprocess.run(
            [sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, env=env, cwd=out, timeout=60
        )
    assert result.returncode == 1, result.stdout + result.stderr
    return out / "report.html"


# --- what every report must do in the browser ---------------------------------------------------

DOM_FACTS = """(() => {
  const all = [...document.querySelectorAll('*')];
  const handlers = all.flatMap(el => [...el.attributes].filter(a => /^on/i.test(a.name)).map(a => el.tagName + ' ' + a.name));
  const active = [...document.querySelectorAll('script, img, iframe, frame, object, embed, svg, link, base, form, video, audio, source')]
                   .map(el => el.outerHTML.slice(0, 120));
  const metas = [...document.querySelectorAll('meta[http-equiv]')].map(m => m.httpEquiv.toLowerCase());
  const hrefs = [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'));
  const anchors = hrefs.filter(h => h.startsWith('#'));
  return {handlers, active, metas, hrefs, styles: document.querySelectorAll('style').length,
          broken_anchors: anchors.filter(h => !document.getElementById(decodeURIComponent(h.slice(1)))),
          pwned: window.__pwned === undefined ? null : window.__pwned, title: document.title,
          text: document.body.innerText, visible: document.body.offsetHeight > 100};
})()"""


def assert_quiet_and_inert(page, path: Path, expect_csp: bool = True) -> dict:
    page.open(file_url(path))
    facts = page.evaluate(DOM_FACTS)
    assert page.console_problems() == []
    assert page.requests() == [file_url(path)]  # the document itself, and nothing else at all
    assert facts["pwned"] is None, facts["pwned"]
    assert facts["title"].startswith("jiradoctor report: "), facts["title"]  # no payload set it
    assert facts["handlers"] == [] and facts["active"] == [], (facts["handlers"], facts["active"])
    assert facts["metas"] == (["content-security-policy"] if expect_csp else [])
    assert facts["styles"] == 1 and facts["visible"]
    assert facts["broken_anchors"] == []
    assert all(h.startswith("#") or h.startswith("https://") for h in facts["hrefs"]), facts["hrefs"]
    return facts


def assert_toc(page, report_checks: list[str]) -> None:
    toc = page.evaluate("""[...document.querySelectorAll('nav#contents a')].map(a => a.getAttribute('href'))""")
    assert toc[0] == "#toc"
    assert [h for h in toc if h.startswith("#check-")] == [f"#check-{c}" for c in report_checks]
    # following an entry scrolls its section into view
    page.evaluate(f"location.hash = {json.dumps(toc[-1])}")
    top = page.evaluate(f"document.getElementById({json.dumps(toc[-1][1:])}).getBoundingClientRect().top")
    assert abs(top) < 5 or page.evaluate("window.scrollY + innerHeight >= document.documentElement.scrollHeight - 2")


def assert_commands_copy(page, commands: list[str]) -> None:
    shown = page.evaluate("[...document.querySelectorAll('pre')].map(p => p.textContent)")
    for command in commands:
        assert command in shown, command
    assert page.evaluate("[...document.querySelectorAll('pre')].every(p => getComputedStyle(p).userSelect === 'all')")
    # one click on a command selects exactly the command (what a user then copies)
    for index in range(min(3, len(shown))):
        box = page.evaluate(f"""(() => {{ const p = document.querySelectorAll('pre')[{index}];
            p.scrollIntoView({{block: 'center'}}); const r = p.getBoundingClientRect();
            window.getSelection().removeAllRanges(); return [r.left + 5, r.top + r.height / 2]; }})()""")
        page.click(*box)
        assert page.evaluate("window.getSelection().toString()") == shown[index]


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLOURS = """(() => { const cs = el => getComputedStyle(el);
  const body = document.body, pre = document.querySelector('pre'), muted = document.querySelector('.muted');
  const badges = [...document.querySelectorAll('.badge')].map(b => [cs(b).color, cs(b).backgroundColor]);
  return {bg: cs(body).backgroundColor, fg: cs(body).color, pre_bg: pre ? cs(pre).backgroundColor : null,
          pre_fg: pre ? cs(pre).color : null, muted: muted ? cs(muted).color : null, badges,
          scheme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'}; })()"""


def assert_both_schemes_read(page) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        page.color_scheme(scheme)
        c = page.evaluate(COLOURS)
        assert c["scheme"] == scheme
        assert contrast(c["fg"], c["bg"]) >= 7, (scheme, c)
        assert c["muted"] is None or contrast(c["muted"], c["bg"]) >= 4.5, (scheme, c)
        assert c["pre_bg"] is None or contrast(c["pre_fg"], c["pre_bg"]) >= 7, (scheme, c)
        for fg, bg in c["badges"]:
            assert contrast(fg, bg) >= 3, (scheme, fg, bg)  # bold upper-case labels
        seen[scheme] = c
    assert seen["light"]["bg"] != seen["dark"]["bg"]
    assert luminance(seen["light"]["bg"]) > 0.8 > 0.1 > luminance(seen["dark"]["bg"])
    page.send("Emulation.setEmulatedMedia", {"features": []})


def assert_screenshot_and_pdf(page, out: Path) -> None:
    png = page.screenshot()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    out.with_suffix(".png").write_bytes(png)
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000 and b"%%EOF" in pdf[-1024:]
    out.with_suffix(".pdf").write_bytes(pdf)


# --- the tests -----------------------------------------------------------------------------------


def test_demo_report_in_chromium(page, demo_report: Path) -> None:
    data = json.loads(demo_report.with_suffix(".json").read_text())
    facts = assert_quiet_and_inert(page, demo_report)
    assert facts["title"].startswith("jiradoctor report: FAIL — http://127.0.0.1:")
    assert_toc(page, [c["id"] for c in data["checks"]])
    commands = [cmd for c in data["checks"] for f in c["findings"] for cmd in f["commands"]]
    assert commands, "the demo report should carry commands to paste"
    assert_commands_copy(page, commands)
    assert_both_schemes_read(page)
    assert_screenshot_and_pdf(page, demo_report)


def test_permissions_report_in_chromium(page, permissions_report: Path) -> None:
    data = json.loads(permissions_report.with_suffix(".json").read_text())
    assert_quiet_and_inert(page, permissions_report)
    assert_toc(page, [c["id"] for c in data["checks"]])
    cells = page.evaluate("[...document.querySelectorAll('.matrix td.cell')].map(td => td.className)")
    assert any("cell-missing" in c for c in cells) and any("cell-ok" in c for c in cells)
    assert_both_schemes_read(page)
    assert_screenshot_and_pdf(page, permissions_report)


def test_hostile_report_runs_nothing_and_shows_the_text(page, tmp_path: Path) -> None:
    report = hostile_report()
    path = tmp_path / "hostile.html"
    path.write_text(html.render(report), encoding="utf-8")
    facts = assert_quiet_and_inert(page, path)
    for payload in PAYLOADS:
        assert payload in facts["text"], payload  # shown as the text it is
    assert facts["title"] == f"jiradoctor report: ERROR — {report.target.url}"
    # only the plain https docs link of each finding is clickable
    assert [h for h in facts["hrefs"] if not h.startswith("#")] == ["https://docs.example.com/fix"] * sum(
        1 for _, f in report.findings() if f.docs
    )
    assert_toc(page, [c.id for c in report.checks])
    assert_commands_copy(
        page, [c for _, f in report.findings() if f.status.rank >= Status.WARN.rank for c in f.commands]
    )
    assert_both_schemes_read(page)
    assert_screenshot_and_pdf(page, path)


def test_hostile_report_is_inert_even_without_its_csp(page, tmp_path: Path) -> None:
    """The CSP is a second line; the escaping alone must already keep every payload inert."""
    page_html = html.render(hostile_report())
    stripped, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", page_html)
    assert n == 1
    path = tmp_path / "no-csp.html"
    path.write_text(stripped, encoding="utf-8")
    facts = assert_quiet_and_inert(page, path, expect_csp=False)
    for payload in PAYLOADS:
        assert payload in facts["text"], payload


def test_the_watchers_see_what_they_watch_for(page, tmp_path: Path) -> None:
    """Positive control: a page that does run a script and fetch something is caught by each check."""
    path = tmp_path / "control.html"
    path.write_text(
        "<!DOCTYPE html><title>control</title><p>x</p>"
        "<script>window.__pwned = 1; document.title = 'pwned'; console.error('boom')</script>"
        "<img src='http://127.0.0.1:9/tracker.png'>",
        encoding="utf-8",
    )
    page.open(file_url(path))
    facts = page.evaluate(DOM_FACTS)
    assert facts["pwned"] == 1 and facts["title"] == "pwned"
    assert any("boom" in p for p in page.console_problems())
    assert "http://127.0.0.1:9/tracker.png" in page.requests()
    assert facts["active"]
