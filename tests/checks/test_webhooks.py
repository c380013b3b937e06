"""webhooks from facts built in the test: present, enabled, every event, pointing at the integration."""

from __future__ import annotations

import json

from jiradoctor.checks.webhooks import CHECK as WEBHOOKS
from jiradoctor.jira import applinks as al
from jiradoctor.model import Status
from jiradoctor.probes.applinks import AdminAccess, AppLinkFacts, WebhookFacts
from jiradoctor.probes.auth import Login
from tests.checks.test_applink import ADMIN, ZEPHYR_EVENTS, link, status_of, target
from tests.conftest import codes, only, run_checks


def judge_hooks(hooks, service_admin=True, tgt=None, links=None, access=None):
    access = access or AdminAccess(ADMIN.login, ADMIN.source, True, ADMIN.reason, service_admin)
    links = links if links is not None else [link("Zephyr Ent", "https://acme.yourzephyr.com/flex", key="ZephyrEnt")]
    preset = {
        "webhooks": WebhookFacts(access, tuple(hooks), "/rest/webhooks/1.0/webhook"),
        "applinks": AppLinkFacts(access, tuple(links), "/rest/applinks/3.0/applinks"),
    }
    report = run_checks([WEBHOOKS], tgt or target("zephyr-enterprise", consumer_key="ZephyrEnt"), preset=preset)
    assert codes(report) <= set(WEBHOOKS.codes)
    return report


ZEPHYR_HOOK = al.Webhook("Zephyr", "https://acme.yourzephyr.com/flex/rest/hook", ZEPHYR_EVENTS, True)


def test_webhook_present_enabled_with_every_event_passes():
    report = judge_hooks([ZEPHYR_HOOK])
    assert "webhooks/ok" in codes(report) and status_of(report) == Status.PASS


def test_webhook_missing_fails_and_says_service_user_cannot_create():
    report = judge_hooks([], service_admin=False)
    assert only(report, "webhooks/missing").status == Status.FAIL
    assert only(report, "webhooks/service-user-cannot-create").status == Status.WARN
    assert "webhooks/service-user-cannot-create" not in codes(judge_hooks([], service_admin=True))


def test_webhook_partial_events_are_named():
    partial = al.Webhook("Zephyr", ZEPHYR_HOOK.url, ZEPHYR_EVENTS[:2], True)
    finding = only(judge_hooks([partial]), "webhooks/events-missing")
    assert finding.evidence["missing"] == list(ZEPHYR_EVENTS[2:])


def test_webhook_disabled_fails():
    off = al.Webhook("Zephyr", ZEPHYR_HOOK.url, ZEPHYR_EVENTS, False)
    assert only(judge_hooks([off]), "webhooks/disabled").status == Status.FAIL


def test_jira10_inactive_webhook_is_a_finding_and_active_passes():
    """JIRA-FACTS §10: Jira 10 lists webhooks as a bare array whose on/off flag is `active` (no `enabled`)."""
    item = {"id": 7, "name": "Zephyr", "url": ZEPHYR_HOOK.url, "events": list(ZEPHYR_EVENTS), "active": False}
    [off] = al.parse_webhooks(json.dumps([item]))
    assert only(judge_hooks([off]), "webhooks/disabled").status == Status.FAIL
    [on] = al.parse_webhooks(json.dumps([{**item, "active": True}]))
    assert "webhooks/ok" in codes(judge_hooks([on]))


def test_one_of_two_hooks_switched_off_is_a_warning():
    off = al.Webhook("Zephyr old", ZEPHYR_HOOK.url, ZEPHYR_EVENTS, False)
    report = judge_hooks([ZEPHYR_HOOK, off])
    assert only(report, "webhooks/disabled").status == Status.WARN and "webhooks/ok" not in codes(report)


def test_webhook_whose_state_is_not_said_is_not_a_pass():
    unknown = al.Webhook("Zephyr", ZEPHYR_HOOK.url, ZEPHYR_EVENTS, None)
    check = judge_hooks([unknown]).checks[0]
    assert check.status == Status.SKIP and "neither 'active' nor 'enabled'" in check.skip_reason


def test_webhook_named_for_zephyr_pointing_elsewhere():
    elsewhere = al.Webhook("Zephyr sync", "https://old-zephyr.example/flex/rest/hook", ZEPHYR_EVENTS, True)
    report = judge_hooks([elsewhere])
    assert {"webhooks/wrong-url", "webhooks/missing"} <= codes(report)


def test_webhook_url_option_overrides_the_link():
    tgt = target("zephyr-enterprise", consumer_key="ZephyrEnt", webhook_url="https://hooks.example/zephyr")
    hook = al.Webhook("Z", "https://hooks.example/zephyr/in", ZEPHYR_EVENTS, True)
    assert "webhooks/ok" in codes(judge_hooks([hook], tgt=tgt))
    assert "webhooks/missing" in codes(judge_hooks([ZEPHYR_HOOK], tgt=tgt))


def test_webhooks_skip_for_profiles_without_webhooks_and_without_admin():
    assert status_of(judge_hooks([ZEPHYR_HOOK], tgt=target())) == Status.SKIP
    nobody = AdminAccess(Login("none"), "", None, "no credentials were given")
    check = judge_hooks([ZEPHYR_HOOK], access=nobody).checks[0]
    assert check.status == Status.SKIP and "--admin-password" in check.skip_reason
