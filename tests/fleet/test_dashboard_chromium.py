"""index.html in a real headless Chromium (tests/browser/cdp.py): sort and filter work with the script,
everything reads without it, hostile text stays text, nothing is fetched."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from jiradoctor.fleet import outputs
from tests.browser.cdp import Browser, file_url

pytestmark = pytest.mark.timeout(90)  # the browser fixture (tests/conftest.py) fails, never skips, without Chromium
HOSTILE = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>\u202e"


def row(name: str, status: str, integration: str, checks: dict[str, str], state: str, duration: float,
        **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": f"https://{name}.example/", "integration": integration, "status": status,
            "counts": {status: 1}, "first_fix": None, "duration_s": duration, "checks": checks, "expires": [],
            "message": None, "change": {"state": state, "regressions": [], "fixed": []}, "last_success": None,
            **extra}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dash")
    soon = (datetime.now(timezone.utc) + timedelta(days=9)).isoformat()
    rows = [
        row("acme", "pass", "piplanning", {"auth": "pass", "tls": "pass"}, "unchanged", 3.0),
        row("globex", "fail", "zephyr", {"auth": "fail", "tls": "pass"}, "broke", 1.0,
            first_fix={"check": "auth", "code": "auth/invalid-credentials", "message": HOSTILE}),
        row("initech", "warn", "piplanning", {"auth": "pass", "tls": "warn"}, "fixed", 2.0,
            expires=[{"kind": "certificate", "at": soon, "subject": HOSTILE}]),
        row("umbrella", "error", "zephyr", {}, "still-broken", 9.0, message=HOSTILE),
    ]
    (folder / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "targets").mkdir()
    outputs.write_all(folder, "/previous")
    return folder / "index.html"


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    p = browser.new_page()
    try:
        yield p
    finally:
        p.close()


VISIBLE = "Array.from(document.querySelectorAll('#targets tbody tr')).filter(r => !r.hidden).map(r => r.id)"


def choose(page: Any, which: str, value: str) -> list[str]:
    page.evaluate(f"(() => {{ const s = document.getElementById('filter-{which}'); s.value = {json.dumps(value)};"
                  f" s.dispatchEvent(new Event('change')); }})()")
    shown: list[str] = page.evaluate(VISIBLE)
    return shown


def test_filters_and_sorting_work_and_nothing_runs_or_is_fetched(page: Any, dashboard: Path) -> None:
    page.open(file_url(dashboard))
    assert page.console_problems() == []
    assert page.requests() == [file_url(dashboard)]
    assert page.evaluate("window.__pwned === undefined") is True
    assert page.evaluate("document.getElementById('filters').hidden") is False
    assert choose(page, "status", "fail") == ["t-globex"]
    choose(page, "status", "")
    assert choose(page, "check", "tls") == ["t-initech"]
    choose(page, "check", "")
    assert choose(page, "integration", "zephyr") == ["t-globex", "t-umbrella"]
    choose(page, "integration", "")
    assert choose(page, "change", "broke") == ["t-globex"]
    choose(page, "change", "")
    assert page.evaluate(VISIBLE) == ["t-acme", "t-globex", "t-initech", "t-umbrella"]
    duration = "Array.from(document.querySelectorAll('#targets th')).find(t => t.textContent === 'Duration')"
    page.evaluate(f"{duration}.click()")
    assert page.evaluate(VISIBLE) == ["t-globex", "t-initech", "t-acme", "t-umbrella"]
    page.evaluate(f"{duration}.click()")
    assert page.evaluate(VISIBLE) == ["t-umbrella", "t-acme", "t-initech", "t-globex"]
    text = page.evaluate("document.body.innerText")
    assert "<script>window.__pwned=2</script>" in text  # shown as text, not run
    assert page.console_problems() == []


def test_without_script_every_section_and_row_reads(page: Any, dashboard: Path) -> None:
    page.send("Emulation.setScriptExecutionDisabled", {"value": True})
    try:  # page.open waits for two animation frames through a script; with scripts off, the load event only
        page.browser.events.clear()
        page.send("Page.navigate", {"url": file_url(dashboard)})
        page.browser.wait_for(lambda e: e.get("sessionId") == page.session and e["method"] == "Page.loadEventFired")
        assert page.evaluate("document.getElementById('filters').hidden") is True
        assert page.evaluate(VISIBLE) == ["t-acme", "t-globex", "t-initech", "t-umbrella"]
        section = "(id) => document.getElementById(id).innerText"
        assert "globex" in page.evaluate(f"({section})('broke')")
        assert "initech" in page.evaluate(f"({section})('fixed')")
        assert "umbrella" in page.evaluate(f"({section})('still-broken')")
        expiring = page.evaluate(f"({section})('expiring')")
        assert "initech" in expiring and "certificate expires" in expiring and "acme" not in expiring
    finally:
        page.send("Emulation.setScriptExecutionDisabled", {"value": False})
