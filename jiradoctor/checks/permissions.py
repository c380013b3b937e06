"""permissions: does the integration's user hold what the integration needs, project by project?

Title: Project and global permissions (live).
Codes: permissions/ok, permissions/missing, permissions/missing-optional, permissions/project-not-found,
permissions/global-missing, permissions/unknown-permission, permissions/no-projects, permissions/no-answer,
permissions/throttled, permissions/bulk-refused, permissions/partial.
"""

from __future__ import annotations

from typing import Any, Sequence

from jiradoctor.context import CheckContext
from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.jira.permissions import build_matrix
from jiradoctor.jira.rate_limit import rate_limit_fixes
from jiradoctor.model import Finding, NotObserved, Status
from jiradoctor.probes.permissions import PERMISSION_MATRIX, PermissionFacts
from jiradoctor.registry import Check

MAX_LISTED = 20  # projects named in one message
# Keys that exist only with an app installed (JIRA-FACTS §5).
APP_KEYS = {"MANAGE_SPRINTS_PERMISSION": "Jira Software", "SERVICEDESK_AGENT": "Jira Service Management"}
DOCS = ("https://confluence.atlassian.com/adminjiracloud/configuring-project-permission-schemes-868982875.html",)


def _names(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:MAX_LISTED])
    return shown + (f" and {len(keys) - MAX_LISTED} more" if len(keys) > MAX_LISTED else "")


def _who(user: str | None) -> str:
    return f"the user {user}" if user else "the integration's user"


def _project_page(url: str | None, key: str) -> str:
    # the project's permission page on Server/DC and company-managed Cloud projects
    return f"{(url or '').rstrip('/')}/plugins/servlet/project-config/{key}/permissions"


def _unknown(pf: PermissionFacts, profile: IntegrationProfile) -> list[Finding]:
    out = []
    given = {n.key: n.given for n in pf.plan.normalised}
    for key, how in pf.unknown.items():
        required = pf.plan.is_required(key)
        app = APP_KEYS.get(key)
        fix = (
            f"{key} exists only where {app} is installed: install {app}, or accept that {profile.name} cannot use "
            f"what needs it."
            if app
            else f"Check the spelling of {key}"
            + (f" (written {given[key]!r})" if key in given else "")
            + ": Jira knows no permission by that key, so nobody can be granted it."
        )
        out.append(
            Finding(
                "permissions/unknown-permission",
                Status.FAIL if required else Status.WARN,
                f"Jira does not know the permission {key}, which {profile.name} lists as "
                f"{'required' if required else 'optional'}" + (f" (it comes with {app})" if app else "") + ".",
                evidence={"permission": key, "required": required, "detected": how},
                remediation=(fix,),
                subject=key,
            )
        )
    return out


def _globals(pf: PermissionFacts, user: str | None, profile: IntegrationProfile) -> list[Finding]:
    out = []
    for key in pf.plan.global_:
        if pf.global_granted.get(key) is not False:
            continue
        where = (
            "Atlassian Administration > the user > Product access: Jira administration (ADMINISTER)"
            if pf.deployment == "Cloud"
            else "Jira administration > System > Global permissions"
        )
        out.append(
            Finding(
                "permissions/global-missing",
                Status.FAIL,
                f"{_who(user).capitalize()} lacks the global permission {key}, which {profile.name} needs"
                + (" on Jira Cloud" if key in profile.global_permissions_cloud and pf.deployment == "Cloud" else "")
                + ".",
                evidence={"permission": key, "deployment": pf.deployment},
                remediation=(f"Grant {key} to {_who(user)} (or a group they are in): {where}.",),
                subject=key,
            )
        )
    return out


