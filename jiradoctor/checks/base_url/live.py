"""The live half of base-url: the Base URL Jira reports (serverInfo) and the realm of its 401s."""

from __future__ import annotations

from jiradoctor.context import CheckContext
from jiradoctor.jira.urls import InvalidUrl, JiraUrl, masked
from jiradoctor.model import Finding, Status
from jiradoctor.probes.server_info import SERVER_INFO
from jiradoctor.secrets import clip


async def judge_live(ctx: CheckContext, url: JiraUrl | None) -> tuple[list[Finding], JiraUrl | None]:
    """Findings about what Jira says of itself, and the Base URL it reports (if any)."""
    info = await ctx.fact(SERVER_INFO)
    findings: list[Finding] = []
    reported: JiraUrl | None = None
    for source, value in (("serverInfo.baseUrl", info.base_url), ("the 401 realm", info.realm)):
        if not value:
            continue
        try:
            parsed = JiraUrl.parse(value)
        except InvalidUrl:
            findings.append(Finding("base-url/invalid-url", Status.WARN, f"Jira reports a Base URL that is not a URL "
                                                                         f"({source}): {clip(value, 200, masked)!r}."))
            continue
        if reported is None:
            reported = parsed
        elif parsed != reported:
            findings.append(Finding("base-url/realm-mismatch", Status.WARN,
                                    f"Jira reports two Base URLs: serverInfo says {reported}, the 401 realm says "
                                    f"{parsed}.",
                                    evidence={"server_info": str(reported), "realm": str(parsed)},
                                    remediation=("A proxy or a second node answers with another Base URL: make every "
                                                 "node and every path to Jira use the same one.",),
                                    subject="realm"))
    # a redirect loop, or no Jira at all, is the reachability check's verdict: not repeated here
    if info.redirects and info.is_jira and not info.redirect_loop:
        findings.append(Finding("base-url/redirect", Status.WARN,
                                f"{ctx.target.url} redirects to {info.redirects[-1]}: integrations do not follow "
                                f"redirects on OAuth and REST POSTs, so use the final URL.",
                                evidence={"redirects": list(info.redirects)},
                                remediation=("Enter Jira's Base URL (the redirect's target) in the integration.",)))
    if reported is not None and ctx.target.base_url:
        try:
            given = JiraUrl.parse(ctx.target.base_url)
        except InvalidUrl:
            given = None
        if given is not None and given != reported:
            findings.append(Finding("base-url/reported-mismatch", Status.WARN,
                                    f"--base-url says {given} but Jira reports {reported}; judging by what Jira "
                                    f"reports.",
                                    evidence={"given": str(given), "reported": str(reported)},
                                    remediation=(f"Check Administration > System > General configuration: Jira's Base "
                                                 f"URL is {reported}.",),
                                    subject="--base-url"))
    return findings, reported
