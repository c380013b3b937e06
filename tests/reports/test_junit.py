"""JUnit XML (``-o report.xml``): one testcase per check, read the way CI readers read it.

Every document is validated with a real XSD validator (lxml/libxml2) against ``tests/data/junit.xsd``,
the common shape Jenkins, GitLab and GitHub readers accept, and parsed strictly (hostile text from a
server must not make it ill-formed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from jiradoctor.model import CheckResult, Finding, JiraFacts, Report, Status, TargetSummary
from jiradoctor.reports import junit, render
from tests.conftest import assert_valid_report

DATA = Path(__file__).parent.parent / "data"
SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "junit.xsd")))
BASE = "https://jira.example.com"


@pytest.fixture(autouse=True)
def _no_warn_as_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # the CLI sets JIRADOCTOR_JUNIT_WARN_AS in its own process; in-process renders here must not see it
    monkeypatch.delenv(junit.WARN_AS_ENV, raising=False)


def parse_valid(xml: str) -> etree._Element:
    """Strict parse (no recovery) + XSD validation + the counts agreeing with the testcases."""
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(recover=False, resolve_entities=False))
    if not SCHEMA.validate(root):
        raise AssertionError("JUnit XML does not match junit.xsd:\n" + "\n".join(str(e) for e in SCHEMA.error_log))
    assert root.tag == "testsuites"
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for kind, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(attr)) == sum(1 for c in cases if c.find(kind) is not None), attr
    return root


def outcome(case: etree._Element) -> str:
    for kind in ("failure", "error", "skipped"):
        if case.find(kind) is not None:
            return kind
    return "passed"


def every_status_report(text: str = "") -> Report:
    """One check at each status, the text (hostile or not) in every field a renderer shows."""
    t = text

    def f(code: str, status: Status, **kw) -> Finding:
        return Finding(
            code,
            status,
            f"{code} says {t}",
            evidence={"server": f"said {t}"},
            remediation=(f"fix {t}",),
            commands=(f"echo {t}",),
            docs=(f"https://docs.example.com/{t}",),
            subject=f"subj {t}",
            **kw,
        )

    checks = (
        CheckResult.from_findings("p", f"Passing {t}", [f("p/ok", Status.PASS)], 0.01),
        CheckResult.from_findings("i", f"Informing {t}", [f("i/note", Status.INFO)], 0.02),
        CheckResult.from_findings("w", f"Warning {t}", [f("w/careful", Status.WARN)], 0.03),
        CheckResult.from_findings("f", f"Failing {t}", [f("f/broken", Status.FAIL), f("f/also", Status.WARN)], 0.04),
        CheckResult.from_findings("e", f"Erroring {t}", [f("e/check-error", Status.ERROR)], 0.05),
        CheckResult.skipped("s", f"Skipped {t}", f"blocked: f failed first {t}", ("f",)),
    )
    return Report(
        "0.1.0",
        TargetSummary(f"{BASE}/{t}", "generic", "oauth1", JiraFacts("Server", "9.12.0", BASE)),
        "2024-05-01T10:00:00.123456+00:00",
        1.25,
        checks,
    )


EXPECTED = {"p": "passed", "i": "passed", "w": "passed", "f": "failure", "e": "error", "s": "skipped"}


def test_every_status_maps_to_its_junit_outcome() -> None:
    report = every_status_report()
    root = parse_valid(junit.render(report))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases) == [c.id for c in report.checks]  # one testcase per check, in report order
    assert {name: outcome(c) for name, c in cases.items()} == EXPECTED
    assert cases["f"].find("failure").get("type") == "fail"
    assert "[fail] f/broken" in cases["f"].find("failure").text and "[warn] f/also" in cases["f"].find("failure").text
    assert "fix " in cases["f"].find("failure").text  # the remediation travels with the failure
    assert cases["e"].find("error").get("message")
    skipped = cases["s"].find("skipped")
    assert skipped.get("message").startswith("blocked: f failed first")  # the skip reason
    assert "w/careful" in cases["w"].find("system-out").text  # a warn that passes is still visible
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "6",
        "1",
        "1",
        "1",
    )
    assert root.get("tests") == "6"


def test_warn_as_failure() -> None:
    root = parse_valid(junit.render(every_status_report(), warn_as="failure"))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert outcome(cases["w"]) == "failure" and cases["w"].find("failure").get("type") == "warn"
    assert outcome(cases["i"]) == "passed" and outcome(cases["p"]) == "passed"
    assert root.find("testsuite").get("failures") == "2"


def test_warn_as_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(junit.WARN_AS_ENV, "failure")
    root = parse_valid(junit.render(every_status_report()))
    assert root.find("testsuite").get("failures") == "2"


HOSTILE = (
    "<script>alert(1)</script> ]]> <![CDATA[x]]> & &amp; \"q\" 'a' \x00nul \x01\x08\x0b\x0c\x1b[2J "
    "\x7f\x9b \ufffe\uffff \ud800 lone surrogate \r\n new line\ttab 🎉"
)


def test_hostile_text_stays_well_formed() -> None:
    report = every_status_report(HOSTILE)
    for warn_as in ("pass", "failure"):
        xml = junit.render(report, warn_as=warn_as)
        xml.encode("utf-8")  # writable as UTF-8 (no lone surrogate left)
        root = parse_valid(xml)
        # the markup arrived as text, never as elements
        assert {el.tag for el in root.iter()} <= {
            "testsuites",
            "testsuite",
            "testcase",
            "failure",
            "error",
            "skipped",
            "system-out",
            "system-err",
        }
        text = etree.tostring(root, encoding="unicode", method="text")
        assert "<script>alert(1)</script> ]]> <![CDATA[x]]>" in text
        assert "⟨U+0000 NULL⟩nul" in text and "⟨U+001B ESCAPE⟩[2J" in text  # control characters shown, not carried
        assert "⟨U+D800 SURROGATE⟩" in text
        assert "🎉" in text
        failure = root.find(".//testcase[@name='f']/failure")
        assert "<script>" in failure.get("message")
        # the standard library's parser (what many small CI tools use) reads it too
        import xml.etree.ElementTree as ET

        assert len(ET.fromstring(xml.encode("utf-8")).findall(".//testcase")) == 6


def test_hostile_check_id_and_target() -> None:
    """Plugin check ids and the target URL reach attributes (name, classname, testsuite name)."""
    odd = CheckResult.from_findings('x"<\x01>&', "Odd", [Finding('x"<\x01>&/code', Status.FAIL, "m\x02")])
    report = Report(
        "0.1.0", TargetSummary(f'{BASE}/\x1b<>"', "generic", "none"), "2024-05-01T10:00:00+00:00", 0.1, (odd,)
    )
    root = parse_valid(junit.render(report))
    case = root.find(".//testcase")
    assert case.get("name").startswith('x"<') and outcome(case) == "failure"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    return subprocess.run(
        [sys.executable, "-m", "jiradoctor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


OFFLINE_WARN_AND_FAIL = (
    "doctor",
    "--offline",
    "--consumer-key",
    "abc$def",
    "--jira-consumer-key",
    "abc$def",
    "--server-xml",
    str(DATA / "server_proxy_without_proxyname.xml"),
    "--base-url",
    BASE,
    "--url",
    BASE,
)


def test_cli_writes_junit_for_a_real_run(tmp_path: Path) -> None:
    """The real CLI: warn (consumer-key), fail (base-url), skip (network checks) in one file."""
    result = run_cli(*OFFLINE_WARN_AND_FAIL, "-o", "report.xml", "-o", "report.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads((tmp_path / "report.json").read_text())
    assert_valid_report(data)
    root = parse_valid((tmp_path / "report.xml").read_text(encoding="utf-8"))
    outcomes = {c.get("name"): outcome(c) for c in root.iter("testcase")}
    assert list(outcomes) == [c["id"] for c in data["checks"]]
    assert outcomes["base-url"] == "failure" and outcomes["consumer-key"] == "passed"
    assert outcomes["oauth-signature"] == "skipped"
    skipped = root.find(".//testcase[@name='oauth-signature']/skipped")
    assert skipped.get("message") == next(c["skip_reason"] for c in data["checks"] if c["id"] == "oauth-signature")

    result = run_cli(*OFFLINE_WARN_AND_FAIL, "--junit-warn-as", "failure", "-o", "warned.xml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # JUnit's view of warn does not change the exit code
    root = parse_valid((tmp_path / "warned.xml").read_text(encoding="utf-8"))
    assert outcome(root.find(".//testcase[@name='consumer-key']")) == "failure"

    env_result = subprocess.run(
        [sys.executable, "-m", "jiradoctor", *OFFLINE_WARN_AND_FAIL, "-o", "env.xml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")},
            "JIRADOCTOR_JUNIT_WARN_AS": "failure",
        },
    )
    assert env_result.returncode == 1, env_result.stderr
    assert (
        outcome(parse_valid((tmp_path / "env.xml").read_text()).find(".//testcase[@name='consumer-key']")) == "failure"
    )


def test_render_command_turns_a_saved_report_into_junit(tmp_path: Path) -> None:
    hostile = HOSTILE.replace("\ud800", "")  # a lone surrogate cannot be written as JSON (see the report)
    (tmp_path / "r.json").write_text(render(every_status_report(hostile), "json"), encoding="utf-8")
    result = run_cli("render", "r.json", "-o", "r.xml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = parse_valid((tmp_path / "r.xml").read_text(encoding="utf-8"))
    assert {c.get("name"): outcome(c) for c in root.iter("testcase")} == EXPECTED


def test_a_lab_run_with_failures_and_skips(tmp_path: Path) -> None:
    """A real run against the lab (a signature_invalid scenario): failing checks and blocked ones."""
    from jiradoctor_lab import LabServer

    with LabServer("url-mismatch-proxy-host") as lab:
        key = tmp_path / "key.pem"
        key.write_text(lab.private_key_pem)
        result = run_cli(
            "doctor",
            "--url",
            lab.url,
            "--integration",
            lab.client.integration,
            "--consumer-key",
            lab.consumer_key,
            "--private-key",
            str(key),
            "--timeout",
            "5",
            "-o",
            "lab.xml",
            "-o",
            "lab.json",
            cwd=tmp_path,
        )
    assert result.returncode == 1, result.stderr
    data = json.loads((tmp_path / "lab.json").read_text())
    root = parse_valid((tmp_path / "lab.xml").read_text(encoding="utf-8"))
    by_id = {c["id"]: c["status"] for c in data["checks"]}
    kinds = {"fail": "failure", "error": "error", "skip": "skipped"}
    for case in root.iter("testcase"):
        assert outcome(case) == kinds.get(by_id[case.get("name")], "passed"), case.get("name")
    assert {"fail", "skip"} <= set(by_id.values())  # which check fails first is the checks' business
