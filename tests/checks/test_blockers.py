"""The blockers' own pages (jira/blockers.py) and what reachability says about them; the Cloud applink ports."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiradoctor.checks.reachability import cloud_port_finding, judge_reachability
from jiradoctor.jira import blockers
from jiradoctor.jira.integrations import get_profile
from jiradoctor.model import Status
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.probes.server_info import read_server_info
from tests.checks.test_reachability import CHALLENGE, JIRA_HEADERS, SERVERINFO, URL

ALLOWLIST = (
    '{"errorMessages":["The IP address has been rejected because it is not on the allowed list. See your '
    'admin for more information."],"errors":{}}'
)
CLOUDFLARE = (
    "<!DOCTYPE html><html><head><title>Access denied | align.example.com used Cloudflare to restrict "
    "access</title></head><body><h1><span>Error</span> <span>1006</span></h1><p>Cloudflare Ray ID: "
    "<strong>7d1a2b3c4d5e6f70</strong> &bull; Your IP: 203.0.113.7 &bull; Performance &amp; security by "
    "Cloudflare</p></body></html>"
)


def answer(status: int, body: str, headers: dict[str, str] | None = None) -> HttpAnswer:
    return HttpAnswer("GET", URL + "/rest/api/2/serverInfo", status, headers or {}, body, elapsed_s=0.05)


def verdict(a: HttpAnswer, profile_id: str = "generic"):
    info = read_server_info(a, HttpAnswer("GET", URL, error=TransportError("connect", "connection refused")))
    return judge_reachability(info, URL, 3.0, None, get_profile(profile_id))


def test_atlassian_ip_allowlist_is_named_with_where_to_fix_it() -> None:
    f = verdict(
        answer(
            403,
            ALLOWLIST,
            {"server": "AtlassianProxy/1.19.3.1", "atl-traceid": "abc", "content-type": "application/json"},
        )
    )
    assert (f.code, f.status) == ("reachability/ip-allowlist", Status.FAIL)
    assert "admin.atlassian.com" in " ".join(f.remediation) and f.evidence["blocker"] == "atlassian-ip-allowlist"


def test_cloudflare_block_page_gives_ray_id_error_code_and_caller_address() -> None:
    f = verdict(
        answer(
            403, CLOUDFLARE, {"server": "cloudflare", "cf-ray": "7d1a2b3c4d5e6f70-FRA", "content-type": "text/html"}
        ),
        "jira-align",
    )
    assert (f.code, f.status) == ("reachability/cloudflare-block", Status.FAIL)
    assert f.evidence["cloudflare_error"] == "1006" and f.evidence["ray_id"] == "7d1a2b3c4d5e6f70-FRA"
    assert "1006" in f.message and "IP address is banned" in f.message
    fixes = " ".join(f.remediation)
    assert "203.0.113.7" in fixes and "https://ip-ranges.atlassian.com/" in fixes  # Jira Align's published ranges


def test_cloudflare_ray_read_from_the_page_when_the_header_is_gone() -> None:
    found = blockers.recognise(answer(403, CLOUDFLARE, {"server": "cloudflare"}))
    assert found is not None and found.evidence["ray_id"] == "7d1a2b3c4d5e6f70"


def test_published_egress_addresses_are_named_in_the_fix() -> None:
    profile = dataclasses.replace(get_profile("piplanning"), egress_addresses=("198.51.100.10", "198.51.100.11"))
    f = judge_reachability(read_server_info(answer(403, ALLOWLIST), CHALLENGE), URL, 3.0, None, profile)
    assert "198.51.100.10, 198.51.100.11" in " ".join(f.remediation)


@pytest.mark.parametrize(
    "status, body, headers",
    [
        (200, SERVERINFO, JIRA_HEADERS),  # Jira itself
        (
            403,
            '{"errorMessages":["You do not have the permission to see the specified issue."],"errors":{}}',
            JIRA_HEADERS,
        ),
        (200, "The IP address has been rejected because it is not on the allowed list", {}),  # a 2xx is never a block
        (
            503,
            "<html><title>503 Service Temporarily Unavailable</title><center>nginx</center></html>",
            {"server": "nginx"},
        ),
    ],
)
def test_answers_that_are_not_blockers(status: int, body: str, headers: dict[str, str]) -> None:
    assert blockers.recognise(answer(status, body, headers)) is None


def test_healthy_jira_still_passes_with_a_profile() -> None:
    assert verdict(answer(200, SERVERINFO, JIRA_HEADERS)).code == "reachability/ok"


@settings(max_examples=200, deadline=None)
@given(
    status=st.integers(100, 599),
    body=st.text(max_size=3000),
    server=st.sampled_from(["", "cloudflare", "nginx"]),
    ray=st.text(max_size=40),
)
def test_recognise_never_raises_on_hostile_answers(status: int, body: str, server: str, ray: str) -> None:
    found = blockers.recognise(answer(status, body, {"server": server, "cf-ray": ray}))
    assert found is None or found.kind in ("atlassian-ip-allowlist", "cloudflare")


# ------------------------------------------------------------------------- Cloud applink ports ---


@pytest.mark.parametrize(
    "url, hosting, deployment, fires",
    [
        ("https://jira.example.com:8081", None, "Server", True),  # Jira Align is cloud-hosted by its profile
        ("http://jira.example.com:8080", None, "Server", False),  # on Atlassian's list
        ("https://jira.example.com", None, "Server", False),  # 443
        ("https://jira.example.com:8444", "cloud", None, False),
        (
            "https://jira.example.com:8081",
            "on-premises",
            "Server",
            False,
        ),  # --integration-hosting overrides the profile
        ("https://acme.atlassian.net:8081", None, "Cloud", False),  # Jira Cloud itself: nothing to reach on-premises
    ],
)
def test_cloud_applink_ports(url: str, hosting: str | None, deployment: str | None, fires: bool) -> None:
    f = cloud_port_finding(url, get_profile("jira-align"), hosting, deployment)
    assert (f is not None) == fires
    if f is not None:
        assert f.code == "reachability/cloud-port-unreachable" and "8081" in f.message and "443" in f.message


def test_cloud_hosted_vendors_that_are_not_atlassian_products_have_no_port_list() -> None:
    assert cloud_port_finding("https://jira.example.com:8081", get_profile("piplanning"), "cloud", "Server") is None
