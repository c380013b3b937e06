"""logs: what Jira's own logs say about the connection (read by `jiradoctor logs FILE…`).

Jira's logs hold what no REST answer shows: the base string Jira computed when it refused a
signature, the consumer key it did not know, "PKIX path building failed" when Jira calls out,
failed logins of the service user, requests Tomcat refused. `jiradoctor logs` reads them
(jiradoctor/logs/) and reports known lines with the live checks' own codes (oauth-signature/…,
consumer-key/…, outgoing-tls/…, auth/…); the codes below are the ones only logs give. A doctor run
does not read logs, so this check is never part of a doctor run (``in_doctor_run=False``).

Title: Jira's logs.
Codes: logs/read, logs/unrecognised-errors, logs/applink-auth-failed, logs/request-target-refused,
logs/unreadable, logs/not-text, logs/huge-line, logs/decompression-bomb, logs/unsafe-archive-name,
logs/no-log-files, logs/flood.
"""

from __future__ import annotations

from typing import Sequence

from jiradoctor.context import CheckContext
from jiradoctor.model import Finding, NotObserved
from jiradoctor.registry import Check

CODES = (
    "logs/read",
    "logs/unrecognised-errors",
    "logs/applink-auth-failed",
    "logs/request-target-refused",
    "logs/unreadable",
    "logs/not-text",
    "logs/huge-line",
    "logs/decompression-bomb",
    "logs/unsafe-archive-name",
    "logs/no-log-files",
    "logs/flood",
)


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    raise NotObserved("Jira's logs are read by `jiradoctor logs FILE…` (atlassian-jira.log, a support zip), "
                      "not by a doctor run")


CHECK = Check(
    id="logs",
    title="Jira's logs",
    explanation="""\
Looks at: Jira's own logs, given to `jiradoctor logs FILE…`: atlassian-jira.log*,
atlassian-jira-security.log*, catalina.out / catalina.*.log, access logs, rotated and .gz files, or a
whole support zip (its log files found by name), streamed: a multi-GB log is normal.
Why it fails: each known line (docs/LOG-SIGNATURES.md names where each was captured) becomes the
finding a live check would give: signature_invalid with the base string Jira computed (diffed
against the integration's view with --url/--consumer-key), consumer_key_unknown,
timestamp_refused, "PKIX path building failed" on Jira's outgoing calls, failed logins in the
security log; and, with codes of its own, application-link requests the other side refused and
requests Tomcat refused before Jira saw them. ERROR lines no signature explains are counted.
How to fix: each finding carries the same fix as the live check, with how many times it happened,
first and last seen (UTC), the node, thread and file, and a few lines (secrets masked).""",
    judge=judge,
    order=900,
    codes=CODES,
    in_doctor_run=False,
)
