"""can-work's judgement from built facts: every code in both directions."""

from __future__ import annotations

import asyncio

import pytest

from jiradoctor.checks import can_work
from jiradoctor.context import CheckContext, Facts
from jiradoctor.jira import endpoints
from jiradoctor.jira.integrations import get_profile
from jiradoctor.jira.oauth1 import OAuthProblem
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.auth import Login
from jiradoctor.probes.can_work import EndpointProbe, HeadGetProbe, Prepared, StickyProbe, WriteProbe
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.target import Target

URL = "https://jira.example.com"
READY = Prepared(Login("basic", user="svc"), "Server")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Electron/28.2.0"


def ans(
    status: int, body: str = "", headers: dict[str, str] | None = None, method: str = "GET", path: str = "/x"
) -> HttpAnswer:
    return HttpAnswer(method, URL + path, status, headers or {}, body)


# ---------------------------------------------------------------------------------- XSRF ---


def test_xsrf_refusal_is_named_with_the_header_to_send() -> None:
    f = can_work.judge_write(
        WriteProbe(READY, ans(403, "XSRF check failed", method="POST"), BROWSER, "/rest/api/2/search"),
        get_profile("generic"),
    )
    assert f is not None and (f.code, f.status) == ("can-work/xsrf-refused", Status.FAIL)
    assert "browser" in f.message and "X-Atlassian-Token: no-check" in " ".join(f.remediation)
    assert f.evidence["user_agent"] == BROWSER


@pytest.mark.parametrize("status, body", [(200, '{"total":0,"issues":[]}'), (400, '{"errorMessages":["bad jql"]}')])
def test_a_post_that_reaches_the_resource_passes(status: int, body: str) -> None:
    f = can_work.judge_write(
        WriteProbe(READY, ans(status, body, method="POST"), BROWSER, "/rest/api/2/search"), get_profile("generic")
    )
    assert f is not None and (f.code, f.status) == ("can-work/write-accepted", Status.PASS)


def test_another_refusal_of_writes_warns() -> None:
    f = can_work.judge_write(
        WriteProbe(READY, ans(403, "<html>Request blocked by WAF</html>", method="POST"), "x/1", "/p"),
        get_profile("generic"),
    )
    assert f is not None and (f.code, f.status) == ("can-work/write-refused", Status.WARN)


def test_a_write_refused_as_unauthenticated_is_not_observed() -> None:
    with pytest.raises(NotObserved):
        can_work.judge_write(WriteProbe(READY, ans(401, "", method="POST"), "x/1", "/p"), get_profile("generic"))


# ---------------------------------------------------------------------------- endpoints ---


def spec(text: str) -> endpoints.EndpointSpec:
    return endpoints.parse_spec(text)


def test_cloud_search_410_is_named_removed_with_its_replacement() -> None:
    probe = EndpointProbe(
        Prepared(Login("token", user="a@b"), "Cloud"),
        (
            (spec("GET /rest/api/3/search?jql=&maxResults=0 @cloud"), ans(410, '{"errorMessages":["removed"]}')),
            (spec("GET /rest/api/3/project/search @cloud"), ans(200, "{}")),
        ),
    )
    found = {f.code: f for f in can_work.judge_endpoints(probe, "Cloud")}
    removed = found["can-work/endpoint-removed"]
    assert removed.status == Status.FAIL and "/rest/api/3/search/jql" in removed.message
    assert found["can-work/endpoints-ok"].status == Status.PASS


def test_jira10_webhook_path_is_named_moved_and_unconfirmed_specs_say_so() -> None:
    probe = EndpointProbe(READY, ((spec("GET /rest/webhooks/1.0/webhook @server unconfirmed"), ans(404, "{}")),))
    (f,) = can_work.judge_endpoints(probe, "Server")
    assert f.code == "can-work/endpoint-removed" and "/rest/jira-webhook/1.0/webhooks" in f.message
    assert "not confirmed" in f.message and f.evidence["listed_as_confirmed"] is False


def test_unknown_missing_endpoint_and_a_refused_one() -> None:
    probe = EndpointProbe(
        READY,
        (
            (spec("GET /rest/agile/1.0/board"), ans(404, "{}")),
            (spec("GET /rest/api/2/project"), ans(403, '{"errorMessages":["no"]}')),
        ),
    )
    codes = {f.code: f.status for f in can_work.judge_endpoints(probe, "Server")}
    assert codes == {"can-work/endpoint-missing": Status.FAIL, "can-work/endpoint-refused": Status.INFO}


def test_the_cloud_search_on_server_is_not_called_removed() -> None:
    assert endpoints.removal_for("/rest/api/2/search", "Server") is None
    assert endpoints.removal_for("/rest/api/2/search?jql=", "Cloud") is not None


@pytest.mark.parametrize("text", ["", "GET", "FETCH /x", "GET x", "GET /x @moon"])
def test_bad_specs_are_refused(text: str) -> None:
    with pytest.raises(endpoints.BadSpec):
        endpoints.parse_spec(text)


def test_every_builtin_profile_endpoint_parses() -> None:
    from jiradoctor.jira.integrations import builtin_profiles

    for profile in builtin_profiles().values():
        for text in profile.rest_endpoints:
            assert endpoints.parse_spec(text).method == "GET"  # read-only: only GETs are listed


# ----------------------------------------------------------------------------- HEAD vs GET ---


