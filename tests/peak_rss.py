"""A child's own peak memory, measured from a small launcher process.

``ru_maxrss`` of a child forked straight from pytest also counts the pages it shared with pytest
before ``exec`` (hundreds of MB late in a full run); a tiny Python launcher forks the real child
instead, so what ``wait4`` reports is the child's own peak.
"""

from __future__ import annotations

import sys
from pathlib import Path

_LAUNCHER = """\
import os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as fh:
    fh.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def launched(argv: list[str], report: Path) -> list[str]:
    """The command line that runs ``argv`` and writes its peak RSS in KB to ``report``."""
    return [sys.executable, "-c", _LAUNCHER, str(report), *argv]


def peak_mb(report: Path) -> float:
    return int(report.read_text()) / 1024
