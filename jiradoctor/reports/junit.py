"""JUnit XML for CI readers (Jenkins, GitLab, GitHub): one testcase per check.

``fail`` becomes <failure>, ``error`` <error>, ``skip`` <skipped> with its reason; ``warn`` is a
pass unless ``warn_as="failure"``. Each problem finding is listed in the failure text, and the
finding codes go in the testcase's system-out so a CI reader can search them.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from jiradoctor.model import CheckResult, Report, Status

WARN_AS_ENV = "JIRADOCTOR_JUNIT_WARN_AS"  # read by the CLI's --junit-warn-as



def _problems_text(check: CheckResult) -> str:
    lines = []
    for f in check.findings:
        if f.status.rank >= Status.WARN.rank:
            lines.append(f"[{f.status.value}] {f.code}: {f.message}")
            lines += [f"    fix: {r}" for r in f.remediation]
    return "\n".join(lines)


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters, nor UTF-8 a lone surrogate (a JSON ``\\ud800``
    escape); a hostile server may send either. They are shown escaped instead."""
    return "".join(ch if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) and ch not in "\ufffe\uffff"
                   else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in text)


def render(report: Report, warn_as: str | None = None) -> str:
    """``warn_as`` pass|failure; unset, the JIRADOCTOR_JUNIT_WARN_AS variable decides (default pass)."""
    warn_as = warn_as or os.environ.get(WARN_AS_ENV, "pass")
    failing = {Status.FAIL} | ({Status.WARN} if warn_as == "failure" else set())
    suites = ET.Element("testsuites", name="jiradoctor")
    suite = ET.SubElement(suites, "testsuite", name=_clean(f"jiradoctor {report.target.url or 'offline'}"),
                          timestamp=_clean(report.started_at), time=f"{report.duration_s:.3f}")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in report.checks:
        counts["tests"] += 1
        case = ET.SubElement(suite, "testcase", name=_clean(check.id), classname=_clean(f"jiradoctor.{check.id}"),
                             time=f"{check.duration_s:.3f}")
        if check.status in failing:
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=_clean(check.summary), type=check.status.value).text = _clean(_problems_text(check))
        elif check.status == Status.ERROR:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=_clean(check.summary), type="error").text = _clean(_problems_text(check))
        elif check.status == Status.SKIP:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=_clean(check.skip_reason or check.summary))
        if check.findings:
            ET.SubElement(case, "system-out").text = _clean("\n".join(f"{f.status.value} {f.code}: {f.message}" for f in check.findings))
    for key, value in counts.items():
        suite.set(key, str(value))
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
