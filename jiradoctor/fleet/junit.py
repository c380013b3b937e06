"""junit.xml for a fleet: one <testsuite> per target (the doctor's own JUnit for that target).

Each target's suite is kept as a fragment beside its report (targets/NAME.junit.xml) when it
finishes; the fleet's file is those fragments joined in name order, streamed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, TextIO

from jiradoctor.fleet import rows
from jiradoctor.reports.junit import _clean


def suite_fragment(name: str, rendered: str) -> str:
    """The <testsuite> of the doctor's JUnit document, named for the target."""
    root = ET.fromstring(rendered)
    suite = root.find("testsuite")
    if suite is None:
        return error_fragment(name, "the report had no test suite")
    suite.set("name", name)
    return ET.tostring(suite, encoding="unicode") + "\n"


def error_fragment(name: str, message: str) -> str:
    suite = ET.Element("testsuite", name=name, tests="1", failures="0", errors="1", skipped="0")
    case = ET.SubElement(suite, "testcase", classname=f"jiradoctor.fleet.{name}", name="run")
    ET.SubElement(case, "error", message=_clean(message), type="error").text = _clean(message)
    return ET.tostring(suite, encoding="unicode") + "\n"


def write(folder: Path, names: Iterable[str], out: TextIO) -> None:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="jiradoctor fleet">\n')
    for name in names:
        path = folder / rows.TARGETS / f"{name}.junit.xml"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = error_fragment(name, "no result was written for this target")
        out.write(text)
    out.write("</testsuites>\n")
