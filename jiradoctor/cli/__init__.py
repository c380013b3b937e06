"""The command line: doctor, checks, explain, render, demo (and the lab).

Every doctor option reads ``JIRADOCTOR_<NAME>`` and the TOML file given with ``--config``
(command line > environment > config file > default, click's own precedence). Exit codes:
0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error, 3 jiradoctor failed,
4 nothing was observed (every check skipped), 5 Jira never answered as Jira (the run asked Jira's URL
and no answer carried Jira's own traces: an SSO page, a portal, a placeholder, nothing listening —
whatever --fail-on says; --offline runs never ask, so never exit 5), 130 interrupted (Ctrl-C).
"""

# Each command imports what it uses, inside the command (issue 14): `--help`, `checks`, `explain`,
# `profiles`, `render` and `diff` never load httpx, cryptography, oauthlib, dnspython, asyncio or the
# lab; jinja2 only when HTML is written. tests/cli/test_lazy_imports.py holds every command to that.
from jiradoctor.cli.app import main
from jiradoctor.cli import doctor, evidence, info, reports  # noqa: F401 - each registers its commands on main
from jiradoctor.cli.options import DOCTOR_OPTIONS, click_option, doctor_options
from jiradoctor.cli.resolve import build_target
from jiradoctor.cli.shared import FAIL_ON, SECRET_OPTIONS, exit_code_for, load_checks, write_outputs
from jiradoctor.exit_codes import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_JIRA_UNSEEN,
    EXIT_NOTHING_OBSERVED,
    EXIT_OK,
    EXIT_USAGE,
)

__all__ = [
    "DOCTOR_OPTIONS",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_JIRA_UNSEEN",
    "EXIT_NOTHING_OBSERVED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FAIL_ON",
    "SECRET_OPTIONS",
    "build_target",
    "click_option",
    "doctor_options",
    "exit_code_for",
    "load_checks",
    "main",
    "write_outputs",
]