def test_head_rewritten_to_get_is_named_with_the_nginx_fix() -> None:
    problem = OAuthProblem(
        "signature_invalid", {"oauth_signature_base_string": "GET&https%3A%2F%2Fjira.example.com%2F..."}
    )
    f = can_work.judge_head_get(HeadGetProbe(READY, ans(200, "{}"), ans(401, "", method="HEAD"), problem))
    assert f is not None and (f.code, f.status) == ("can-work/head-rewritten", Status.FAIL)
    assert "Jira saw a GET" in f.message and any("proxy_cache_convert_head off" in c for c in f.commands)


def test_head_accepted_passes_and_a_failing_get_is_not_judged_here() -> None:
    ok = can_work.judge_head_get(HeadGetProbe(READY, ans(200, "{}"), ans(200, "", method="HEAD")))
    assert ok is not None and ok.code == "can-work/head-ok" and ok.status == Status.PASS
    assert can_work.judge_head_get(HeadGetProbe(READY, ans(401, "{}"), ans(401, "", method="HEAD"))) is None


# ------------------------------------------------------------------------- sticky sessions ---


def test_alternating_nodes_with_one_session_cookie_fail() -> None:
    probe = StickyProbe(
        READY,
        (200,) * 4,
        ("node1", "node2", "node1", "node2"),
        (False, True, True, True),
        (False, True, True, True),
        ("JSESSIONID",),
    )
    f = can_work.judge_sticky(probe)
    assert f is not None and (f.code, f.status) == ("can-work/not-sticky", Status.FAIL)
    assert "node1 -> node2" in f.message


@pytest.mark.parametrize("nodes", [("node1",) * 4, (None,) * 4])
def test_one_node_or_no_cluster_passes(nodes) -> None:
    f = can_work.judge_sticky(
        StickyProbe(READY, (200,) * 4, nodes, (False, True, True, True), (False,) * 4, ("JSESSIONID",))
    )
    assert f is not None and (f.code, f.status) == ("can-work/sessions-ok", Status.PASS)


def test_a_session_renewed_each_time_warns() -> None:
    f = can_work.judge_sticky(
        StickyProbe(READY, (200,) * 3, (None,) * 3, (False, True, True), (False, True, True), ("JSESSIONID",))
    )
    assert f is not None and (f.code, f.status) == ("can-work/session-lost", Status.WARN)


# ---------------------------------------------------------------------------------- whole ---


def run(preset: dict) -> list:
    facts = Facts(Target(url=URL, user="svc"), probes={}, preset=preset)
    return asyncio.run(can_work.judge(CheckContext(facts)))


def test_without_a_proven_login_nothing_is_observed() -> None:
    none = Prepared(None, "Server", "the login was not proven (see auth)", ("auth",))
    with pytest.raises(NotObserved) as raised:
        run(
            {
                "can_work_write": WriteProbe(none),
                "can_work_endpoints": EndpointProbe(none),
                "can_work_head_get": HeadGetProbe(none),
                "can_work_sticky": StickyProbe(none),
            }
        )
    assert raised.value.blocked_by == ("auth",)


def test_the_check_collects_every_probe() -> None:
    found = run(
        {
            "can_work_write": WriteProbe(READY, ans(200, "{}", method="POST"), "x/1", "/rest/api/2/search"),
            "can_work_endpoints": EndpointProbe(READY, ((spec("GET /rest/api/2/project"), ans(200, "[]")),)),
            "can_work_head_get": HeadGetProbe(Prepared(None, "Server", "only OAuth 1.0a signs the method")),
            "can_work_sticky": StickyProbe(READY, (200, 200), ("n1", "n1"), (False, True), (False, False), ()),
        }
    )
    assert {f.code for f in found} == {"can-work/write-accepted", "can-work/endpoints-ok", "can-work/sessions-ok"}


def test_an_allowlist_in_front_of_one_endpoint_is_named_for_what_it_is() -> None:
    from tests.checks.test_blockers import ALLOWLIST

    probe = EndpointProbe(
        READY,
        ((spec("GET /rest/api/2/project"), ans(403, ALLOWLIST)), (spec("GET /rest/api/2/search"), ans(200, "{}"))),
    )
    codes = [f.code for f in can_work.judge_endpoints(probe, "Server", get_profile("generic"))]
    assert codes == ["can-work/endpoints-ok", "can-work/blocked"]


@pytest.mark.parametrize("status", [403, 404])
def test_xsrf_refusal_as_403_or_404_leads_with_a_non_browser_user_agent(status: int) -> None:
    """JIRA-FACTS §10: the refusal comes as 403 (Cloud KB) and as 404 with the same body (jira.atlassian.com)."""
    long_ua = BROWSER + " Extra/" + "x" * 150
    f = can_work.judge_write(
        WriteProbe(READY, ans(status, "XSRF check failed", method="POST"), long_ua, "/rest/api/2/search"),
        get_profile("generic"),
    )
    assert f is not None and (f.code, f.status) == ("can-work/xsrf-refused", Status.FAIL)
    assert f"HTTP {status}" in f.message and long_ua in f.message  # whole, never cut
    assert f.remediation[0].startswith("Make the integration send a User-Agent of its own")
    refused, fixed = f.commands
    assert long_ua in refused and "no-check" not in refused
    assert long_ua not in fixed and "X-Atlassian-Token: no-check" in fixed
    plain_404 = can_work.judge_write(
        WriteProbe(READY, ans(404, '{"errorMessages":["null"]}', method="POST"), long_ua, "/rest/api/2/search"),
        get_profile("generic"),
    )
    assert plain_404 is None  # a 404 without the XSRF words is not a refusal of writes
