"""The live half of consumer-key: does Jira know the key as typed, and the cleaned key?"""

from __future__ import annotations

from typing import Any

from jiradoctor.context import CheckContext
from jiradoctor.jira import consumer_keys as ck
from jiradoctor.model import Finding, Status
from jiradoctor.probes.oauth import OAUTH_REQUEST_TOKEN, OAUTH_REQUEST_TOKEN_CLEANED, OAuthExchange


def _unknown(exchange: OAuthExchange | None) -> bool | None:
    """True: Jira does not know the key; False: it does; None: the answer does not tell."""
    if exchange is None or exchange.answer is None or not exchange.answer.ok:
        return None
    if exchange.problem and exchange.problem.problem in ("consumer_key_unknown", "consumer_key_rejected"):
        return True
    if exchange.granted or (exchange.problem and exchange.problem.problem):
        return False
    return None


async def judge_live(ctx: CheckContext) -> list[Finding]:
    typed = ctx.target.consumer_key or ""
    exchange: OAuthExchange = await ctx.fact(OAUTH_REQUEST_TOKEN)
    if _unknown(exchange) is not True:
        return []
    problem = exchange.problem.problem if exchange.problem else "consumer_key_unknown"
    if problem == "consumer_key_rejected":
        return [Finding("consumer-key/rejected", Status.FAIL,
                        f"Jira knows the consumer key {ck.visible(typed)!s} but refuses it "
                        f"(oauth_problem=consumer_key_rejected).",
                        evidence={"as_typed": ck.visible(typed), "oauth_problem": problem},
                        remediation=("Check the application link in Jira: it may be disabled, or not allow incoming "
                                     "OAuth.",))]
    message = f"Jira does not know the consumer key {ck.visible(typed)!s} (oauth_problem={problem})."
    evidence: dict[str, Any] = {"as_typed": ck.visible(typed)}
    remediation = ["Set the same consumer key in Jira's application link (Incoming Authentication) and in the "
                   "integration."]
    cleaned_exchange: OAuthExchange | None = await ctx.fact(OAUTH_REQUEST_TOKEN_CLEANED)
    if cleaned_exchange is not None:
        known = _unknown(cleaned_exchange)
        cleaned = cleaned_exchange.consumer_key
        evidence["cleaned"] = cleaned
        evidence["jira_knows_cleaned"] = None if known is None else not known
        if known is False:
            message += f" Jira does know {cleaned!r}: the stray characters are the whole problem."
            remediation = [f"Retype the consumer key in the integration as {cleaned!r}, with nothing around it."]
        elif known is True:
            message += f" Jira does not know {cleaned!r} either."
    return [Finding("consumer-key/unknown", Status.FAIL, message, evidence=evidence, remediation=tuple(remediation),
                    docs=("https://confluence.atlassian.com/kb/oauth-error-oauth_problem-signature_invalid-720406720.html",))]
