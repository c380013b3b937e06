"""pat-expiry from facts built in the test: expired, expiring within 30 days, no expiry, not listed."""

from __future__ import annotations

import datetime as dt

import pytest

from jiradoctor.checks.pat_expiry import CHECK as PAT
from jiradoctor.checks.pat_expiry import judge_tokens
from jiradoctor.jira import applinks as al
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.applinks import PatFacts


NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def tok(days):
    return al.PatToken("t", None if days is None else NOW + dt.timedelta(days=days))


@pytest.mark.parametrize(
    "days, code, status",
    [
        ([-1], "pat-expiry/expired", Status.FAIL),
        ([10], "pat-expiry/expires-soon", Status.WARN),
        ([90], "pat-expiry/ok", Status.PASS),
        ([None], "pat-expiry/no-expiry", Status.INFO),
        ([5, 200], "pat-expiry/ok", Status.PASS),  # the one in use may be the long-lived one: no warning
        ([5, 12], "pat-expiry/expires-soon", Status.WARN),  # every token expires soon: so does the one in use
        ([5, None], "pat-expiry/no-expiry", Status.INFO),
    ],
)
def test_pat_expiry(days, code, status):
    (finding,) = judge_tokens(PatFacts(tuple(tok(d) for d in days)), NOW)
    assert (finding.code, finding.status) == (code, status)
    assert code in PAT.codes


def test_pat_expiry_not_listed_is_not_observed():
    with pytest.raises(NotObserved):
        judge_tokens(PatFacts(None, "Jira did not list the token's details (HTTP 404)"), NOW)
