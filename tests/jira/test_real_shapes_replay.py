"""Jira's real answers (JIRA-FACTS §10), replayed through jiradoctor's own probes and checks.

Each case under tests/data/real_shapes/ names its source; the healthy real answer must pass and the
broken one must name its cause. A case the doctor misjudges fails here with what it concluded instead.
"""

from __future__ import annotations

import pytest

from tests.real_shapes_replay import load_cases, replay

CASES = load_cases()


def test_every_case_names_its_source_and_both_directions_are_covered():
    assert CASES
    for case in CASES:
        assert "JIRA-FACTS §10" in case.source and case.origin, case.name
    for kind in {c.name.split("/")[0] for c in CASES}:
        directions = {c.direction for c in CASES if c.name.startswith(kind + "/")}
        assert {"healthy", "broken"} <= directions <= {"healthy", "broken", "unobservable"}, kind


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_real_answer_is_judged_right(case):
    verdict = replay(case)
    assert verdict.matches(case.expect), (case.origin, verdict)
    if case.direction == "healthy":
        assert verdict.status == "pass"
    elif case.direction == "broken":
        assert verdict.status in ("warn", "fail") and set(case.expect["codes"]) <= verdict.codes
    else:  # §10: no read-only request can tell; the doctor must say so, never claim health it did not see
        assert not set(case.expect["absent"]) & verdict.codes


def test_a_404_consumer_is_not_one_sided_when_jiras_status_says_incoming_is_on():
    """The 404 means "no consumer" (§10) only when Jira's own status agrees; otherwise nothing was seen."""
    import dataclasses
    import json

    [case] = [c for c in CASES if c.name == "applinks/no-incoming-consumer"]
    answers = json.loads(json.dumps(case.answers))
    for item in answers:
        if "status" in item["path"]:
            item["body"]["localAuthentication"]["incoming"]["enabled"] = True
    verdict = replay(dataclasses.replace(case, answers=tuple(answers)))
    assert verdict.status == "skip" and "applink/one-sided" not in verdict.codes
    assert "incoming consumer" in (verdict.skip_reason or "")