def _projects(pf: PermissionFacts, user: str | None, url: str | None, profile: IntegrationProfile) -> list[Finding]:
    out = []
    for grants in pf.projects:
        missing = grants.missing(pf.plan.required)
        if missing:
            out.append(
                Finding(
                    "permissions/missing",
                    Status.FAIL,
                    f"In project {grants.key}, {_who(user)} lacks {_names(missing)}, which {profile.name} needs.",
                    evidence={"project": grants.key, "missing": missing},
                    remediation=(
                        f"Grant {', '.join(missing)} in the permission scheme of project {grants.key} to a group "
                        f"or project role that {_who(user)} holds (Project settings > Permissions: "
                        f"{_project_page(url, grants.key)}). Projects sharing that scheme are fixed with it.",
                    ),
                    docs=DOCS,
                    subject=grants.key,
                )
            )
        optional = grants.missing(pf.plan.optional)
        if optional:
            out.append(
                Finding(
                    "permissions/missing-optional",
                    Status.WARN,
                    f"In project {grants.key}, {_who(user)} lacks {_names(optional)}, which {profile.name} uses when "
                    f"granted (optional): the features that need them will not work there.",
                    evidence={"project": grants.key, "missing_optional": optional},
                    remediation=(
                        f"If the integration should use them in {grants.key}, grant {', '.join(optional)} in the "
                        f"project's permission scheme ({_project_page(url, grants.key)}).",
                    ),
                    docs=DOCS,
                    subject=grants.key,
                )
            )
    return out


def _not_found(pf: PermissionFacts, user: str | None) -> list[Finding]:
    return [
        Finding(
            "permissions/project-not-found",
            Status.FAIL,
            f"Project {key} does not exist, or {_who(user)} cannot see it (Jira answers both the same way).",
            evidence={"project": key},
            remediation=(
                f"Check the key {key}; if the project exists, grant Browse Projects (BROWSE_PROJECTS) in its "
                f"permission scheme to {_who(user)}.",
            ),
            docs=DOCS,
            subject=key,
        )
        for key in pf.not_found
    ]


def _no_answer(pf: PermissionFacts) -> list[Finding]:
    failed = [g for g in pf.projects if g.problem and not g.throttled]  # the rate limit's are permissions/throttled
    if not failed:
        return []
    keys = [g.key for g in failed]
    return [
        Finding(
            "permissions/no-answer",
            Status.FAIL,
            f"Jira did not answer the permission question for {len(keys)} project(s): {_names(keys)}.",
            evidence={"projects": keys[:MAX_LISTED], "first_problem": failed[0].problem},
            remediation=("Run again; if it persists, see the auth check and Jira's logs for these requests.",),
        )
    ]


RATE_LIMIT_DOCS = (
    "https://developer.atlassian.com/cloud/jira/platform/rate-limiting/",
    "https://confluence.atlassian.com/doc/_ratelimiting_httpheaders-992678779.html",  # Data Center's headers
)


def _throttled(pf: PermissionFacts, user: str | None = None) -> list[Finding]:
    t = pf.throttling
    if t is None:
        return []
    said = ", ".join(f"{k}: {v}" for k, v in t.headers.items()) or "no Retry-After or rate-limit headers"
    unanswered = [g.key for g in pf.projects if g.throttled]
    limit = t.signal.describe() if t.signal is not None else f"HTTP {t.status}"
    if t.outlasted:
        wait = t.signal.wait_s() if t.signal is not None else 0.0
        message = (
            f"Jira's rate limit refused the permission questions ({limit}) and asks for a wait of {wait:g} s, longer "
            f"than this run waits ({t.willing_s:g} s): jiradoctor stopped asking at once"
            + (f"; {len(unanswered)} project(s) were not answered" if unanswered else "")
            + ". The integration is refused the same way until the limit resets."
        )
    elif t.gave_up or pf.problem_throttled:
        message = (
            f"Jira's rate limit kept refusing the permission questions ({limit}): {t.answers} answer(s) HTTP "
            f"{t.status}, still refused after {t.retries} retries"
            + (f"; {len(unanswered)} project(s) were not answered" if unanswered else "")
            + ". The integration's own requests meet the same limit."
        )
    else:
        paced = f", and kept {t.paced_s:g} s between requests (the bucket's fill rate)" if t.paced_s else ""
        message = (
            f"Jira rate-limited the permission questions: {t.answers} answer(s) HTTP {t.status} ({said}). jiradoctor "
            f"waited as told and lowered its concurrency from {t.concurrency_start} to {t.concurrency_end}{paced}; "
            f"every request went through after {t.retries} retries. The integration's own sync will meet the same "
            f"limit."
        )
    refused = t.outlasted or bool(t.gave_up) or pf.problem_throttled
    evidence: dict[str, Any] = {
        "status": t.status,
        "throttled_answers": t.answers,
        "retries": t.retries,
        "gave_up": t.gave_up,
        "longest_wait_s": t.waited_s,
        "jira_says": dict(t.headers),
        "concurrency_from_to": [t.concurrency_start, t.concurrency_end],
    }
    if t.signal is not None:
        evidence["limit"] = {
            "reason": t.signal.reason,
            "resets_at": t.signal.reset,
            "retry_after_s": t.signal.retry_after_s,
            "fill_rate": t.signal.fill_rate,
            "interval_s": t.signal.interval_s,
            "answer_page": t.signal.page,
        }
    if t.outlasted:
        evidence["waits_at_most_s"] = t.willing_s
    if t.paced_s:
        evidence["paced_s"] = t.paced_s
    if unanswered:
        evidence["not_answered"] = unanswered[:MAX_LISTED]
    if pf.problem_throttled and pf.problem:
        evidence["problem"] = pf.problem
    return [
        Finding(
            "permissions/throttled",
            Status.FAIL if refused else Status.WARN,
            message,
            evidence=evidence,
            remediation=rate_limit_fixes(t.signal, _who(user)),
            docs=RATE_LIMIT_DOCS,
        )
    ]


