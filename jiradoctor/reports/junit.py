"""JUnit XML for CI readers (Jenkins, GitLab, GitHub): one testcase per check.

``fail`` becomes <failure>, ``error`` <error>, ``skip`` <skipped> with its reason; ``warn`` is a
pass unless ``warn_as="failure"``. Each problem finding is listed in the failure text, root
causes first (the order of "What to fix first"), and the finding codes go in the testcase's
system-out so a CI reader can search them.

With a baseline (``--baseline``), a check whose problems are all accepted in the baseline is not a
failure: its system-out says "accepted in the baseline"; a check with a regression fails and its
message says "regression" — so the test tab agrees with the exit code.
"""

from __future__ import annotations


import os
import xml.etree.ElementTree as ET

from jiradoctor.model import CheckResult, Finding, Report, Status
from jiradoctor.reports.order import fix_first, is_shell_command
from jiradoctor.visible import visible

WARN_AS_ENV = "JIRADOCTOR_JUNIT_WARN_AS"  # read by the CLI's --junit-warn-as


def _problems_text(
    report: Report, check: CheckResult, regressions: set[tuple[str, str, str]] | None = None
) -> str:
    """The check's problems in fix-first order, each marked regression/accepted under a baseline."""
    lines = []
    for cause in fix_first(report, fold=False):
        if cause.check is not check:
            continue
        f = cause.finding
        mark = (
            ""
            if regressions is None
            else ("REGRESSION " if _key(check, f) in regressions else "accepted in the baseline ")
        )
        lines.append(f"{mark}[{f.status.value}] {f.code}: {f.message}")
        if cause.blocks:
            lines.append(f"    root cause: {', '.join(cause.blocks)} could not run until this is fixed")
        lines += [f"    fix: {r}" for r in f.remediation]
        lines += [("    $ " if is_shell_command(c) else "    ") + c for c in f.commands]
        lines += [f"    paste exactly ({k}):\n{v}" for k, v in cause.paste]
    return "\n".join(lines)


def _key(check: CheckResult, finding: Finding) -> tuple[str, str, str]:
    return (check.id, finding.code, finding.subject or "")


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters, nor UTF-8 a lone surrogate (a JSON ``\\ud800``
    escape); a hostile server may send either. They are shown escaped instead."""
    text = visible(text, keep="\t\n\r")
    return "".join(
        ch
        if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) and ch not in "\ufffe\uffff"
        else f"\\x{ord(ch):02x}"
        if ord(ch) < 0x100
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


def render(report: Report, warn_as: str | None = None, baseline: Report | None = None) -> str:
    """``warn_as`` pass|failure; unset, the JIRADOCTOR_JUNIT_WARN_AS variable decides (default pass).
    ``baseline``: findings it already had (at the same or a worse status) are accepted, not failures."""
    warn_as = warn_as or os.environ.get(WARN_AS_ENV, "pass")
    failing = {Status.FAIL} | ({Status.WARN} if warn_as == "failure" else set())
    regressions: set[tuple[str, str, str]] | None = None
    regressed_checks: set[str] = set()
    if baseline is not None:
        from jiradoctor.reports.baseline import compare

        comparison = compare(baseline, report, Status.WARN if warn_as == "failure" else Status.FAIL)
        regressions = {(c.check_id, c.code, c.subject or "") for c in comparison.regressions if c.code}
        regressed_checks = {c.check_id for c in comparison.regressions}
    suites = ET.Element("testsuites", name="jiradoctor")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=_clean(f"jiradoctor {report.target.url or 'offline'}"),
        timestamp=_clean(report.started_at),
        time=f"{report.duration_s:.3f}",
    )
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for check in report.checks:
        counts["tests"] += 1
        case = ET.SubElement(
            suite,
            "testcase",
            name=_clean(check.id),
            classname=_clean(f"jiradoctor.{check.id}"),
            time=f"{check.duration_s:.3f}",
        )
        accepted = regressions is not None and check.status in failing and check.id not in regressed_checks
        if check.status in failing and not accepted:
            counts["failures"] += 1
            message = check.summary if regressions is None else f"regression: {check.summary}"
            ET.SubElement(case, "failure", message=_clean(message), type=check.status.value).text = _clean(
                _problems_text(report, check, regressions)
            )
        elif check.status == Status.ERROR:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=_clean(check.summary), type="error").text = _clean(
                _problems_text(report, check)
            )
        elif check.status == Status.SKIP:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=_clean(check.skip_reason or check.summary))
        if accepted:
            ET.SubElement(ET.SubElement(case, "properties"), "property", name="baseline", value="accepted")
            ET.SubElement(case, "system-out").text = _clean(
                f"accepted in the baseline, not a regression ({check.status.value}):\n"
                + _problems_text(report, check, regressions)
            )
        elif check.findings:
            ET.SubElement(case, "system-out").text = _clean(
                "\n".join(f"{f.status.value} {f.code}: {f.message}" for f in check.findings)
            )
    for key, value in counts.items():
        suite.set(key, str(value))
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
