"""applink, webhooks, pat-expiry: judgement from facts (no network), and the parsers of Jira's answers.

Every code is shown in both directions: a broken case it must catch, and the healthy case it passes.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiradoctor.checks.applink import CHECK as APPLINK
from jiradoctor.jira import applinks as al
from jiradoctor.jira import pem
from jiradoctor_lab.keys import key_pair
from jiradoctor.model import Status
from jiradoctor.probes.applinks import AdminAccess, AppLinkFacts
from jiradoctor.probes.auth import Login
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from tests.conftest import codes, only, run_checks

URL = "https://jira.example.com"
CONSUMER = key_pair("consumer")
OTHER = key_pair("other")
ADMIN = AdminAccess(Login("basic", user="alice"), "--admin-user/--admin-password", True, "Jira confirms ADMINISTER")
ZEPHYR_EVENTS = (
    "jira:issue_updated",
    "jira:issue_deleted",
    "jira:version_released",
    "jira:version_unreleased",
    "jira:version_created",
    "jira:version_moved",
    "jira:version_updated",
    "jira:version_deleted",
    "project_updated",
    "project_deleted",
)


def link(
    name="piplanning.io",
    url="https://piplanning.io",
    key="piplanning.io",
    public=CONSUMER,
    callback=None,
    incoming=True,
    working=True,
    error=None,
) -> al.AppLink:
    consumer = al.Consumer(key, name, pem.spki_base64(public.public_key), callback) if incoming else None
    status = al.LinkStatus(working, incoming, False, error and "NETWORK_ERROR", error)
    return al.AppLink("id-" + name, name, url, url, "generic", status, consumer, consumer_read=True)


def target(integration="piplanning", **kw) -> Target:
    values = dict(
        url=URL, integration=integration, consumer_key="piplanning.io", private_key=Secret(CONSUMER.private_key_pem)
    )
    values.update(kw)
    return Target(**values)


def judge_links(links, tgt=None, access=ADMIN, oauth2=None, problem=None):
    facts = AppLinkFacts(access, tuple(links), "/rest/applinks/3.0/applinks", oauth2, problem)
    report = run_checks([APPLINK], tgt or target(), preset={"applinks": facts})
    assert codes(report) <= set(APPLINK.codes)
    return report


def status_of(report):
    return report.checks[0].status


# ------------------------------------------------------------------------------- applink ---


def test_correct_link_passes_and_names_how_it_was_found():
    report = judge_links([link(), link("Confluence", "https://wiki.example", key="wiki")])
    ok = only(report, "applink/ok")
    assert status_of(report) == Status.PASS
    assert ok.evidence["found_by"] == "its consumer key"
    assert ok.evidence["public_key_fingerprint"] == pem.fingerprint(CONSUMER.public_key)


def test_no_link_for_the_integration_fails():
    report = judge_links([link("Confluence", "https://wiki.example", key="wiki")])
    missing = only(report, "applink/missing")
    assert missing.status == Status.FAIL
    assert missing.evidence["links"][0]["name"] == "Confluence"


def test_one_sided_link_fails_and_says_create_incoming_link():
    report = judge_links([link(incoming=False)])
    finding = only(report, "applink/one-sided")
    assert finding.status == Status.FAIL and "Create incoming link" in finding.remediation[0]


def test_consumer_key_differing_by_a_trailing_space_names_the_character():
    report = judge_links([link(key="piplanning.io ")])
    finding = only(report, "applink/consumer-key-mismatch")
    assert finding.evidence["first_difference_at"] == len("piplanning.io")
    assert "␣" in finding.evidence["jira_chars"]
    assert "applink/ok" not in codes(report)


def test_consumer_key_equal_byte_for_byte_passes():
    assert "applink/consumer-key-mismatch" not in codes(judge_links([link(key="piplanning.io")]))


def test_stale_public_key_fails_with_the_text_to_paste():
    report = judge_links([link(public=OTHER)])
    finding = only(report, "applink/public-key-mismatch")
    assert finding.evidence["jira_fingerprint"] == pem.fingerprint(OTHER.public_key)
    assert finding.evidence["expected_fingerprint"] == pem.fingerprint(CONSUMER.public_key)
    assert finding.evidence["first_difference_at"] is not None
    assert "BEGIN PUBLIC KEY" in finding.evidence["paste_into_jira"]  # piplanning takes either form


def test_public_key_compared_with_public_key_option_when_no_private_key():
    tgt = target(private_key=None, public_key=CONSUMER.public_key_pem)
    assert "applink/public-key-mismatch" in codes(judge_links([link(public=OTHER)], tgt))
    assert "applink/ok" in codes(judge_links([link(public=CONSUMER)], tgt))


def test_same_key_written_differently_is_only_info():
    flat = pem.spki_base64(CONSUMER.public_key)
    wrapped = "\n".join(flat[i : i + 64] for i in range(0, len(flat), 64))
    lk = link()
    lk = al.AppLink(
        lk.id, lk.name, lk.display_url, lk.rpc_url, lk.type, lk.status, al.Consumer("piplanning.io", "p", wrapped), True
    )
    report = judge_links([lk])
    assert only(report, "applink/public-key-formatting").status == Status.INFO
    assert status_of(report) == Status.PASS


def test_kendis_link_with_a_url_fails_and_with_a_name_passes():
    tgt = target("kendis", consumer_key="kendis-acme")
    bad = judge_links(
        [link("Kendis", "https://app.kendis.io", key="kendis-acme", callback="https://app.kendis.io/cb")], tgt
    )
    assert only(bad, "applink/url-not-name").status == Status.FAIL
    good = judge_links([link("acme-app", "acme-app", key="kendis-acme", callback="https://app.kendis.io/cb")], tgt)
    assert "applink/ok" in codes(good)


def test_kendis_callback_missing_or_different():
    tgt = target("kendis", consumer_key="kendis-acme", callback_url="https://app.kendis.io/cb/acme")
    missing = judge_links([link("acme-app", "acme-app", key="kendis-acme", callback=None)], tgt)
    assert only(missing, "applink/callback-missing").status == Status.FAIL
    other = judge_links(
        [link("acme-app", "acme-app", key="kendis-acme", callback="https://app.kendis.io/cb/acne")], tgt
    )
    assert "first difference at character" in only(other, "applink/callback-mismatch").message
    same = judge_links([link("acme-app", "acme-app", key="kendis-acme", callback="https://app.kendis.io/cb/acme")], tgt)
    assert "applink/ok" in codes(same)


@pytest.mark.parametrize(
    "integration, key, url, ok",
    [
        ("zephyr-enterprise", "ZephyrEnt", "https://acme.yourzephyr.com/flex", True),
        ("zephyr-enterprise", "ZephyrEnt", "https://acme.yourzephyr.com/flex/", True),
        ("zephyr-enterprise", "ZephyrEnt", "https://acme.yourzephyr.com", False),
        ("jira-align", "JiraAlignAcme", "https://acme.jiraalign.com", True),
        ("jira-align", "JiraAlignAcme", "https://acme.jiraalign.co", False),
        ("jira-align", "JiraAlignAcme", "https://acme.jirralign.com", False),
        ("piplanning", "piplanning.io", "https://piplanning.io", True),
        ("piplanning", "piplanning.io", "https://app.piplanning.com", False),
    ],
)
def test_link_url_rules_from_the_seed_guides(integration, key, url, ok):
    report = judge_links([link("the link", url, key=key)], target(integration, consumer_key=key))
    assert ("applink/url-rule" not in codes(report)) is ok
    assert ("applink/ok" in codes(report)) is ok


def test_oauth1_where_profile_expects_oauth2(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[acme]\nname = "Acme"\napplink_auth = "oauth2"\napplink_names = ["acme"]\n')
    tgt = target("acme", consumer_key="acme", profile_file=str(profile))
    bad = judge_links([link("Acme", "https://acme.example", key="acme")], tgt, oauth2=())
    assert only(bad, "applink/oauth1-not-oauth2").status == Status.FAIL
    good = judge_links([link("Acme", "https://acme.example", key="acme")], tgt, oauth2=("Acme OAuth 2.0",))
    assert "applink/oauth1-not-oauth2" not in codes(good) and "applink/ok" in codes(good)


def test_disabled_link_fails_other_status_is_info():
    assert only(judge_links([link(working=False, error="DISABLED")]), "applink/disabled").status == Status.FAIL
    report = judge_links([link(working=False, error="NO_REMOTE_APPLINK")])
    assert only(report, "applink/status").status == Status.INFO and "applink/ok" in codes(report)


def test_generic_link_status_is_normal_for_a_non_atlassian_integration():
    """JIRA-FACTS §10: GENERIC_LINK (NON_ATLASSIAN) is how Jira reports any link to a non-Atlassian app."""
    generic = link()
    generic = al.AppLink(generic.id, generic.name, generic.display_url, generic.rpc_url, generic.type,
                         al.LinkStatus(False, True, False, "NON_ATLASSIAN", "GENERIC_LINK"), generic.consumer, True)
    report = judge_links([generic])
    assert codes(report) == {"applink/ok"} and status_of(report) == Status.PASS
    assert "not a fault" in only(report, "applink/ok").evidence["jira_status"]


def test_without_admin_it_skips_with_the_options_that_enable_it():
    access = AdminAccess(
        Login("basic", user="svc"),
        "the integration's credentials",
        False,
        "Jira says this user does not hold the global ADMINISTER permission",
    )
    check = judge_links([link()], access=access).checks[0]
    assert check.status == Status.SKIP
    assert "--admin-user" in check.skip_reason and "--admin-pat" in check.skip_reason
    nobody = judge_links([link()], access=AdminAccess(Login("none"), "", None, "no credentials were given")).checks[0]
    assert nobody.status == Status.SKIP and "no credentials" in nobody.skip_reason


def test_unreadable_listing_is_skip_never_pass():
    check = judge_links([], problem="listing application links failed: HTTP 500").checks[0]
    assert check.status == Status.SKIP and "HTTP 500" in check.skip_reason


def test_consumer_not_shown_is_skip_not_pass():
    lk = al.AppLink(
        "x", "piplanning.io", "https://piplanning.io", "https://piplanning.io", "generic", None, None, False
    )
    assert status_of(judge_links([lk])) == Status.SKIP


# ------------------------------------------------------------------------------- parsers ---


def test_parsers_read_the_documented_shapes():
    links = al.parse_links_v3(
        json.dumps(
            [
                {
                    "id": "a1",
                    "name": "Zephyr",
                    "displayUrl": "https://z/flex",
                    "rpcUrl": "https://z/flex",
                    "type": "generic",
                    "system": False,
                }
            ]
        )
    )
    assert links and links[0].display_url == "https://z/flex"
    v1 = al.parse_links_v1(
        json.dumps(
            {
                "list": [
                    {
                        "application": {"id": "b", "name": "K", "typeId": "generic", "displayUrl": "k", "rpcUrl": "k"},
                        "configuredInboundAuthenticators": [
                            "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"
                        ],
                    }
                ]
            }
        )
    )
    assert v1 and v1[0].type == "generic" and v1[0].inbound_authenticators and len(v1[0].inbound_authenticators) == 1
    status = al.parse_status(
        json.dumps(
            {
                "working": False,
                "localAuthentication": {"incoming": {"enabled": False}},
                "error": {"category": "CONFIG_ERROR", "type": "NO_REMOTE_APPLINK", "details": "d"},
            }
        )
    )
    assert status == al.LinkStatus(False, False, None, "CONFIG_ERROR", "NO_REMOTE_APPLINK", "d")
    wrapped = {"consumers": [{"key": "k", "publicKey": "MIIB", "callback": None, "outgoing": False}]}
    assert al.parse_consumers(json.dumps(wrapped)) == [al.Consumer("k", None, "MIIB", None)]
    assert al.parse_consumers('{"key": "k", "publicKey": "MIIB"}') is None  # the PUT body is not the GET's shape
    assert al.parse_consumers('{"consumers": []}') == []
    hooks = al.parse_webhooks(json.dumps([{"name": "n", "url": "u", "events": ["e"], "enabled": True}]))
    assert hooks == [al.Webhook("n", "u", ("e",), True)]
    jira10 = al.parse_webhooks(json.dumps([{"id": 1, "name": "n", "url": "u", "events": ["e"], "active": False}]))
    assert jira10 == [al.Webhook("n", "u", ("e",), False)]
    assert al.parse_jira_time("2026-12-01T10:00:00.000+0000") == dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc)
    assert al.parse_jira_time(1764583200000) == dt.datetime(2025, 12, 1, 10, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "parser",
    [al.parse_links_v3, al.parse_links_v1, al.parse_status, al.parse_consumers, al.parse_webhooks, al.parse_pat_tokens],
)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "null",
        "[]",
        "{}",
        "<html>",
        '{"list": 5}',
        '[1, [2], {"id": null}]',
        '{"working": "yes"}',
        '{"key": 5}',
        "[" * 100_000,
    ],
)
def test_parsers_survive_hostile_text(parser, text):
    parser(text)  # no exception is the assertion; shapes are checked above


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_parsers_never_crash_on_any_json(value):
    text = json.dumps(value)
    for parser in (
        al.parse_links_v3,
        al.parse_links_v1,
        al.parse_status,
        al.parse_consumers,
        al.parse_webhooks,
        al.parse_pat_tokens,
    ):
        result = parser(text)
        assert result is None or isinstance(result, (list, al.LinkStatus, al.Consumer))


def test_char_diff_and_url_helpers():
    d = al.char_diff("abcdef", "abXdef")
    assert d is not None and d.position == 2 and d.left.startswith("c") and d.right.startswith("X")
    assert al.char_diff("same", "same") is None
    assert al.char_diff("abc", "abcd").position == 3
    assert al.char_diff("abcdef", "abXdef").describe("a", "b").startswith("first difference at character 3:")  # 1-based
    assert al.looks_like_url("https://x.example") and not al.looks_like_url("acme-kendis-app")
    assert al.host_matches("https://acme.jiraalign.com/", ["*.jiraalign.com"])
    assert not al.host_matches("https://acme.jiraalign.com.evil.example", ["*.jiraalign.com"])
    assert al.same_endpoint("https://a.example", "https://A.example:443/")


def test_jira_consumer_key_that_is_not_what_jira_stores_is_said():
    report = judge_links([link(key="piplanning.io")], target(jira_consumer_key="piplanning.io "))
    assert only(report, "applink/jira-consumer-key-differs").status == Status.INFO
    assert "applink/jira-consumer-key-differs" not in codes(
        judge_links([link()], target(jira_consumer_key="piplanning.io"))
    )