def _bulk_refused(pf: PermissionFacts) -> list[Finding]:
    if not pf.bulk_refused:
        return []
    return [
        Finding(
            "permissions/bulk-refused",
            Status.INFO,
            f"Cloud's bulk permission check was not used: {pf.bulk_refused}.",
            evidence={"via": pf.via, "requests": pf.requests},
        )
    ]


def _partial(pf: PermissionFacts) -> list[Finding]:
    if not pf.not_asked:
        return []
    total = len(pf.not_asked) + len(pf.projects) + len(pf.not_found)
    return [
        Finding(
            "permissions/partial",
            Status.WARN,
            f"Only {total - len(pf.not_asked)} of {total} projects were asked before the time limit; "
            f"{len(pf.not_asked)} were not (e.g. {_names(list(pf.not_asked[:MAX_LISTED]))}). The results below cover "
            f"the asked ones.",
            evidence={
                "asked": total - len(pf.not_asked),
                "not_asked": len(pf.not_asked),
                "not_asked_first": list(pf.not_asked[:MAX_LISTED]),
                "concurrency": pf.concurrency,
            },
            remediation=(
                "Name the integration's projects with --projects, or raise --timeout (the time limit follows it) "
                "or --concurrency.",
            ),
        )
    ]


def _summary(pf: PermissionFacts, user: str | None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "matrix": build_matrix(pf.plan, pf.projects, pf.unknown),
        "projects_checked": len(pf.projects),
        "source": pf.source,
        "via": pf.via,
        "requests": pf.requests,
        "required": list(pf.plan.required),
        "optional": list(pf.plan.optional),
        "global": list(pf.plan.global_),
        "login": pf.login_method,
        "concurrency": pf.concurrency,
    }
    if pf.bulk_refused:
        evidence["bulk_refused"] = pf.bulk_refused
    if user:
        evidence["user"] = user
    if pf.plan.normalised:
        evidence["normalised"] = pf.plan.normalisation_notes()
    return evidence


def _with_summary(finding: Finding, summary: dict[str, Any]) -> Finding:
    return Finding(
        finding.code,
        finding.status,
        finding.message,
        {**finding.evidence, **summary},
        finding.remediation,
        finding.commands,
        finding.docs,
        finding.subject,
    )


