"""What to fix first, the same for every renderer: root causes before their consequences.

A check that other checks are ``blocked_by`` is a root cause (its failing finding, not a warning
beside it); among the rest, ``fail`` comes before ``warn`` and the report's own order (network,
then URL, then keys, then auth) breaks ties, since that order follows the path a request takes.
Only problems (warn and worse) are listed: an ``info`` such as ``dns/private-address`` about
loopback never outranks the real cause.

One item per cause: a finding that is the symptom of another in the same report (Jira refusing the
timestamp when the clocks are apart, signature_invalid when server.xml names another host) is told
under its cause (``Cause.symptoms``), and what the symptom blocks is the cause's to unblock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiradoctor.model import CheckResult, Finding, Report, Status

# evidence keys whose value is text to paste or a corrected configuration, in the order shown
PASTE_KEYS = ("paste_into_jira", "trust_this_pem", "corrected_connector")
_SHELL = re.compile(r"^\(?[a-z][a-z0-9_.+-]*(\s|$)")


# symptom code -> the codes of findings that explain it (the cause observed from another side)
SYMPTOM_OF: dict[str, tuple[str, ...]] = {
    "oauth-signature/timestamp-refused": ("clock-skew/exceeds-tolerance", "clock-skew/near-tolerance"),
    "oauth-signature/url-mismatch": (
        "base-url/server-xml-mismatch",
        "base-url/proxy-attributes-missing",
        "base-url/proxy-mismatch",
    ),
    "oauth-signature/key-mismatch": ("public-key/pair-mismatch", "applink/public-key-mismatch"),
    "consumer-key/unknown": ("consumer-key/whitespace", "consumer-key/mismatch"),
    "consumer-key/mismatch": ("consumer-key/whitespace",),
}


@dataclass(frozen=True)
class Cause:
    """One problem finding, where it sits in the fix order, what it blocks, and the findings that are
    only its symptoms."""

    check: CheckResult
    finding: Finding
    blocks: tuple[str, ...]
    symptoms: tuple[Finding, ...] = ()

    @property
    def root(self) -> bool:
        return bool(self.blocks)

    @property
    def paste(self) -> list[tuple[str, str]]:
        """(evidence key, text) for the text this finding tells the user to paste."""
        return [(k, self.finding.evidence[k]) for k in PASTE_KEYS
                if isinstance(self.finding.evidence.get(k), str) and self.finding.evidence[k]
                and self.finding.evidence[k] not in self.finding.commands]


def blocked_by_map(report: Report) -> dict[str, tuple[str, ...]]:
    """check id -> the checks it blocks (skipped with ``blocked_by`` naming it)."""
    blocks: dict[str, list[str]] = {}
    for check in report.checks:
        for root in check.blocked_by:
            blocks.setdefault(root, []).append(check.id)
    return {k: tuple(v) for k, v in blocks.items()}


def _blocks(check: CheckResult, finding: Finding, blocks: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """What this finding keeps from running: its check's blocked checks, when it is what failed the check
    (a warning beside the failure, such as a certificate expiring soon, blocks nothing)."""
    if finding.status.rank < Status.FAIL.rank or finding.status.rank < check.status.rank:
        return ()
    return blocks.get(check.id, ())


def _fold_symptoms(causes: list[Cause]) -> list[Cause]:
    """Tell each symptom under the first cause that explains it; the cause unblocks what it blocked."""
    by_code: dict[str, int] = {}
    for i, cause in enumerate(causes):
        by_code.setdefault(cause.finding.code, i)
    explained: dict[int, int] = {}  # symptom index -> cause index
    for i, cause in enumerate(causes):
        for code in SYMPTOM_OF.get(cause.finding.code, ()):
            j = by_code.get(code)
            if j is not None and j != i and j not in explained:
                explained[i] = j
                break
    def top(i: int) -> int:  # a cause may itself be another's symptom: fold into the deepest cause
        seen = {i}
        while i in explained and explained[i] not in seen:
            i = explained[i]
            seen.add(i)
        return i
    folded: dict[int, list[int]] = {}
    for i in explained:
        folded.setdefault(top(i), []).append(i)
    out = []
    for i, cause in enumerate(causes):
        if i in explained:
            continue
        symptoms = [causes[j] for j in sorted(folded.get(i, []))]
        blocks = tuple(dict.fromkeys([*cause.blocks, *(b for s in symptoms for b in s.blocks)]))
        blocks = tuple(b for b in blocks if b != cause.check.id)
        out.append(Cause(cause.check, cause.finding, blocks, tuple(s.finding for s in symptoms)))
    return out


def fix_first(report: Report, fold: bool = True) -> list[Cause]:
    """Every warn/fail/error finding, one item per cause, root causes first (``fold=False``: every
    finding its own item, for renderers that report check by check)."""
    blocks = blocked_by_map(report)
    index = {c.id: i for i, c in enumerate(report.checks)}
    causes, seen = [], set()
    for c, f in report.findings():
        same = (c.id, f.code, f.message, f.commands, tuple(f.remediation))
        if f.status.rank >= Status.WARN.rank and same not in seen:  # one probe or another: one cause, told once
            seen.add(same)
            causes.append(Cause(c, f, _blocks(c, f, blocks)))
    if fold:
        causes = _fold_symptoms(causes)
    return sorted(causes, key=lambda k: (not k.root, -min(k.finding.status.rank, Status.FAIL.rank), index[k.check.id]))


def order_findings(check: CheckResult) -> list[Finding]:
    """One check's findings, worst first (stable otherwise)."""
    return sorted(check.findings, key=lambda f: -f.status.rank)


def is_shell_command(text: str) -> bool:
    """A command to run (one line, starting with a program name), as opposed to text to paste
    (a PEM block, a <Connector/> element, bare base64): the terminal shows ``$ `` only before commands."""
    return "\n" not in text.strip() and bool(_SHELL.match(text))
