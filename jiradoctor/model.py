"""The typed, immutable results every check returns and every renderer reads.

The JSON shape produced by :func:`Report.to_json` is the public contract (schema_version 1,
``jiradoctor/schema/report.schema.json``); renderers and baselines read it back with
:func:`Report.from_json`, so both directions live here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

SCHEMA_VERSION = 1


class Status(str, enum.Enum):
    """Status levels, ordered by severity through :attr:`rank`."""

    PASS = "pass"
    INFO = "info"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:  # so f-strings print "fail", not "Status.FAIL"
        return self.value


_RANK = {
    Status.SKIP: 0,
    Status.PASS: 1,
    Status.INFO: 2,
    Status.WARN: 3,
    Status.FAIL: 4,
    Status.ERROR: 5,
}


class NotObserved(Exception):
    """Raised by a check that could not look at what it judges (its fact is missing, the server did
    not answer, an answer it cannot read). The runner turns it into ``skip`` with the reason and
    ``blocked_by``: a check that did not observe is never ``pass``.

    ``blocked_by`` names the check that owns the root cause (e.g. ``reachability``), when one does.
    """

    def __init__(self, reason: str, blocked_by: Iterable[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.blocked_by = tuple(blocked_by)


def worst(statuses: Iterable[Status], default: Status = Status.PASS) -> Status:
    found = list(statuses)
    return max(found, key=lambda s: s.rank) if found else default


@dataclass(frozen=True)
class Finding:
    """One observation: what is wrong (or right), the proof, and the fix.

    ``remediation`` is prose, ``commands`` are things to run or paste, kept apart so a report
    can set them out for copying. ``subject`` names what the finding is about (a project key, a
    certificate fingerprint, a connector) so baselines can match findings without their text.
    """

    code: str
    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remediation: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    subject: str | None = None

    def __post_init__(self) -> None:
        if "/" not in self.code:
            raise ValueError(f"finding code must be '<check-id>/<slug>': {self.code!r}")
        object.__setattr__(self, "status", Status(self.status))
        for name in ("remediation", "commands", "docs"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status.value,
            "message": self.message,
            "subject": self.subject,
            "evidence": dict(self.evidence),
            "remediation": list(self.remediation),
            "commands": list(self.commands),
            "docs": list(self.docs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Finding":
        return cls(
            code=_typed(data.get("code"), str, "finding code"),
            status=Status(data["status"]),
            message=_typed(data.get("message"), str, "finding message"),
            evidence=_typed(data.get("evidence") or {}, dict, "finding evidence"),
            remediation=_strings(data.get("remediation"), "remediation"),
            commands=_strings(data.get("commands"), "commands"),
            docs=_strings(data.get("docs"), "docs"),
            subject=_typed(data.get("subject"), (str, type(None)), "finding subject"),
        )


@dataclass(frozen=True)
class CheckResult:
    """A check's verdict: its findings, or why it did not run."""

    id: str
    title: str
    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()
    duration_s: float = 0.0
    skip_reason: str | None = None
    blocked_by: tuple[str, ...] = ()

    @classmethod
    def from_findings(cls, id: str, title: str, findings: Iterable[Finding], duration_s: float = 0.0) -> "CheckResult":
        found = tuple(findings)
        status = worst((f.status for f in found), default=Status.PASS)
        if status.rank <= Status.INFO.rank:
            status = Status.PASS
        return cls(id, title, status, summarise(found, status), found, round(duration_s, 4))

    @classmethod
    def skipped(cls, id: str, title: str, reason: str, blocked_by: Iterable[str] = ()) -> "CheckResult":
        return cls(id, title, Status.SKIP, reason, (), 0.0, reason, tuple(blocked_by))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "summary": self.summary,
            "duration_s": self.duration_s,
            "skip_reason": self.skip_reason,
            "blocked_by": list(self.blocked_by),
            "findings": [f.to_json() for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "CheckResult":
        return cls(
            id=data["id"],
            title=data["title"],
            status=Status(data["status"]),
            summary=data.get("summary", ""),
            findings=tuple(
                Finding.from_json(_typed(f, dict, "finding"))
                for f in _typed(data.get("findings", []), list, "findings")
            ),
            duration_s=float(data.get("duration_s", 0.0)),
            skip_reason=data.get("skip_reason"),
            blocked_by=tuple(data.get("blocked_by") or ()),
        )


def _typed(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """Reports are read back from files people send: a wrong type is a clear error, not a crash later."""
    if not isinstance(value, kind):
        raise ValueError(f"malformed report: {what} has the wrong type ({type(value).__name__})")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = _typed(value or [], list, what)
    return tuple(_typed(item, str, f"an item of {what}") for item in items)


def summarise(findings: tuple[Finding, ...], status: Status) -> str:
    """One line for the check: the first finding at the check's own level says it best."""
    if not findings:
        return "nothing to report"
    lead = next((f for f in findings if f.status == status), findings[0])
    others = len([f for f in findings if f.status.rank >= Status.WARN.rank]) - 1
    suffix = f" (+{others} more)" if others > 0 and lead.status.rank >= Status.WARN.rank else ""
    return (lead.message.splitlines() or [lead.code])[0] + suffix


@dataclass(frozen=True)
class JiraFacts:
    """What the run learnt of Jira. ``identified``: did an answer come recognisably from Jira (True,
    ``identified_by`` says which), did the run ask Jira's URL and never see one (False: never a green
    gate, exit 5), or did it not ask at all (None: ``--offline``, a HAR, checks that send no request)."""

    deployment: str | None = None
    version: str | None = None
    base_url: str | None = None
    identified: bool | None = None
    identified_by: str | None = None


@dataclass(frozen=True)
class TargetSummary:
    """What the report says it looked at (never a credential)."""

    url: str | None
    integration: str
    auth: str
    jira: JiraFacts = JiraFacts()


@dataclass(frozen=True)
class Report:
    tool_version: str
    target: TargetSummary
    started_at: str
    duration_s: float
    checks: tuple[CheckResult, ...]
    schema_version: int = SCHEMA_VERSION

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in (Status.PASS, Status.INFO, Status.WARN, Status.FAIL, Status.ERROR, Status.SKIP)}
        for check in self.checks:
            counts[check.status.value] += 1
        return counts

    @property
    def observed(self) -> bool:
        """Did any check look at anything? A run of skips only is not a healthy run."""
        return any(c.status != Status.SKIP for c in self.checks)

    @property
    def status(self) -> Status:
        """Overall: the worst check, where skips and infos count as pass; ``skip`` when nothing was observed."""
        if not self.observed:
            return Status.SKIP
        overall = worst((c.status for c in self.checks if c.status != Status.SKIP), Status.PASS)
        return Status.PASS if overall.rank <= Status.INFO.rank else overall

    @property
    def jira_unseen(self) -> bool:
        """The run asked Jira's URL and no answer came recognisably from Jira (an SSO page, a portal,
        a placeholder, nothing listening): not a green gate, whatever --fail-on says."""
        return self.target.jira.identified is False

    @property
    def note(self) -> str | None:
        """In words, when nothing was observed (or Jira never answered): the reasons, once each."""
        if self.observed and self.jira_unseen:
            return ("Jira never answered as Jira: no answer at the URL carried Jira's own traces (serverInfo, "
                    "X-AREQUESTID, Jira's 401), so nothing here shows that the integration reaches Jira")
        if self.observed:
            return None
        if not self.checks:
            return "nothing was checked: no check was selected"
        reasons = list(dict.fromkeys(c.skip_reason or "not run" for c in self.checks))
        shown = "; ".join(reasons[:4]) + ("; …" if len(reasons) > 4 else "")
        return f"nothing was checked: every check was skipped ({shown})"

    def findings(self) -> Iterable[tuple[CheckResult, Finding]]:
        for check in self.checks:
            for finding in check.findings:
                yield check, finding

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": {"name": "jiradoctor", "version": self.tool_version},
            "target": {
                "url": self.target.url,
                "integration": self.target.integration,
                "auth": self.target.auth,
                "jira": {
                    "deployment": self.target.jira.deployment,
                    "version": self.target.jira.version,
                    "base_url": self.target.jira.base_url,
                    **({"identified": self.target.jira.identified} if self.target.jira.identified is not None else {}),
                    **({"identified_by": self.target.jira.identified_by} if self.target.jira.identified_by else {}),
                },
            },
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "summary": {
                "status": self.status.value,
                "counts": self.counts,
                **({"note": self.note} if self.note else {}),
            },
            "checks": [c.to_json() for c in self.checks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Report":
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"this report has schema_version {version!r}; jiradoctor reads schema_version {SCHEMA_VERSION}"
            )
        target = data.get("target") or {}
        jira = target.get("jira") or {}
        return cls(
            tool_version=(data.get("tool") or {}).get("version", "unknown"),
            target=TargetSummary(
                url=target.get("url"),
                integration=target.get("integration", "generic"),
                auth=target.get("auth", "none"),
                jira=JiraFacts(jira.get("deployment"), jira.get("version"), jira.get("base_url"),
                               jira.get("identified") if isinstance(jira.get("identified"), bool) else None,
                               jira.get("identified_by") if isinstance(jira.get("identified_by"), str) else None),
            ),
            started_at=data.get("started_at", ""),
            duration_s=float(data.get("duration_s", 0.0)),
            checks=tuple(
                CheckResult.from_json(_typed(c, dict, "check")) for c in _typed(data.get("checks", []), list, "checks")
            ),
        )