def judge_permissions(
    pf: PermissionFacts, profile: IntegrationProfile, url: str | None, user: str | None
) -> list[Finding]:
    if pf.login_method == "none":
        raise NotObserved(f"permissions not tested: {pf.problem or 'no credentials'}")
    if pf.problem and pf.problem.startswith("the login did not succeed"):
        raise NotObserved(pf.problem, blocked_by=("auth",))  # the auth check names the cause, once
    findings = _unknown(pf, profile)
    if pf.problem and pf.problem_throttled and pf.throttling is not None:
        # the limit, not the login, stopped the questions: say so, never "see the auth check"
        return findings + _throttled(pf, user)
    if pf.problem:
        return findings + [
            Finding(
                "permissions/no-answer",
                Status.FAIL,
                f"Permissions could not be read: {pf.problem}.",
                evidence={"source": pf.source, "requests": pf.requests, "login": pf.login_method},
                remediation=("See the auth check: the permission questions are asked as the same user.",),
            )
        ]
    findings += _globals(pf, user, profile)
    if pf.source == "listed" and not pf.projects:
        findings.append(
            Finding(
                "permissions/no-projects",
                Status.FAIL,
                f"{_who(user).capitalize()} can see no project at all, so {profile.name} has nothing to work with.",
                evidence={"source": pf.source},
                remediation=(
                    f"Grant Browse Projects (BROWSE_PROJECTS) to {_who(user)} in the "
                    f"permission schemes of the projects the integration should use.",
                ),
                docs=DOCS,
            )
        )
    gaps = _projects(pf, user, url, profile)
    findings += _no_answer(pf) + _not_found(pf, user) + _throttled(pf, user) + _partial(pf)
    notes = _bulk_refused(pf)
    summary = _summary(pf, user)
    if not findings and not gaps:
        names = ", ".join(pf.plan.required)
        return [
            Finding(
                "permissions/ok",
                Status.PASS,
                f"{_who(user).capitalize()} holds every permission {profile.name} needs ({names}) in all "
                f"{len(pf.projects)} project(s) checked.",
                evidence=summary,
            )
        ] + notes
    if gaps:  # the matrix rides on the first project finding, where the reader looks for it
        gaps[0] = _with_summary(gaps[0], summary)
    elif findings:
        findings[0] = _with_summary(findings[0], summary)
    return gaps + findings + notes


async def judge(ctx: CheckContext) -> Sequence[Finding]:
    pf: PermissionFacts = await ctx.fact(PERMISSION_MATRIX)
    return judge_permissions(pf, ctx.profile, ctx.target.url, ctx.target.user)


CHECK = Check(
    id="permissions",
    title="Project and global permissions (live)",
    explanation="""\
Looks at: the permissions the integration's profile needs (plus --permissions), asked of Jira as
the integration's user, in the projects given with --projects or in every project the user can
see: GET /rest/api/2/mypermissions?projectKey=K&permissions=... per project, concurrently, or on
Cloud one bulk POST /rest/api/3/permissions/check per 1,000 projects (read-only). Vendor
spellings (BROWSE_PROJECT, legacy keys) are normalised to Jira's keys, and the report says so.
Why it fails: a required permission missing in a project's permission scheme; an optional one
missing (warning); a project that does not exist or the user cannot see; a global permission
missing (Jira Align needs Jira Administration on Cloud); a key this Jira does not know
(MANAGE_SPRINTS_PERMISSION without Jira Software). Also reported: Jira's rate limit met on the way
(429/503 with Retry-After: honoured, concurrency lowered, bounded retries; Data Center's token
bucket paced by its fill rate; a wait longer than the run allows, such as Cloud's hourly quota,
ends the asking at once and names RateLimit-Reason and the reset), Cloud refusing the bulk
check (then per project), and projects left unasked when the time limit came (partial).
How to fix: grant the named permissions in the project's permission scheme to a group or role
the user holds; the matrix in the report shows every project at once.""",
    judge=judge,
    inputs_all=("url",),
    inputs_any=("password", "token", "pat", "access_token", "oauth2_token"),
    facts=(PERMISSION_MATRIX.name,),
    after=("auth", "oauth-signature"),
    live=True,
    order=90,
    codes=(
        "permissions/ok",
        "permissions/missing",
        "permissions/missing-optional",
        "permissions/project-not-found",
        "permissions/global-missing",
        "permissions/unknown-permission",
        "permissions/no-projects",
        "permissions/no-answer",
        "permissions/throttled",
        "permissions/bulk-refused",
        "permissions/partial",
    ),
)
