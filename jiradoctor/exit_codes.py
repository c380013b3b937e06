"""The exit codes users' CI gates build on, each with its meaning: one table for the CLI and the reference."""

from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOTHING_OBSERVED = 0, 1, 2, 3, 4
EXIT_JIRA_UNSEEN = 5  # the run asked Jira's URL and never saw Jira answer as Jira (issue 25)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

MEANINGS: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "nothing at or above `--fail-on`, and (in a live run) Jira answered as Jira"),
    (EXIT_FINDINGS, "a check at or above `--fail-on` (with `--baseline`: only regressions against it)"),
    (EXIT_USAGE, "usage error"),
    (EXIT_INTERNAL, "jiradoctor itself failed (also when a check crashed or ran out of time; the report is written)"),
    (EXIT_NOTHING_OBSERVED, "nothing was observed: every check skipped (`summary.status` is `skip`), whatever "
     "`--fail-on` says"),
    (EXIT_JIRA_UNSEEN, "Jira never answered as Jira: the run asked Jira's URL and no answer carried Jira's own traces "
     "(serverInfo, `X-AREQUESTID`, Jira's 401 ...) — an SSO login page, a portal, a placeholder, nothing listening "
     "(`target.jira.identified` is `false`, `summary.note` says so), whatever `--fail-on` says, unless a check at "
     "or above `--fail-on` already exits 1. `--offline` runs, HAR analyses and runs whose checks send no request "
     "never ask Jira, so never exit 5"),
    (EXIT_INTERRUPTED, "interrupted with Ctrl-C (no report written)"),
)
