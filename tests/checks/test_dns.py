"""dns judgement from facts built in the test."""

from __future__ import annotations

from jiradoctor.checks import dns as dns_check
from jiradoctor.model import Status
from jiradoctor.net.proxy_route import Route
from jiradoctor.probes.dns import DnsFact, Lookup, merge
from jiradoctor.target import Target
from tests.conftest import run_checks
from tests.network.helpers import verdicts

URL = "https://jira.example.com"


def judge(fact: DnsFact, integration: str = "generic", route: Route | None = None) -> dict[str, Status]:
    preset: dict = {"dns": fact, "proxy_route": route or Route("direct", URL)}
    return verdicts(run_checks([dns_check.CHECK], Target(url=URL, integration=integration), preset=preset), "dns")


def names(system: Lookup, dns: Lookup, server: str | None = None) -> DnsFact:
    return DnsFact("jira.example.com", False, system, dns, server)


def test_hosts_file_entry_unknown_to_dns_warns() -> None:
    fact = names(Lookup("system", "ok", ("93.184.216.34",)), Lookup("dns", "nxdomain"))
    assert judge(fact) == {"dns/resolver-mismatch": Status.WARN}


def test_a_resolver_that_failed_to_answer_is_no_disagreement() -> None:
    fact = names(Lookup("system", "ok", ("93.184.216.34",)), Lookup("dns", "timeout"))
    assert judge(fact) == {"dns/ok": Status.PASS}


def test_overlapping_answers_agree() -> None:
    fact = names(Lookup("system", "ok", ("93.184.216.34", "93.184.216.35")), Lookup("dns", "ok", ("93.184.216.35",)))
    assert judge(fact) == {"dns/ok": Status.PASS}


def test_nxdomain_behind_a_proxy_only_warns() -> None:
    fact = names(Lookup("system", "nxdomain"), Lookup("dns", "nxdomain"))
    assert judge(fact) == {"dns/nxdomain": Status.FAIL}
    proxied = Route("proxy", URL, "http://proxy:3128", "HTTPS_PROXY")
    assert judge(fact, route=proxied) == {"dns/nxdomain": Status.WARN}


def test_private_ip_literal_fails_for_cloud_integrations_only() -> None:
    fact = DnsFact("10.1.2.3", True)
    assert judge(fact, "piplanning") == {"dns/private-address": Status.FAIL}
    assert judge(fact, "generic") == {"dns/ip-address": Status.INFO}
    assert judge(DnsFact("93.184.216.34", True), "piplanning") == {"dns/ip-address": Status.INFO}


def test_cgnat_is_internal() -> None:
    fact = names(Lookup("system", "ok", ("100.64.0.10",)), Lookup("dns", "ok", ("100.64.0.10",)))
    assert judge(fact, "kendis") == {"dns/private-address": Status.FAIL}


def test_merge_prefers_addresses_then_the_most_telling_failure() -> None:
    assert merge("dns", [Lookup("dns", "nodata"), Lookup("dns", "ok", ("::1",))], 0).outcome == "ok"
    assert merge("dns", [Lookup("dns", "nodata"), Lookup("dns", "nxdomain")], 0).outcome == "nodata"
    assert merge("dns", [Lookup("dns", "timeout"), Lookup("dns", "servfail")], 0).outcome == "servfail"
